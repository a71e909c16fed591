/** Image routes of a product (upload, reorder, delete). Placeholder until the image pipeline lands. */
import type { Deps } from '../../deps';
import type { CatalogEnv } from './catalog.env';

export function createImageRoutes(_deps: Deps, _env: CatalogEnv) {
  const pending = (): never => {
    throw new Error('image routes are not implemented yet');
  };
  return { uploadProductImage: pending, reorderProductImages: pending, deleteProductImage: pending };
}
