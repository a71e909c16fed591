import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCategory,
  createReview,
  deleteCategory,
  getProduct,
  listCategories,
  listReviews,
  setReviewVisibility,
  updateCategory,
} from '@emporium/sdk';
import { makeCategory, makeProduct, publish } from '../support/catalog';
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
  categoryId = await makeCategory(server, admin, 'Reviewed');
});
afterAll(async () => server.close());

const as = (user: SignedInUser) => server.clientFor(user.accessToken);

describe('reviews', () => {
  it('keeps the average and count exact under concurrent reviews, and allows one review per customer', async () => {
    const product = await publish(server, vendor, admin, (await makeProduct(server, vendor, { categoryId })).id);
    const customers = await Promise.all(Array.from({ length: 8 }, () => makeUser(server, 'customer')));
    const ratings = [5, 4, 4, 3, 5, 1, 2, 5];
    const results = await Promise.all(
      customers.map((customer, index) =>
        createReview({
          client: as(customer),
          path: { id: product.id },
          body: { rating: ratings[index]!, title: `Take ${index}`, body: '<b>not html</b>' },
        }),
      ),
    );
    expect(results.map((result) => result.response?.status)).toEqual(Array(8).fill(201));
    const { data } = await getProduct({ client: server.client, path: { id: product.id } });
    expect(data?.rating).toEqual({ average: Math.round((29 / 8) * 100) / 100, count: 8 });

    const twice = await Promise.all([
      createReview({ client: as(customers[0]!), path: { id: product.id }, body: { rating: 1 } }),
      createReview({ client: as(customers[0]!), path: { id: product.id }, body: { rating: 1 } }),
    ]);
    expect(twice.map((result) => result.error?.code)).toEqual(['already_reviewed', 'already_reviewed']);
    expect((await getProduct({ client: server.client, path: { id: product.id } })).data?.rating.count).toBe(8);

    const reviews = await listReviews({ client: server.client, path: { id: product.id }, query: { limit: 3 } });
    expect(reviews.data?.data).toHaveLength(3);
    expect(reviews.data?.data[0]).toMatchObject({
      authorName: 'Test customer',
      body: '<b>not html</b>',
      hidden: false,
    });
    const rest = await listReviews({
      client: server.client,
      path: { id: product.id },
      query: { limit: 10, cursor: reviews.data!.nextCursor! },
    });
    expect(rest.data?.data).toHaveLength(5);
  });

  it('lets an admin hide a review: it leaves the list and the rating at once, and restoring brings it back once', async () => {
    const product = await publish(server, vendor, admin, (await makeProduct(server, vendor, { categoryId })).id);
    const [alice, bob] = await Promise.all([makeUser(server, 'customer'), makeUser(server, 'customer')]);
    const spam = await createReview({
      client: as(alice),
      path: { id: product.id },
      body: { rating: 1, body: 'spam spam' },
    });
    await createReview({ client: as(bob), path: { id: product.id }, body: { rating: 5 } });
    expect((await getProduct({ client: server.client, path: { id: product.id } })).data?.rating).toEqual({
      average: 3,
      count: 2,
    });

    const hideTwice = await Promise.all([
      setReviewVisibility({ client: as(admin), path: { id: spam.data!.id }, body: { hidden: true } }),
      setReviewVisibility({ client: as(admin), path: { id: spam.data!.id }, body: { hidden: true } }),
    ]);
    expect(hideTwice.every((result) => result.data?.hidden === true)).toBe(true);
    expect((await getProduct({ client: server.client, path: { id: product.id } })).data?.rating).toEqual({
      average: 5,
      count: 1,
    });
    const visible = await listReviews({ client: server.client, path: { id: product.id } });
    expect(visible.data?.data.map((review) => review.id)).not.toContain(spam.data!.id);

    await setReviewVisibility({ client: as(admin), path: { id: spam.data!.id }, body: { hidden: false } });
    await setReviewVisibility({ client: as(admin), path: { id: spam.data!.id }, body: { hidden: false } });
    expect((await getProduct({ client: server.client, path: { id: product.id } })).data?.rating).toEqual({
      average: 3,
      count: 2,
    });
  });

  it('refuses vendors (403), unpublished products (404), bad ratings and long bodies (400)', async () => {
    const draft = await makeProduct(server, vendor, { categoryId });
    const published = await publish(server, vendor, admin, (await makeProduct(server, vendor, { categoryId })).id);
    const customer = await makeUser(server, 'customer');
    expect(
      (await createReview({ client: as(vendor), path: { id: published.id }, body: { rating: 5 } })).response?.status,
    ).toBe(403);
    expect(
      (await createReview({ client: as(customer), path: { id: draft.id }, body: { rating: 5 } })).response?.status,
    ).toBe(404);
    expect((await listReviews({ client: server.client, path: { id: draft.id } })).response?.status).toBe(404);
    for (const body of [
      { rating: 0 },
      { rating: 6 },
      { rating: 4.5 },
      { rating: 4, body: 'x'.repeat(4001) },
      { rating: 4, verified: true },
    ]) {
      const response = await request(server.app)
        .post(`/api/products/${published.id}/reviews`)
        .set('Authorization', `Bearer ${customer.accessToken}`)
        .send(body);
      expect(response.status, JSON.stringify(body).slice(0, 40)).toBe(400);
    }
    expect((await getProduct({ client: server.client, path: { id: published.id } })).data?.rating.count).toBe(0);
    expect(
      (await setReviewVisibility({ client: as(admin), path: { id: draft.id }, body: { hidden: true } })).response
        ?.status,
    ).toBe(404);
  });
});

describe('categories', () => {
  it('answers the tree in pre-order with depths, and refreshes it after every change', async () => {
    const root = await makeCategory(server, admin, 'Garden');
    const tools = await makeCategory(server, admin, 'Tools', root);
    const seeds = await makeCategory(server, admin, 'Seeds', root);
    const spades = await makeCategory(server, admin, 'Spades', tools);
    const tree = async () => (await listCategories({ client: server.client })).data!.data;
    const garden = (await tree()).filter((category) => [root, tools, seeds, spades].includes(category.id));
    expect(garden.map((category) => [category.name, category.depth])).toEqual([
      ['Garden', 0],
      ['Seeds', 1],
      ['Tools', 1],
      ['Spades', 2],
    ]);
    await updateCategory({ client: as(admin), path: { id: spades }, body: { parentId: seeds, name: 'Seed spades' } });
    const moved = (await tree()).find((category) => category.id === spades);
    expect(moved).toMatchObject({ parentId: seeds, depth: 2, name: 'Seed spades' });
    await updateCategory({ client: as(admin), path: { id: tools }, body: { parentId: null } });
    expect((await tree()).find((category) => category.id === tools)).toMatchObject({ parentId: null, depth: 0 });
  });

  it('refuses a move under its own subtree, a tree deeper than 5 levels, a taken slug and an unknown parent', async () => {
    const a = await makeCategory(server, admin, 'A');
    const b = await makeCategory(server, admin, 'B', a);
    const c = await makeCategory(server, admin, 'C', b);
    const cycle = await updateCategory({ client: as(admin), path: { id: a }, body: { parentId: c } });
    expect(cycle.response?.status).toBe(409);
    expect(cycle.error?.code).toBe('category_cycle');
    expect((await updateCategory({ client: as(admin), path: { id: a }, body: { parentId: a } })).error?.code).toBe(
      'category_cycle',
    );
    const d = await makeCategory(server, admin, 'D', c);
    const e = await makeCategory(server, admin, 'E', d);
    const tooDeep = await createCategory({ client: as(admin), body: { name: 'F', parentId: e } });
    expect(tooDeep.error?.code).toBe('category_too_deep');
    const x = await makeCategory(server, admin, 'X');
    const y = await makeCategory(server, admin, 'Y', x);
    expect((await updateCategory({ client: as(admin), path: { id: x }, body: { parentId: d } })).error?.code).toBe(
      'category_too_deep',
    );
    expect((await updateCategory({ client: as(admin), path: { id: y }, body: { parentId: d } })).response?.status).toBe(
      200,
    );
    const taken = (await listCategories({ client: server.client })).data!.data.find(
      (category) => category.id === a,
    )!.slug;
    expect((await createCategory({ client: as(admin), body: { name: 'Copy', slug: taken } })).error?.code).toBe(
      'slug_taken',
    );
    expect(
      (await createCategory({ client: as(admin), body: { name: 'Orphan', parentId: vendor.id } })).response?.status,
    ).toBe(400);
  });

  it('derives a free slug from the name when none is sent', async () => {
    const [first, second] = await Promise.all(
      [1, 2].map(() => createCategory({ client: as(admin), body: { name: 'Garden Tools' } })),
    );
    expect(first!.response?.status).toBe(201);
    expect(second!.response?.status).toBe(201);
    expect(new Set([first!.data?.slug, second!.data?.slug]).size).toBe(2);
    expect([first!.data?.slug, second!.data?.slug]).toContain('garden-tools');
  });

  it('deletes only an empty category', async () => {
    const parent = await makeCategory(server, admin, 'Parent');
    const child = await makeCategory(server, admin, 'Child', parent);
    await makeProduct(server, vendor, { categoryId: child });
    expect((await deleteCategory({ client: as(admin), path: { id: parent } })).error?.code).toBe('category_not_empty');
    expect((await deleteCategory({ client: as(admin), path: { id: child } })).error?.code).toBe('category_not_empty');
    const empty = await makeCategory(server, admin, 'Empty');
    expect((await deleteCategory({ client: as(admin), path: { id: empty } })).response?.status).toBe(204);
    expect((await listCategories({ client: server.client })).data!.data.map((category) => category.id)).not.toContain(
      empty,
    );
    expect((await deleteCategory({ client: as(admin), path: { id: empty } })).response?.status).toBe(404);
  });
});
