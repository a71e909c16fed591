/** health: the server's readiness, usable as a deploy gate (exit 0 ready, 1 not ready). */
import { getReadiness, type GetReadinessResponse } from '@emporium/sdk';
import type { Command } from 'commander';
import { createClient, failureOf } from '../api';
import { resolveContext } from '../context';
import { isProblem } from '../errors';
import { formatTable, printJson, printLine } from '../output';

type Checks = GetReadinessResponse['checks'];
type StoreKind = 'redis' | 'memory';

/**
 * The server's `redis` check pings its key-value store, which is Redis only when REDIS_URL is set: without it the
 * server keeps caches, rate limits and token denylists in its own memory and that "ping" always answers up. The
 * readiness answer says which (`keyValueStore`); an older server that does not is reported as "one of the two".
 */
function storeKindOf(body: object): StoreKind | undefined {
  const kind: unknown = (body as { keyValueStore?: unknown }).keyValueStore;
  return kind === 'redis' || kind === 'memory' ? kind : undefined;
}

const STORE_NOTES: Record<StoreKind | 'unknown', string> = {
  redis: 'Redis',
  memory: "the server's own memory (no REDIS_URL): not shared between instances, lost on restart",
  unknown: "Redis, or the server's own memory when it runs without REDIS_URL: this server does not say which",
};

interface Row {
  check: string;
  status: string;
  note: string;
}

function rowsOf(body: { checks: Checks }): Row[] {
  return Object.entries(body.checks).map(([name, status]) =>
    name === 'redis'
      ? { check: 'key-value store', status, note: STORE_NOTES[storeKindOf(body) ?? 'unknown'] }
      : { check: name, status, note: '' },
  );
}

function hasChecks(value: unknown): value is { checks: Checks } {
  return isProblem(value) && typeof (value as { checks?: unknown }).checks === 'object';
}

export function registerHealthCommands(program: Command): void {
  program
    .command('health')
    .description('check whether the server and its dependencies are ready (no login needed)')
    .action(async (_options: unknown, command: Command) => {
      const context = await resolveContext(command);
      const outcome = await getReadiness({ client: createClient(context.baseUrl) });
      // 503 not_ready is an answer, not a failure to report: it carries the checks that are down.
      const notReady = outcome.response?.status === 503 && hasChecks(outcome.error) ? outcome.error : undefined;
      const body = outcome.response?.ok ? outcome.data : notReady;
      if (!body) throw failureOf(outcome, context.baseUrl);

      if (context.json) printJson(body);
      else {
        printLine(
          formatTable<Row>(
            [
              { header: 'CHECK', value: (row) => row.check },
              { header: 'STATUS', value: (row) => row.status },
              { header: 'NOTE', value: (row) => row.note },
            ],
            rowsOf(body),
          ),
        );
        printLine(notReady ? `\n${context.baseUrl} is NOT ready` : `\n${context.baseUrl} is ready`);
      }
      if (notReady) process.exitCode = 1;
    });
}
