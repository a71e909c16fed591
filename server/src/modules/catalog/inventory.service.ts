/**
 * Stock changes in one place: an atomic conditional UPDATE on the variant (stock stays within 0..MAX_VARIANT_STOCK,
 * so concurrent sales cannot oversell), the product's total kept in step, and a movement recording who, why and how
 * much. Checkout reserves with `reason: 'sale'` through the same function; with several products in one transaction
 * it must call it in product-id order, since each call locks its product's row first.
 */
import { type z } from 'zod';
import type { InventoryAdjustment } from '@emporium/contract';
import type { AuthenticatedCtx } from '../../platform/context';
import type { EntityManager } from '../../platform/database';
import { ConflictError, NotFoundError } from '../../platform/errors';
import { decodeCursor, IdCursor, toPage } from '../../platform/pagination';
import { newId } from '../../platform/columns';
import { InventoryMovement, Variant, type InventoryReason } from './catalog.entities';
import { cacheFamilies, catalogChanged, type CatalogEnv } from './catalog.env';
import { toInventoryMovementDto, toVariantDto } from './catalog.mapper';
import { findManageableProduct, lockProduct } from './product-access';

/** Per variant; with at most 100 variants a product's total stays well inside a 32-bit integer. */
export const MAX_VARIANT_STOCK = 10_000_000;

export interface StockChange {
  productId: string;
  variantId: string;
  delta: number;
  reason: InventoryReason;
  note?: string | undefined;
  actorId: string | null;
}

export interface StockChanged {
  /** The variant's stock after the change. */
  stock: number;
  /** Whether the product went in or out of stock: only then do public lists (in-stock filter) change. */
  productInStockChanged: boolean;
}

/** Applies a stock change inside the caller's transaction. */
export async function changeStock(em: EntityManager, change: StockChange): Promise<StockChanged> {
  await lockProduct(em, change.productId);
  const rows = await em.execute<{ stock: number }[]>(
    `update product_variants set stock = stock + ?, updated_at = now()
      where id = ? and product_id = ? and retired_at is null and stock + ? between 0 and ?
      returning stock`,
    [change.delta, change.variantId, change.productId, change.delta, MAX_VARIANT_STOCK],
  );
  const updated = rows[0];
  if (!updated) {
    const exists = await em.count(Variant, { id: change.variantId, productId: change.productId, retiredAt: null });
    if (exists === 0) throw new NotFoundError('variant');
    if (change.delta > 0) throw new ConflictError('stock_limit', `A variant holds at most ${MAX_VARIANT_STOCK} units.`);
    throw new ConflictError('insufficient_stock', 'Not enough stock for this change.');
  }
  const [product] = await em.execute<{ total_stock: number }[]>(
    'update products set total_stock = total_stock + ? where id = ? returning total_stock',
    [change.delta, change.productId],
  );
  const totalAfter = product?.total_stock ?? 0;
  await em.insert(InventoryMovement, {
    id: newId(),
    variantId: change.variantId,
    productId: change.productId,
    delta: change.delta,
    stockAfter: updated.stock,
    reason: change.reason,
    note: change.note ?? null,
    actorId: change.actorId,
    createdAt: new Date(),
  });
  return { stock: updated.stock, productInStockChanged: totalAfter > 0 !== totalAfter - change.delta > 0 };
}

/**
 * Drops what a committed stock change made stale: the product's detail always; cached public lists only when the
 * product went in or out of stock. Lists may show a count up to PUBLIC_LIST_TTL_SECONDS old otherwise, so that
 * every sale does not retire every cached list.
 */
export async function stockChanged(env: CatalogEnv, productId: string, changed: StockChanged): Promise<void> {
  if (changed.productInStockChanged) await catalogChanged(env, productId);
  else await env.cache.retire(cacheFamilies.product(productId));
}

/** A vendor's (or an admin's) manual adjustment. */
export async function adjustInventory(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  productId: string,
  variantId: string,
  input: z.infer<typeof InventoryAdjustment>,
) {
  const { currency, changed } = await ctx.em.transactional(async (em) => {
    const product = await findManageableProduct({ ...ctx, em }, productId);
    const stock = await changeStock(em, {
      productId,
      variantId,
      delta: input.delta,
      reason: input.reason,
      note: input.note,
      actorId: ctx.actor.userId,
    });
    return { currency: product.currency, changed: stock };
  });
  await stockChanged(env, productId, changed);
  const variant = await ctx.em.fork().findOneOrFail(Variant, { id: variantId });
  return toVariantDto(variant, currency);
}

export async function listInventoryMovements(
  ctx: AuthenticatedCtx,
  productId: string,
  query: { limit: number; cursor?: string | undefined },
) {
  await findManageableProduct(ctx, productId);
  const after = decodeCursor(query.cursor, IdCursor);
  const movements = await ctx.em.find(
    InventoryMovement,
    { productId, ...(after ? { id: { $lt: after[0] } } : {}) },
    { orderBy: { id: 'desc' }, limit: query.limit + 1 },
  );
  const variantIds = [...new Set(movements.map((movement) => movement.variantId))];
  const variants = variantIds.length > 0 ? await ctx.em.find(Variant, { id: { $in: variantIds } }) : [];
  const skuOf = new Map(variants.map((variant) => [variant.id, variant.sku]));
  return toPage(
    movements,
    query.limit,
    (movement) => toInventoryMovementDto(movement, skuOf.get(movement.variantId) ?? ''),
    (movement) => [movement.id],
  );
}
