/**
 * Invoices. `issueInvoice` numbers one in the transaction that marks an order paid (gapless per year: see the
 * invoices migration) and enqueues its rendering in the same transaction; the job makes the PDF from the order's
 * snapshots and keeps it in private storage; `invoiceFor` hands it to the buyer or an admin, or says it is coming.
 */
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { ConflictError, NotFoundError } from '../../platform/errors';
import type { TxCtx } from '../../platform/unit-of-work';
import { contactsOf, displayNames } from '../identity';
import { renderInvoicePdf, type InvoiceFacts } from './invoice-pdf';
import { Invoice, Order, OrderLine, OrderPart } from './orders.entities';
import { enqueueInvoiceRendering } from './orders.queue';

/** How long a client is told to wait for a PDF being made (the job takes well under a second once it runs). */
export const INVOICE_RETRY_AFTER_SECONDS = 2;

export async function issueInvoice(tx: TxCtx, orderId: string): Promise<void> {
  const [counted] = await tx.em.execute<{ year: number; last_number: number }[]>(
    `insert into invoice_counters (year, last_number) values (extract(year from now() at time zone 'UTC')::int, 1)
     on conflict (year) do update set last_number = invoice_counters.last_number + 1
     returning year, last_number`,
  );
  const { year, last_number: sequence } = counted!;
  tx.em.persist(
    tx.em.create(Invoice, {
      orderId,
      number: `INV-${year}-${String(sequence).padStart(6, '0')}`,
      year,
      sequence,
      issuedAt: new Date(),
      storageKey: null,
      renderedAt: null,
    }),
  );
  await enqueueInvoiceRendering(tx, orderId);
}

/** The job: makes the PDF once (a retry after a crash overwrites the same key) and records where it is kept. */
export async function renderInvoice(ctx: Ctx, orderId: string): Promise<void> {
  const invoice = await ctx.em.findOne(Invoice, { orderId });
  if (!invoice || invoice.renderedAt) return;
  const [order, parts, lines] = await Promise.all([
    ctx.em.findOneOrFail(Order, { id: orderId }),
    ctx.em.find(OrderPart, { orderId }, { orderBy: { id: 'asc' } }),
    ctx.em.find(OrderLine, { orderId }, { orderBy: { position: 'asc' } }),
  ]);
  const [contacts, vendorNames] = await Promise.all([
    contactsOf(ctx, [order.customerId]),
    displayNames(
      ctx,
      parts.map((part) => part.vendorId),
    ),
  ]);
  const facts: InvoiceFacts = {
    number: invoice.number,
    issuedAt: invoice.issuedAt,
    orderNumber: order.number,
    paymentMethod: order.paymentMethod,
    currency: order.currency,
    seller: ctx.deps.config.INVOICE_SELLER,
    buyer: { email: contacts.get(order.customerId)?.email ?? '', address: order.shippingAddress },
    packages: parts.map((part) => ({
      vendorName: vendorNames.get(part.vendorId) ?? 'a former vendor',
      shippingMethodName: part.shippingMethodName,
      lines: lines.filter((line) => line.partId === part.id),
      subtotal: part.subtotal,
      discountTotal: part.discountTotal,
      shippingTotal: part.shippingTotal,
      taxTotal: part.taxTotal,
      total: part.total,
    })),
    totals: order,
  };
  const key = `invoices/${invoice.year}/${invoice.number.toLowerCase()}.pdf`;
  await ctx.deps.storage.put(key, await renderInvoicePdf(facts), 'application/pdf');
  invoice.storageKey = key;
  invoice.renderedAt = new Date();
  await ctx.em.flush();
}

export type InvoiceDownload = { number: string } & ({ ready: true; pdf: Buffer } | { ready: false });

/** The buyer's own order, or any order for an admin; another customer's is a 404 like a missing one. */
export async function invoiceFor(ctx: AuthenticatedCtx, orderId: string): Promise<InvoiceDownload> {
  const order = await ctx.em.findOne(
    Order,
    ctx.actor.role === 'admin' ? { id: orderId } : { id: orderId, customerId: ctx.actor.userId },
  );
  if (!order) throw new NotFoundError('order');
  const invoice = await ctx.em.findOne(Invoice, { orderId }, { refresh: true });
  if (!invoice) {
    throw new ConflictError(
      'invoice_unavailable',
      `Order ${order.number} is ${order.status}: an order gets its invoice when it is paid.`,
    );
  }
  if (!invoice.storageKey) return { number: invoice.number, ready: false };
  const pdf = await ctx.deps.storage.get(invoice.storageKey);
  if (!pdf) throw new Error(`the PDF of invoice ${invoice.number} is missing from storage (${invoice.storageKey})`);
  return { number: invoice.number, ready: true, pdf };
}
