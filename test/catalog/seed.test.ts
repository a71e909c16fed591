import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProduct, listProducts, login, searchProducts } from '@emporium/sdk';
import { DEMO_PASSWORD, generateCatalog, systemCtx, type CatalogSeedResult } from '@emporium/server';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let generated: CatalogSeedResult;

const query = <Row>(sql: string) => server.deps.orm.em.fork().execute<Row[]>(sql);
const count = async (table: string) => (await query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]!.n;

beforeAll(async () => {
  server = await startTestServer();
  generated = await generateCatalog(systemCtx(server.deps, 'test'), { products: 300, seed: 7 });
});
afterAll(async () => server.close());

describe('generateCatalog', () => {
  it('writes the products with their variants, reviews, vendors, customers and categories', async () => {
    expect(generated).toMatchObject({ created: true, products: 300 });
    expect(await count('products')).toBe(300);
    const roles = await query<{ role: string; n: number }>(
      `select role, count(*)::int as n from users where is_active and email_verified_at is not null group by role`,
    );
    expect(Object.fromEntries(roles.map((row) => [row.role, row.n]))).toMatchObject({ vendor: 8, customer: 24 });
    const [tree] = await query<{ categories: number; depth: number }>(
      `with recursive t as (select id, 1 as depth from categories where parent_id is null
                            union all select c.id, t.depth + 1 from categories c join t on c.parent_id = t.id)
       select count(*)::int as categories, max(depth) as depth from t`,
    );
    expect(tree).toEqual({ categories: 43, depth: 3 });
    const [variants] = await query<{ fewest: number; most: number; average: number }>(
      `select min(n)::int as fewest, max(n)::int as most, avg(n)::float as average
         from (select count(v.id) as n from products p left join product_variants v on v.product_id = p.id group by p.id) c`,
    );
    expect(variants!.fewest).toBe(1);
    expect(variants!.most).toBeLessThanOrEqual(6);
    expect(variants!.average).toBeGreaterThan(2.5);
    expect(variants!.average).toBeLessThan(4);
    const ids = await query<{ id: string }>(`select id from products union all select id from product_variants`);
    expect(ids.every((row) => row.id[14] === '7')).toBe(true);
  });

  it("keeps every product's price range, total stock and option values equal to what its live variants give", async () => {
    const drift = await query<{ id: string }>(
      `select p.id from products p
         cross join lateral (
           select min(v.price) as min_price, max(v.price) as max_price, coalesce(sum(v.stock), 0)::int as total_stock,
                  array(select distinct e.key || ':' || e.value
                          from product_variants w, jsonb_each_text(w.options) e
                         where w.product_id = p.id and w.retired_at is null order by 1) as option_values
             from product_variants v where v.product_id = p.id and v.retired_at is null) a
        where (p.min_price, p.max_price, p.total_stock, p.option_values)
              is distinct from (a.min_price, a.max_price, a.total_stock, a.option_values)`,
    );
    expect(drift).toEqual([]);
    const [shape] = await query<{ stocked: number; empty: number; optioned: number; priced: number }>(
      `select count(*) filter (where total_stock > 0)::int as stocked, count(*) filter (where total_stock = 0)::int as empty,
              count(*) filter (where cardinality(option_values) > 0)::int as optioned,
              count(*) filter (where min_price > 0 and max_price >= min_price)::int as priced
         from products`,
    );
    expect(shape!.stocked).toBeGreaterThan(250);
    expect(shape!.empty).toBeGreaterThan(0);
    expect(shape!.optioned).toBeGreaterThan(150);
    expect(shape!.priced).toBe(300);
  });

  it('keeps rating sum and count equal to the visible reviews, one review per author and product', async () => {
    const drift = await query<{ id: string }>(
      `select p.id from products p
         left join (select product_id, sum(rating)::int as rating_sum, count(*)::int as rating_count
                      from reviews where hidden_at is null group by product_id) r on r.product_id = p.id
        where (p.rating_sum, p.rating_count) <> (coalesce(r.rating_sum, 0), coalesce(r.rating_count, 0))`,
    );
    expect(drift).toEqual([]);
    const [reviews] = await query<{ visible: number; hidden: number; unpublished: number; customers: number }>(
      `select count(*) filter (where r.hidden_at is null)::int as visible, count(*) filter (where r.hidden_at is not null)::int as hidden,
              count(*) filter (where p.status <> 'published')::int as unpublished,
              count(*) filter (where u.role = 'customer')::int as customers
         from reviews r join products p on p.id = r.product_id join users u on u.id = r.author_id`,
    );
    expect(reviews!.visible).toBeGreaterThan(100);
    expect(reviews!.hidden).toBeGreaterThan(0);
    expect(reviews!.unpublished).toBe(0);
    expect(reviews!.customers).toBe(reviews!.visible + reviews!.hidden);
  });

  it("records every stocked variant's opening stock as one 'initial' movement by its vendor", async () => {
    const unrecorded = await query<{ id: string }>(
      `select v.id from product_variants v join products p on p.id = v.product_id
        where v.stock > 0 and (select count(*) from inventory_movements m
                                where m.variant_id = v.id and m.product_id = v.product_id and m.reason = 'initial'
                                  and m.delta = v.stock and m.stock_after = v.stock and m.actor_id = p.vendor_id) <> 1`,
    );
    expect(unrecorded).toEqual([]);
    const [movements] = await query<{ total: number; stray: number }>(
      `select count(*)::int as total,
              count(*) filter (where v.stock = 0 or m.reason <> 'initial')::int as stray
         from inventory_movements m join product_variants v on v.id = m.variant_id`,
    );
    expect(movements!.total).toBeGreaterThan(0);
    expect(movements!.stray).toBe(0);
  });

  it('mixes statuses, mostly published, with the dates and reasons the workflow sets', async () => {
    const statuses = await query<{ status: string; n: number }>(
      `select status, count(*)::int as n from products group by status`,
    );
    const byStatus = Object.fromEntries(statuses.map((row) => [row.status, row.n]));
    expect(byStatus.published).toBeGreaterThanOrEqual(240);
    expect(byStatus.published).toBeLessThan(300);
    expect(Object.keys(byStatus).filter((status) => status !== 'published').length).toBeGreaterThanOrEqual(2);
    const inconsistent = await query<{ id: string; status: string }>(
      `select id, status from products
        where case status
                when 'published' then published_at is null or submitted_at is null or published_at < submitted_at
                when 'draft' then published_at is not null or submitted_at is not null
                when 'pending_review' then published_at is not null or submitted_at is null
                when 'rejected' then published_at is not null or submitted_at is null or rejection_reason is null
                else true
              end
           or submitted_at < created_at or updated_at < created_at or published_at > now()`,
    );
    expect(inconsistent).toEqual([]);
  });

  it('gives a product without options exactly one variant, with {} options', async () => {
    const plain = await query<{ id: string; variants: number; options: unknown[] }>(
      `select p.id, count(v.id)::int as variants, array_agg(v.options) as options
         from products p join product_variants v on v.product_id = p.id
        where p.options = '[]'::jsonb group by p.id`,
    );
    expect(plain.length).toBeGreaterThan(0);
    for (const product of plain) expect(product).toMatchObject({ variants: 1, options: [{}] });
  });

  it('lets the demo vendors and customers sign in with the shared demo password', async () => {
    if (!generated.created) throw new Error('nothing was generated');
    for (const email of [generated.vendorEmails[0]!, generated.customerEmails[0]!]) {
      const { data } = await login({ client: server.client, body: { email, password: DEMO_PASSWORD } });
      expect(data?.user).toMatchObject({ email, emailVerified: true, isActive: true });
    }
    expect(generated.vendorEmails.every((email) => email.endsWith('@example.com'))).toBe(true);
  });

  it('serves the generated catalog through the public API, contract-valid', async () => {
    const { data: page } = await listProducts({ client: server.client, query: { limit: 50, sort: 'price_desc' } });
    expect(page?.data).toHaveLength(50);
    const { data: product } = await getProduct({ client: server.client, path: { id: page!.data[0]!.id } });
    expect(product?.variants.length).toBeGreaterThan(0);
    const word = product!.name.split(' ').at(-1)!;
    const { data: found } = await searchProducts({ client: server.client, query: { q: word } });
    expect(found?.total).toBeGreaterThan(0);
  });

  it('does nothing when the catalog already has products', async () => {
    const tables = ['users', 'categories', 'products', 'product_variants', 'inventory_movements', 'reviews'];
    const before = await Promise.all(tables.map(count));
    const again = await generateCatalog(systemCtx(server.deps, 'test'), { products: 300, seed: 8 });
    expect(again).toEqual({ created: false });
    expect(await Promise.all(tables.map(count))).toEqual(before);
  });
});
