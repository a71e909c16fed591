/**
 * Product lists and search, in hand-written SQL: one statement for a page (thumbnails included), one more for a
 * search's total and facets, one for typo correction; never one per row. Every filter and sort is served by a
 * partial index on published products (see the catalog migration).
 */
import { z } from 'zod';
import type { ProductFilters, ProductSummary, SearchQuery, SearchResult, VendorProductQuery, ReviewQueueQuery } from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import type { EntityManager } from '../../platform/database';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { decodeCursor, toPage } from '../../platform/pagination';
import type { CatalogEnv } from './catalog.env';
import { toProductSummary, type ProductSummaryRow } from './catalog.mapper';
import { getCategoryTree, subtreeIds } from './categories.service';

type Filters = z.infer<typeof ProductFilters>;
type Search = z.infer<typeof SearchQuery>;
type Sort = Search['sort'];

const SUMMARY_COLUMNS = `p.id, p.slug, p.name, p.status, p.vendor_id, p.category_id, p.currency, p.min_price, p.max_price,
  p.total_stock, p.rating_sum, p.rating_count, p.submitted_at, p.created_at, p.updated_at,
  (select i.thumbnail_key from product_images i where i.product_id = p.id order by i.position limit 1) as thumbnail_key`;

const RANK = `round(ts_rank(p.search_vector, plainto_tsquery('simple', ?))::numeric, 6)`;

interface SortPlan {
  order: string;
  /** The keyset: SQL expressions (with their casts for the cursor's values) and how the next page compares. */
  key: string[];
  casts: string[];
  after: '<' | '>';
  value: (row: ProductSummaryRow & { rank?: string }) => string | number;
}

const SORTS: Record<Sort, SortPlan> = {
  newest: { order: 'p.id desc', key: [], casts: [], after: '<', value: () => 0 },
  price_asc: { order: 'p.min_price asc, p.id asc', key: ['p.min_price'], casts: ['int'], after: '>', value: (row) => row.min_price },
  price_desc: { order: 'p.max_price desc, p.id desc', key: ['p.max_price'], casts: ['int'], after: '<', value: (row) => row.max_price },
  rating: {
    order: 'p.rating_avg desc, p.id desc',
    key: ['p.rating_avg'],
    casts: ['numeric'],
    after: '<',
    value: (row) => (row.rating_count === 0 ? '0' : (Math.round((row.rating_sum / row.rating_count) * 100) / 100).toFixed(2)),
  },
  relevance: { order: 'rank desc, p.id desc', key: [RANK], casts: ['numeric'], after: '<', value: (row) => row.rank ?? '0' },
};

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

interface Resolved {
  filters: Sql;
  /** The tsquery text after typo correction, for search. */
  terms?: string;
}

/** The published-catalog filters as SQL; `categoryIds` is the category's whole subtree. */
function filterSql(filters: Omit<Filters, 'limit' | 'cursor' | 'sort'>, categoryIds: string[] | undefined): Sql {
  const sql = new Sql().where(`p.status = 'published'`);
  if (categoryIds) sql.where('p.category_id = any(array[?]::uuid[])', categoryIds);
  if (filters.vendorId) sql.where('p.vendor_id = ?', filters.vendorId);
  if (filters.minPrice !== undefined) sql.where('p.max_price >= ?', filters.minPrice);
  if (filters.maxPrice !== undefined) sql.where('p.min_price <= ?', filters.maxPrice);
  if (filters.minRating !== undefined) sql.where('p.rating_avg >= ?', filters.minRating);
  if (filters.inStock !== undefined) sql.where(filters.inStock ? 'p.total_stock > 0' : 'p.total_stock = 0');
  if (filters.option && filters.option.length > 0) sql.where('p.option_values @> array[?]::text[]', filters.option);
  return sql;
}

async function categorySubtree(ctx: Ctx, env: CatalogEnv, categoryId: string | undefined, onMissing: () => never): Promise<string[] | undefined> {
  if (!categoryId) return undefined;
  return subtreeIds(await getCategoryTree(ctx, env), categoryId) ?? onMissing();
}

/** One page in the given order, after the cursor; `rankTerms` adds the relevance rank column. */
async function pageOf(em: EntityManager, env: CatalogEnv, resolved: Resolved, sort: Sort, limit: number, cursor: string | undefined) {
  const plan = SORTS[sort];
  const sql = new Sql().where(resolved.filters.condition, ...resolved.filters.params);
  const rankColumn = resolved.terms === undefined ? '' : `, ${RANK} as rank`;
  const rankParams = resolved.terms === undefined ? [] : [resolved.terms];
  const after = decodeCursor(cursor, Cursor);
  if (after) {
    if (after[0] !== sort) throw new ValidationError([{ path: 'query.cursor', message: 'belongs to another sort order', code: 'invalid_cursor' }]);
    const keyParams = plan.key.map((expression) => (expression === RANK ? [resolved.terms] : [])).flat();
    const columns = [...plan.key, 'p.id'].join(', ');
    const values = [...plan.casts.map((cast) => `?::${cast}`), '?::uuid'].join(', ');
    sql.where(`(${columns}) ${plan.after} (${values})`, ...keyParams, ...(plan.key.length > 0 ? [after[1]] : []), after[2]);
  }
  const rows = await em.execute<(ProductSummaryRow & { rank?: string })[]>(
    `select ${SUMMARY_COLUMNS}${rankColumn} from products p where ${sql.condition} order by ${plan.order} limit ?`,
    [...rankParams, ...sql.params, limit + 1],
  );
  return toPage(rows, limit, (row): ProductSummary => toProductSummary(row, env.storage), (row) => [sort, plan.value(row), row.id]);
}

export async function listPublishedProducts(ctx: Ctx, env: CatalogEnv, query: Filters) {
  const categoryIds = await categorySubtree(ctx, env, query.categoryId, () => {
    throw new ValidationError([{ path: 'query.categoryId', message: 'is not a category', code: 'invalid_reference' }]);
  });
  return pageOf(ctx.em, env, { filters: filterSql(query, categoryIds) }, query.sort, query.limit, query.cursor);
}

export async function listCategoryProducts(ctx: Ctx, env: CatalogEnv, categoryId: string, query: Omit<Filters, 'categoryId'>) {
  const categoryIds = await categorySubtree(ctx, env, categoryId, () => {
    throw new NotFoundError('category');
  });
  return pageOf(ctx.em, env, { filters: filterSql(query, categoryIds) }, query.sort, query.limit, query.cursor);
}

/** The query's words, each kept when the catalog knows it, else replaced by the closest catalog word. */
async function correctedTerms(em: EntityManager, q: string): Promise<string> {
  const words = q.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).slice(0, 10);
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

interface FacetRow {
  kind: 'category' | 'option' | 'summary';
  key: string | null;
  count: number;
  extra: number | null;
}

async function facetsOf(em: EntityManager, env: CatalogEnv, sql: Sql): Promise<Pick<z.infer<typeof SearchResult>, 'total' | 'facets'>> {
  const rows = await em.execute<FacetRow[]>(
    `with m as (select p.category_id, p.option_values, p.min_price, p.max_price from products p where ${sql.condition})
     select 'category' as kind, category_id::text as key, count(*)::int as count, null::int as extra from m group by category_id
     union all
     select 'option', v, count(*)::int, null from m, unnest(m.option_values) as v group by v
     union all
     select 'summary', min(min_price)::text, count(*)::int, max(max_price) from m`,
    sql.params,
  );
  const facets: z.infer<typeof SearchResult>['facets'] = { categories: [], options: [], price: null };
  let total = 0;
  for (const row of rows) {
    if (row.kind === 'category' && row.key) facets.categories.push({ categoryId: row.key, count: row.count });
    if (row.kind === 'option' && row.key) {
      const separator = row.key.indexOf(':');
      facets.options.push({ name: row.key.slice(0, separator), value: row.key.slice(separator + 1), count: row.count });
    }
    if (row.kind === 'summary') {
      total = row.count;
      if (row.count > 0 && row.key !== null && row.extra !== null) {
        facets.price = { min: { amount: Number(row.key), currency: env.currency }, max: { amount: row.extra, currency: env.currency } };
      }
    }
  }
  facets.categories.sort((a, b) => b.count - a.count || a.categoryId.localeCompare(b.categoryId));
  facets.options.sort((a, b) => a.name.localeCompare(b.name) || b.count - a.count || a.value.localeCompare(b.value));
  return { total, facets };
}

export async function searchProducts(ctx: Ctx, env: CatalogEnv, query: Search): Promise<z.infer<typeof SearchResult>> {
  const categoryIds = await categorySubtree(ctx, env, query.categoryId, () => {
    throw new ValidationError([{ path: 'query.categoryId', message: 'is not a category', code: 'invalid_reference' }]);
  });
  const terms = await correctedTerms(ctx.em, query.q);
  const filters = filterSql(query, categoryIds).where(`p.search_vector @@ plainto_tsquery('simple', ?)`, terms);
  const [page, summary] = await Promise.all([
    pageOf(ctx.em, env, { filters, terms }, query.sort, query.limit, query.cursor),
    facetsOf(ctx.em, env, filters),
  ]);
  return { ...page, ...summary };
}

const ManagedCursor = z.tuple([z.string(), z.string().uuid()]);

/** A vendor's own products in any status but archived, newest first. */
export async function listVendorProducts(ctx: AuthenticatedCtx, env: CatalogEnv, query: z.infer<typeof VendorProductQuery>) {
  const sql = new Sql().where('p.vendor_id = ?', ctx.actor.userId);
  sql.where(query.status ? 'p.status = ?' : `p.status <> 'archived'`, ...(query.status ? [query.status] : []));
  const after = decodeCursor(query.cursor, z.tuple([z.string().uuid()]));
  if (after) sql.where('p.id < ?::uuid', after[0]);
  const rows = await ctx.em.execute<ProductSummaryRow[]>(
    `select ${SUMMARY_COLUMNS} from products p where ${sql.condition} order by p.id desc limit ?`,
    [...sql.params, query.limit + 1],
  );
  return toPage(rows, query.limit, (row) => toProductSummary(row, env.storage), (row) => [row.id]);
}

/** Products in one status for admins, oldest submission first (the review queue). */
export async function listProductsByStatus(ctx: AuthenticatedCtx, env: CatalogEnv, query: z.infer<typeof ReviewQueueQuery>) {
  const sql = new Sql().where('p.status = ?', query.status);
  const after = decodeCursor(query.cursor, ManagedCursor);
  if (after) sql.where('(coalesce(p.submitted_at, p.created_at), p.id) > (?::timestamptz, ?::uuid)', after[0], after[1]);
  const rows = await ctx.em.execute<(ProductSummaryRow & { queued_at: Date })[]>(
    `select ${SUMMARY_COLUMNS}, coalesce(p.submitted_at, p.created_at) as queued_at from products p
      where ${sql.condition} order by coalesce(p.submitted_at, p.created_at), p.id limit ?`,
    [...sql.params, query.limit + 1],
  );
  return toPage(rows, query.limit, (row) => toProductSummary(row, env.storage), (row) => [new Date(row.queued_at).toISOString(), row.id]);
}
