import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { meta, Problem } from './common';

const c = initContract();

/** Rate-limit policies of the health routes (budgets: server/src/modules/health/index.ts). */
export const HEALTH_RATE_LIMIT_POLICIES = ['probe'] as const;

const CheckStatus = z.enum(['up', 'down']);
const Checks = z
  .object({
    database: CheckStatus,
    redis: CheckStatus,
    migrations: CheckStatus,
    worker: CheckStatus,
  })
  .describe('Each dependency: `up` or `down`');

export const healthContract = c.router({
  getLiveness: {
    method: 'GET',
    path: '/health/live',
    summary: 'Liveness probe',
    description: 'Answers 200 while the process can serve HTTP. It touches no dependency, so it never flaps with them.',
    metadata: meta({ auth: 'public', rateLimit: 'probe' }),
    responses: { 200: z.object({ status: z.literal('ok') }) },
  },
  getReadiness: {
    method: 'GET',
    path: '/health/ready',
    summary: 'Readiness probe',
    description:
      'Answers 200 when PostgreSQL and Redis answer, every migration is applied and a job worker has sent a ' +
      'heartbeat within the last 30 seconds; otherwise 503 problem details (`not_ready`) whose `checks` name what is down.',
    metadata: meta({ auth: 'public', rateLimit: 'probe' }),
    responses: {
      200: z.object({ status: z.literal('ok'), checks: Checks }),
      503: Problem.extend({ code: z.literal('not_ready'), checks: Checks }),
    },
  },
});
