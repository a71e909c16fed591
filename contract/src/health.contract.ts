import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { meta, Problem } from './common';
import { named } from './named';

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
const KeyValueStore = z
  .enum(['redis', 'memory'])
  .describe('Where cache and rate-limit counters live: Redis, or this process only (no REDIS_URL: development)');

export const healthContract = c.router({
  getLiveness: {
    method: 'GET',
    path: '/health/live',
    summary: 'Liveness probe',
    description: 'Answers 200 while the process can serve HTTP. It touches no dependency, so it never flaps with them.',
    metadata: meta({ auth: 'public', rateLimit: 'probe' }),
    responses: { 200: named('Liveness', z.object({ status: z.literal('ok') }), { status: 'ok' }) },
  },
  getReadiness: {
    method: 'GET',
    path: '/health/ready',
    summary: 'Readiness probe',
    description:
      'Answers 200 when PostgreSQL answers, every migration is applied and a job worker has sent a heartbeat within ' +
      'the last 30 seconds; otherwise 503 problem details (`not_ready`) whose `checks` name what is down. Redis is ' +
      'not required: the API serves without it (reads from the database, in-process rate limits), so with Redis down ' +
      'the answer stays 200 with `status: degraded` and `checks.redis: down`, and a load balancer keeps every replica. ' +
      'From SIGTERM on it answers 503 while the server drains.',
    metadata: meta({ auth: 'public', rateLimit: 'probe' }),
    responses: {
      200: named(
        'Readiness',
        z.object({
          status: z.enum(['ok', 'degraded']).describe('`degraded`: serving, but a check that is not required is down'),
          checks: Checks,
          keyValueStore: KeyValueStore,
        }),
        {
          status: 'ok',
          checks: { database: 'up', redis: 'up', migrations: 'up', worker: 'up' },
          keyValueStore: 'redis',
        },
      ),
      503: named(
        'ReadinessProblem',
        Problem.extend({ code: z.literal('not_ready'), checks: Checks, keyValueStore: KeyValueStore }),
        {
          type: 'https://emporium.dev/problems/not_ready',
          title: 'Service unavailable',
          status: 503,
          detail: 'Not ready: worker',
          code: 'not_ready',
          requestId: '3f2b8c1e-6a4d-4e2f-9b7a-5c8d1e0f2a3b',
          checks: { database: 'up', redis: 'up', migrations: 'up', worker: 'down' },
          keyValueStore: 'redis',
        },
      ),
    },
  },
});
