/** Who may manage a product, and the re-review rule every vendor edit goes through. */
import type { AuthenticatedCtx } from '../../platform/context';
import { NotFoundError } from '../../platform/errors';
import { catalogAudit } from './catalog.audit';
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
export async function reviewAgainAfterVendorEdit(tx: AuthenticatedCtx, productId: string): Promise<void> {
  if (tx.actor.role === 'admin') return;
  const now = new Date();
  const updated = await tx.em.nativeUpdate(
    Product,
    { id: productId, status: 'published' },
    { status: 'pending_review', submittedAt: now, updatedAt: now },
  );
  if (updated > 0)
    catalogAudit.record(tx, {
      action: 'product.pending_review',
      targetId: productId,
      details: { from: 'published', reason: 'edited' },
    });
}
