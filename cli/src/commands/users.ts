/** users list | show | update: account administration (admin role required). */
import { getUser, listUsers, updateUser, type ListUsersData, type UpdateUserData } from '@emporium/sdk';
import { Option, type Command } from 'commander';
import { resolveContext } from '../context';
import { parseId } from '../ids';
import { listCommand } from '../list-command';
import type { PageOptions } from '../paging';
import { openSession } from '../session';
import { printUser, userColumns, type User } from '../views';

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

  listCommand<User, ListOptions>(users, {
    name: 'list',
    description: 'list users, newest first',
    noun: 'users',
    empty: 'No users found.',
    columns: userColumns,
    fetch: (session, paging, options) => {
      const query: NonNullable<ListUsersData['query']> = {
        ...(options.q !== undefined ? { q: options.q } : {}),
        ...(options.role ? { role: options.role } : {}),
        ...(options.active ? { isActive: options.active } : {}),
        ...paging,
      };
      return session.call((client) => listUsers({ client, query }));
    },
  })
    .option('--q <text>', 'search email and name (case-insensitive substring)')
    .addOption(roleOption('only users with this role'))
    .addOption(activeOption('only active (true) or deactivated (false) users'));

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
