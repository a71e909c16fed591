import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMyProduct, listInventoryMovements, listMyProducts } from '@emporium/sdk';
import { canonicalJson, createIdempotency } from '@emporium/server';
import { makeCategory, makeProduct, uniqueSku, usd } from '../support/catalog';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let server: TestServer;
let admin: SignedInUser;
let vendor: SignedInUser;
let categoryId: string;

beforeAll(async () => {
  server = await startTestServer({ env: ADMIN_ENV });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  vendor = await makeUser(server, 'vendor');
  categoryId = await makeCategory(server, admin, 'Idempotent Things');
});
afterAll(async () => server.close());

const as = (user: SignedInUser) => server.clientFor(user.accessToken);

/** A product of `vendor` with one variant holding 5 units, and a function that POSTs a stock adjustment to it. */
async function stockedVariant() {
  const product = await makeProduct(server, vendor, { categoryId });
  const variantId = product.variants[0]!.id;
  const adjust = (user: SignedInUser, key: string | undefined, body: object) => {
    const call = request(server.app)
      .post(`/api/products/${product.id}/variants/${variantId}/inventory`)
      .set('Authorization', `Bearer ${user.accessToken}`);
    return key === undefined ? call.send(body) : call.set('Idempotency-Key', key).send(body);
  };
  const stock = async () => (await getMyProduct({ client: as(vendor), path: { id: product.id } })).data?.totalStock;
  const movements = async () =>
    (await listInventoryMovements({ client: as(vendor), path: { id: product.id }, query: { limit: 100 } })).data?.data
      .length;
  return { product, adjust, stock, movements };
}

describe('Idempotency-Key on POST /api/products/{id}/variants/{variantId}/inventory', () => {
  it('replays the first answer to a retry with the same key, and moves the stock once', async () => {
    const { adjust, stock, movements } = await stockedVariant();
    const key = randomUUID();
    const first = await adjust(vendor, key, { delta: 3, reason: 'restock' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ stock: 8 });
    expect(first.headers['idempotency-replayed']).toBeUndefined();

    const retry = await adjust(vendor, key, { delta: 3, reason: 'restock' });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(retry.headers['content-type']).toMatch(/^application\/json/);
    expect(retry.text).toBe(first.text);
    expect(await stock()).toBe(8);
    expect(await movements()).toBe(2); // the initial stock and the one adjustment
  });

  it('without a key, a retry applies twice (the key is optional on this route)', async () => {
    const { adjust, stock } = await stockedVariant();
    await adjust(vendor, undefined, { delta: 1, reason: 'restock' });
    await adjust(vendor, undefined, { delta: 1, reason: 'restock' });
    expect(await stock()).toBe(7);
  });

  it('answers 422 idempotency_key_reused when the same key comes with another body', async () => {
    const { adjust, stock } = await stockedVariant();
    const key = randomUUID();
    expect((await adjust(vendor, key, { delta: 2, reason: 'restock' })).status).toBe(200);
    const other = await adjust(vendor, key, { delta: 20, reason: 'restock' });
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await stock()).toBe(7);
  });

  it('runs one of many parallel requests with the same key; the others answer 409 in progress or the replay', async () => {
    const { adjust, stock, movements } = await stockedVariant();
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => adjust(vendor, key, { delta: 1, reason: 'restock' })),
    );
    const ran = answers.filter((answer) => answer.status === 200 && !answer.headers['idempotency-replayed']);
    const replayed = answers.filter((answer) => answer.status === 200 && answer.headers['idempotency-replayed']);
    const inProgress = answers.filter(
      (answer) => answer.status === 409 && answer.body.code === 'idempotency_key_in_progress',
    );
    expect(ran).toHaveLength(1);
    expect(ran.length + replayed.length + inProgress.length).toBe(12);
    for (const answer of replayed) expect(answer.text).toBe(ran[0]!.text);
    expect(await stock()).toBe(6);
    expect(await movements()).toBe(2);
  });

  it('answers 409 idempotency_key_in_progress while the first request with the key has not finished', async () => {
    const { adjust, stock } = await stockedVariant();
    const key = randomUUID();
    expect((await adjust(vendor, key, { delta: 1, reason: 'restock' })).status).toBe(200);
    // Put the key back in the state it has while its first request runs.
    await server.deps.orm.em.fork().execute(`update idempotency_keys set status = 'in_progress' where key = ?`, [key]);
    const meanwhile = await adjust(vendor, key, { delta: 1, reason: 'restock' });
    expect(meanwhile.status).toBe(409);
    expect(meanwhile.body.code).toBe('idempotency_key_in_progress');
    expect(await stock()).toBe(6);
  });

  it('does not store a validation failure: the corrected request with the same key runs', async () => {
    const { adjust, stock } = await stockedVariant();
    const key = randomUUID();
    const invalid = await adjust(vendor, key, { delta: 'lots', reason: 'restock' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('validation_failed');
    const corrected = await adjust(vendor, key, { delta: 4, reason: 'restock' });
    expect(corrected.status).toBe(200);
    expect(corrected.headers['idempotency-replayed']).toBeUndefined();
    expect(await stock()).toBe(9);
  });

  it('stores an answer the service gave (409 insufficient_stock) and replays it', async () => {
    const { adjust, stock } = await stockedVariant();
    const key = randomUUID();
    const refused = await adjust(vendor, key, { delta: -50, reason: 'damaged' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('insufficient_stock');
    const again = await adjust(vendor, key, { delta: -50, reason: 'damaged' });
    expect(again.status).toBe(409);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.text).toBe(refused.text);
    expect(await stock()).toBe(5);
  });

  it("scopes keys per caller: another user's request with the same key runs on its own", async () => {
    const { adjust, stock } = await stockedVariant();
    const key = randomUUID();
    expect((await adjust(vendor, key, { delta: 1, reason: 'restock' })).status).toBe(200);
    const byAdmin = await adjust(admin, key, { delta: 1, reason: 'restock' });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.headers['idempotency-replayed']).toBeUndefined();
    expect(await stock()).toBe(7);
  });

  it('forgets a key once it has expired (24 h): the same key then runs anew', async () => {
    const { adjust, stock } = await stockedVariant();
    const key = randomUUID();
    expect((await adjust(vendor, key, { delta: 1, reason: 'restock' })).status).toBe(200);
    const [row] = await server.deps.orm.em
      .fork()
      .execute<{ hours: number }[]>(
        `select extract(epoch from expires_at - created_at) / 3600 as hours from idempotency_keys where key = ?`,
        [key],
      );
    expect(Number(row?.hours)).toBe(24);
    await server.deps.orm.em
      .fork()
      .execute(`update idempotency_keys set expires_at = now() - interval '1 second' where key = ?`, [key]);
    const anew = await adjust(vendor, key, { delta: 1, reason: 'restock' });
    expect(anew.status).toBe(200);
    expect(anew.headers['idempotency-replayed']).toBeUndefined();
    expect(await stock()).toBe(7);
  });

  it('refuses a malformed key with 400 on headers.idempotency-key, before running anything', async () => {
    const { adjust, stock } = await stockedVariant();
    for (const key of ['x'.repeat(256), 'caf\u00e9', 'two words']) {
      const answer = await adjust(vendor, key, { delta: 1, reason: 'restock' });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        code: 'validation_failed',
        errors: [{ path: 'headers.idempotency-key' }],
      });
    }
    expect(await stock()).toBe(5);
  });
});

describe('Idempotency-Key on POST /api/products', () => {
  it('creates the product once and replays the 201 with the same id', async () => {
    const key = randomUUID();
    const body = { name: 'Once Only', categoryId, variants: [{ sku: uniqueSku('ONCE'), price: usd(900), stock: 1 }] };
    const create = () =>
      request(server.app)
        .post('/api/products')
        .set('Authorization', `Bearer ${vendor.accessToken}`)
        .set('Idempotency-Key', key)
        .send(body);
    const first = await create();
    expect(first.status).toBe(201);
    const retry = await create();
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    const mine = await listMyProducts({ client: as(vendor), query: { limit: 100 } });
    expect(mine.data?.data.filter((product) => product.name === 'Once Only')).toHaveLength(1);
  });
});

describe('idempotency middleware', () => {
  it("answers 400 idempotency_key_required on an `idempotent: 'required'` route called without a key", async () => {
    const middleware = createIdempotency({ orm: server.deps.orm, logger: server.deps.logger });
    type Req = Parameters<typeof middleware>[0];
    type Res = Parameters<typeof middleware>[1];
    const req = {
      method: 'POST',
      headers: {},
      tsRestRoute: { metadata: { auth: 'authenticated', idempotent: 'required' } },
    } as unknown as Req;
    let passed = false;
    await expect(
      Promise.resolve(
        middleware(req, {} as Res, () => {
          passed = true;
        }),
      ),
    ).rejects.toMatchObject({ status: 400, code: 'idempotency_key_required' });
    expect(passed).toBe(false);
  });

  it('fingerprints bodies by content, not by key order', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: 3 }], a: null })).toBe(canonicalJson({ a: null, b: [1, { c: 3, d: 2 }] }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });
});
