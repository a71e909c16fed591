/**
 * A limit wherever abuse is possible: every route names a rate-limit policy, and every public read and search answers
 * 429 past its budget. The budgets are shrunk through the environment (RATE_LIMIT_<POLICY>=points/seconds), so the
 * limiter under test is the real one, with real small budgets.
 */
import { isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, isRouteMetadata } from '@emporium/contract';
import { ConfigError, loadConfig } from '@emporium/server';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN_ENV, makeUser } from '../support/users';

const BUDGET = 3;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      ...ADMIN_ENV,
      RATE_LIMIT_CATALOG_READ: `${BUDGET}/60`,
      RATE_LIMIT_CATALOG_SEARCH: `${BUDGET}/60`,
      RATE_LIMIT_PROBE: `${BUDGET}/60`,
      RATE_LIMIT_OAUTH: `${BUDGET}/60`,
      RATE_LIMIT_ACCOUNT: `${BUDGET}/60`,
      RATE_LIMIT_DOCUMENTS: `${BUDGET}/60`,
    },
  });
});
afterAll(async () => server.close());

function routesOf(router: AppRouter): AppRoute[] {
  return Object.values(router).flatMap((entry) => (isAppRoute(entry) ? [entry] : routesOf(entry)));
}
const allRoutes = routesOf(contract);
const policyOf = (route: AppRoute) => (isRouteMetadata(route.metadata) ? route.metadata.rateLimit : undefined);
const concretePath = (path: string) =>
  path.replace(/:(id|variantId|imageId)\b/g, '0190a4c5-0000-7000-8000-000000000000').replace(/:provider\b/g, 'nobody');

let nextAddress = 1;
const freshIp = () => `203.0.113.${nextAddress++}`;

describe('route policies', () => {
  it('gives every route of the contract a rate-limit policy', () => {
    const unlimited = allRoutes.filter((route) => !policyOf(route)).map((route) => `${route.method} ${route.path}`);
    expect(unlimited).toEqual([]);
  });
});

const publicReads = allRoutes.filter(
  (route) => route.method === 'GET' && isRouteMetadata(route.metadata) && route.metadata.auth === 'public',
);

describe('public reads and searches', () => {
  it('include the catalog reads, search and health probes', () => {
    const policies = new Set(publicReads.map(policyOf));
    expect(policies).toEqual(new Set(['catalog_read', 'catalog_search', 'probe', 'oauth']));
  });

  it.each(publicReads.map((route) => [route.method, route.path, route] as const))(
    '%s %s answers 429 past its budget, with Retry-After and RateLimit-* headers',
    async (_method, path) => {
      const ip = freshIp();
      const url = concretePath(path);
      const answers = [];
      for (let attempt = 0; attempt <= BUDGET; attempt += 1) {
        answers.push(await request(server.app).get(url).query({ q: 'shoe' }).set('X-Forwarded-For', ip));
      }
      const allowed = answers.slice(0, BUDGET);
      expect(allowed.map((answer) => answer.status)).not.toContain(429);
      expect(allowed.map((answer) => answer.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);
      const limited = answers[BUDGET]!;
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['ratelimit-limit']).toBe(String(BUDGET));
      expect(limited.headers['ratelimit-remaining']).toBe('0');
      expect(Number(limited.headers['ratelimit-reset'])).toBeGreaterThan(0);

      // Another client is not affected.
      const other = await request(server.app).get(url).query({ q: 'shoe' }).set('X-Forwarded-For', freshIp());
      expect(other.status).not.toBe(429);
    },
  );
});

describe('routes outside the contract', () => {
  it.each(['/openapi.json', '/docs/', '/metrics', '/media/products/none.webp'])(
    '%s answers 429 past the documents budget, per IP',
    async (path) => {
      expect(server.deps.storage.kind).toBe('local');
      const ip = freshIp();
      const statuses = [];
      for (let attempt = 0; attempt <= BUDGET; attempt += 1) {
        statuses.push((await request(server.app).get(path).set('X-Forwarded-For', ip)).status);
      }
      expect(statuses.slice(0, BUDGET)).not.toContain(429);
      const limited = await request(server.app).get(path).set('X-Forwarded-For', ip);
      expect(statuses[BUDGET]).toBe(429);
      expect(limited.body.code).toBe('rate_limited');
      expect((await request(server.app).get(path).set('X-Forwarded-For', freshIp())).status).not.toBe(429);
    },
  );
});

describe('signed-in routes', () => {
  it('count per user, whichever address the calls come from', async () => {
    const user = await makeUser(server, 'customer');
    const statuses = [];
    for (let attempt = 0; attempt <= BUDGET; attempt += 1) {
      const response = await request(server.app)
        .get('/api/users/profile')
        .set('X-Forwarded-For', freshIp())
        .set('Authorization', `Bearer ${user.accessToken}`);
      statuses.push(response.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);

    const someoneElse = await makeUser(server, 'customer');
    const response = await request(server.app)
      .get('/api/users/profile')
      .set('Authorization', `Bearer ${someoneElse.accessToken}`);
    expect(response.status).toBe(200);
  });
});

describe('budget settings', () => {
  it('refuses a malformed RATE_LIMIT_ variable at start, naming it', () => {
    expect(() => loadConfig({ RATE_LIMIT_LOGIN_IP: 'lots' })).toThrow(ConfigError);
    expect(() => loadConfig({ RATE_LIMIT_LOGIN_IP: 'lots' })).toThrow(/RATE_LIMIT_LOGIN_IP/);
    expect(loadConfig({ RATE_LIMIT_LOGIN_IP: '5/60' }).rateLimitOverrides).toEqual({
      LOGIN_IP: { points: 5, durationSeconds: 60 },
    });
  });
});
