/**
 * Product lists and search: the public catalog (cached), a vendor's own products and the admins' review queue. The
 * statements are in products.sql.ts; this file decides what is asked and what is cached.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type {
  ProductFilters,
  ProductSummary,
  ReviewQueueQuery,
  SearchQuery,
  SearchResult,
  VendorProductQuery,
} from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { toPage } from '../../platform/pagination';
import { cacheFamilies, catalogCurrency, PUBLIC_LIST_TTL_SECONDS } from './catalog.cache';
import { toProductSummary } from './catalog.mapper';
import { getCategoryTree } from './categories.service';
import { subtreeIds } from './category-tree';
import {
  correctedTerms,
  productOrder,
  publishedFilters,
  REVIEW_QUEUE,
  selectProductPage,
  selectProductsByStatus,
  selectSearch,
  selectVendorProducts,
  VENDOR_PRODUCTS,
  type ProductRow,
  type ProductSort,
} from './products.sql';

type Filters = z.infer<typeof ProductFilters>;
type Search = z.infer<typeof SearchQuery>;

async function categorySubtree(ctx: Ctx, categoryId: string | undefined, onMissing: () => never) {
  if (!categoryId) return undefined;
  return subtreeIds(await getCategoryTree(ctx), categoryId) ?? onMissing();
}

const notACategory = (): never => {
  throw new ValidationError([{ path: 'query.categoryId', message: 'is not a category', code: 'invalid_reference' }]);
};

function summaryPage(ctx: Ctx, rows: ProductRow[], sort: ProductSort, limit: number) {
  return toPage(productOrder(sort), rows, limit, (row): ProductSummary => toProductSummary(row, ctx.deps.storage));
}

/**
 * A public read through the family cache: keyed by the route and its validated query (option filters sorted, so the
 * same filter in another order is the same entry), retired by any catalog change (`catalogChanged`).
 */
function cachedPublicRead<T>(ctx: Ctx, route: string, query: object, load: () => Promise<T>): Promise<T> {
  const normalised = JSON.stringify(query, (key, value: unknown) =>
    key === 'option' && Array.isArray(value) ? [...(value as string[])].sort() : value,
  );
  const key = `${route}:${createHash('sha256').update(normalised).digest('base64url')}`;
  return ctx.deps.cache.readThrough(route, cacheFamilies.publicLists, key, PUBLIC_LIST_TTL_SECONDS, load);
}

export async function listPublishedProducts(ctx: Ctx, query: Filters) {
  return cachedPublicRead(ctx, 'product_list', query, async () => {
    const categoryIds = await categorySubtree(ctx, query.categoryId, notACategory);
    const filters = publishedFilters(query, categoryIds);
    const rows = await selectProductPage(ctx, filters, productOrder(query.sort), query.limit, query.cursor);
    return summaryPage(ctx, rows, query.sort, query.limit);
  });
}

export async function listCategoryProducts(ctx: Ctx, categoryId: string, query: Omit<Filters, 'categoryId'>) {
  return cachedPublicRead(ctx, 'category_products', { ...query, categoryId }, async () => {
    const categoryIds = await categorySubtree(ctx, categoryId, () => {
      throw new NotFoundError('category');
    });
    const filters = publishedFilters(query, categoryIds);
    const rows = await selectProductPage(ctx, filters, productOrder(query.sort), query.limit, query.cursor);
    return summaryPage(ctx, rows, query.sort, query.limit);
  });
}

export async function searchProducts(ctx: Ctx, query: Search): Promise<z.infer<typeof SearchResult>> {
  return cachedPublicRead(ctx, 'product_search', query, async () => {
    const categoryIds = await categorySubtree(ctx, query.categoryId, notACategory);
    const terms = await correctedTerms(ctx, query.q);
    const filters = publishedFilters(query, categoryIds).where(
      `p.search_vector @@ plainto_tsquery('simple', ?)`,
      terms,
    );
    const row = await selectSearch(ctx, filters, terms, productOrder(query.sort), query.limit, query.cursor);
    const [total, minPrice, maxPrice] = row?.summary ?? [0, null, null];
    const currency = catalogCurrency(ctx);
    const facets: z.infer<typeof SearchResult>['facets'] = {
      categories: (row?.categories ?? []).map(([categoryId, count]) => ({ categoryId, count })),
      options: (row?.options ?? []).map(([key, count]) => {
        const separator = key.indexOf(':');
        return { name: key.slice(0, separator), value: key.slice(separator + 1), count };
      }),
      price:
        minPrice === null || maxPrice === null
          ? null
          : { min: { amount: minPrice, currency }, max: { amount: maxPrice, currency } },
    };
    facets.categories.sort((a, b) => b.count - a.count || a.categoryId.localeCompare(b.categoryId));
    facets.options.sort((a, b) => a.name.localeCompare(b.name) || b.count - a.count || a.value.localeCompare(b.value));
    return { ...summaryPage(ctx, row?.page ?? [], query.sort, query.limit), total, facets };
  });
}

/** A vendor's own products in any status but archived, newest first. */
export async function listVendorProducts(ctx: AuthenticatedCtx, query: z.infer<typeof VendorProductQuery>) {
  const rows = await selectVendorProducts(ctx, ctx.actor.userId, query.status, query.limit, query.cursor);
  return toPage(VENDOR_PRODUCTS, rows, query.limit, (row) => toProductSummary(row, ctx.deps.storage));
}

/** Products in one status for admins, oldest submission first (the review queue). */
export async function listProductsByStatus(ctx: AuthenticatedCtx, query: z.infer<typeof ReviewQueueQuery>) {
  const rows = await selectProductsByStatus(ctx, query.status, query.limit, query.cursor);
  return toPage(REVIEW_QUEUE, rows, query.limit, (row) => toProductSummary(row, ctx.deps.storage));
}
