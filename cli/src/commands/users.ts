/** users list | show | update: account administration (admin role required). */
import { getUser, listUsers, updateUser, type ListUsersData, type UpdateUserData } from '@emporium/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { resolveContext } from '../context';
import { notice, printJson } from '../output';
import { openSession } from '../session';
import { printUser, printUserTable, type User } from '../views';

export const ROLES = ['customer', 'vendor', 'admin'] as const;
type Role = (typeof ROLES)[number];

const MAX_PAGE_SIZE = 100;

interface ListOptions {
  q?: string;
  role?: Role;
  active?: 'true' | 'false';
  limit?: number;
  cursor?: string;
  all?: boolean;
}

interface UpdateOptions {
  role?: Role;
  active?: 'true' | 'false';
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError(`Use a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return limit;
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
    .addOption(new Option('--limit <n>', `page size, 1-${MAX_PAGE_SIZE} (default 20)`).argParser(parseLimit))
    .option('--cursor <cursor>', 'start at this page (the nextCursor of a previous --json answer)')
    .option('--all', 'follow nextCursor through every page')
    .action(async (options: ListOptions, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const query: NonNullable<ListUsersData['query']> = {
        ...(options.q !== undefined ? { q: options.q } : {}),
        ...(options.role ? { role: options.role } : {}),
        ...(options.active ? { isActive: options.active } : {}),
        // Fewer round trips when walking every page.
        ...(options.limit !== undefined || options.all ? { limit: options.limit ?? MAX_PAGE_SIZE } : {}),
      };

      const collected: User[] = [];
      let cursor = options.cursor;
      let nextCursor: string | null;
      do {
        const pageQuery = cursor ? { ...query, cursor } : query;
        const page = await session.call((client) => listUsers({ client, query: pageQuery }));
        collected.push(...page.data);
        nextCursor = page.nextCursor;
        cursor = nextCursor ?? undefined;
      } while (options.all && cursor);

      if (context.json) return printJson({ data: collected, nextCursor });
      printUserTable(collected);
      if (nextCursor) notice(`More users: add --all, or --cursor ${nextCursor}`);
    });

  users
    .command('show')
    .description('show one user')
    .argument('<id>', 'user id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      printUser(await session.call((client) => getUser({ client, path: { id } })), context.json);
    });

  users
    .command('update')
    .description("change a user's role (applies on their next request) or active status (deactivation ends their sessions)")
    .argument('<id>', 'user id')
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
