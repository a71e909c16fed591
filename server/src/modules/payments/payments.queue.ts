/**
 * What payments enqueues: automatic refunds (late, duplicate or mismatched payments; paid orders cancelled), the
 * cancellation of an unpaid order's open intents, and mails.
 */
import { z } from 'zod';
import type { Ctx } from '../../platform/context';
import { enqueueJob } from '../../platform/jobs';

export const AutomaticRefund = z.object({
  orderId: z.string().uuid(),
  /** The capture to refund (a PaymentIntent or PayPal capture id); unset: the order's captures, whatever is left of them. */
  captureRef: z.string().optional(),
  amount: z.number().int().min(1).optional(),
  reason: z.string().min(1).max(500),
});
export type AutomaticRefund = z.infer<typeof AutomaticRefund>;
export const automaticRefundJob = { name: 'payments__refund', payload: AutomaticRefund };

export function enqueueAutomaticRefund(ctx: Ctx, refund: AutomaticRefund): Promise<void> {
  return enqueueJob(ctx, automaticRefundJob, refund, {
    jobKey: `payments__refund:${refund.orderId}:${refund.captureRef ?? 'all'}`,
  });
}

export const PaymentMail = z.object({
  template: z.enum(['payment_failed', 'refund_made']),
  orderId: z.string().uuid(),
  amount: z.number().int().optional(),
});
export type PaymentMail = z.infer<typeof PaymentMail>;
export const paymentMailJob = { name: 'payments__send_mail', payload: PaymentMail };

export function enqueuePaymentMail(ctx: Ctx, mail: PaymentMail): Promise<void> {
  return enqueueJob(ctx, paymentMailJob, mail);
}

export const RefundRef = z.object({ refundId: z.string().uuid() });
export const refundRetryJob = { name: 'payments__complete_refund', payload: RefundRef };

/** Retries a pending refund's provider call in a minute (graphile-worker backs off further on failure). */
export function enqueueRefundRetry(ctx: Ctx, refundId: string): Promise<void> {
  return enqueueJob(
    ctx,
    refundRetryJob,
    { refundId },
    { jobKey: `payments__complete_refund:${refundId}`, runAt: new Date(Date.now() + 60_000) },
  );
}

export const OrderRef = z.object({ orderId: z.string().uuid() });
export const intentCancellationJob = { name: 'payments__cancel_intents', payload: OrderRef };

/** Cancels the open Stripe intents of an order that closed unpaid (one job per order). */
export function enqueueIntentCancellation(ctx: Ctx, orderId: string): Promise<void> {
  return enqueueJob(ctx, intentCancellationJob, { orderId }, { jobKey: `payments__cancel_intents:${orderId}` });
}
