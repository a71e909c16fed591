import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkCustomers } from '../support/customers';
import { makeCategory, makeProduct, publish, uniqueSku, usd } from '../support/catalog';
import { auth } from '../support/commerce';
import { databaseUrl } from '../support/env';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let server: TestServer;
let admin: SignedInUser;
let vendor: SignedInUser;
let otherVendor: SignedInUser;
let customer: SignedInUser;
let categoryId: string;

const address = { fullName: 'Ann Buyer', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
/** A list in a supertest body (an `any`), typed as the test reads it. */
const listOf = <T>(value: unknown): T[] => value as T[];

async function liveVariant(owner: SignedInUser, stock = 5, price = 1000) {
  const product = await makeProduct(server, owner, {
    categoryId,
    name: `Thing ${uniqueSku()}`,
    variants: [{ sku: uniqueSku(), price: usd(price), stock }],
  });
  await publish(server, owner, admin, product.id);
  return { productId: product.id, variantId: product.variants[0]!.id };
}

async function stockOf(productId: string, variantId: string): Promise<number> {
  const response = await request(server.app).get(`/api/vendor/products/${productId}`).set(auth(vendor.accessToken));
  const fromAdmin =
    response.status === 200
      ? response
      : await request(server.app).get(`/api/admin/products/${productId}`).set(auth(admin.accessToken));
  return listOf<{ id: string; stock: number }>(fromAdmin.body.variants).find((v) => v.id === variantId)!.stock;
}

function order(token: string, body: object, key = randomUUID()) {
  return request(server.app)
    .post('/api/orders')
    .set(auth(token))
    .set('Idempotency-Key', key)
    .send({ shippingAddress: address, paymentMethod: 'manual', ...body });
}

beforeAll(async () => {
  server = await startTestServer({ env: ADMIN_ENV });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  [vendor, otherVendor, customer] = await Promise.all([
    makeUser(server, 'vendor'),
    makeUser(server, 'vendor'),
    makeUser(server, 'customer'),
  ]);
  categoryId = await makeCategory(server, admin, 'Orders');
  const shipping = await request(server.app)
    .post('/api/admin/shipping-methods')
    .set(auth(admin.accessToken))
    .send({ name: 'Standard', rate: usd(500), freeOver: usd(5000) });
  expect(shipping.status).toBe(201);
  const tax = await request(server.app)
    .put('/api/admin/tax-rates/US')
    .set(auth(admin.accessToken))
    .send({ rateBps: 1000 });
  expect(tax.status).toBe(200);
});

afterAll(async () => {
  await server?.close();
});

describe('POST /api/orders under a race', () => {
  it('never oversells: 200 customers race for 5 units, exactly 5 orders and 195 insufficient_stock', async () => {
    const rounds = Number(process.env.ORDERS_RACE_ROUNDS ?? 20);
    for (let round = 0; round < rounds; round += 1) {
      const { productId, variantId } = await liveVariant(vendor, 5);
      const customers = await bulkCustomers(server, 200);
      const started = Date.now();
      const answers = await Promise.all(
        customers.map((c) => order(c.accessToken, { lines: [{ variantId, quantity: 1 }] })),
      );
      const elapsed = Date.now() - started;
      const created = answers.filter((a) => a.status === 201);
      const refused = answers.filter((a) => a.status === 409 && a.body.code === 'insufficient_stock');
      console.info(`oversell race round ${round + 1}: 200 checkouts in ${elapsed} ms`);
      expect(created).toHaveLength(5);
      expect(refused).toHaveLength(195);
      expect(await stockOf(productId, variantId)).toBe(0);
      expect(new Set(created.map((a) => a.body.number as string)).size).toBe(5);
    }
  }, 600_000);

  it('redeems a code with one use left exactly once among 50 parallel checkouts', async () => {
    const { variantId } = await liveVariant(vendor, 100);
    const code = `LAST${randomUUID().slice(0, 6)}`;
    const created = await request(server.app)
      .post('/api/admin/discounts')
      .set(auth(admin.accessToken))
      .send({ code, kind: 'percentage', percentOff: 10, usageLimit: 1 });
    expect(created.status).toBe(201);
    const customers = await bulkCustomers(server, 50);
    const answers = await Promise.all(
      customers.map((c) => order(c.accessToken, { lines: [{ variantId, quantity: 1 }], discountCode: code })),
    );
    const discounted = answers.filter((a) => a.status === 201 && a.body.discountTotal.amount > 0);
    expect(discounted).toHaveLength(1);
    expect(answers.filter((a) => a.status === 422 && a.body.code === 'discount_exhausted')).toHaveLength(49);
    const list = await request(server.app).get('/api/admin/discounts').set(auth(admin.accessToken));
    expect(
      listOf<{ code: string; uses: number }>(list.body.data).find((d) => d.code === code.toUpperCase())!.uses,
    ).toBe(1);
  }, 60_000);
});

describe('POST /api/cart/checkout', () => {
  it('replays the same order for a retried Idempotency-Key, and refuses the key with another body', async () => {
    const { productId, variantId } = await liveVariant(vendor, 10, 2500);
    const added = await request(server.app)
      .post('/api/cart/items')
      .set(auth(customer.accessToken))
      .send({ variantId, quantity: 2 });
    expect(added.status).toBe(200);
    const key = randomUUID();
    const body = { shippingAddress: address, paymentMethod: 'manual' };
    const checkout = (payload: object) =>
      request(server.app)
        .post('/api/cart/checkout')
        .set(auth(customer.accessToken))
        .set('Idempotency-Key', key)
        .send(payload);
    const first = await checkout(body);
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('pending_payment');
    expect(first.body.paymentDeadline).toBeTruthy();
    // 2 x 25.00 = 50.00: free shipping from 50.00; 10 % tax.
    expect(first.body.subtotal.amount).toBe(5000);
    expect(first.body.shippingTotal.amount).toBe(0);
    expect(first.body.taxTotal.amount).toBe(500);
    expect(first.body.total.amount).toBe(5500);
    const again = await checkout(body);
    expect(again.status).toBe(201);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(await stockOf(productId, variantId)).toBe(8);
    const other = await checkout({ ...body, shippingAddress: { ...address, city: 'Shelbyville' } });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    const cart = await request(server.app).get('/api/cart').set(auth(customer.accessToken));
    expect(cart.body.lines).toHaveLength(0);
    const missingKey = await request(server.app).post('/api/cart/checkout').set(auth(customer.accessToken)).send(body);
    expect(missingKey.status).toBe(400);
    expect(missingKey.body.code).toBe('idempotency_key_required');
  });

  it("still places the order once when the middleware's record of the key is gone (expired, or lost to a crash)", async () => {
    const { productId, variantId } = await liveVariant(vendor, 10, 700);
    const key = randomUUID();
    const first = await order(customer.accessToken, { lines: [{ variantId, quantity: 3 }] }, key);
    expect(first.status).toBe(201);
    await server.deps.orm.em.fork().execute('delete from idempotency_keys where key = ?', [key]);

    // The order itself carries the key, written in the checkout's transaction: the retry is answered from it.
    const retried = await order(customer.accessToken, { lines: [{ variantId, quantity: 3 }] }, key);
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotency-replayed']).toBe('true');
    expect(retried.body.id).toBe(first.body.id);
    expect(await stockOf(productId, variantId)).toBe(7);
    await server.deps.orm.em.fork().execute('delete from idempotency_keys where key = ?', [key]);
    const changed = await order(customer.accessToken, { lines: [{ variantId, quantity: 1 }] }, key);
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe('idempotency_key_reused');
    expect(await stockOf(productId, variantId)).toBe(7);
  });
});

describe('bad input', () => {
  it('refuses bad quantities and server-owned fields with 400, changing nothing', async () => {
    const { productId, variantId } = await liveVariant(vendor, 5);
    const before = await request(server.app).get('/api/orders').set(auth(customer.accessToken));
    for (const quantity of [0, -1, 100, 1e9, 1.5, '2']) {
      const cart = await request(server.app)
        .post('/api/cart/items')
        .set(auth(customer.accessToken))
        .send({ variantId, quantity });
      expect(cart.status, `cart quantity ${quantity}`).toBe(400);
      const placed = await order(customer.accessToken, { lines: [{ variantId, quantity }] });
      expect(placed.status, `order quantity ${quantity}`).toBe(400);
    }
    for (const extra of [
      { price: usd(1) },
      { total: usd(1) },
      { status: 'paid' },
      { vendorId: vendor.id },
      { unitPrice: usd(1) },
    ]) {
      const cart = await request(server.app)
        .post('/api/cart/items')
        .set(auth(customer.accessToken))
        .send({ variantId, quantity: 1, ...extra });
      expect(cart.status).toBe(400);
      expect((await order(customer.accessToken, { lines: [{ variantId, quantity: 1, ...extra }] })).status).toBe(400);
      expect((await order(customer.accessToken, { lines: [{ variantId, quantity: 1 }], ...extra })).status).toBe(400);
    }
    expect(await stockOf(productId, variantId)).toBe(5);
    const after = await request(server.app).get('/api/orders').set(auth(customer.accessToken));
    expect(after.body.data).toEqual(before.body.data);
    const cart = await request(server.app).get('/api/cart').set(auth(customer.accessToken));
    expect(listOf<{ variantId: string }>(cart.body.lines).some((line) => line.variantId === variantId)).toBe(false);
  });

  it("refuses an archived or unpublished variant and another customer's address, changing nothing", async () => {
    const draft = await makeProduct(server, vendor, {
      categoryId,
      variants: [{ sku: uniqueSku(), price: usd(100), stock: 5 }],
    });
    const unpublished = await order(customer.accessToken, {
      lines: [{ variantId: draft.variants[0]!.id, quantity: 1 }],
    });
    expect(unpublished.status).toBe(422);
    expect(unpublished.body.code).toBe('variant_unavailable');
    const { productId, variantId } = await liveVariant(vendor, 5);
    expect((await request(server.app).delete(`/api/products/${productId}`).set(auth(vendor.accessToken))).status).toBe(
      204,
    );
    expect((await order(customer.accessToken, { lines: [{ variantId, quantity: 1 }] })).status).toBe(422);
    const cartAdd = await request(server.app)
      .post('/api/cart/items')
      .set(auth(customer.accessToken))
      .send({ variantId, quantity: 1 });
    expect(cartAdd.status).toBe(422);

    const stranger = await makeUser(server, 'customer');
    const saved = await request(server.app).post('/api/users/addresses').set(auth(stranger.accessToken)).send(address);
    expect(saved.status).toBe(201);
    const live = await liveVariant(vendor, 5);
    const theirs = await request(server.app)
      .post('/api/orders')
      .set(auth(customer.accessToken))
      .set('Idempotency-Key', randomUUID())
      .send({
        shippingAddressId: saved.body.id,
        paymentMethod: 'manual',
        lines: [{ variantId: live.variantId, quantity: 1 }],
      });
    expect(theirs.status).toBe(404);
    expect(await stockOf(live.productId, live.variantId)).toBe(5);
  });
});

describe('isolation', () => {
  it("answers 404 for another customer's cart line, order and cancellation, and 403 to customers on vendor and admin routes", async () => {
    const a = await liveVariant(vendor, 5);
    const b = await liveVariant(otherVendor, 5);
    const stranger = await makeUser(server, 'customer');
    const line = await request(server.app)
      .post('/api/cart/items')
      .set(auth(customer.accessToken))
      .send({ variantId: a.variantId, quantity: 1 });
    const lineId = listOf<{ variantId: string; id: string }>(line.body.lines).find(
      (l) => l.variantId === a.variantId,
    )!.id;
    const put = await request(server.app)
      .put(`/api/cart/items/${lineId}`)
      .set(auth(stranger.accessToken))
      .send({ quantity: 2 });
    expect(put.status).toBe(404);
    expect((await request(server.app).delete(`/api/cart/items/${lineId}`).set(auth(stranger.accessToken))).status).toBe(
      404,
    );
    expect((await request(server.app).get('/api/cart').set('X-Cart-Token', 'x'.repeat(43))).status).toBe(404);

    const placed = await order(customer.accessToken, {
      lines: [
        { variantId: a.variantId, quantity: 1 },
        { variantId: b.variantId, quantity: 2 },
      ],
    });
    expect(placed.status).toBe(201);
    expect(placed.body.parts).toHaveLength(2);
    const id = placed.body.id as string;
    expect((await request(server.app).get(`/api/orders/${id}`).set(auth(stranger.accessToken))).status).toBe(404);
    const cancel = await request(server.app).put(`/api/orders/${id}/cancel`).set(auth(stranger.accessToken)).send({});
    expect(cancel.status).toBe(404);

    const mine = await request(server.app).get(`/api/vendor/orders/${id}`).set(auth(vendor.accessToken));
    expect(mine.status).toBe(200);
    expect(mine.body.part.vendorId).toBe(vendor.id);
    expect(listOf<{ variantId: string }>(mine.body.part.lines).map((l) => l.variantId)).toEqual([a.variantId]);
    expect(JSON.stringify(mine.body)).not.toContain(b.variantId);
    const list = await request(server.app).get('/api/vendor/orders').set(auth(otherVendor.accessToken));
    expect(list.body.data.length).toBeGreaterThan(0);
    expect(
      listOf<{ part: { vendorId: string } }>(list.body.data).every((o) => o.part.vendorId === otherVendor.id),
    ).toBe(true);

    for (const [method, path] of [
      ['get', '/api/vendor/orders'],
      ['get', `/api/admin/orders/${id}`],
      ['put', `/api/admin/orders/${id}/status`],
      ['put', `/api/vendor/orders/${id}/status`],
    ] as const) {
      const response = await request(server.app)[method](path).set(auth(customer.accessToken)).send({ status: 'paid' });
      expect(response.status, `${method} ${path}`).toBe(403);
    }
  });
});

describe('guest carts', () => {
  it('merges a guest cart into the customer cart once; replaying the token does nothing', async () => {
    const { variantId } = await liveVariant(vendor, 50);
    const shopper = await makeUser(server, 'customer');
    const guest = await request(server.app).post('/api/cart/items').send({ variantId, quantity: 3 });
    expect(guest.status).toBe(201);
    const token = guest.body.cartToken as string;
    expect(token).toBeTruthy();
    const more = await request(server.app)
      .post('/api/cart/items')
      .set('X-Cart-Token', token)
      .send({ variantId, quantity: 1 });
    expect(more.status).toBe(200);
    expect(more.body.lines[0].quantity).toBe(4);
    expect(more.body.cartToken).toBeUndefined();
    await request(server.app).post('/api/cart/items').set(auth(shopper.accessToken)).send({ variantId, quantity: 2 });
    const merge = () => request(server.app).get('/api/cart').set(auth(shopper.accessToken)).set('X-Cart-Token', token);
    const merged = await merge();
    expect(merged.status).toBe(200);
    expect(merged.body.lines).toHaveLength(1);
    expect(merged.body.lines[0].quantity).toBe(6);
    const replay = await merge();
    expect(replay.body.lines[0].quantity).toBe(6);
    expect((await request(server.app).get('/api/cart').set('X-Cart-Token', token)).status).toBe(404);
  });
});

describe('cart limits', () => {
  /** Live variants of two products: 100 of one (10 sizes by 10 colours, the most a product has) and 5 of another. */
  async function manyVariants(): Promise<string[]> {
    const values = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);
    const ids: string[] = [];
    for (const [sizes, colours] of [
      [10, 10],
      [5, 1],
    ] as const) {
      const product = await makeProduct(server, vendor, {
        categoryId,
        name: `Many ${uniqueSku()}`,
        options: [
          { name: 'size', values: values('S', sizes) },
          { name: 'colour', values: values('C', colours) },
        ],
        variants: values('S', sizes).flatMap((size) =>
          values('C', colours).map((colour) => ({
            sku: uniqueSku(),
            options: { size, colour },
            price: usd(100),
            stock: 200,
          })),
        ),
      });
      await publish(server, vendor, admin, product.id);
      ids.push(...product.variants.map((variant) => variant.id));
    }
    return ids;
  }
  const add = (token: string, variantId: string, quantity = 1) =>
    request(server.app).post('/api/cart/items').set(auth(token)).send({ variantId, quantity });
  const linesOf = async (token: string) =>
    listOf<{ variantId: string; quantity: number }>(
      (await request(server.app).get('/api/cart').set(auth(token))).body.lines,
    );

  it('holds at most 100 lines and 99 units a line, also when adds to one cart race', async () => {
    const variants = await manyVariants();
    const shopper = await makeUser(server, 'customer');
    // 95 adds at once, each a new line: the database queues them on the cart, and every one fits.
    const first = await Promise.all(variants.slice(0, 95).map((variantId) => add(shopper.accessToken, variantId)));
    expect(first.map((response) => response.status).filter((status) => status >= 300)).toEqual([]);
    // 8 more new lines at once for the 5 places left: exactly 5 are added, 3 refused with cart_full.
    const racing = await Promise.all(variants.slice(95, 103).map((variantId) => add(shopper.accessToken, variantId)));
    expect(racing.filter((response) => response.status < 300)).toHaveLength(5);
    const refused = racing.filter((response) => response.status >= 300);
    expect(refused.map((response) => `${response.status} ${String(response.body.code)}`)).toEqual(
      Array<string>(3).fill('409 cart_full'),
    );
    expect(await linesOf(shopper.accessToken)).toHaveLength(100);
    // A full cart still takes more units of a line it has.
    const more = await add(shopper.accessToken, variants[0]!, 2);
    expect(more.status).toBe(200);
    expect(
      listOf<{ variantId: string; quantity: number }>(more.body.lines).find((line) => line.variantId === variants[0])
        ?.quantity,
    ).toBe(3);

    // Two adds of 60 units of one line at once: the stored quantity is summed, so one is refused, never 120 stored.
    const other = await makeUser(server, 'customer');
    const units = await Promise.all([
      add(other.accessToken, variants[0]!, 60),
      add(other.accessToken, variants[0]!, 60),
    ]);
    expect(units.map((response) => response.status).sort()).toEqual([200, 400]);
    expect(units.find((response) => response.status === 400)?.body.code).toBe('validation_failed');
    expect(await linesOf(other.accessToken)).toEqual([
      expect.objectContaining({ variantId: variants[0], quantity: 60 }),
    ]);
  });

  it("makes no cart for a first add it refuses, and moves a cart's time only forward", async () => {
    const guestCarts = async () =>
      Number(
        (
          await server.deps.orm.em
            .fork()
            .execute<{ n: string }[]>('select count(*) as n from carts where user_id is null')
        )[0]!.n,
      );
    const before = await guestCarts();
    const { variantId } = await liveVariant(vendor, 3);
    for (const [body, status] of [
      [{ variantId: randomUUID(), quantity: 1 }, 404],
      [{ variantId, quantity: 4 }, 409],
    ] as const) {
      const refused = await request(server.app).post('/api/cart/items').send(body);
      expect(refused.status).toBe(status);
      expect(refused.body.cartToken).toBeUndefined();
    }
    expect(await guestCarts()).toBe(before);

    // An add that waits for its cart's lock, held by a transaction that touches the cart meanwhile: the add's time
    // is taken once it holds the lock, so it comes after that touch, not before (as the statement's start would).
    const shopper = await makeUser(server, 'customer');
    const { variantId: first } = await liveVariant(vendor, 10);
    expect((await add(shopper.accessToken, first)).status).toBe(200);
    const cartId = (await request(server.app).get('/api/cart').set(auth(shopper.accessToken))).body.id as string;
    const holder = new pg.Client({ connectionString: databaseUrl(server.databaseName) });
    await holder.connect();
    let waiting: Promise<Awaited<ReturnType<typeof add>>>;
    let touched: number;
    try {
      await holder.query('begin');
      await holder.query('select id from carts where id = $1 for update', [cartId]);
      waiting = add(shopper.accessToken, first).then((answer) => answer);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { rows } = await holder.query<{ updated_at: Date }>(
        'update carts set updated_at = clock_timestamp() where id = $1 returning updated_at',
        [cartId],
      );
      touched = rows[0]!.updated_at.getTime();
      await holder.query('commit');
    } finally {
      await holder.end();
    }
    const answered = await waiting;
    expect(answered.status).toBe(200);
    expect(Date.parse(answered.body.updatedAt as string)).toBeGreaterThanOrEqual(touched);
    const cart = await request(server.app).get('/api/cart').set(auth(shopper.accessToken));
    expect(cart.body.updatedAt).toBe(answered.body.updatedAt);
  });

  it('answers 404 invalid_cart_token to a guest add whose cart goes (merged, expired) while it runs', async () => {
    const { variantId } = await liveVariant(vendor, 10);
    const made = await request(server.app).post('/api/cart/items').send({ variantId, quantity: 1 });
    const token = made.body.cartToken as string;
    const holder = new pg.Client({ connectionString: databaseUrl(server.databaseName) });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select id from carts where id = $1 for update', [made.body.id]);
      const waiting = request(server.app)
        .post('/api/cart/items')
        .set('X-Cart-Token', token)
        .send({ variantId, quantity: 1 })
        .then((answer) => answer);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query('delete from carts where id = $1', [made.body.id]);
      await holder.query('commit');
      const answer = await waiting;
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('invalid_cart_token');
    } finally {
      await holder.end();
    }
  });

  it('merges a guest cart into a nearly full one up to the limit: known lines summed, the oldest new ones kept', async () => {
    const variants = await manyVariants();
    const shopper = await makeUser(server, 'customer');
    await Promise.all(variants.slice(0, 98).map((variantId) => add(shopper.accessToken, variantId)));
    // The guest's lines, oldest first: one the customer has, then three new ones (two places are left).
    let token: string | undefined;
    for (const variantId of [variants[0]!, variants[100]!, variants[101]!, variants[102]!]) {
      const added = await request(server.app)
        .post('/api/cart/items')
        .set(token ? { 'X-Cart-Token': token } : {})
        .send({ variantId, quantity: 2 });
      expect(added.status).toBeLessThan(300);
      token ??= added.body.cartToken as string;
    }
    const merged = await request(server.app)
      .get('/api/cart')
      .set(auth(shopper.accessToken))
      .set('X-Cart-Token', token!);
    expect(merged.status).toBe(200);
    const lines = listOf<{ variantId: string; quantity: number }>(merged.body.lines);
    expect(lines).toHaveLength(100);
    expect(lines.find((line) => line.variantId === variants[0])?.quantity).toBe(3);
    expect(lines.map((line) => line.variantId)).toEqual(expect.arrayContaining([variants[100], variants[101]]));
    expect(lines.map((line) => line.variantId)).not.toContain(variants[102]);
  });
});

describe('order lifecycle', () => {
  it('cancels through the ledger and gives the discount use back', async () => {
    const { productId, variantId } = await liveVariant(vendor, 5);
    const code = `ONE${randomUUID().slice(0, 6)}`;
    await request(server.app)
      .post('/api/admin/discounts')
      .set(auth(admin.accessToken))
      .send({ code, kind: 'fixed', amountOff: usd(100), usageLimit: 1 });
    const placed = await order(customer.accessToken, { lines: [{ variantId, quantity: 2 }], discountCode: code });
    expect(placed.status).toBe(201);
    expect(placed.body.discountTotal.amount).toBe(100);
    expect(await stockOf(productId, variantId)).toBe(3);
    const cancelled = await request(server.app)
      .put(`/api/orders/${placed.body.id}/cancel`)
      .set(auth(customer.accessToken))
      .send({ reason: 'changed my mind' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(listOf<{ to: string }>(cancelled.body.history).map((h) => h.to)).toEqual(['pending_payment', 'cancelled']);
    expect(await stockOf(productId, variantId)).toBe(5);
    const movements = await request(server.app)
      .get(`/api/products/${productId}/inventory-movements`)
      .set(auth(vendor.accessToken));
    expect(listOf<{ reason: string; delta: number }>(movements.body.data).map((m) => [m.reason, m.delta])).toEqual([
      ['cancellation', 2],
      ['sale', -2],
      ['initial', 5],
    ]);
    const discounts = await request(server.app).get('/api/admin/discounts').set(auth(admin.accessToken));
    expect(
      listOf<{ code: string; uses: number }>(discounts.body.data).find((d) => d.code === code.toUpperCase())!.uses,
    ).toBe(0);
    const again = await request(server.app)
      .put(`/api/orders/${placed.body.id}/cancel`)
      .set(auth(customer.accessToken))
      .send({});
    expect(again.status).toBe(409);
  });

  it('fulfils through the state machine and refuses invalid transitions with 409', async () => {
    const { variantId } = await liveVariant(vendor, 5);
    const placed = await order(customer.accessToken, { lines: [{ variantId, quantity: 1 }] });
    const id = placed.body.id as string;
    const set = (token: string, path: string, body: object) =>
      request(server.app).put(path).set(auth(token)).send(body);
    const vendorPath = `/api/vendor/orders/${id}/status`;
    const adminPath = `/api/admin/orders/${id}/status`;
    expect((await set(vendor.accessToken, vendorPath, { status: 'processing' })).status).toBe(409);
    expect((await set(admin.accessToken, adminPath, { status: 'paid' })).status).toBe(200);
    expect((await set(vendor.accessToken, vendorPath, { status: 'processing' })).status).toBe(200);
    const shipped = await set(vendor.accessToken, vendorPath, {
      status: 'shipped',
      carrier: 'UPS',
      trackingNumber: '1Z999',
    });
    expect(shipped.status).toBe(200);
    expect(shipped.body.status).toBe('shipped');
    expect(shipped.body.part.trackingNumber).toBe('1Z999');
    expect((await set(customer.accessToken, `/api/orders/${id}/cancel`, {})).status).toBe(409);
    expect((await set(vendor.accessToken, vendorPath, { status: 'delivered' })).status).toBe(200);
    const paidAgain = await set(admin.accessToken, adminPath, { status: 'paid' });
    expect(paidAgain.status).toBe(409);
    expect(paidAgain.body.code).toBe('invalid_status_transition');
    const full = await request(server.app).get(`/api/admin/orders/${id}`).set(auth(admin.accessToken));
    expect(full.body.status).toBe('delivered');
    expect(listOf<{ to: string }>(full.body.history).map((h) => h.to)).toEqual([
      'pending_payment',
      'paid',
      'processing',
      'processing',
      'shipped',
      'shipped',
      'delivered',
      'delivered',
    ]);
    const byNumber = await request(server.app)
      .get('/api/admin/orders')
      .query({ q: full.body.number })
      .set(auth(admin.accessToken));
    expect(listOf<{ id: string }>(byNumber.body.data).map((o) => o.id)).toEqual([id]);
    const byEmail = await request(server.app)
      .get('/api/admin/orders')
      .query({ q: customer.email, status: 'delivered' })
      .set(auth(admin.accessToken));
    expect(listOf<{ id: string }>(byEmail.body.data).map((o) => o.id)).toEqual([id]);
  });

  it('keeps its snapshots when the product is edited or archived', async () => {
    const product = await makeProduct(server, vendor, {
      categoryId,
      name: 'Snapshot Lamp',
      variants: [{ sku: uniqueSku('LAMP'), price: usd(1234), stock: 5 }],
    });
    await publish(server, vendor, admin, product.id);
    const variant = product.variants[0]!;
    const placed = await order(customer.accessToken, { lines: [{ variantId: variant.id, quantity: 1 }] });
    expect(placed.status).toBe(201);
    const edit = await request(server.app)
      .put(`/api/products/${product.id}`)
      .set(auth(vendor.accessToken))
      .send({ name: 'Renamed Lamp', categoryId, variants: [{ sku: variant.sku, price: usd(9999) }] });
    expect(edit.status).toBe(200);
    await request(server.app).delete(`/api/products/${product.id}`).set(auth(vendor.accessToken));
    const after = await request(server.app).get(`/api/orders/${placed.body.id}`).set(auth(customer.accessToken));
    expect(after.body.parts).toEqual(placed.body.parts);
    expect(after.body.total).toEqual(placed.body.total);
    expect(after.body.parts[0].lines[0].name).toBe('Snapshot Lamp');
    expect(after.body.parts[0].lines[0].unitPrice.amount).toBe(1234);
  });
});

describe('verified purchase', () => {
  const review = (token: string, productId: string) =>
    request(server.app)
      .post(`/api/products/${productId}/reviews`)
      .set(auth(token))
      .send({ rating: 4, title: 'Fine', body: 'Does what it says.' });
  const reviewOf = async (productId: string, reviewId: string) => {
    const page = await request(server.app).get(`/api/products/${productId}/reviews`);
    return listOf<{ id: string; verifiedPurchase: boolean }>(page.body.data).find((r) => r.id === reviewId)!;
  };
  const setStatus = (orderId: string, status: string) =>
    request(server.app).put(`/api/admin/orders/${orderId}/status`).set(auth(admin.accessToken)).send({ status });

  it('marks reviews by customers with a paid order of the product, and follows payment and cancellation', async () => {
    const { productId, variantId } = await liveVariant(vendor, 10);
    const [buyer, browser] = await bulkCustomers(server, 2);

    // Reviewed before buying: not verified. Placing the order is not enough; paying it is.
    const early = await review(buyer!.accessToken, productId);
    expect(early.status).toBe(201);
    expect(early.body.verifiedPurchase).toBe(false);
    const placed = await order(buyer!.accessToken, { lines: [{ variantId, quantity: 1 }] });
    expect(placed.status).toBe(201);
    expect((await reviewOf(productId, early.body.id)).verifiedPurchase).toBe(false);
    expect((await setStatus(placed.body.id, 'paid')).status).toBe(200);
    expect((await reviewOf(productId, early.body.id)).verifiedPurchase).toBe(true);

    // Someone who never bought it writes an unverified review.
    const unverified = await review(browser!.accessToken, productId);
    expect(unverified.body.verifiedPurchase).toBe(false);

    // Cancelling the paid order takes the mark away.
    expect((await setStatus(placed.body.id, 'cancelled')).status).toBe(200);
    expect((await reviewOf(productId, early.body.id)).verifiedPurchase).toBe(false);

    // A review written after a paid order is verified from the start.
    const second = await order(browser!.accessToken, { lines: [{ variantId, quantity: 2 }] });
    expect((await setStatus(second.body.id, 'paid')).status).toBe(200);
    const other = await liveVariant(vendor, 3);
    const mixed = await order(browser!.accessToken, { lines: [{ variantId: other.variantId, quantity: 1 }] });
    expect((await setStatus(mixed.body.id, 'paid')).status).toBe(200);
    const late = await review(browser!.accessToken, other.productId);
    expect(late.body.verifiedPurchase).toBe(true);
    expect((await reviewOf(productId, unverified.body.id)).verifiedPurchase).toBe(true);
  });
});
