/** health: the server's readiness, usable as a deploy gate (exit 0 ready, 1 not ready). */
import { getReadiness, type GetReadinessResponse } from '@emporium/sdk';
import type { Command } from 'commander';
import { createClient, failureOf } from '../api';
import { resolveContext } from '../context';
import { isProblem } from '../errors';
import { formatTable, printJson, printLine } from '../output';

type Checks = GetReadinessResponse['checks'];

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
        const rows = Object.entries(body.checks).map(([name, status]) => ({ name, status }));
        printLine(
          formatTable(
            [
              { header: 'CHECK', value: (row) => row.name },
              { header: 'STATUS', value: (row) => row.status },
            ],
            rows,
          ),
        );
        printLine(notReady ? `\n${context.baseUrl} is NOT ready` : `\n${context.baseUrl} is ready`);
      }
      if (notReady) process.exitCode = 1;
    });
}
