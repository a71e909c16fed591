/**
 * Product lists and search, in hand-written SQL: one statement for a list's page (thumbnails included); for a search,
 * one for typo correction and one for the page, the total and the facets together; never one per row. Every filter and
 * sort is served by a partial index on published products (see the catalog migration). Public reads are cached.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type {
  ProductFilters,
  ProductSummary,
  SearchQuery,
  SearchResult,
  VendorProductQuery,
  ReviewQueueQuery,
} from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import type { EntityManager } from '../../platform/database';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { decodeCursor, IdCursor, toPage } from '../../platform/pagination';
import { cacheFamilies, PUBLIC_LIST_TTL_SECONDS, type CatalogEnv } from './catalog.env';
import { toProductSummary, type ProductSummaryRow } from './catalog.mapper';
import { getCategoryTree, subtreeIds } from './categories.service';

type Filters = z.infer<typeof ProductFilters>;
type Search = z.infer<typeof SearchQuery>;
type Sort = Search['sort'];

/** A summary's columns but the thumbnail, which is looked up for the page's rows only (after the LIMIT). */
const ROW_COLUMNS = `p.id, p.slug, p.name, p.status, p.vendor_id, p.category_id, p.currency, p.min_price, p.max_price,
  p.total_stock, p.rating_sum, p.rating_count, p.rating_avg, p.submitted_at, p.created_at, p.updated_at`;
const THUMBNAIL = (alias: string) =>
  `(select i.thumbnail_key from product_images i where i.product_id = ${alias}.id order by i.position limit 1) as thumbnail_key`;
const SUMMARY_COLUMNS = `${ROW_COLUMNS}, ${THUMBNAIL('p')}`;

const RANK = `round(ts_rank(p.search_vector, plainto_tsquery('simple', ?))::numeric, 6)`;

type Row = ProductSummaryRow & { rating_avg: string; rank?: string };

/**
 * A sort: its columns (the last is always the id, the unique tiebreaker) and the cursor's cast of the first. A product's
 * price is its cheapest variant's (`min_price`), for sorting and for the price filters alike, so one index serves both.
 */
interface SortPlan {
  columns: [string, ...string[]];
  direction: 'asc' | 'desc';
  /** The cursor's value of the first column: its SQL cast and what a cursor may carry there. */
  cast: string | undefined;
  cursorValue: z.ZodType<string | number>;
  value: (row: Row) => string | number;
}

const decimal = z.union([z.number().finite().min(0).max(1e6), z.string().regex(/^\d{1,7}(\.\d{1,6})?$/)]);
const price = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

const SORTS: Record<Sort, SortPlan> = {
  newest: { columns: ['id'], direction: 'desc', cast: undefined, cursorValue: z.literal(0), value: () => 0 },
  price_asc: {
    columns: ['min_price', 'id'],
    direction: 'asc',
    cast: 'int',
    cursorValue: price,
    value: (row) => row.min_price,
  },
  price_desc: {
    columns: ['min_price', 'id'],
    direction: 'desc',
    cast: 'int',
    cursorValue: price,
    value: (row) => row.min_price,
  },
  rating: {
    columns: ['rating_avg', 'id'],
    direction: 'desc',
    cast: 'numeric',
    cursorValue: decimal,
    value: (row) => row.rating_avg,
  },
  relevance: {
    columns: ['rank', 'id'],
    direction: 'desc',
    cast: 'numeric',
    cursorValue: decimal,
    value: (row) => row.rank ?? '0',
  },
};

const orderBy = (plan: SortPlan, alias: string) =>
  plan.columns.map((column) => `${alias}.${column} ${plan.direction}`).join(', ');

const Cursor = z.tuple([z.string(), z.union([z.string(), z.number()]), z.string().uuid()]);

/**
 * SQL with `?` placeholders and their values, built up clause by clause. MikroORM interpolates values client-side and
 * expands an array into a comma list, so an array parameter is always written `array[?]`.
 */
class Sql {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];
  where(clause: string, ...params: unknown[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }
  get condition(): string {
    return this.clauses.length > 0 ? this.clauses.join(' and ') : 'true';
  }
}

/** The published-catalog filters as SQL; `categoryIds` is the category's whole subtree. */
function filterSql(filters: Omit<Filters, 'limit' | 'cursor' | 'sort'>, categoryIds: string[] | undefined): Sql {
  const sql = new Sql().where(`p.status = 'published'`);
  // A single category as equality: the planner can then walk a (category_id, sort key) index in order.
  if (categoryIds?.length === 1) sql.where('p.category_id = ?', categoryIds[0]);
  else if (categoryIds) sql.where('p.category_id = any(array[?]::uuid[])', categoryIds);
  if (filters.vendorId) sql.where('p.vendor_id = ?', filters.vendorId);
  if (filters.minPrice !== undefined) sql.where('p.min_price >= ?', filters.minPrice);
  if (filters.maxPrice !== undefined) sql.where('p.min_price <= ?', filters.maxPrice);
  if (filters.minRating !== undefined) sql.where('p.rating_avg >= ?', filters.minRating);
  if (filters.inStock !== undefined) sql.where(filters.inStock ? 'p.total_stock > 0' : 'p.total_stock = 0');
  if (filters.option && filters.option.length > 0) sql.where('p.option_values @> array[?]::text[]', filters.option);
  return sql;
}

async function categorySubtree(
  ctx: Ctx,
  env: CatalogEnv,
  categoryId: string | undefined,
  onMissing: () => never,
): Promise<string[] | undefined> {
  if (!categoryId) return undefined;
  return subtreeIds(await getCategoryTree(ctx, env), categoryId) ?? onMissing();
}

/** The cursor's position as a row comparison on the sort's columns (true without a cursor). */
function keysetSql(sort: Sort, cursor: string | undefined): Sql {
  const plan = SORTS[sort];
  const keyset = new Sql();
  const after = decodeCursor(cursor, Cursor);
  if (after) {
    if (after[0] !== sort || !plan.cursorValue.safeParse(after[1]).success) {
      throw new ValidationError([
        { path: 'query.cursor', message: 'is not a cursor of this list and sort order', code: 'invalid_cursor' },
      ]);
    }
    const columns = plan.columns.map((column) => `p.${column}`).join(', ');
    const values = plan.cast ? [`?::${plan.cast}`, '?::uuid'] : ['?::uuid'];
    keyset.where(
      `(${columns}) ${plan.direction === 'asc' ? '>' : '<'} (${values.join(', ')})`,
      ...(plan.cast ? [after[1]] : []),
      after[2],
    );
  }
  return keyset;
}

function toSummaryPage(rows: Row[], sort: Sort, limit: number, env: CatalogEnv) {
  const plan = SORTS[sort];
  return toPage(
    rows,
    limit,
    (row): ProductSummary => toProductSummary(row, env.storage),
    (row) => [sort, plan.value(row), row.id],
  );
}

/** One page of a list: it walks the index of its sort; thumbnails are looked up for the page's rows only. */
async function pageOf(
  em: EntityManager,
  env: CatalogEnv,
  filters: Sql,
  sort: Sort,
  limit: number,
  cursor: string | undefined,
) {
  const plan = SORTS[sort];
  const keyset = keysetSql(sort, cursor);
  const rows = await em.execute<Row[]>(
    `select page.*, ${THUMBNAIL('page')}
       from (select ${ROW_COLUMNS} from products p where ${filters.condition} and ${keyset.condition}
              order by ${orderBy(plan, 'p')} limit ?) page
      order by ${orderBy(plan, 'page')}`,
    [...filters.params, ...keyset.params, limit + 1],
  );
  return toSummaryPage(rows, sort, limit, env);
}

/**
 * A public read through the family cache: keyed by the route and its validated query (option filters sorted, so the
 * same filter in another order is the same entry), retired by any catalog change (`catalogChanged`).
 */
function cachedPublicRead<T>(env: CatalogEnv, route: string, query: object, load: () => Promise<T>): Promise<T> {
  const normalised = JSON.stringify(query, (key, value: unknown) =>
    key === 'option' && Array.isArray(value) ? [...(value as string[])].sort() : value,
  );
  const key = `${route}:${createHash('sha256').update(normalised).digest('base64url')}`;
  return env.cache.readThrough(route, cacheFamilies.publicLists, key, PUBLIC_LIST_TTL_SECONDS, load);
}

export async function listPublishedProducts(ctx: Ctx, env: CatalogEnv, query: Filters) {
  return cachedPublicRead(env, 'product_list', query, async () => {
    const categoryIds = await categorySubtree(ctx, env, query.categoryId, () => {
      throw new ValidationError([
        { path: 'query.categoryId', message: 'is not a category', code: 'invalid_reference' },
      ]);
    });
    return pageOf(ctx.em, env, filterSql(query, categoryIds), query.sort, query.limit, query.cursor);
  });
}

export async function listCategoryProducts(
  ctx: Ctx,
  env: CatalogEnv,
  categoryId: string,
  query: Omit<Filters, 'categoryId'>,
) {
  return cachedPublicRead(env, 'category_products', { ...query, categoryId }, async () => {
    const categoryIds = await categorySubtree(ctx, env, categoryId, () => {
      throw new NotFoundError('category');
    });
    return pageOf(ctx.em, env, filterSql(query, categoryIds), query.sort, query.limit, query.cursor);
  });
}

/** The query's words, each kept when the catalog knows it, else replaced by the closest catalog word. */
async function correctedTerms(em: EntityManager, q: string): Promise<string> {
  const words = q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 10);
  if (words.length === 0) return '';
  const rows = await em.execute<{ corrected: string }[]>(
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

interface SearchRow {
  page: Row[] | null;
  categories: [string, number][] | null;
  options: [string, number][] | null;
  summary: [number, number | null, number | null];
}

/**
 * A search in one statement: the matches are collected once through the full-text index (a materialised CTE), then
 * sorted for the page (walking a sort index and testing every row against the text query is far slower for all but
 * the rarest words) and counted for the facets and the total, each from the same rows.
 */
async function searchOnce(em: EntityManager, env: CatalogEnv, filters: Sql, terms: string, query: Search) {
  const plan = SORTS[query.sort];
  const keyset = keysetSql(query.sort, query.cursor);
  const [row] = await em.execute<SearchRow[]>(
    `with matches as materialized (
       select ${ROW_COLUMNS}, p.option_values, ${RANK} as rank from products p where ${filters.condition}),
     page as (select * from matches p where ${keyset.condition} order by ${orderBy(plan, 'p')} limit ?)
     select
       (select json_agg(x order by ${orderBy(plan, 'x')}) from (select page.*, ${THUMBNAIL('page')} from page) x) as page,
       (select json_agg(json_build_array(category_id, n)) from (select category_id, count(*)::int as n from matches group by 1) c) as categories,
       (select json_agg(json_build_array(v, n)) from (select v, count(*)::int as n from matches, unnest(option_values) as v group by 1) o) as options,
       (select json_build_array(count(*)::int, min(min_price), max(max_price)) from matches) as summary`,
    [terms, ...filters.params, ...keyset.params, query.limit + 1],
  );
  const [total, minPrice, maxPrice] = row?.summary ?? [0, null, null];
  const facets: z.infer<typeof SearchResult>['facets'] = {
    categories: (row?.categories ?? []).map(([categoryId, count]) => ({ categoryId, count })),
    options: (row?.options ?? []).map(([key, count]) => {
      const separator = key.indexOf(':');
      return { name: key.slice(0, separator), value: key.slice(separator + 1), count };
    }),
    price:
      minPrice === null || maxPrice === null
        ? null
        : { min: { amount: minPrice, currency: env.currency }, max: { amount: maxPrice, currency: env.currency } },
  };
  facets.categories.sort((a, b) => b.count - a.count || a.categoryId.localeCompare(b.categoryId));
  facets.options.sort((a, b) => a.name.localeCompare(b.name) || b.count - a.count || a.value.localeCompare(b.value));
  return { ...toSummaryPage(row?.page ?? [], query.sort, query.limit, env), total, facets };
}

export async function searchProducts(ctx: Ctx, env: CatalogEnv, query: Search): Promise<z.infer<typeof SearchResult>> {
  return cachedPublicRead(env, 'product_search', query, async () => {
    const categoryIds = await categorySubtree(ctx, env, query.categoryId, () => {
      throw new ValidationError([
        { path: 'query.categoryId', message: 'is not a category', code: 'invalid_reference' },
      ]);
    });
    const terms = await correctedTerms(ctx.em, query.q);
    const filters = filterSql(query, categoryIds).where(`p.search_vector @@ plainto_tsquery('simple', ?)`, terms);
    return searchOnce(ctx.em, env, filters, terms, query);
  });
}

const ManagedCursor = z.tuple([z.string().datetime({ offset: true }), z.string().uuid()]);

/** A vendor's own products in any status but archived, newest first. */
export async function listVendorProducts(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  query: z.infer<typeof VendorProductQuery>,
) {
  const sql = new Sql().where('p.vendor_id = ?', ctx.actor.userId);
  sql.where(query.status ? 'p.status = ?' : `p.status <> 'archived'`, ...(query.status ? [query.status] : []));
  const after = decodeCursor(query.cursor, IdCursor);
  if (after) sql.where('p.id < ?::uuid', after[0]);
  const rows = await ctx.em.execute<ProductSummaryRow[]>(
    `select ${SUMMARY_COLUMNS} from products p where ${sql.condition} order by p.id desc limit ?`,
    [...sql.params, query.limit + 1],
  );
  return toPage(
    rows,
    query.limit,
    (row) => toProductSummary(row, env.storage),
    (row) => [row.id],
  );
}

/** Products in one status for admins, oldest submission first (the review queue). */
export async function listProductsByStatus(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  query: z.infer<typeof ReviewQueueQuery>,
) {
  const sql = new Sql().where('p.status = ?', query.status);
  const after = decodeCursor(query.cursor, ManagedCursor);
  if (after)
    sql.where('(coalesce(p.submitted_at, p.created_at), p.id) > (?::timestamptz, ?::uuid)', after[0], after[1]);
  const rows = await ctx.em.execute<(ProductSummaryRow & { queued_at: Date })[]>(
    `select ${SUMMARY_COLUMNS}, coalesce(p.submitted_at, p.created_at) as queued_at from products p
      where ${sql.condition} order by coalesce(p.submitted_at, p.created_at), p.id limit ?`,
    [...sql.params, query.limit + 1],
  );
  return toPage(
    rows,
    query.limit,
    (row) => toProductSummary(row, env.storage),
    (row) => [new Date(row.queued_at).toISOString(), row.id],
  );
}
