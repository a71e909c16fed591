/** What catalog services need beyond the request context, and the cache keys they share. */
import type { Deps } from '../../deps';
import type { Cache } from '../../platform/cache';
import type { Logger } from '../../platform/logger';
import type { ObjectStorage } from '../../platform/storage';

export interface CatalogEnv {
  cache: Cache;
  storage: ObjectStorage;
  /** Every price in the catalog is in this currency, so prices sort and filter as plain integers. */
  currency: string;
  cacheTtlSeconds: number;
  /** For what a failure leaves behind (stored objects no row refers to). */
  logger: Logger;
}

export function catalogEnv(deps: Deps): CatalogEnv {
  return {
    cache: deps.cache,
    storage: deps.storage,
    currency: deps.config.CATALOG_CURRENCY,
    cacheTtlSeconds: deps.config.CATALOG_CACHE_TTL_SECONDS,
    logger: deps.logger,
  };
}

/**
 * Cache families: each is retired at once by bumping its generation (see Cache.readThrough), which also makes a
 * value loaded before a write land where nobody reads any more, so a write can never be undone by a slow reader.
 */
export const cacheFamilies = {
  /** One product's public detail. */
  product: (id: string) => `catalog:product:${id}`,
  categoryTree: 'catalog:categories',
  /** Every cached public list, category page and search. */
  publicLists: 'catalog:lists',
};

/** How long a cached public list or search lives at most; any catalog change retires them all at once anyway. */
export const PUBLIC_LIST_TTL_SECONDS = 60;

/**
 * After a write that changes what the public may see of some products (status, content, price, images, rating): retire
 * their cached details and every cached list and search. Stock changes go through `stockChanged` instead.
 */
export async function catalogChanged(env: Pick<CatalogEnv, 'cache'>, ...productIds: string[]): Promise<void> {
  await Promise.all([
    ...productIds.map((id) => env.cache.retire(cacheFamilies.product(id))),
    env.cache.retire(cacheFamilies.publicLists),
  ]);
}

/** After a change to the category tree (category filters expand to subtrees), or a bulk load. */
export async function categoriesChanged(env: Pick<CatalogEnv, 'cache'>): Promise<void> {
  await Promise.all([env.cache.retire(cacheFamilies.categoryTree), env.cache.retire(cacheFamilies.publicLists)]);
}
