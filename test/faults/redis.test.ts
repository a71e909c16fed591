/**
 * Redis faults against a Redis of this file's own: stalled (CLIENT PAUSE), stopped and started again with its keys
 * (a partition that heals). Reads, logins and writes answer within the documented bound, rate limits hold, a write
 * made while Redis was away is never followed by the old value, and readiness stays 200 (degraded).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { getProduct, getReadiness, updateProduct } from '@emporium/sdk';
import { makeCategory, makeProduct, publish, usd } from '../support/catalog';
import { startOwnRedis, waitFor, type OwnRedis } from '../support/processes';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

/** REDIS_COMMAND_TIMEOUT_MS's default: what one request waits at most for a stalled Redis. */
const COMMAND_TIMEOUT_MS = 250;
/** The documented bound on a read or a login while Redis is stalled (the timeout, plus the work itself). */
const STALLED_BOUND_MS = 750;

let redis: OwnRedis;
let server: TestServer;
let admin: SignedInUser;
let vendor: SignedInUser;
let categoryId: string;

beforeAll(async () => {
  redis = await startOwnRedis();
  server = await startTestServer({
    worker: true,
    env: {
      ...ADMIN_ENV,
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      // The login limit as shipped (the test server multiplies budgets), so the stalled-Redis test sees it hold.
      RATE_LIMIT_LOGIN_ACCOUNT: '10/900',
    },
  });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  vendor = await makeUser(server, 'vendor');
  categoryId = await makeCategory(server, admin, 'Faults');
});

afterAll(async () => {
  await server?.close();
  await redis?.close();
});

async function publishedProduct(price: number) {
  const product = await makeProduct(server, vendor, {
    categoryId,
    name: `Lamp ${randomBytes(3).toString('hex')}`,
    variants: [{ sku: `LAMP-${randomBytes(4).toString('hex')}`, price: usd(price), stock: 5 }],
  });
  await publish(server, vendor, admin, product.id);
  return product;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function publicPrice(productId: string): Promise<number> {
  const { data, error } = await getProduct({ client: server.client, path: { id: productId } });
  if (!data) throw new Error(`getProduct failed: ${JSON.stringify(error)}`);
  return data.variants[0]!.price.amount;
}

describe('Redis stalled (CLIENT PAUSE)', () => {
  it('answers catalog reads, writes and logins within the bound, and still limits login attempts', async () => {
    const product = await publishedProduct(1000);
    await publicPrice(product.id); // cached
    await redis.pause(4000);

    const read = await timed(() => publicPrice(product.id));
    expect(read.value).toBe(1000);
    expect(read.ms).toBeLessThan(STALLED_BOUND_MS);

    const list = await timed(() => request(server.app).get('/api/products?limit=7'));
    expect(list.value.status).toBe(200);
    expect(list.ms).toBeLessThan(STALLED_BOUND_MS);

    // A login: the rate limiter's Redis calls time out and its in-process insurance limiter answers.
    const login = await timed(() =>
      request(server.app).post('/api/auth/login').send({ email: vendor.email, password: vendor.password }),
    );
    expect(login.value.status).toBe(200);
    expect(login.ms).toBeLessThan(STALLED_BOUND_MS);

    // A write: its cache retirement fails after one command timeout instead of holding the answer.
    const write = await timed(() =>
      updateProduct({
        client: server.clientFor(vendor.accessToken),
        path: { id: product.id },
        body: { name: product.name, categoryId, variants: [{ sku: product.variants[0]!.sku, price: usd(1200) }] },
      }),
    );
    expect(write.value.response!.status).toBe(200);
    expect(write.ms).toBeLessThan(STALLED_BOUND_MS + COMMAND_TIMEOUT_MS);

    // The account budget is 10 attempts per 15 minutes: the 11th and 12th are refused though Redis cannot count.
    const email = `nobody-${randomBytes(4).toString('hex')}@example.com`;
    // (Sent at once, so their latency is the password hashes queueing for the thread pool, not Redis: not asserted.)
    const attempts = await Promise.all(
      Array.from({ length: 12 }, () =>
        request(server.app).post('/api/auth/login').send({ email, password: 'not-the-password' }),
      ),
    );
    const statuses = attempts.map(({ status }) => status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(2);
  });
});

describe('Redis stopped, then back with its keys', () => {
  it('never serves the old price after a write made while Redis was away', async () => {
    const product = await publishedProduct(2000);
    expect(await publicPrice(product.id)).toBe(2000);
    expect(await publicPrice(product.id)).toBe(2000); // a hit: the old price is in Redis now
    const listed = await request(server.app).get(`/api/products?categoryId=${categoryId}&limit=50`);
    expect(listed.status).toBe(200);

    await redis.stop();
    const repriced = await updateProduct({
      client: server.clientFor(vendor.accessToken),
      path: { id: product.id },
      body: { name: product.name, categoryId, variants: [{ sku: product.variants[0]!.sku, price: usd(2500) }] },
    });
    expect(repriced.response!.status).toBe(200);
    expect(server.deps.cache.pendingRetirements()).not.toHaveLength(0);
    expect(await publicPrice(product.id)).toBe(2500); // from the database

    await redis.start();
    // Every answer from now on is the new price: until the missed retirements are replayed, the cache is bypassed.
    const seen: number[] = [];
    await waitFor('the missed retirements to be replayed', async () => {
      seen.push(await publicPrice(product.id));
      return server.deps.cache.pendingRetirements().length === 0;
    });
    for (let i = 0; i < 3; i++) seen.push(await publicPrice(product.id));
    expect(new Set(seen)).toEqual(new Set([2500]));
    const hits = await server.deps.metrics.registry.getSingleMetricAsString('cache_requests_total');
    expect(hits).toMatch(/cache="product",result="hit"/);
    const list = await request(server.app).get(`/api/products?categoryId=${categoryId}&limit=50`);
    const row = (list.body as { data: { id: string; priceRange: { min: { amount: number } } }[] }).data.find(
      (item) => item.id === product.id,
    );
    expect(row?.priceRange.min.amount).toBe(2500);
  });
});

describe('GET /health/ready with Redis down', () => {
  it('stays 200 and reports Redis as down (degraded), and is fast', async () => {
    await waitFor('readiness with a worker heartbeat', async () => {
      const { response } = await getReadiness({ client: server.client });
      return response?.status === 200;
    });
    await redis.stop();
    try {
      const { value, ms } = await timed(() => getReadiness({ client: server.client }));
      expect(value.response!.status).toBe(200);
      expect(value.data).toMatchObject({ status: 'degraded', checks: { database: 'up', redis: 'down' } });
      expect(ms).toBeLessThan(STALLED_BOUND_MS);
    } finally {
      await redis.start();
    }
    await waitFor('readiness to report Redis up again', async () => {
      const { data } = await getReadiness({ client: server.client });
      return data?.status === 'ok';
    });
  });
});
