/** The catalog module's one face: its definition for the composition root, and what other modules may use. */
import { ConflictError } from '../../platform/errors';
import type { ModuleDefinition } from '../../platform/module';
import { catalogAudit } from './catalog.audit';
import { catalogEntities } from './catalog.entities';
import { catalogRateLimits } from './catalog.rate-limits';
import { createCatalogRouters } from './catalog.router';

export const catalogModule: ModuleDefinition = {
  name: 'catalog',
  entities: catalogEntities,
  routers: (deps) => ({ api: createCatalogRouters(deps) }),
  auditActions: catalogAudit.actions,
  rateLimits: catalogRateLimits,
  constraints: {
    products_slug_key: () => new ConflictError('slug_taken', 'Another product has this slug.'),
    product_variants_sku_key: () => new ConflictError('sku_taken', 'Another variant has one of these SKUs.'),
    categories_slug_key: () => new ConflictError('slug_taken', 'Another category has this slug.'),
    reviews_product_id_author_id_key: () =>
      new ConflictError('already_reviewed', 'You have already reviewed this product.'),
  },
};

export { categoriesChanged } from './catalog.cache';
export {
  changeStock,
  MAX_VARIANT_STOCK,
  reserveStock,
  type StockChange,
  type StockChanged,
  type StockLine,
} from './inventory.service';
export { preOrder, subtreeIds, type TreeNode } from './category-tree';
export { countPurchase } from './purchases';
export { assertVariantSet, freeSlug, slugify } from './product-rules';
export { variantsForSale, type VariantForSale } from './variants-for-sale';
