/**
 * Commerce's background work, enqueued in the transaction of the change (orders.queue.ts): the expiry of unpaid orders
 * at their payment deadline (one job per order, keyed by it), order mails, invoice PDFs, and the removal of guest
 * carts nobody touched for a while. Every task is idempotent: it re-reads the row and does nothing when the work is done.
 */
import type { z } from 'zod';
import { defineTask } from '../../platform/jobs';
import { inTransaction } from '../../platform/unit-of-work';
import { contactsOf } from '../identity';
import { expireGuestCart } from './cart.service';
import { renderInvoice } from './invoices';
import { renderOrderMail, type OrderMailFacts } from './mail-templates';
import { Order, OrderPart } from './orders.entities';
import {
  expireGuestCartJob,
  expireOrderJob,
  orderMailJob,
  renderInvoiceJob,
  type CartRef,
  type OrderMail,
  type OrderRef,
} from './orders.queue';
import { expireOrder } from './orders.service';

export const expireUnpaidOrder = defineTask<z.infer<typeof OrderRef>>({
  ...expireOrderJob,
  run: async ({ orderId }, ctx) => {
    await expireOrder(ctx, orderId);
  },
});

export const sendOrderMail = defineTask<OrderMail>({
  ...orderMailJob,
  run: async (mail, ctx) => {
    const order = await ctx.em.findOne(Order, { id: mail.orderId });
    if (!order) return;
    const contact = (await contactsOf(ctx, [order.customerId])).get(order.customerId);
    if (!contact) return;
    const part = mail.partId ? await ctx.em.findOne(OrderPart, { id: mail.partId }) : null;
    const facts: OrderMailFacts = {
      template: mail.template,
      to: contact.email,
      fullName: contact.fullName,
      number: order.number,
      total: order.total,
      currency: order.currency,
      paymentDeadline: order.paymentDeadline ?? null,
      carrier: part?.carrier ?? null,
      trackingNumber: part?.trackingNumber ?? null,
    };
    await ctx.deps.mailer.send(renderOrderMail(facts, ctx.deps.config.PUBLIC_URL));
  },
});

export const expireGuestCartTask = defineTask<z.infer<typeof CartRef>>({
  ...expireGuestCartJob,
  run: async ({ cartId }, ctx) => {
    await inTransaction(ctx, (tx) => expireGuestCart(tx, cartId));
  },
});

export const renderInvoiceTask = defineTask<z.infer<typeof OrderRef>>({
  ...renderInvoiceJob,
  run: async ({ orderId }, ctx) => {
    await renderInvoice(ctx, orderId);
  },
});

export const ordersTasks = [expireUnpaidOrder, sendOrderMail, expireGuestCartTask, renderInvoiceTask];
