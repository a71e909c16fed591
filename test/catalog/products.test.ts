import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adjustInventory,
  approveProduct,
  createProduct,
  deleteProduct,
  getMyProduct,
  getProduct,
  getProductForReview,
  listCategoryProducts,
  listInventoryMovements,
  listMyProducts,
  listProducts,
  listProductsForReview,
  rejectProduct,
  searchProducts,
  submitProduct,
  updateProduct,
} from '@emporium/sdk';
import { makeCategory, makeProduct, publish, uniqueSku, usd } from '../support/catalog';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let server: TestServer;
let admin: SignedInUser;
let vendor: SignedInUser;
let rival: SignedInUser;
let customer: SignedInUser;
let categoryId: string;

beforeAll(async () => {
  server = await startTestServer({ env: ADMIN_ENV });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  [vendor, rival, customer] = await Promise.all([
    makeUser(server, 'vendor'),
    makeUser(server, 'vendor'),
    makeUser(server, 'customer'),
  ]);
  categoryId = await makeCategory(server, admin, 'Shirts');
});
afterAll(async () => server.close());

const as = (user: SignedInUser) => server.clientFor(user.accessToken);

const shirt = () => ({
  name: 'Linen Shirt',
  description: 'A light shirt for warm days.',
  categoryId,
  options: [
    { name: 'size', values: ['S', 'M'] },
    { name: 'colour', values: ['white', 'blue'] },
  ],
  variants: [
    { sku: uniqueSku('LS'), options: { size: 'S', colour: 'white' }, price: usd(2500), stock: 3 },
    { sku: uniqueSku('LS'), options: { size: 'M', colour: 'white' }, price: usd(2500), stock: 0 },
    { sku: uniqueSku('LS'), options: { size: 'M', colour: 'blue' }, price: usd(2900), stock: 4 },
  ],
});

describe('POST /api/products', () => {
  it('creates a draft with its variants, price range, total stock and opening movements', async () => {
    const { data, response } = await createProduct({ client: as(vendor), body: shirt() });
    expect(response?.status).toBe(201);
    expect(data).toMatchObject({
      status: 'draft',
      vendorId: vendor.id,
      slug: expect.stringMatching(/^linen-shirt/),
      priceRange: { min: usd(2500), max: usd(2900) },
      totalStock: 7,
      rating: { average: null, count: 0 },
    });
    expect(data?.variants.map((variant) => [variant.options, variant.stock])).toEqual([
      [{ size: 'S', colour: 'white' }, 3],
      [{ size: 'M', colour: 'white' }, 0],
      [{ size: 'M', colour: 'blue' }, 4],
    ]);
    const movements = await listInventoryMovements({ client: as(vendor), path: { id: data!.id } });
    expect(movements.data?.data.map((movement) => [movement.reason, movement.delta, movement.actorId]).sort()).toEqual([
      ['initial', 3, vendor.id],
      ['initial', 4, vendor.id],
    ]);
  });

  it('answers 403 to a customer', async () => {
    const { response, error } = await createProduct({ client: as(customer), body: shirt() });
    expect(response?.status).toBe(403);
    expect(error?.code).toBe('forbidden');
  });

  it.each([['vendorId'], ['status'], ['rating']])('refuses an unknown field %s', async (field) => {
    const response = await request(server.app)
      .post('/api/products')
      .set('Authorization', `Bearer ${vendor.accessToken}`)
      .send({ ...shirt(), [field]: field === 'rating' ? 5 : field === 'status' ? 'published' : rival.id });
    expect(response?.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ code: 'unrecognized_keys' })]);
  });

  it('refuses inconsistent variants, a foreign currency, negative stock and huge prices with field errors', async () => {
    const body = shirt();
    const cases: [unknown, string][] = [
      [
        { ...body, variants: [{ ...body.variants[0], options: { size: 'XL', colour: 'white' } }] },
        'body.variants.0.options.size',
      ],
      [
        { ...body, variants: [body.variants[0], { ...body.variants[1], options: body.variants[0]!.options }] },
        'body.variants.1.options',
      ],
      [
        { ...body, variants: [{ ...body.variants[0], price: { amount: 100, currency: 'EUR' } }] },
        'body.variants.0.price.currency',
      ],
      [{ ...body, variants: [{ ...body.variants[0], stock: -1 }] }, 'body.variants.0.stock'],
      [{ ...body, variants: [{ ...body.variants[0], price: usd(2 ** 31) }] }, 'body.variants.0.price.amount'],
      [{ ...body, options: [], variants: [body.variants[0], body.variants[1]] }, 'body.variants'],
      [{ ...body, categoryId: rival.id }, 'body.categoryId'],
    ];
    for (const [payload, path] of cases) {
      const response = await request(server.app)
        .post('/api/products')
        .set('Authorization', `Bearer ${vendor.accessToken}`)
        .send(payload as object);
      expect(response?.status, path).toBe(400);
      expect(
        (response.body.errors as { path: string }[]).map((error) => error.path),
        path,
      ).toContain(path);
    }
    const mine = await listMyProducts({ client: as(vendor), query: { limit: 100 } });
    expect(mine.data?.data.every((product) => product.name === 'Linen Shirt')).toBe(true);
  });

  it('answers 409 sku_taken when a SKU belongs to another product, and creates nothing', async () => {
    const first = await makeProduct(server, vendor, { categoryId });
    const sku = first.variants[0]!.sku;
    const before = (await listMyProducts({ client: as(rival) })).data?.data.length;
    const { response, error } = await createProduct({
      client: as(rival),
      body: { name: 'Copy', categoryId, variants: [{ sku, price: usd(1) }] },
    });
    expect(response?.status).toBe(409);
    expect(error?.code).toBe('sku_taken');
    expect((await listMyProducts({ client: as(rival) })).data?.data.length).toBe(before);
  });
});

describe('vendor isolation', () => {
  it("hides another vendor's drafts and refuses to change them with 404", async () => {
    const draft = await makeProduct(server, vendor, { categoryId, name: 'Secret Draft' });
    const theirs = { client: as(rival), path: { id: draft.id } };
    expect((await getMyProduct(theirs)).response?.status).toBe(404);
    expect(
      (
        await updateProduct({
          ...theirs,
          body: { name: 'Stolen', categoryId, variants: [{ sku: uniqueSku(), price: usd(1) }] },
        })
      ).response?.status,
    ).toBe(404);
    expect((await deleteProduct(theirs)).response?.status).toBe(404);
    expect((await submitProduct(theirs)).response?.status).toBe(404);
    expect((await listInventoryMovements(theirs)).response?.status).toBe(404);
    const variantId = draft.variants[0]!.id;
    expect(
      (
        await adjustInventory({
          client: as(rival),
          path: { id: draft.id, variantId },
          body: { delta: 5, reason: 'restock' },
        })
      ).response?.status,
    ).toBe(404);
    const rivalList = await listMyProducts({ client: as(rival), query: { limit: 100 } });
    expect(rivalList.data?.data.map((product) => product.id)).not.toContain(draft.id);
    // Nothing changed for the owner.
    const mine = await getMyProduct({ client: as(vendor), path: { id: draft.id } });
    expect(mine.data).toMatchObject({ name: 'Secret Draft', status: 'draft', totalStock: 5 });
  });
});

describe('approval workflow and public visibility', () => {
  async function isPublic(productId: string, name: string): Promise<boolean[]> {
    const [byId, list, search, category] = await Promise.all([
      getProduct({ client: server.client, path: { id: productId } }),
      listProducts({ client: server.client, query: { limit: 100 } }),
      searchProducts({ client: server.client, query: { q: name, limit: 100 } }),
      listCategoryProducts({ client: server.client, path: { id: categoryId }, query: { limit: 100 } }),
    ]);
    return [
      byId.response?.status === 200,
      Boolean(list.data?.data.some((product) => product.id === productId)),
      Boolean(search.data?.data.some((product) => product.id === productId)),
      Boolean(category.data?.data.some((product) => product.id === productId)),
    ];
  }

  it('keeps drafts, pending, rejected and archived products out of every public read', async () => {
    const product = await makeProduct(server, vendor, { categoryId, name: 'Quokka Lantern' });
    expect(await isPublic(product.id, 'Quokka Lantern')).toEqual([false, false, false, false]);

    await submitProduct({ client: as(vendor), path: { id: product.id } });
    expect(await isPublic(product.id, 'Quokka Lantern')).toEqual([false, false, false, false]);
    const queue = await listProductsForReview({ client: as(admin), query: { limit: 100 } });
    expect(queue.data?.data.map((entry) => entry.id)).toContain(product.id);

    const rejected = await rejectProduct({
      client: as(admin),
      path: { id: product.id },
      body: { reason: 'Photos missing' },
    });
    expect(rejected.data).toMatchObject({ status: 'rejected', rejectionReason: 'Photos missing' });
    expect(await isPublic(product.id, 'Quokka Lantern')).toEqual([false, false, false, false]);
    expect((await getMyProduct({ client: as(vendor), path: { id: product.id } })).data?.rejectionReason).toBe(
      'Photos missing',
    );

    await submitProduct({ client: as(vendor), path: { id: product.id } });
    const approved = await approveProduct({ client: as(admin), path: { id: product.id } });
    expect(approved.data).toMatchObject({
      status: 'published',
      rejectionReason: null,
      publishedAt: expect.any(String),
    });
    expect(await isPublic(product.id, 'Quokka Lantern')).toEqual([true, true, true, true]);

    const audit = await server.deps.orm.em
      .fork()
      .execute<{ action: string; actor_id: string }[]>(
        'select action, actor_id from audit_log where target_id = ? order by id',
        [product.id],
      );
    expect(audit.map((entry) => [entry.action, entry.actor_id])).toEqual([
      ['product.pending_review', vendor.id],
      ['product.rejected', admin.id],
      ['product.pending_review', vendor.id],
      ['product.published', admin.id],
    ]);

    expect((await deleteProduct({ client: as(vendor), path: { id: product.id } })).response?.status).toBe(204);
    expect(await isPublic(product.id, 'Quokka Lantern')).toEqual([false, false, false, false]);
    expect((await getProductForReview({ client: as(admin), path: { id: product.id } })).response?.status).toBe(404);
  });

  it('answers 409 invalid_status_transition to an approval out of turn, and lets only one of two racing approvals win', async () => {
    const product = await makeProduct(server, vendor, { categoryId });
    const early = await approveProduct({ client: as(admin), path: { id: product.id } });
    expect(early.response?.status).toBe(409);
    expect(early.error?.code).toBe('invalid_status_transition');
    await submitProduct({ client: as(vendor), path: { id: product.id } });
    const results = await Promise.all([
      approveProduct({ client: as(admin), path: { id: product.id } }),
      rejectProduct({ client: as(admin), path: { id: product.id }, body: { reason: 'race' } }),
    ]);
    expect(results.map((result) => result.response?.status).sort()).toEqual([200, 409]);
  });

  it('sends a published product back to review when its vendor changes its content, but not for a price change', async () => {
    const product = await publish(
      server,
      vendor,
      admin,
      (await makeProduct(server, vendor, { categoryId, name: 'Walnut Desk' })).id,
    );
    const variant = product.variants[0]!;
    const repriced = await updateProduct({
      client: as(vendor),
      path: { id: product.id },
      body: { name: 'Walnut Desk', categoryId, variants: [{ sku: variant.sku, price: usd(1500) }] },
    });
    expect(repriced.data).toMatchObject({
      status: 'published',
      priceRange: { min: usd(1500), max: usd(1500) },
      totalStock: 5,
    });
    expect((await getProduct({ client: server.client, path: { id: product.id } })).data?.priceRange.min).toEqual(
      usd(1500),
    );

    const renamed = await updateProduct({
      client: as(vendor),
      path: { id: product.id },
      body: { name: 'Walnut Desk XL', categoryId, variants: [{ sku: variant.sku, price: usd(1500) }] },
    });
    expect(renamed.data?.status).toBe('pending_review');
    expect((await getProduct({ client: server.client, path: { id: product.id } })).response?.status).toBe(404);

    await approveProduct({ client: as(admin), path: { id: product.id } });
    const byAdmin = await updateProduct({
      client: as(admin),
      path: { id: product.id },
      body: { name: 'Walnut Desk (fixed typo)', categoryId, variants: [{ sku: variant.sku, price: usd(1500) }] },
    });
    expect(byAdmin.data?.status).toBe('published');
  });

  it('keeps a published product live on a price-only edit whatever the order of the option keys', async () => {
    const created = await makeProduct(server, vendor, shirt());
    const product = await publish(server, vendor, admin, created.id);
    const { data } = await updateProduct({
      client: as(vendor),
      path: { id: product.id },
      body: {
        ...shirt(),
        variants: product.variants.map((variant) => ({
          sku: variant.sku,
          options: { colour: variant.options.colour!, size: variant.options.size! },
          price: usd(variant.price.amount + 100),
        })),
      },
    });
    expect(data?.status).toBe('published');
    expect(data?.priceRange.min).toEqual(usd(2600));
  });

  it('lets an edit and concurrent restocks of the same product all succeed (one lock order, no deadlock)', async () => {
    const product = await publish(server, vendor, admin, (await makeProduct(server, vendor, shirt())).id);
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all([
        updateProduct({
          client: as(vendor),
          path: { id: product.id },
          body: {
            ...shirt(),
            variants: product.variants.map((variant) => ({
              sku: variant.sku,
              options: variant.options,
              price: usd(3000 + round),
            })),
          },
        }),
        ...product.variants.flatMap((variant) =>
          [1, 2].map(() =>
            adjustInventory({
              client: as(vendor),
              path: { id: product.id, variantId: variant.id },
              body: { delta: 1, reason: 'restock' },
            }),
          ),
        ),
      ]);
      expect(results.map((result) => result.response?.status)).toEqual(Array(7).fill(200));
    }
    expect((await getMyProduct({ client: as(vendor), path: { id: product.id } })).data?.totalStock).toBe(7 + 5 * 6);
  });

  it('retires a variant dropped from the list and keeps matching the others by SKU', async () => {
    const created = await makeProduct(server, vendor, shirt());
    const [first, , third] = created.variants;
    const { data } = await updateProduct({
      client: as(vendor),
      path: { id: created.id },
      body: {
        ...shirt(),
        options: [
          { name: 'size', values: ['S', 'M', 'L'] },
          { name: 'colour', values: ['white', 'blue'] },
        ],
        variants: [
          { sku: first!.sku, options: { size: 'S', colour: 'white' }, price: usd(2600) },
          { sku: third!.sku, options: { size: 'M', colour: 'blue' }, price: usd(2900) },
          { sku: 'NEW-L-WHITE-' + created.id.slice(-6), options: { size: 'L', colour: 'white' }, price: usd(3100) },
        ],
      },
    });
    expect(
      data?.variants.map((variant) => [
        variant.sku === first!.sku ? 'first' : variant.sku === third!.sku ? 'third' : 'new',
        variant.stock,
      ]),
    ).toEqual([
      ['first', 3],
      ['third', 4],
      ['new', 0],
    ]);
    expect(data?.variants[0]?.id).toBe(first!.id);
    expect(data).toMatchObject({ totalStock: 7, priceRange: { min: usd(2600), max: usd(3100) } });
  });
});

describe('POST /api/products/{id}/variants/{variantId}/inventory', () => {
  it('adds and removes stock atomically, records who and why, and never goes below zero', async () => {
    const product = await makeProduct(server, vendor, { categoryId });
    const target = { client: as(vendor), path: { id: product.id, variantId: product.variants[0]!.id } };
    expect(
      (await adjustInventory({ ...target, body: { delta: 10, reason: 'restock', note: 'pallet 7' } })).data?.stock,
    ).toBe(15);
    const tooMuch = await adjustInventory({ ...target, body: { delta: -16, reason: 'damaged' } });
    expect(tooMuch.response?.status).toBe(409);
    expect(tooMuch.error?.code).toBe('insufficient_stock');
    // 20 concurrent removals of one unit from 15: exactly 15 succeed.
    const removals = await Promise.all(
      Array.from({ length: 20 }, () => adjustInventory({ ...target, body: { delta: -1, reason: 'correction' } })),
    );
    expect(removals.filter((result) => result.response?.status === 200)).toHaveLength(15);
    expect(removals.filter((result) => result.error?.code === 'insufficient_stock')).toHaveLength(5);
    const after = await getMyProduct({ client: as(vendor), path: { id: product.id } });
    expect(after.data).toMatchObject({
      totalStock: 0,
      variants: [expect.objectContaining({ stock: 0, inStock: false })],
    });
    const movements = await listInventoryMovements({
      client: as(vendor),
      path: { id: product.id },
      query: { limit: 100 },
    });
    expect(movements.data?.data).toHaveLength(17);
    expect(movements.data?.data.reduce((sum, movement) => sum + movement.delta, 0)).toBe(0);
    expect(movements.data?.data[movements.data.data.length - 2]).toMatchObject({
      reason: 'restock',
      delta: 10,
      stockAfter: 15,
      note: 'pallet 7',
      actorId: vendor.id,
    });
  });

  it('takes a product out of the in-stock list the moment its last unit goes, and back when stock returns', async () => {
    const product = await publish(
      server,
      vendor,
      admin,
      (await makeProduct(server, vendor, { categoryId, name: 'Last Unit Lamp' })).id,
    );
    const inStockIds = async () =>
      (
        await listProducts({ client: server.client, query: { categoryId, inStock: 'true', limit: 100 } })
      ).data?.data.map((entry) => entry.id);
    expect(await inStockIds()).toContain(product.id);
    const target = { client: as(vendor), path: { id: product.id, variantId: product.variants[0]!.id } };
    await adjustInventory({ ...target, body: { delta: -5, reason: 'damaged' } });
    expect(await inStockIds()).not.toContain(product.id);
    await adjustInventory({ ...target, body: { delta: 1, reason: 'returned' } });
    expect(await inStockIds()).toContain(product.id);
  });

  it('answers 409 stock_limit above 10,000,000 units of a variant', async () => {
    const product = await makeProduct(server, vendor, { categoryId });
    const target = { client: as(vendor), path: { id: product.id, variantId: product.variants[0]!.id } };
    for (let step = 0; step < 9; step++)
      await adjustInventory({ ...target, body: { delta: 1_000_000, reason: 'restock' } });
    expect((await adjustInventory({ ...target, body: { delta: 999_995, reason: 'restock' } })).data?.stock).toBe(
      10_000_000,
    );
    const over = await adjustInventory({ ...target, body: { delta: 1, reason: 'restock' } });
    expect(over.response?.status).toBe(409);
    expect(over.error?.code).toBe('stock_limit');
  });

  it('refuses a zero or enormous delta with 400', async () => {
    const product = await makeProduct(server, vendor, { categoryId });
    for (const delta of [0, 10_000_000, 1.5]) {
      const response = await request(server.app)
        .post(`/api/products/${product.id}/variants/${product.variants[0]!.id}/inventory`)
        .set('Authorization', `Bearer ${vendor.accessToken}`)
        .send({ delta, reason: 'restock' });
      expect(response?.status).toBe(400);
    }
  });
});

describe('product detail cache', () => {
  it('serves the detail from the cache and drops it on every write that changes the product', async () => {
    const product = await publish(server, vendor, admin, (await makeProduct(server, vendor, { categoryId })).id);
    const hits = async () =>
      (await server.deps.metrics.cacheRequests.get()).values.find(
        (value) => value.labels.cache === 'product' && value.labels.result === 'hit',
      )?.value ?? 0;
    await getProduct({ client: server.client, path: { id: product.id } });
    const before = await hits();
    await getProduct({ client: server.client, path: { id: product.id } });
    expect(await hits()).toBe(before + 1);

    await adjustInventory({
      client: as(vendor),
      path: { id: product.id, variantId: product.variants[0]!.id },
      body: { delta: 2, reason: 'restock' },
    });
    expect((await getProduct({ client: server.client, path: { id: product.id } })).data?.totalStock).toBe(7);
    await updateProduct({
      client: as(admin),
      path: { id: product.id },
      body: { name: 'Renamed by admin', categoryId, variants: [{ sku: product.variants[0]!.sku, price: usd(999) }] },
    });
    expect((await getProduct({ client: server.client, path: { id: product.id } })).data).toMatchObject({
      name: 'Renamed by admin',
      priceRange: { min: usd(999) },
    });
    await deleteProduct({ client: as(admin), path: { id: product.id } });
    expect((await getProduct({ client: server.client, path: { id: product.id } })).response?.status).toBe(404);

    const metrics = await request(server.app).get('/metrics');
    expect(metrics.text).toMatch(/cache_requests_total\{cache="product",result="hit"\} \d+/);
  });
});
