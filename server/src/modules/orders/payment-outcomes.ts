/**
 * What payments may do to an order, through the orders face: read it for payment, settle it when a provider reports
 * a captured payment, flag it for an admin, follow its refunds, and return its stock once. Every change locks the
 * order row and goes through the state machine, so a webhook and a confirm call racing settle an order once.
 */
import type { Ctx } from '../../platform/context';
import { NotFoundError } from '../../platform/errors';
import type { TxCtx } from '../../platform/unit-of-work';
import { changeStock } from '../catalog';
import { Order, OrderLine } from './orders.entities';
import { lockOrder, moveWholeOrder } from './orders.service';

export interface PayableOrder {
  id: string;
  number: string;
  customerId: string;
  status: Order['status'];
  paymentMethod: Order['paymentMethod'];
  total: number;
  currency: string;
}

const payable = (order: Order): PayableOrder => ({
  id: order.id,
  number: order.number,
  customerId: order.customerId,
  status: order.status,
  paymentMethod: order.paymentMethod,
  total: order.total,
  currency: order.currency,
});

/** The order, when `customerId` (if given) is its buyer: another customer's order is a 404 like a missing one. */
export async function orderForPayment(ctx: Ctx, orderId: string, customerId?: string): Promise<PayableOrder> {
  const order = await ctx.em.findOne(Order, customerId ? { id: orderId, customerId } : { id: orderId }, {
    refresh: true,
  });
  if (!order) throw new NotFoundError('order');
  return payable(order);
}

export interface CapturedPayment {
  provider: 'stripe' | 'paypal';
  reference: string;
  amount: number;
  currency: string;
}

/**
 * `settled`: the order is now paid. `already_paid`: it was paid before (by this payment or another). `too_late`: it
 * expired or was cancelled first. `mismatch`: amount or currency differ from the order's; it stays unpaid, flagged.
 */
export type SettlementOutcome = 'settled' | 'already_paid' | 'too_late' | 'mismatch';

/** An order that closed unpaid (expired or cancelled first): a payment for it comes too late and is given back. */
export const closedUnpaid = (order: Pick<PayableOrder, 'status'>): boolean =>
  order.status === 'expired' || order.status === 'cancelled';

export async function settleOrderPayment(
  tx: TxCtx,
  orderId: string,
  payment: CapturedPayment,
): Promise<SettlementOutcome> {
  const order = await lockOrder(tx, { id: orderId });
  if (closedUnpaid(order)) return 'too_late';
  if (order.status !== 'pending_payment') return 'already_paid';
  if (payment.amount !== order.total || payment.currency.toUpperCase() !== order.currency) {
    order.flagReason =
      `${payment.provider} payment ${payment.reference} of ${payment.amount} ${payment.currency.toUpperCase()} ` +
      `does not match the order's ${order.total} ${order.currency}; refunded`;
    await tx.em.flush();
    return 'mismatch';
  }
  await moveWholeOrder(tx, order, 'paid', `${payment.provider} ${payment.reference}`);
  return 'settled';
}

/** Flags an order for an admin (a dispute, a duplicate or late payment); the latest reason wins. */
export async function flagOrder(tx: TxCtx, orderId: string, reason: string): Promise<void> {
  const order = await lockOrder(tx, { id: orderId });
  order.flagReason = reason.slice(0, 300);
  await tx.em.flush();
}

/**
 * Follows a refund: `refunded` once everything captured went back, else `partially_refunded`. An order that never
 * got paid (a late or mismatched payment refunded automatically) keeps its status.
 */
export async function recordOrderRefund(
  tx: TxCtx,
  orderId: string,
  figures: { refunded: number; captured: number; note: string },
): Promise<Order['status']> {
  const order = await lockOrder(tx, { id: orderId });
  if (!order.paidAt || order.status === 'cancelled') return order.status;
  const to = figures.refunded >= figures.captured ? 'refunded' : 'partially_refunded';
  if (order.status !== to) await moveWholeOrder(tx, order, to, figures.note);
  return to;
}

/** Returns the order's units to stock through the inventory ledger, once; false when it was done before. */
export async function restockOrder(tx: TxCtx, orderId: string): Promise<boolean> {
  const order = await lockOrder(tx, { id: orderId });
  if (order.restockedAt || closedUnpaid(order)) return false; // closing gave its stock back already
  const lines = await tx.em.find(OrderLine, { orderId }, { orderBy: { productId: 'asc', variantId: 'asc' } });
  for (const line of lines) {
    await changeStock(tx, {
      productId: line.productId,
      variantId: line.variantId,
      delta: line.quantity,
      reason: 'returned',
      note: `order ${order.number} refunded`,
      actorId: tx.actor?.userId ?? null,
    });
  }
  order.restockedAt = new Date();
  await tx.em.flush();
  return true;
}
