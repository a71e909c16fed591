/**
 * The ledger and vendors' earnings. Every money movement is one append-only row, unique per provider movement id, so
 * whoever records it first (a webhook, a confirm call, a refund's own answer) records it once; an order's figures are
 * sums over its rows. All money work on one order queues on `lockOrderMoney`.
 */
import type { Ctx } from '../../platform/context';
import type { TxCtx } from '../../platform/unit-of-work';
import { newId } from '../../platform/columns';
import type { OrderPaid } from '../orders';
import type { LEDGER_KINDS, PAYMENT_PROVIDERS } from '@emporium/contract';

export type Provider = (typeof PAYMENT_PROVIDERS)[number];
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** Serialises every money change of one order (settlement, refunds, disputes) for the rest of the transaction. */
export async function lockOrderMoney(tx: TxCtx, orderId: string): Promise<void> {
  await tx.em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`payments:${orderId}`]);
}

export interface Movement {
  orderId: string;
  kind: LedgerKind;
  provider: Provider;
  providerRef: string;
  amount: number;
  currency: string;
}

/** Appends the movement; false when the provider's id of it was recorded before. */
export async function recordMovement(tx: TxCtx, movement: Movement): Promise<boolean> {
  const inserted = await tx.em.execute<{ id: string }[]>(
    `insert into payment_transactions (id, order_id, kind, provider, provider_ref, amount, currency, created_at)
     values (?, ?, ?, ?, ?, ?, ?, now())
     on conflict (provider, kind, provider_ref) do nothing returning id`,
    [
      newId(),
      movement.orderId,
      movement.kind,
      movement.provider,
      movement.providerRef,
      movement.amount,
      movement.currency.toUpperCase(),
    ],
  );
  return inserted.length > 0;
}

export interface OrderMoney {
  captured: number;
  refunded: number;
  disputed: number;
  /** Refunds reserved but not yet answered by the provider. */
  pending: number;
}

export async function orderMoney(ctx: Ctx, orderId: string): Promise<OrderMoney> {
  const [row] = await ctx.em.execute<{ captured: string; refunded: string; disputed: string; pending: string }[]>(
    `select
       coalesce(sum(amount) filter (where kind = 'capture'), 0) as captured,
       coalesce(sum(amount) filter (where kind = 'refund'), 0) as refunded,
       coalesce(sum(amount) filter (where kind = 'dispute'), 0) as disputed,
       (select coalesce(sum(amount), 0) from refunds where order_id = ? and status = 'pending') as pending
     from payment_transactions where order_id = ?`,
    [orderId, orderId],
  );
  return {
    captured: Number(row?.captured ?? 0),
    refunded: Number(row?.refunded ?? 0),
    disputed: Number(row?.disputed ?? 0),
    pending: Number(row?.pending ?? 0),
  };
}

/** Half-up share of `amount` at `bps` basis points, in whole minor units. */
const atRate = (amount: number, bps: number) => Math.floor((amount * bps + 5_000) / 10_000);

/** Credits each vendor's part of a paid order, minus its commission (the vendor's rate, else the default). */
export async function creditVendors(tx: TxCtx, order: OrderPaid): Promise<void> {
  const vendorIds = [...new Set(order.parts.map((part) => part.vendorId))];
  const rates = await tx.em.execute<{ vendor_id: string; rate_bps: number }[]>(
    'select vendor_id, rate_bps from commission_rates where vendor_id = any(array[?]::uuid[])',
    [vendorIds],
  );
  const rateOf = new Map(rates.map((rate) => [rate.vendor_id, rate.rate_bps]));
  for (const part of order.parts) {
    const commission = atRate(part.total, rateOf.get(part.vendorId) ?? tx.deps.config.PLATFORM_COMMISSION_BPS);
    await insertEarning(tx, {
      vendorId: part.vendorId,
      orderId: order.orderId,
      partId: part.partId,
      kind: 'sale',
      sourceRef: order.orderId,
      gross: part.total,
      commission,
      currency: order.currency,
    });
  }
}

/**
 * Debits the vendors for a refund: the amount is split over the order's sale entries in proportion to their gross
 * (largest remainder, so the shares sum exactly), and each share gives back the commission at that sale's own rate.
 */
export async function debitVendors(tx: TxCtx, orderId: string, amount: number, sourceRef: string): Promise<void> {
  const sales = await tx.em.execute<
    { vendor_id: string; part_id: string; gross: number; commission: number; currency: string }[]
  >(
    `select vendor_id, part_id, gross, commission, currency from vendor_earnings
      where order_id = ? and kind = 'sale' order by part_id`,
    [orderId],
  );
  const total = sales.reduce((sum, sale) => sum + sale.gross, 0);
  if (total <= 0) return;
  const shares = sales.map((sale) => Math.floor((amount * sale.gross) / total));
  const remainders = sales
    .map((sale, index) => ({ index, rest: (amount * sale.gross) % total }))
    .sort((a, b) => b.rest - a.rest || a.index - b.index);
  for (let left = amount - shares.reduce((sum, share) => sum + share, 0), i = 0; left > 0; left -= 1, i += 1) {
    shares[remainders[i % remainders.length]!.index]! += 1;
  }
  for (const [index, sale] of sales.entries()) {
    const share = Math.min(shares[index]!, sale.gross);
    if (share === 0) continue;
    const commissionBack = Math.floor((share * sale.commission + Math.floor(sale.gross / 2)) / sale.gross);
    await insertEarning(tx, {
      vendorId: sale.vendor_id,
      orderId,
      partId: sale.part_id,
      kind: 'refund',
      sourceRef,
      gross: -share,
      commission: -commissionBack,
      currency: sale.currency,
    });
  }
}

async function insertEarning(
  tx: TxCtx,
  entry: {
    vendorId: string;
    orderId: string;
    partId: string;
    kind: 'sale' | 'refund';
    sourceRef: string;
    gross: number;
    commission: number;
    currency: string;
  },
): Promise<void> {
  await tx.em.execute(
    `insert into vendor_earnings
       (id, vendor_id, order_id, part_id, kind, source_ref, gross, commission, net, currency, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
     on conflict (part_id, kind, source_ref) do nothing`,
    [
      newId(),
      entry.vendorId,
      entry.orderId,
      entry.partId,
      entry.kind,
      entry.sourceRef,
      entry.gross,
      entry.commission,
      entry.gross - entry.commission,
      entry.currency,
    ],
  );
}
