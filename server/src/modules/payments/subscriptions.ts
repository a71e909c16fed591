/**
 * Payments' handlers of orders' events, in the order's own transaction: a paid order credits its vendors (and, paid
 * by hand, is recorded in the ledger as a manual capture); a paid order that is cancelled gets its money back, and one
 * that closes unpaid has its open Stripe intents cancelled.
 */
import { subscribe } from '../../platform/events';
import { orderCancelled, orderPaid } from '../orders';
import { creditVendors, lockOrderMoney, recordMovement } from './ledger';
import { enqueueAutomaticRefund, enqueueIntentCancellation } from './payments.queue';

export const paymentsSubscriptions = [
  subscribe(orderPaid, async (tx, order) => {
    if (order.paymentMethod === 'manual') {
      await lockOrderMoney(tx, order.orderId);
      await recordMovement(tx, {
        orderId: order.orderId,
        kind: 'capture',
        provider: 'manual',
        providerRef: `manual:${order.orderId}`,
        amount: order.total,
        currency: order.currency,
      });
    }
    await creditVendors(tx, order);
  }),
  subscribe(orderCancelled, async (tx, order) => {
    if (!order.wasPaid) {
      if (order.paymentMethod === 'stripe') await enqueueIntentCancellation(tx, order.orderId);
      return;
    }
    await enqueueAutomaticRefund(tx, { orderId: order.orderId, reason: `Order ${order.orderNumber} was cancelled.` });
  }),
];
