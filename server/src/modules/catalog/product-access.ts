/** Who may manage a product, and the row lock every multi-row write of one product takes first. */
import type { AuthenticatedCtx } from '../../platform/context';
import type { EntityManager } from '../../platform/database';
import { NotFoundError } from '../../platform/errors';
import { Product } from './catalog.entities';

/** A product the actor may manage: its vendor's own, or any for an admin; archived ones are gone. */
export async function findManageableProduct(ctx: AuthenticatedCtx, id: string): Promise<Product> {
  const product = await ctx.em.findOne(Product, { id, status: { $ne: 'archived' } });
  if (!product || (ctx.actor.role !== 'admin' && product.vendorId !== ctx.actor.userId)) throw new NotFoundError('product');
  return product;
}

/**
 * Locks the product's row for the rest of the transaction. Every write that touches a product and its variants or
 * images takes this lock first, so they queue in one order (product, then children) and never deadlock.
 */
export async function lockProduct(em: EntityManager, productId: string): Promise<void> {
  await em.execute('select 1 from products where id = ? for update', [productId]);
}
