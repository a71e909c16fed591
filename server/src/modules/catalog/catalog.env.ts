/** What catalog services need beyond the request context, and the cache keys they share. */
import type { Deps } from '../../deps';
import type { Cache } from '../../platform/cache';
import type { ObjectStorage } from '../../platform/storage';

export interface CatalogEnv {
  cache: Cache;
  storage: ObjectStorage;
  /** Every price in the catalog is in this currency, so prices sort and filter as plain integers. */
  currency: string;
  cacheTtlSeconds: number;
}

export function catalogEnv(deps: Deps): CatalogEnv {
  return {
    cache: deps.cache,
    storage: deps.storage,
    currency: deps.config.CATALOG_CURRENCY,
    cacheTtlSeconds: deps.config.CATALOG_CACHE_TTL_SECONDS,
  };
}

export const cacheKeys = {
  product: (id: string) => `catalog:product:${id}`,
  categoryTree: 'catalog:categories',
  /** The family of cached public lists and searches, retired together by any change they could show. */
  publicLists: 'catalog:lists',
};

/** How long a cached public list or search lives at most; any catalog change retires them all at once anyway. */
export const PUBLIC_LIST_TTL_SECONDS = 60;

/**
 * After a write that changes what the public may see of some products (status, content, price, stock, images,
 * rating): drop their cached details and retire every cached list and search.
 */
export async function catalogChanged(env: CatalogEnv, ...productIds: string[]): Promise<void> {
  await env.cache.invalidate(...productIds.map((id) => cacheKeys.product(id)));
  await env.cache.retire(cacheKeys.publicLists);
}

/** After a change to the category tree (category filters expand to subtrees), or a bulk load. */
export async function categoriesChanged(env: Pick<CatalogEnv, 'cache'>): Promise<void> {
  await env.cache.invalidate(cacheKeys.categoryTree);
  await env.cache.retire(cacheKeys.publicLists);
}
