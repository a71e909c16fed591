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
};
