/**
 * Search, filters and facets against a brute-force computation over the same catalog, typo tolerance, keyset paging,
 * and the statement count of lists and searches (no N+1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createReview,
  deleteProduct,
  listCategoryProducts,
  listProducts,
  searchProducts,
  type ProductSummary,
  type SearchProductsData,
} from '@emporium/sdk';
import { makeCategory, makeProduct, publish, uniqueSku, usd } from '../support/catalog';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let server: TestServer;
let admin: SignedInUser;
let vendors: SignedInUser[];
const categories: Record<string, string> = {};

interface Known {
  id: string;
  name: string;
  words: Set<string>;
  categoryId: string;
  vendorId: string;
  prices: number[];
  stock: number;
  options: string[];
  rating: number;
}
const catalog: Known[] = [];

const ADJECTIVES = ['rustic', 'modern', 'vintage', 'sleek'];
const MATERIALS = ['cotton', 'leather', 'walnut', 'ceramic'];
const NOUNS = ['lantern', 'satchel', 'teapot', 'blanket'];
const COLOURS = ['red', 'blue', 'green'];

beforeAll(async () => {
  server = await startTestServer({ env: ADMIN_ENV });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  vendors = await Promise.all([makeUser(server, 'vendor'), makeUser(server, 'vendor')]);
  const customers = await Promise.all([makeUser(server, 'customer'), makeUser(server, 'customer')]);
  categories.home = await makeCategory(server, admin, 'Home');
  categories.kitchen = await makeCategory(server, admin, 'Kitchen', categories.home);
  categories.teaware = await makeCategory(server, admin, 'Teaware', categories.kitchen);
  categories.outdoor = await makeCategory(server, admin, 'Outdoor');
  const leafs = [categories.home, categories.kitchen, categories.teaware, categories.outdoor] as string[];

  // 48 published products with every combination of words spread over categories, vendors, prices, stock and options.
  const specs = ADJECTIVES.flatMap((adjective, a) =>
    MATERIALS.flatMap((material, m) =>
      NOUNS.slice(0, 3).map((noun, n) => ({ adjective, material, noun, i: a * 12 + m * 3 + n })),
    ),
  );
  for (const batch of [specs.slice(0, 24), specs.slice(24)]) {
    await Promise.all(
      batch.map(async ({ adjective, material, noun, i }) => {
        const vendor = vendors[i % 2]!;
        const colours = COLOURS.slice(0, 1 + (i % 3));
        const name = `${adjective} ${material} ${noun}`.replace(/^\w/, (c) => c.toUpperCase());
        const description = i % 4 === 0 ? `Pairs well with a ${NOUNS[3]}.` : 'Made to last.';
        const variants = colours.map((colour, c) => ({
          sku: uniqueSku(),
          options: { colour },
          price: usd(1000 + ((i * 173 + c * 611) % 5000)),
          stock: (i + c) % 4 === 0 ? 0 : c + 1,
        }));
        const created = await makeProduct(server, vendor, {
          name,
          description,
          categoryId: leafs[i % 4]!,
          options: [{ name: 'colour', values: colours }],
          variants,
        });
        await publish(server, vendor, admin, created.id);
        const ratings = customers.slice(0, i % 3).map((_, k) => 1 + ((i + k * 2) % 5));
        for (const [k, rating] of ratings.entries()) {
          await createReview({
            client: server.clientFor(customers[k]!.accessToken),
            path: { id: created.id },
            body: { rating },
          });
        }
        catalog.push({
          id: created.id,
          name,
          words: new Set(
            `${name} ${description}`
              .toLowerCase()
              .split(/[^a-z0-9]+/)
              .filter(Boolean),
          ),
          categoryId: leafs[i % 4]!,
          vendorId: vendor.id,
          prices: variants.map((variant) => variant.price.amount),
          stock: variants.reduce((sum, variant) => sum + variant.stock, 0),
          options: colours.map((colour) => `colour:${colour}`),
          rating:
            ratings.length === 0
              ? 0
              : Math.round((ratings.reduce((sum, r) => sum + r, 0) / ratings.length) * 100) / 100,
        });
      }),
    );
  }
  // A draft that matches every query: it must never show up.
  await makeProduct(server, vendors[0]!, { name: 'Rustic cotton lantern walnut teapot', categoryId: categories.home });
}, 120_000);
afterAll(async () => server.close());

type Query = NonNullable<SearchProductsData['query']>;

const subtree: Record<string, string[]> = {};
function descendants(categoryId: string): string[] {
  subtree.home ??= [categories.home!, categories.kitchen!, categories.teaware!];
  if (categoryId === categories.home) return subtree.home;
  if (categoryId === categories.kitchen) return [categories.kitchen, categories.teaware!];
  return [categoryId];
}

function bruteForce(query: Partial<Omit<Query, 'limit' | 'cursor' | 'sort'>>): Known[] {
  return catalog.filter(
    (product) =>
      (!query.q ||
        query.q
          .toLowerCase()
          .split(' ')
          .every((word) => product.words.has(word))) &&
      (!query.categoryId || descendants(query.categoryId).includes(product.categoryId)) &&
      (!query.vendorId || product.vendorId === query.vendorId) &&
      (query.minPrice === undefined || Math.min(...product.prices) >= query.minPrice) &&
      (query.maxPrice === undefined || Math.min(...product.prices) <= query.maxPrice) &&
      (query.minRating === undefined || product.rating >= query.minRating) &&
      (query.inStock === undefined || product.stock > 0 === (query.inStock === 'true')) &&
      (!query.option ||
        (Array.isArray(query.option) ? query.option : [query.option]).every((option) =>
          product.options.includes(option),
        )),
  );
}

async function searchAll(
  query: Query,
): Promise<{ ids: string[]; first: Awaited<ReturnType<typeof searchProducts>>['data'] }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let first;
  do {
    const { data, error } = await searchProducts({
      client: server.client,
      query: { ...query, limit: 7, ...(cursor ? { cursor } : {}) },
    });
    if (!data) throw new Error(JSON.stringify(error));
    first ??= data;
    ids.push(...data.data.map((product) => product.id));
    cursor = data.nextCursor ?? undefined;
  } while (cursor);
  return { ids, first };
}

function countBy<T>(items: T[], key: (item: T) => string | string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) for (const value of [key(item)].flat()) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

describe('GET /api/products/search', () => {
  it('finds a product by a one-letter typo of its name', async () => {
    for (const typo of ['lantren', 'lantrn', 'satchell', 'teapat', 'leathr satchel']) {
      const { data } = await searchProducts({ client: server.client, query: { q: typo, limit: 100 } });
      const expected = typo.includes('satch') ? 'satchel' : typo.startsWith('tea') ? 'teapot' : 'lantern';
      expect(data?.data.length, typo).toBeGreaterThan(0);
      expect(
        data?.data.every((product) => product.name.toLowerCase().includes(expected)),
        typo,
      ).toBe(true);
    }
  });

  it('corrects typos only towards words of published products (drafts cannot steer or be probed)', async () => {
    // Each probe with another page size: another cache entry, so the database answers.
    const teapots = async (limit: number) =>
      (await searchProducts({ client: server.client, query: { q: 'teapots', limit } })).data?.total;
    const before = await teapots(100);
    expect(before).toBe(bruteForce({ q: 'teapot' }).length);
    // Were draft words in the dictionary, "teapots" would now be a known word and stop being corrected to "teapot".
    await makeProduct(server, vendors[0]!, { name: 'Teapots Galore', categoryId: categories.home! });
    expect(await teapots(99)).toBe(before);
  });

  it('ranks a match in the name above a match in the description only', async () => {
    const { data } = await searchProducts({ client: server.client, query: { q: 'blanket', limit: 100 } });
    expect(data?.data.length).toBe(bruteForce({ q: 'blanket' }).length);
    const { data: mixed } = await searchProducts({ client: server.client, query: { q: 'walnut', limit: 3 } });
    expect(mixed?.data.every((product) => product.name.toLowerCase().includes('walnut'))).toBe(true);
  });

  const cases: Omit<Query, 'limit'>[] = [
    { q: 'rustic' },
    { q: 'cotton teapot' },
    { q: 'leather', categoryId: 'home' },
    { q: 'modern', categoryId: 'kitchen', inStock: 'true' },
    { q: 'vintage', minPrice: 3000 },
    { q: 'sleek', maxPrice: 2500, option: ['colour:blue'] },
    { q: 'walnut', minRating: 3 },
    { q: 'lantern', vendorId: 'vendor0', inStock: 'false' },
    { q: 'ceramic', option: ['colour:red', 'colour:green'] },
    { q: 'made' },
    { q: 'made', minPrice: 2500 },
    { q: 'made', maxPrice: 2000, sort: 'price_desc' },
  ];
  it.each(cases)('agrees with a brute-force count: %j', async (raw) => {
    const query: Query = { ...raw, q: raw.q ?? '' };
    if (raw.categoryId) query.categoryId = categories[raw.categoryId];
    if (raw.vendorId) query.vendorId = vendors[0]!.id;
    const expected = bruteForce(query);
    const { ids, first } = await searchAll(query);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(expected.map((product) => product.id).sort());
    expect(first?.total).toBe(expected.length);
    expect(new Map(first?.facets.categories.map((facet) => [facet.categoryId, facet.count]))).toEqual(
      countBy(expected, (product) => product.categoryId),
    );
    expect(new Map(first?.facets.options.map((facet) => [`${facet.name}:${facet.value}`, facet.count]))).toEqual(
      countBy(expected, (product) => product.options),
    );
    const prices = expected.flatMap((product) => product.prices);
    expect(first?.facets.price).toEqual(
      prices.length === 0 ? null : { min: usd(Math.min(...prices)), max: usd(Math.max(...prices)) },
    );
  });

  it.each([['price_asc'], ['price_desc'], ['rating'], ['newest'], ['relevance']] as const)(
    'pages through sort %s in order without gaps or repeats',
    async (sort) => {
      const { ids } = await searchAll({ q: 'made', sort });
      expect(ids.sort()).toEqual(
        bruteForce({ q: 'made' })
          .map((product) => product.id)
          .sort(),
      );
    },
  );
});

describe('GET /api/products and /api/categories/{id}/products', () => {
  async function listAll(
    fetchPage: (cursor?: string) => Promise<{ data: ProductSummary[]; nextCursor: string | null } | undefined>,
  ) {
    const items: ProductSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await fetchPage(cursor);
      if (!page) throw new Error('list failed');
      items.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return items;
  }

  it('sorts by price and rating in order, and filters like the brute force', async () => {
    const ascending = await listAll(
      async (cursor) =>
        (
          await listProducts({
            client: server.client,
            query: { sort: 'price_asc', limit: 9, ...(cursor ? { cursor } : {}) },
          })
        ).data,
    );
    expect(ascending.map((product) => product.id).sort()).toEqual(catalog.map((product) => product.id).sort());
    const mins = ascending.map((product) => product.priceRange.min.amount);
    expect(mins).toEqual([...mins].sort((a, b) => a - b));
    const byRating = await listAll(
      async (cursor) =>
        (
          await listProducts({
            client: server.client,
            query: { sort: 'rating', minRating: 2, limit: 5, ...(cursor ? { cursor } : {}) },
          })
        ).data,
    );
    expect(byRating.map((product) => product.id).sort()).toEqual(
      bruteForce({ minRating: 2 })
        .map((product) => product.id)
        .sort(),
    );
    const averages = byRating.map((product) => product.rating.average ?? 0);
    expect(averages).toEqual([...averages].sort((a, b) => b - a));
  });

  it("includes subcategories in a category's products, and answers 404 for an unknown category", async () => {
    const kitchen = await listAll(
      async (cursor) =>
        (
          await listCategoryProducts({
            client: server.client,
            path: { id: categories.kitchen! },
            query: { limit: 10, ...(cursor ? { cursor } : {}) },
          })
        ).data,
    );
    expect(kitchen.map((product) => product.id).sort()).toEqual(
      bruteForce({ categoryId: categories.kitchen })
        .map((product) => product.id)
        .sort(),
    );
    expect(new Set(kitchen.map((product) => product.categoryId))).toEqual(
      new Set([categories.kitchen, categories.teaware]),
    );
    const unknown = await listCategoryProducts({ client: server.client, path: { id: vendors[0]!.id } });
    expect(unknown.response?.status).toBe(404);
  });

  it('refuses a limit above 100, a cursor of another sort and a malformed option filter with 400', async () => {
    const page = await listProducts({ client: server.client, query: { sort: 'price_asc', limit: 2 } });
    const wrongSort = await listProducts({
      client: server.client,
      query: { sort: 'rating', cursor: page.data!.nextCursor! },
    });
    expect(wrongSort.response?.status).toBe(400);
    expect((await listProducts({ client: server.client, query: { limit: 101 } })).response?.status).toBe(400);
    expect((await listProducts({ client: server.client, query: { option: ['colour'] } })).response?.status).toBe(400);
    expect((await listProducts({ client: server.client, query: { cursor: 'garbage' } })).response?.status).toBe(400);
    const forged = (value: unknown[]) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const id = catalog[0]!.id;
    for (const [sort, cursor] of [
      ['price_asc', forged(['price_asc', 'abc', id])],
      ['price_asc', forged(['price_asc', 1e12, id])],
      ['price_desc', forged(['price_desc', -1, id])],
      ['rating', forged(['rating', 'x', id])],
      ['rating', forged(['rating', '1e400', id])],
      ['newest', forged(['newest', 0, 'not-a-uuid'])],
    ] as const) {
      const response = await listProducts({ client: server.client, query: { sort, cursor } });
      expect(response.response?.status, cursor).toBe(400);
    }
    const relevance = await searchProducts({
      client: server.client,
      query: { q: 'made', cursor: forged(['relevance', 'NaN', id]) },
    });
    expect(relevance.response?.status).toBe(400);
  });
});

describe('statement count (no N+1)', () => {
  async function statementsFor(run: () => Promise<unknown>): Promise<number> {
    const before = (await server.deps.metrics.dbQueries.get()).values[0]?.value ?? 0;
    await run();
    return ((await server.deps.metrics.dbQueries.get()).values[0]?.value ?? 0) - before;
  }

  it('sends as many statements for a 100-item list or search as for a 2-item one', async () => {
    expect(catalog.length).toBeGreaterThan(40);
    const list = (limit: number) => () =>
      listProducts({ client: server.client, query: { limit, sort: 'price_desc', inStock: 'true' } });
    const search = (limit: number) => () =>
      searchProducts({ client: server.client, query: { q: 'made cotten', limit } });
    const category = (limit: number) => () =>
      listCategoryProducts({ client: server.client, path: { id: categories.home! }, query: { limit } });
    for (const [name, run] of [
      ['list', list],
      ['search', search],
      ['category', category],
    ] as const) {
      await run(50)(); // warms the category tree cache; the measured pages are other cache entries (misses)
      const small = await statementsFor(run(2));
      const large = await statementsFor(run(100));
      expect(large, name).toBe(small);
      expect(large, name).toBeLessThanOrEqual(2);
    }
    const { data } = await listProducts({ client: server.client, query: { limit: 100 } });
    expect(data?.data.length).toBe(catalog.length);
  });
});

describe('public list cache', () => {
  it('answers a repeated list or search from the cache without SQL, until a catalog change retires it', async () => {
    const query = { q: 'rustic', sort: 'price_asc' as const, limit: 5 };
    const first = await searchProducts({ client: server.client, query });
    const before = (await server.deps.metrics.dbQueries.get()).values[0]?.value ?? 0;
    const again = await searchProducts({ client: server.client, query });
    expect((await server.deps.metrics.dbQueries.get()).values[0]?.value ?? 0).toBe(before);
    expect(again.data).toEqual(first.data);

    // Archiving the cheapest match must take it out of the very same query at once.
    const cheapest = first.data!.data[0]!;
    const owner = vendors.find((vendor) => vendor.id === cheapest.vendorId)!;
    await deleteProduct({ client: server.clientFor(owner.accessToken), path: { id: cheapest.id } });
    const after = await searchProducts({ client: server.client, query });
    expect(after.data?.data.map((product) => product.id)).not.toContain(cheapest.id);
    expect(after.data?.total).toBe(first.data!.total - 1);
  });
});
