/**
 * Every hand-written statement of the product aggregate (products, their variants, images and stock), as named
 * functions with typed rows. Lists and search are one statement per page (thumbnails included); a search adds one
 * for typo correction; never one per row. Every filter and sort is served by a partial index on published products
 * (see the catalog migration).
 */
import { z } from 'zod';
import type { ProductFilters, SearchQuery } from '@emporium/contract';
import type { Ctx } from '../../platform/context';
import { afterCursor, idColumn, keysetOrder, type Keyset, type SqlFragment } from '../../platform/pagination';
import type { ProductSummaryRow } from './catalog.mapper';

type Filters = z.infer<typeof ProductFilters>;
export type ProductSort = z.infer<typeof SearchQuery>['sort'];

// ------------------------------------------------------------------------------------------------ writes

/**
 * Locks the product's row for the rest of the transaction. Every write that touches a product and its variants or
 * images takes this lock first, so they queue in one order (product, then children) and never deadlock.
 */
export async function lockProduct(tx: Ctx, productId: string): Promise<void> {
  await tx.em.execute('select 1 from products where id = ? for update', [productId]);
}

/** Recomputes the product's read fields from its live variants: price range, total stock, option values. */
export async function refreshProductAggregates(tx: Ctx, productId: string): Promise<void> {
  await tx.em.execute(
    `update products p set
        min_price = coalesce(a.min_price, 0),
        max_price = coalesce(a.max_price, 0),
        total_stock = coalesce(a.total_stock, 0),
        option_values = array(
          select distinct e.key || ':' || e.value
            from product_variants v, jsonb_each_text(v.options) e
           where v.product_id = p.id and v.retired_at is null
           order by 1)
      from (select min(price) as min_price, max(price) as max_price, sum(stock)::int as total_stock
              from product_variants where product_id = ? and retired_at is null) a
      where p.id = ?`,
    [productId, productId],
  );
}

/**
 * Under the product's row lock, moves a live variant's stock by `delta` when the result stays within 0..max, the
 * product's total with it, and records the movement: one statement, so a sale holds the hot rows for one round trip
 * (plus the commit) when it comes last in its transaction. The product is locked first, as every product write does,
 * with `for no key update`: it still excludes every other writer of the row, but not the foreign-key checks of rows
 * that reference the product (order lines, movements), which would otherwise queue behind a hot product's sales.
 * Answers both new figures, or undefined when the variant is not live or the bound would be crossed (nothing moved,
 * nothing recorded).
 */
export async function moveStock(
  tx: Ctx,
  change: {
    productId: string;
    variantId: string;
    delta: number;
    max: number;
    movement: { id: string; reason: string; note: string | null; actorId: string | null; at: Date };
  },
): Promise<{ stock: number; totalStock: number } | undefined> {
  const { movement } = change;
  const [moved] = await tx.em.execute<{ stock: number; total_stock: number }[]>(
    `with product as (select id from products where id = ?::uuid for no key update),
     variant as (
       update product_variants set stock = stock + ?::int, updated_at = now()
        where id = ?::uuid and product_id = (select id from product) and retired_at is null
          and stock + ?::int between 0 and ?::int
       returning stock),
     total as (
       update products set total_stock = total_stock + ?::int
        where id = (select id from product) and exists (select 1 from variant)
       returning total_stock),
     recorded as (
       insert into inventory_movements (id, variant_id, product_id, delta, stock_after, reason, note, actor_id, created_at)
       select ?::uuid, ?::uuid, ?::uuid, ?::int, variant.stock, ?::text, ?::varchar, ?::uuid, ?::timestamptz from variant)
     select variant.stock, total.total_stock from variant, total`,
    [
      change.productId,
      change.delta,
      change.variantId,
      change.delta,
      change.max,
      change.delta,
      movement.id,
      change.variantId,
      change.productId,
      change.delta,
      movement.reason,
      movement.note,
      movement.actorId,
      movement.at.toISOString(),
    ],
  );
  return moved ? { stock: moved.stock, totalStock: moved.total_stock } : undefined;
}

/** Adds (or, with -1, removes) one rating to the product's sum and count: exact under concurrency. */
export async function moveRating(tx: Ctx, productId: string, rating: number, direction: 1 | -1): Promise<void> {
  await tx.em.execute('update products set rating_sum = rating_sum + ?, rating_count = rating_count + ? where id = ?', [
    rating * direction,
    direction,
    productId,
  ]);
}

/** Closes the gap an image at `position` left, so positions stay dense (0..n-1). */
export async function closeImageGap(tx: Ctx, productId: string, position: number): Promise<void> {
  await tx.em.execute('update product_images set position = position - 1 where product_id = ? and position > ?', [
    productId,
    position,
  ]);
}

// ------------------------------------------------------------------------------------------------ reads

/** A summary's columns but the thumbnail, which is looked up for the page's rows only (after the LIMIT). */
const ROW_COLUMNS = `p.id, p.slug, p.name, p.status, p.vendor_id, p.category_id, p.currency, p.min_price, p.max_price,
  p.total_stock, p.rating_sum, p.rating_count, p.rating_avg, p.submitted_at, p.created_at, p.updated_at`;
const THUMBNAIL = (alias: string) =>
  `(select i.thumbnail_key from product_images i where i.product_id = ${alias}.id order by i.position limit 1) as thumbnail_key`;
const SUMMARY_COLUMNS = `${ROW_COLUMNS}, ${THUMBNAIL('p')}`;

const RANK = `round(ts_rank(p.search_vector, plainto_tsquery('simple', ?))::numeric, 6)`;

export type ProductRow = ProductSummaryRow & { rating_avg: string; rank?: string };

const decimal = z.union([z.number().finite().min(0).max(1e6), z.string().regex(/^\d{1,7}(\.\d{1,6})?$/)]);
const price = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

/**
 * The order of each sort, the id last as the unique tiebreaker. A product's price is its cheapest variant's
 * (`min_price`), for sorting and for the price filters alike, so one index serves both.
 */
const PRODUCT_ORDERS: Record<ProductSort, Keyset<ProductRow>> = {
  newest: { list: 'products:newest', columns: [idColumn('p.id')], direction: 'desc' },
  price_asc: {
    list: 'products:price_asc',
    columns: [{ sql: 'p.min_price', cast: 'int', value: price, of: (row) => row.min_price }, idColumn('p.id')],
    direction: 'asc',
  },
  price_desc: {
    list: 'products:price_desc',
    columns: [{ sql: 'p.min_price', cast: 'int', value: price, of: (row) => row.min_price }, idColumn('p.id')],
    direction: 'desc',
  },
  rating: {
    list: 'products:rating',
    columns: [{ sql: 'p.rating_avg', cast: 'numeric', value: decimal, of: (row) => row.rating_avg }, idColumn('p.id')],
    direction: 'desc',
  },
  relevance: {
    list: 'products:relevance',
    columns: [{ sql: 'p.rank', cast: 'numeric', value: decimal, of: (row) => row.rank ?? '0' }, idColumn('p.id')],
    direction: 'desc',
  },
};

export const productOrder = (sort: ProductSort): Keyset<ProductRow> => PRODUCT_ORDERS[sort];

/**
 * SQL conditions with `?` placeholders and their values, built up clause by clause. MikroORM interpolates values
 * client-side and expands an array into a comma list, so an array parameter is always written `array[?]`.
 */
export class Conditions {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];
  where(clause: string, ...params: unknown[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }
  and(fragment: SqlFragment): this {
    return this.where(fragment.sql, ...fragment.params);
  }
  get sql(): string {
    return this.clauses.length > 0 ? this.clauses.join(' and ') : 'true';
  }
}

/** The published-catalog filters; `categoryIds` is the category's whole subtree. */
export function publishedFilters(
  filters: Omit<Filters, 'limit' | 'cursor' | 'sort'>,
  categoryIds: string[] | undefined,
): Conditions {
  const sql = new Conditions().where(`p.status = 'published'`);
  // A single category as equality: the planner can then walk a (category_id, sort key) index in order.
  if (categoryIds?.length === 1) sql.where('p.category_id = ?', categoryIds[0]);
  else if (categoryIds) sql.where('p.category_id = any(array[?]::uuid[])', categoryIds);
  if (filters.vendorId) sql.where('p.vendor_id = ?', filters.vendorId);
  if (filters.minPrice !== undefined) sql.where('p.min_price >= ?', filters.minPrice);
  if (filters.maxPrice !== undefined) sql.where('p.min_price <= ?', filters.maxPrice);
  if (filters.minRating !== undefined) sql.where('p.rating_avg >= ?', filters.minRating);
  // The generated flag, not `total_stock > 0`: it is what the in-stock index names (so sales can update in place).
  if (filters.inStock !== undefined) sql.where(filters.inStock ? 'p.in_stock' : 'not p.in_stock');
  if (filters.option && filters.option.length > 0) sql.where('p.option_values @> array[?]::text[]', filters.option);
  return sql;
}

/** One page of a list (`limit + 1` rows): it walks the index of its order; thumbnails only for the page's rows. */
export async function selectProductPage(
  ctx: Ctx,
  filters: Conditions,
  order: Keyset<ProductRow>,
  limit: number,
  cursor: string | undefined,
): Promise<ProductRow[]> {
  const after = afterCursor(order, cursor);
  return ctx.em.execute<ProductRow[]>(
    `select page.*, ${THUMBNAIL('page')}
       from (select ${ROW_COLUMNS} from products p where ${filters.sql} and ${after.sql}
              order by ${keysetOrder(order)} limit ?) page
      order by ${keysetOrder(order, 'page')}`,
    [...filters.params, ...after.params, limit + 1],
  );
}

/** The query's words, each kept when the catalog knows it, else replaced by the closest catalog word. */
export async function correctedTerms(ctx: Ctx, q: string): Promise<string> {
  const words = q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 10);
  if (words.length === 0) return '';
  const rows = await ctx.em.execute<{ corrected: string }[]>(
    `select coalesce(
        (select s.word from search_words s where s.word = w.q),
        (select s.word from search_words s where s.word % w.q order by s.word <-> w.q limit 1),
        w.q) as corrected
       from unnest(array[?]::text[]) with ordinality as w(q, n)
      order by w.n`,
    [words],
  );
  return rows.map((row) => row.corrected).join(' ');
}

export interface SearchRow {
  page: ProductRow[] | null;
  categories: [string, number][] | null;
  options: [string, number][] | null;
  summary: [number, number | null, number | null];
}

/**
 * A search in one statement: the matches are collected once through the full-text index (a materialised CTE), then
 * sorted for the page (walking a sort index and testing every row against the text query is far slower for all but
 * the rarest words) and counted for the facets and the total, each from the same rows.
 */
export async function selectSearch(
  ctx: Ctx,
  filters: Conditions,
  terms: string,
  order: Keyset<ProductRow>,
  limit: number,
  cursor: string | undefined,
): Promise<SearchRow | undefined> {
  const after = afterCursor(order, cursor);
  const [row] = await ctx.em.execute<SearchRow[]>(
    `with matches as materialized (
       select ${ROW_COLUMNS}, p.option_values, ${RANK} as rank from products p where ${filters.sql}),
     page as (select * from matches p where ${after.sql} order by ${keysetOrder(order)} limit ?)
     select
       (select json_agg(x order by ${keysetOrder(order, 'x')}) from (select page.*, ${THUMBNAIL('page')} from page) x) as page,
       (select json_agg(json_build_array(category_id, n)) from (select category_id, count(*)::int as n from matches group by 1) c) as categories,
       (select json_agg(json_build_array(v, n)) from (select v, count(*)::int as n from matches, unnest(option_values) as v group by 1) o) as options,
       (select json_build_array(count(*)::int, min(min_price), max(max_price)) from matches) as summary`,
    [terms, ...filters.params, ...after.params, limit + 1],
  );
  return row;
}

/** A vendor's own products, newest first. */
export const VENDOR_PRODUCTS: Keyset<ProductSummaryRow> = {
  list: 'vendor-products',
  columns: [idColumn('p.id')],
  direction: 'desc',
};

export async function selectVendorProducts(
  ctx: Ctx,
  vendorId: string,
  status: string | undefined,
  limit: number,
  cursor: string | undefined,
): Promise<ProductSummaryRow[]> {
  const sql = new Conditions().where('p.vendor_id = ?', vendorId);
  sql.where(status ? 'p.status = ?' : `p.status <> 'archived'`, ...(status ? [status] : []));
  sql.and(afterCursor(VENDOR_PRODUCTS, cursor));
  return ctx.em.execute<ProductSummaryRow[]>(
    `select ${SUMMARY_COLUMNS} from products p where ${sql.sql} order by ${keysetOrder(VENDOR_PRODUCTS)} limit ?`,
    [...sql.params, limit + 1],
  );
}

export type QueuedProductRow = ProductSummaryRow & { queued_at: Date };

/** Products in one status, oldest submission first (the review queue). */
export const REVIEW_QUEUE: Keyset<QueuedProductRow> = {
  list: 'review-queue',
  columns: [
    {
      sql: 'coalesce(p.submitted_at, p.created_at)',
      cast: 'timestamptz',
      value: z.string().datetime({ offset: true }),
      of: (row) => new Date(row.queued_at).toISOString(),
    },
    idColumn('p.id'),
  ],
  direction: 'asc',
};

export async function selectProductsByStatus(
  ctx: Ctx,
  status: string,
  limit: number,
  cursor: string | undefined,
): Promise<QueuedProductRow[]> {
  const sql = new Conditions().where('p.status = ?', status).and(afterCursor(REVIEW_QUEUE, cursor));
  return ctx.em.execute<QueuedProductRow[]>(
    `select ${SUMMARY_COLUMNS}, coalesce(p.submitted_at, p.created_at) as queued_at from products p
      where ${sql.sql} order by ${keysetOrder(REVIEW_QUEUE)} limit ?`,
    [...sql.params, limit + 1],
  );
}
