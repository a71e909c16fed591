/** The catalog's cache families and the after-commit retirements that keep them true. */
import type { Ctx } from '../../platform/context';
import type { TxCtx } from '../../platform/unit-of-work';

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

/** Every price in the catalog is in this one currency, so prices sort and filter as plain integers. */
export const catalogCurrency = (ctx: Ctx): string => ctx.deps.config.CATALOG_CURRENCY;

/** Retires a family once the transaction commits (once per transaction, however often it is asked). */
export function retireAfterCommit(tx: TxCtx, family: string): void {
  tx.afterCommit(() => tx.deps.cache.retire(family), `cache:${family}`);
}

/**
 * A write changed what the public may see of some products (status, content, price, images, rating): once it commits,
 * their cached details and every cached list and search are retired. Stock changes go through `changeStock`, which
 * decides for itself.
 */
export function catalogChanged(tx: TxCtx, ...productIds: string[]): void {
  for (const id of productIds) retireAfterCommit(tx, cacheFamilies.product(id));
  retireAfterCommit(tx, cacheFamilies.publicLists);
}

/** The category tree changed (category filters expand to subtrees), or a bulk load happened. */
export function categoriesChanged(tx: TxCtx): void {
  retireAfterCommit(tx, cacheFamilies.categoryTree);
  retireAfterCommit(tx, cacheFamilies.publicLists);
}
