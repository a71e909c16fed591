/** Who may manage a product, and the row lock every multi-row write of one product takes first. */
import type { AuthenticatedCtx } from '../../platform/context';
import { recordAudit } from '../identity';
import type { EntityManager } from '../../platform/database';
import { NotFoundError } from '../../platform/errors';
import { Product } from './catalog.entities';

/** A product the actor may manage: its vendor's own, or any for an admin; archived ones are gone. */
export async function findManageableProduct(ctx: AuthenticatedCtx, id: string): Promise<Product> {
  const product = await ctx.em.findOne(Product, { id, status: { $ne: 'archived' } });
  if (!product || (ctx.actor.role !== 'admin' && product.vendorId !== ctx.actor.userId))
    throw new NotFoundError('product');
  return product;
}

/**
 * The re-review rule: when a vendor changes a published product's reviewed content (anything but variant prices: its
 * text, category, options, variants or images), it goes back to `pending_review`, out of the public catalog until an
 * admin approves it again, so an approved listing cannot be swapped for another. An admin's change never does this.
 * Runs in the caller's transaction (audited by its flush); the caller retires the caches.
 */
export async function reviewAgainAfterVendorEdit(
  em: EntityManager,
  ctx: AuthenticatedCtx,
  productId: string,
): Promise<void> {
  if (ctx.actor.role === 'admin') return;
  const now = new Date();
  const updated = await em.nativeUpdate(
    Product,
    { id: productId, status: 'published' },
    { status: 'pending_review', submittedAt: now, updatedAt: now },
  );
  if (updated > 0)
    recordAudit(em, ctx, {
      action: 'product.pending_review',
      targetId: productId,
      details: { from: 'published', reason: 'edited' },
    });
}

/**
 * Locks the product's row for the rest of the transaction. Every write that touches a product and its variants or
 * images takes this lock first, so they queue in one order (product, then children) and never deadlock.
 */
export async function lockProduct(em: EntityManager, productId: string): Promise<void> {
  await em.execute('select 1 from products where id = ? for update', [productId]);
}
