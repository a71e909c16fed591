/** users list | show | update: account administration (admin role required). */
import { getUser, listUsers, updateUser, type ListUsersData, type UpdateUserData } from '@emporium/sdk';
import { Option, type Command } from 'commander';
import { resolveContext } from '../context';
import { parseId } from '../ids';
import { printJson } from '../output';
import { allOption, collectPages, cursorOption, limitOption, noticeMore, type PageOptions } from '../paging';
import { openSession } from '../session';
import { printUser, printUserTable } from '../views';

export const ROLES = ['customer', 'vendor', 'admin'] as const;
type Role = (typeof ROLES)[number];

interface ListOptions extends PageOptions {
  q?: string;
  role?: Role;
  active?: 'true' | 'false';
}

interface UpdateOptions {
  role?: Role;
  active?: 'true' | 'false';
}

const roleOption = (description: string) => new Option('--role <role>', description).choices(ROLES);
const activeOption = (description: string) => new Option('--active <boolean>', description).choices(['true', 'false']);

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('find and manage user accounts (admins only)');

  users
    .command('list')
    .description('list users, newest first')
    .option('--q <text>', 'search email and name (case-insensitive substring)')
    .addOption(roleOption('only users with this role'))
    .addOption(activeOption('only active (true) or deactivated (false) users'))
    .addOption(limitOption())
    .addOption(cursorOption())
    .addOption(allOption())
    .action(async (options: ListOptions, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const filters: NonNullable<ListUsersData['query']> = {
        ...(options.q !== undefined ? { q: options.q } : {}),
        ...(options.role ? { role: options.role } : {}),
        ...(options.active ? { isActive: options.active } : {}),
      };
      const page = await collectPages(options, (paging) =>
        session.call((client) => listUsers({ client, query: { ...filters, ...paging } })),
      );

      if (context.json) return printJson(page);
      printUserTable(page.data);
      noticeMore('users', page.nextCursor);
    });

  users
    .command('show')
    .description('show one user')
    .argument('<id>', 'user id', parseId)
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      printUser(await session.call((client) => getUser({ client, path: { id } })), context.json);
    });

  users
    .command('update')
    .description(
      "change a user's role (applies on their next request) or active status (deactivation ends their sessions)",
    )
    .argument('<id>', 'user id', parseId)
    .addOption(roleOption('the new role'))
    .addOption(activeOption('activate (true) or deactivate (false) the account'))
    .action(async (id: string, options: UpdateOptions, command: Command) => {
      if (!options.role && !options.active) command.error('error: give --role and/or --active');
      const context = await resolveContext(command);
      const session = await openSession(context);
      const body: UpdateUserData['body'] = {
        ...(options.role ? { role: options.role } : {}),
        ...(options.active ? { isActive: options.active === 'true' } : {}),
      };
      printUser(await session.call((client) => updateUser({ client, path: { id }, body })), context.json);
    });
}
