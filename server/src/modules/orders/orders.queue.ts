/**
 * What commerce enqueues, and how: the task names and payloads of its jobs and typed enqueue helpers, kept apart from
 * the task runners (orders.jobs.ts) so that services can enqueue without importing the code the jobs run.
 */
import { z } from 'zod';
import type { Ctx } from '../../platform/context';
import { enqueueJob, enqueueJobs, job } from '../../platform/jobs';

export const OrderRef = z.object({ orderId: z.string().uuid() });
export const expireOrderJob = { name: 'orders__expire_order', payload: OrderRef };

export const OrderMail = z.object({
  template: z.enum(['order_confirmation', 'payment_received', 'order_shipped', 'order_cancelled']),
  orderId: z.string().uuid(),
  partId: z.string().uuid().optional(),
});
export type OrderMail = z.infer<typeof OrderMail>;
export const orderMailJob = { name: 'orders__send_mail', payload: OrderMail };

export function enqueueOrderMail(ctx: Ctx, mail: OrderMail): Promise<void> {
  return enqueueJob(ctx, orderMailJob, mail);
}

/** A placed order's jobs in one statement: its expiry at the payment deadline and its confirmation mail. */
export function enqueuePlacedOrderJobs(ctx: Ctx, orderId: string, deadline: Date): Promise<void> {
  return enqueueJobs(ctx, [
    job(expireOrderJob, { orderId }, { runAt: deadline, jobKey: `orders__expire_order:${orderId}` }),
    job(orderMailJob, { template: 'order_confirmation', orderId }),
  ]);
}

export const CartRef = z.object({ cartId: z.string().uuid() });
export const expireGuestCartJob = { name: 'orders__expire_guest_cart', payload: CartRef };

export function enqueueGuestCartExpiry(ctx: Ctx, cartId: string, at: Date): Promise<void> {
  return enqueueJob(ctx, expireGuestCartJob, { cartId }, { runAt: at, jobKey: `orders__expire_guest_cart:${cartId}` });
}

export const renderInvoiceJob = { name: 'orders__render_invoice', payload: OrderRef };

export function enqueueInvoiceRendering(ctx: Ctx, orderId: string): Promise<void> {
  return enqueueJob(ctx, renderInvoiceJob, { orderId }, { jobKey: `orders__render_invoice:${orderId}` });
}
