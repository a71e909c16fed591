/**
 * Verified purchases. Orders tells the catalog, through its face, when a customer's order of some products is paid
 * (+1) or a paid order is cancelled (-1); `purchases` keeps the count per customer and product, and the customer's
 * reviews of those products follow it in the same transaction. A review written later reads it (`isPurchased`).
 */
import type { Ctx } from '../../platform/context';
import type { TxCtx } from '../../platform/unit-of-work';

export async function countPurchase(
  tx: TxCtx,
  customerId: string,
  productIds: readonly string[],
  direction: 1 | -1,
): Promise<void> {
  // Sorted, so two transactions touching the same rows lock them in the same order.
  const ids = [...new Set(productIds)].sort();
  if (ids.length === 0) return;
  if (direction === 1) {
    await tx.em.execute(
      `insert into purchases (customer_id, product_id, orders)
       select ?, product_id, 1 from unnest(array[?]::uuid[]) as product_id
       on conflict (customer_id, product_id) do update set orders = purchases.orders + 1`,
      [customerId, ids],
    );
  } else {
    await tx.em.execute(
      `update purchases set orders = orders - 1
        where customer_id = ? and product_id = any(array[?]::uuid[]) and orders > 0`,
      [customerId, ids],
    );
  }
  await tx.em.execute(
    `update reviews r set verified_purchase = p.orders > 0, updated_at = now()
       from purchases p
      where p.customer_id = r.author_id and p.product_id = r.product_id
        and r.author_id = ? and r.product_id = any(array[?]::uuid[]) and r.verified_purchase <> (p.orders > 0)`,
    [customerId, ids],
  );
}

export async function isPurchased(ctx: Ctx, customerId: string, productId: string): Promise<boolean> {
  const [row] = await ctx.em.execute<{ purchased: boolean }[]>(
    'select exists (select 1 from purchases where customer_id = ? and product_id = ? and orders > 0) as purchased',
    [customerId, productId],
  );
  return row?.purchased ?? false;
}
