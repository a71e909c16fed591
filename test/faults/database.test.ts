/**
 * PostgreSQL faults against a PostgreSQL of this file's own: a table lock held by someone else, a restart. Requests
 * that need what is unavailable answer 503 service_unavailable with Retry-After within the configured timeouts, never
 * 500; requests that need something else stay fast; no acknowledged change is lost.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, makeProduct, usd } from '../support/catalog';
import { startOwnPostgres, startOwnRedis, waitFor, type OwnPostgres, type OwnRedis } from '../support/processes';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

const LOCK_TIMEOUT_MS = 500;
const STATEMENT_TIMEOUT_MS = 2000;
const ACQUIRE_TIMEOUT_MS = 1000;
/** Slack for the request's own work and a busy test machine, on top of a timeout. */
const SLACK_MS = 1000;

let postgres: OwnPostgres;
let redis: OwnRedis;
let databaseUrl: string;
let server: TestServer;
let vendor: SignedInUser;
let categoryId: string;

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
  databaseUrl = await postgres.createMigratedDatabase('emporium_faults');
  server = await startTestServer({
    databaseUrl,
    env: {
      ...ADMIN_ENV,
      REDIS_URL: redis.url,
      DATABASE_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      DATABASE_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
    },
  });
  const admin = await signIn(server, ADMIN.email, ADMIN.password);
  vendor = await makeUser(server, 'vendor');
  categoryId = await makeCategory(server, admin, 'Faults');
});

afterAll(async () => {
  await server?.close();
  await Promise.all([postgres?.close(), redis?.close()]);
});

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

function expectServiceUnavailable(response: request.Response) {
  expect(response.status, JSON.stringify(response.body)).toBe(503);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.headers['retry-after']).toMatch(/^\d+$/);
  expect(response.body).toMatchObject({ status: 503, code: 'service_unavailable' });
}

const profile = () =>
  request(server.app).get('/api/users/profile').set('Authorization', `Bearer ${vendor.accessToken}`);

describe('an ACCESS EXCLUSIVE lock held on products', () => {
  it('answers 503 within the lock timeout for product reads while unrelated routes stay fast', async () => {
    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table products in access exclusive mode');
      // Distinct limits: each list is a cache miss that must read the table.
      let firstBlockedAnswerAt = Number.POSITIVE_INFINITY;
      const blocked = Promise.all(
        [11, 12, 13, 14].map((limit) =>
          timed(() => request(server.app).get(`/api/products?limit=${limit}`)).then((outcome) => {
            firstBlockedAnswerAt = Math.min(firstBlockedAnswerAt, performance.now());
            return outcome;
          }),
        ),
      );
      const signedIn = await timed(() => profile());
      const live = await timed(() => request(server.app).get('/health/live'));
      // Unrelated routes answer while the blocked ones still wait for the lock, not after them.
      expect(performance.now()).toBeLessThan(firstBlockedAnswerAt);
      expect(signedIn.value.status).toBe(200);
      expect(live.value.status).toBe(200);
      expect(Math.max(signedIn.ms, live.ms)).toBeLessThan(LOCK_TIMEOUT_MS);
      for (const { value, ms } of await blocked) {
        expectServiceUnavailable(value);
        expect(ms).toBeGreaterThanOrEqual(LOCK_TIMEOUT_MS);
        expect(ms).toBeLessThan(LOCK_TIMEOUT_MS + SLACK_MS);
      }
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    expect((await request(server.app).get('/api/products?limit=11')).status).toBe(200);
  });
});

describe('a PostgreSQL restart', () => {
  it('answers 503 with Retry-After (never 500) while it is down, recovers by itself and loses no acknowledged change', async () => {
    const product = await makeProduct(server, vendor, {
      categoryId,
      variants: [{ sku: `FAULT-${randomBytes(4).toString('hex')}`, price: usd(900), stock: 10 }],
    });
    const variantId = product.variants[0]!.id;
    const adjust = () =>
      request(server.app)
        .post(`/api/products/${product.id}/variants/${variantId}/inventory`)
        .set('Authorization', `Bearer ${vendor.accessToken}`)
        .send({ delta: 1, reason: 'restock' });
    let acknowledged = 0;
    for (let i = 0; i < 3; i++) if ((await adjust()).status === 200) acknowledged++;
    expect(acknowledged).toBe(3);

    await postgres.stop();
    try {
      const answers = await Promise.all([profile(), request(server.app).get('/api/products?limit=21'), adjust()]);
      for (const answer of answers) expectServiceUnavailable(answer);
      // Again once the pool has noticed every connection is gone: connecting is refused, still a 503, and fast.
      const again = await timed(() => adjust());
      expectServiceUnavailable(again.value);
      expect(again.ms).toBeLessThan(ACQUIRE_TIMEOUT_MS + SLACK_MS);
    } finally {
      await postgres.start();
    }

    await waitFor('the API to reach PostgreSQL again', async () => (await profile()).status === 200);
    for (let i = 0; i < 2; i++) if ((await adjust()).status === 200) acknowledged++;
    const [row] = await postgres.query<{ stock: number }>(
      `select stock from product_variants where id = '${variantId}'`,
      'emporium_faults',
    );
    expect(row?.stock).toBe(10 + acknowledged);
  });
});

describe('a connection cut after the commit', () => {
  it('answers a committed stock change with its result, never with an error a client would retry', async () => {
    // Its own server: a 3 s Redis timeout holds the request between its commit and its answer (the cache
    // retirement), while Redis is paused and PostgreSQL is stopped under it.
    const slowRedis = await startTestServer({
      databaseUrl,
      env: {
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: 'item5:',
        REDIS_COMMAND_TIMEOUT_MS: '3000',
        JWT_SECRET: server.deps.config.JWT_SECRET ?? '',
      },
    });
    try {
      const product = await makeProduct(server, vendor, {
        categoryId,
        variants: [{ sku: `CUT-${randomBytes(4).toString('hex')}`, price: usd(900), stock: 10 }],
      });
      const variantId = product.variants[0]!.id;
      await redis.pause(6000);
      const answer = request(slowRedis.app)
        .post(`/api/products/${product.id}/variants/${variantId}/inventory`)
        .set('Authorization', `Bearer ${vendor.accessToken}`)
        .send({ delta: 1, reason: 'restock' })
        .then((response) => response);
      await waitFor('the stock change to commit', async () => {
        const rows = await postgres.query(
          `select 1 from inventory_movements where variant_id = '${variantId}' and reason = 'restock'`,
          'emporium_faults',
        );
        return rows.length === 1;
      });
      await postgres.stop();
      const response = await answer;
      await postgres.start();
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toMatchObject({ id: variantId, stock: 11 });
    } finally {
      await slowRedis.close();
    }
  });
});
