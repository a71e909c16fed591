/**
 * Payments' background work: automatic refunds (a payment that could not pay its order; a paid order cancelled),
 * retries of refunds whose provider answer was lost, the buyer's payment mails, and the daily reconciliation. Idempotent: each re-reads the
 * ledger and the refund row before acting, and provider calls carry stable idempotency keys.
 */
import { z } from 'zod';
import { formatMoney } from '@emporium/contract';
import { defineTask } from '../../platform/jobs';
import { contactsOf } from '../identity';
import { orderForPayment } from '../orders';
import {
  automaticRefundJob,
  intentCancellationJob,
  paymentMailJob,
  refundRetryJob,
  type AutomaticRefund,
  type PaymentMail,
} from './payments.queue';
import { runReconciliation } from './reconciliation';
import { automaticRefund, completeRefund } from './refunds.service';
import { cancelOpenIntents } from './stripe.service';

export const automaticRefundTask = defineTask<AutomaticRefund>({
  ...automaticRefundJob,
  run: async (job, ctx) => {
    await automaticRefund(ctx, job);
  },
});

export const refundRetryTask = defineTask<{ refundId: string }>({
  ...refundRetryJob,
  run: async ({ refundId }, ctx) => {
    await completeRefund(ctx, refundId);
  },
});

export const intentCancellationTask = defineTask<{ orderId: string }>({
  ...intentCancellationJob,
  run: async ({ orderId }, ctx) => {
    await cancelOpenIntents(ctx, orderId);
  },
});

export const paymentMailTask = defineTask<PaymentMail>({
  ...paymentMailJob,
  run: async (mail, ctx) => {
    const order = await orderForPayment(ctx, mail.orderId);
    const contact = (await contactsOf(ctx, [order.customerId])).get(order.customerId);
    if (!contact) return;
    const link = `${ctx.deps.config.PUBLIC_URL}/orders`;
    const hello = `Hello ${contact.fullName},\n\n`;
    await ctx.deps.mailer.send(
      mail.template === 'payment_failed'
        ? {
            to: contact.email,
            subject: `Payment for ${order.number} did not go through`,
            text: `${hello}Your payment for order ${order.number} failed. You can try again with another card before the order's payment deadline.\n\n${link}`,
          }
        : {
            to: contact.email,
            subject: `Refund for ${order.number}`,
            text: `${hello}We refunded ${formatMoney(mail.amount ?? 0, order.currency)} for order ${order.number}. It reaches your account within a few days, depending on your bank.\n\n${link}`,
          },
    );
  },
});

/**
 * Daily at 03:00 UTC (its cron payload is `{}`); `days` overrides `PAYMENTS_RECONCILIATION_DAYS` for a run enqueued
 * by hand. Rerunning only adds another report.
 */
export const reconciliationTask = defineTask<{ days?: number | undefined }>({
  name: 'payments__reconcile',
  payload: z.object({ days: z.number().int().min(1).max(90).optional() }),
  schedule: '0 3 * * *',
  run: async ({ days }, ctx) => {
    await runReconciliation(ctx, { days });
  },
});

export const paymentsTasks = [
  automaticRefundTask,
  refundRetryTask,
  intentCancellationTask,
  paymentMailTask,
  reconciliationTask,
];
