/**
 * Stock changes in one place: an atomic conditional UPDATE on the variant (stock stays within 0..MAX_VARIANT_STOCK,
 * so concurrent sales cannot oversell), the product's total kept in step, and a movement recording who, why and how
 * much. Each change registers its own cache retirement on the transaction, so it happens after the commit and never
 * after a rollback. Checkout reserves through `reserveStock`, which takes the product locks in one order itself.
 */
import type { z } from 'zod';
import type { InventoryAdjustment, Variant as VariantDto } from '@emporium/contract';
import { newId } from '../../platform/columns';
import type { AuthenticatedCtx } from '../../platform/context';
import { ConflictError, NotFoundError } from '../../platform/errors';
import { afterCursor, idColumn, toPage, type Keyset } from '../../platform/pagination';
import { inTransaction, type TxCtx } from '../../platform/unit-of-work';
import { cacheFamilies, catalogChanged, retireAfterCommit } from './catalog.cache';
import { InventoryMovement, Variant, type InventoryReason } from './catalog.entities';
import { toInventoryMovementDto, toVariantDto } from './catalog.mapper';
import { findManageableProduct } from './product-access';
import { moveStock } from './products.sql';

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
}

/**
 * Applies a stock change inside the caller's transaction: 404 for a variant that is not live, 409
 * `insufficient_stock` / `stock_limit` when the result would leave 0..MAX_VARIANT_STOCK. Locks the product's row
 * first; a transaction that changes several products must go through `reserveStock`, which orders the locks.
 *
 * After the commit, the product's detail is retired; cached public lists only when the product went in or out of
 * stock (their in-stock filter changed), so that every sale does not empty every cached list: a list's stock count
 * may be up to PUBLIC_LIST_TTL_SECONDS old.
 */
export async function changeStock(tx: TxCtx, change: StockChange): Promise<StockChanged> {
  const moved = await moveStock(tx, {
    productId: change.productId,
    variantId: change.variantId,
    delta: change.delta,
    max: MAX_VARIANT_STOCK,
    movement: {
      id: newId(),
      reason: change.reason,
      note: change.note ?? null,
      actorId: change.actorId,
      at: new Date(),
    },
  });
  if (!moved) {
    const exists = await tx.em.count(Variant, { id: change.variantId, productId: change.productId, retiredAt: null });
    if (exists === 0) throw new NotFoundError('variant');
    if (change.delta > 0) throw new ConflictError('stock_limit', `A variant holds at most ${MAX_VARIANT_STOCK} units.`);
    throw new ConflictError('insufficient_stock', 'Not enough stock for this change.');
  }
  const wasInStock = moved.totalStock - change.delta > 0;
  if (moved.totalStock > 0 !== wasInStock) catalogChanged(tx, change.productId);
  else retireAfterCommit(tx, cacheFamilies.product(change.productId));
  return { stock: moved.stock };
}

export interface StockLine {
  productId: string;
  variantId: string;
  quantity: number;
}

/**
 * Takes `quantity` units of every line, or none (the first line that cannot be served throws, and the caller's
 * transaction rolls back). The lines are applied in (product, variant) order, so two checkouts over the same products
 * lock them in the same order and never deadlock, whatever order their carts list them in.
 */
export async function reserveStock(
  tx: TxCtx,
  lines: readonly StockLine[],
  movement: { reason: InventoryReason; actorId: string | null; note?: string },
): Promise<StockChanged[]> {
  const ordered = [...lines].sort(
    (a, b) => a.productId.localeCompare(b.productId) || a.variantId.localeCompare(b.variantId),
  );
  const results: StockChanged[] = [];
  for (const line of ordered) {
    if (!Number.isInteger(line.quantity) || line.quantity < 1) throw new RangeError('quantities are positive integers');
    results.push(
      await changeStock(tx, {
        productId: line.productId,
        variantId: line.variantId,
        delta: -line.quantity,
        ...movement,
      }),
    );
  }
  return results;
}

/** A vendor's (or an admin's) manual adjustment; answers the variant as the transaction left it. */
export async function adjustInventory(
  ctx: AuthenticatedCtx,
  productId: string,
  variantId: string,
  input: z.infer<typeof InventoryAdjustment>,
): Promise<z.infer<typeof VariantDto>> {
  return inTransaction(ctx, async (tx) => {
    const product = await findManageableProduct(tx, productId);
    await changeStock(tx, {
      productId,
      variantId,
      delta: input.delta,
      reason: input.reason,
      note: input.note,
      actorId: ctx.actor.userId,
    });
    // The raw UPDATE bypassed the identity map: read the row again, in the transaction.
    const variant = await tx.em.findOneOrFail(Variant, { id: variantId }, { refresh: true });
    return toVariantDto(variant, product.currency);
  });
}

/** Newest first. */
const MOVEMENTS: Keyset<InventoryMovement> = {
  list: 'inventory-movements',
  columns: [idColumn('id')],
  direction: 'desc',
};

export async function listInventoryMovements(
  ctx: AuthenticatedCtx,
  productId: string,
  query: { limit: number; cursor?: string | undefined },
) {
  await findManageableProduct(ctx, productId);
  const after = afterCursor(MOVEMENTS, query.cursor);
  const movements = await ctx.em
    .createQueryBuilder(InventoryMovement)
    .where({ productId })
    .andWhere(after.sql, after.params)
    .orderBy({ id: 'desc' })
    .limit(query.limit + 1)
    .getResultList();
  const variantIds = [...new Set(movements.map((movement) => movement.variantId))];
  const variants = variantIds.length > 0 ? await ctx.em.find(Variant, { id: { $in: variantIds } }) : [];
  const skuOf = new Map(variants.map((variant) => [variant.id, variant.sku]));
  return toPage(MOVEMENTS, movements, query.limit, (movement) =>
    toInventoryMovementDto(movement, skuOf.get(movement.variantId) ?? ''),
  );
}
