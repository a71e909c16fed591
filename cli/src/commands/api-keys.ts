/** api-keys create | list | revoke: keys for server-to-server integrations (admins only). */
import {
  createApiKey,
  listApiKeys,
  revokeApiKey,
  type CreateApiKeyData,
  type ListApiKeysResponse,
} from '@emporium/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { resolveContext } from '../context';
import { parseId } from '../ids';
import { formatDetails, notice, printJson, printLine, type Column } from '../output';
import { listCommand } from '../list-command';
import { parseTimestamp } from '../times';
import type { PageOptions } from '../paging';
import { openSession } from '../session';

type ApiKeyScope = CreateApiKeyData['body']['scopes'][number];

/**
 * The scopes the API takes, for checking `--scope` before any request. Held to the SDK's type both ways: a scope
 * listed here that the API does not take, or one the API gains and this list lacks, fails to compile.
 */
export const SCOPES = [
  'catalog:read',
  'catalog:write',
  'orders:read',
  'orders:write',
  'admin:read',
] as const satisfies readonly ApiKeyScope[];
const everyScopeListed: Exclude<ApiKeyScope, (typeof SCOPES)[number]> extends never ? true : false = true;
void everyScopeListed;

type ApiKey = ListApiKeysResponse['data'][number];

interface CreateOptions {
  name: string;
  scope: ApiKeyScope[];
  expiresAt?: string;
}

function collectScope(value: string, previous: ApiKeyScope[] = []): ApiKeyScope[] {
  if (!(SCOPES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`Allowed scopes: ${SCOPES.join(', ')}.`);
  }
  return [...previous, value as ApiKeyScope];
}

const status = (key: ApiKey) =>
  key.revokedAt ? 'revoked' : key.expiresAt && Date.parse(key.expiresAt) <= Date.now() ? 'expired' : 'active';
const day = (timestamp: string | null) => timestamp?.slice(0, 16).replace('T', ' ') ?? '-';

const keyColumns: readonly Column<ApiKey>[] = [
  { header: 'ID', value: (key) => key.id },
  { header: 'NAME', value: (key) => key.name },
  { header: 'PREFIX', value: (key) => key.prefix },
  { header: 'SCOPES', value: (key) => key.scopes.join(',') },
  { header: 'STATUS', value: status },
  { header: 'EXPIRES', value: (key) => day(key.expiresAt) },
  { header: 'LAST USED', value: (key) => day(key.lastUsedAt) },
];

function printKey(key: ApiKey): void {
  printLine(
    formatDetails([
      ['ID', key.id],
      ['Name', key.name],
      ['Prefix', key.prefix],
      ['Scopes', key.scopes.join(', ')],
      ['Status', status(key)],
      ['Created', key.createdAt],
      ['Expires', key.expiresAt ?? 'never'],
      ['Last used', key.lastUsedAt ?? 'never'],
      ['Revoked', key.revokedAt ?? '-'],
    ]),
  );
}

export function registerApiKeyCommands(program: Command): void {
  const apiKeys = program.command('api-keys').description('manage API keys for integrations (admins only)');

  apiKeys
    .command('create')
    .description('create an API key; its secret is printed once and cannot be shown again')
    .requiredOption('--name <name>', 'what the key is for')
    .addOption(
      new Option('--scope <scope>', `a scope to grant (repeatable): ${SCOPES.join(', ')}`)
        .argParser(collectScope)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--expires-at <time>', 'when the key stops working (default: never)').argParser(parseTimestamp),
    )
    .action(async (options: CreateOptions, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const key = await session.call((client) =>
        createApiKey({
          client,
          body: {
            name: options.name,
            scopes: options.scope,
            ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
          },
        }),
      );
      if (context.json) return printJson(key);
      printKey(key);
      // The secret is the result (stdout, pipeable); the warning is a notice (stderr).
      printLine(`Secret     ${key.secret}`);
      notice('Store the secret now: it is not stored by the server and cannot be shown again.');
    });

  listCommand<ApiKey, PageOptions>(apiKeys, {
    name: 'list',
    description: 'list API keys, newest first (secrets are never shown)',
    noun: 'API keys',
    empty: 'No API keys.',
    columns: keyColumns,
    fetch: (session, paging) => session.call((client) => listApiKeys({ client, query: paging })),
  });

  apiKeys
    .command('revoke')
    .description('revoke an API key: it stops working at once')
    .argument('<id>', 'API key id', parseId)
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const key = await session.call((client) => revokeApiKey({ client, path: { id } }));
      if (context.json) return printJson(key);
      printKey(key);
    });
}
