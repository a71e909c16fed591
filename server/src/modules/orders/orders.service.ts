/**
 * Orders after checkout: reads for customers, vendors and admins, and every status change through the one state
 * machine (order-state.ts). Cancellation and expiry give the stock back through the catalog's ledger (`changeStock`,
 * reason `cancellation`) and, for an unpaid order, the discount use.
 */
import type { z } from 'zod';
import type { AdminOrderQuery, OrderListQuery, OrderStatus, VendorFulfilmentInput } from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { ConflictError, NotFoundError } from '../../platform/errors';
import { afterCursor, idColumn, toPage, type Keyset } from '../../platform/pagination';
import { publish } from '../../platform/events';
import { inTransaction, type TxCtx } from '../../platform/unit-of-work';
import { changeStock, countPurchase } from '../catalog';
import { userIdByEmail } from '../identity';
import { assertMove, CUSTOMER_CANCELLABLE, leastAdvanced, recordTransition } from './order-state';
import { enqueueOrderMail } from './orders.queue';
import { issueInvoice } from './invoices';
import { ordersAudit } from './orders.audit';
import { orderCancelled, orderPaid } from './orders.events';
import { Invoice, Order, OrderHistory, OrderLine, OrderPart } from './orders.entities';
import { toOrderDto, toOrderSummaryDto, toVendorOrderDto, type OrderSummaryRow } from './orders.mapper';

export async function loadOrderDto(ctx: Ctx, orderId: string) {
  const order = await ctx.em.findOneOrFail(Order, { id: orderId }, { refresh: true });
  const [parts, lines, history, invoice] = await Promise.all([
    ctx.em.find(OrderPart, { orderId }, { orderBy: { id: 'asc' }, refresh: true }),
    ctx.em.find(OrderLine, { orderId }, { orderBy: { position: 'asc' } }),
    ctx.em.find(OrderHistory, { orderId }, { orderBy: { createdAt: 'asc', id: 'asc' }, refresh: true }),
    ctx.em.findOne(Invoice, { orderId }, { fields: ['number'] }),
  ]);
  return toOrderDto(order, parts, lines, history, invoice?.number ?? null);
}

// ------------------------------------------------------------------------------------------------ lists

const NEWEST: Keyset<OrderSummaryRow> = { list: 'orders:newest', columns: [idColumn('o.id')], direction: 'desc' };

const SUMMARY = `select o.id, o.number, o.customer_id, o.status, o.total, o.currency, o.created_at,
    (select coalesce(sum(l.quantity), 0)::int from order_lines l where l.order_id = o.id) as item_count,
    array(select p.vendor_id::text from order_parts p where p.order_id = o.id order by p.id) as vendor_ids
  from orders o`;

async function summaryPage(
  ctx: Ctx,
  where: string[],
  params: unknown[],
  query: { limit: number; cursor?: string | undefined },
) {
  const after = afterCursor(NEWEST, query.cursor);
  const rows = await ctx.em.execute<OrderSummaryRow[]>(
    `${SUMMARY} where ${[...where, after.sql].join(' and ')} order by o.id desc limit ?`,
    [...params, ...after.params, query.limit + 1],
  );
  return toPage(NEWEST, rows, query.limit, toOrderSummaryDto);
}

export function listMyOrders(ctx: AuthenticatedCtx, query: z.infer<typeof OrderListQuery>) {
  const where = ['o.customer_id = ?'];
  const params: unknown[] = [ctx.actor.userId];
  if (query.status) {
    where.push('o.status = ?');
    params.push(query.status);
  }
  return summaryPage(ctx, where, params, query);
}

export async function listAllOrders(ctx: AuthenticatedCtx, query: z.infer<typeof AdminOrderQuery>) {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    where.push(sql);
    params.push(value);
  };
  if (query.status) add('o.status = ?', query.status);
  if (query.customerId) add('o.customer_id = ?', query.customerId);
  if (query.vendorId)
    add('exists (select 1 from order_parts p where p.order_id = o.id and p.vendor_id = ?)', query.vendorId);
  if (query.from) add('o.created_at >= ?::timestamptz', query.from);
  if (query.to) add('o.created_at < ?::timestamptz', query.to);
  if (query.minTotal !== undefined) add('o.total >= ?', query.minTotal);
  if (query.maxTotal !== undefined) add('o.total <= ?', query.maxTotal);
  if (query.q) {
    if (query.q.includes('@'))
      add('o.customer_id = ?', (await userIdByEmail(ctx, query.q)) ?? '00000000-0000-0000-0000-000000000000');
    else add('o.number = ?', query.q.toUpperCase());
  }
  return summaryPage(ctx, where.length > 0 ? where : ['true'], params, query);
}

const VENDOR_NEWEST: Keyset<OrderPart> = {
  list: 'vendor-orders:newest',
  columns: [{ ...idColumn('p.order_id'), of: (part) => part.orderId }],
  direction: 'desc',
};

export async function listVendorOrders(ctx: AuthenticatedCtx, query: z.infer<typeof OrderListQuery>) {
  const after = afterCursor(VENDOR_NEWEST, query.cursor);
  const parts = await ctx.em
    .createQueryBuilder(OrderPart, 'p')
    .where({ vendorId: ctx.actor.userId, ...(query.status ? { status: query.status } : {}) })
    .andWhere(after.sql, after.params)
    .orderBy({ orderId: 'desc' })
    .limit(query.limit + 1)
    .getResultList();
  const orderIds = parts.map((part) => part.orderId);
  const [orders, lines] = await Promise.all([
    ctx.em.find(Order, { id: { $in: orderIds } }),
    ctx.em.find(OrderLine, { partId: { $in: parts.map((part) => part.id) } }, { orderBy: { position: 'asc' } }),
  ]);
  const orderOf = new Map(orders.map((order) => [order.id, order]));
  return toPage(VENDOR_NEWEST, parts, query.limit, (part) => toVendorOrderDto(orderOf.get(part.orderId)!, part, lines));
}

// ------------------------------------------------------------------------------------------------ reads

export async function getMyOrder(ctx: AuthenticatedCtx, orderId: string) {
  const order = await ctx.em.findOne(Order, { id: orderId, customerId: ctx.actor.userId });
  if (!order) throw new NotFoundError('order');
  return loadOrderDto(ctx, order.id);
}

export async function getAnyOrder(ctx: AuthenticatedCtx, orderId: string) {
  const order = await ctx.em.findOne(Order, { id: orderId });
  if (!order) throw new NotFoundError('order');
  return loadOrderDto(ctx, order.id);
}

async function vendorOrderDto(ctx: Ctx, orderId: string, vendorId: string) {
  const part = await ctx.em.findOne(OrderPart, { orderId, vendorId }, { refresh: true });
  if (!part) throw new NotFoundError('order');
  const order = await ctx.em.findOneOrFail(Order, { id: orderId }, { refresh: true });
  const lines = await ctx.em.find(OrderLine, { partId: part.id }, { orderBy: { position: 'asc' } });
  return toVendorOrderDto(order, part, lines);
}

export function getVendorOrder(ctx: AuthenticatedCtx, orderId: string) {
  return vendorOrderDto(ctx, orderId, ctx.actor.userId);
}

// ------------------------------------------------------------------------------------------------ transitions

/** Locks the order row for the transaction: every status change of an order and its parts queues here. */
export async function lockOrder(tx: TxCtx, where: { id: string; customerId?: string }): Promise<Order> {
  const [row] = await tx.em.execute<{ id: string }[]>(
    `select id from orders where id = ?${where.customerId ? ' and customer_id = ?' : ''} for update`,
    where.customerId ? [where.id, where.customerId] : [where.id],
  );
  if (!row) throw new NotFoundError('order');
  return tx.em.findOneOrFail(Order, { id: row.id }, { refresh: true });
}

/**
 * Moves the order and every part to `to` (cancelled, expired, paid) and records each step. Paid: the invoice is
 * numbered and the products count as the customer's verified purchases. Cancelled or expired: the stock comes back,
 * and the discount use if it was unpaid, or the verified purchases if it was paid.
 */
export async function moveWholeOrder(
  tx: TxCtx,
  order: Order,
  to: OrderStatus,
  note: string | undefined,
): Promise<void> {
  assertMove(order.status, to);
  const parts = await tx.em.find(OrderPart, { orderId: order.id });
  recordTransition(tx, { orderId: order.id, from: order.status, to, note });
  const wasPaid = order.paidAt !== null && order.paidAt !== undefined;
  order.status = to;
  for (const part of parts) part.status = to;
  const lines = await tx.em.find(OrderLine, { orderId: order.id });
  const productIds = lines.map((line) => line.productId);
  if (to === 'paid') {
    order.paidAt = new Date();
    await issueInvoice(tx, order.id);
    await countPurchase(tx, order.customerId, productIds, 1);
  }
  if (to === 'cancelled' && wasPaid) await countPurchase(tx, order.customerId, productIds, -1);
  if (to === 'cancelled' || to === 'expired') {
    order.paymentDeadline = null;
    const ordered = [...lines].sort(
      (a, b) => a.productId.localeCompare(b.productId) || a.variantId.localeCompare(b.variantId),
    );
    for (const line of ordered) {
      await changeStock(tx, {
        productId: line.productId,
        variantId: line.variantId,
        delta: line.quantity,
        reason: 'cancellation',
        note: `order ${order.number} ${to}`,
        actorId: tx.actor?.userId ?? null,
      });
    }
    if (!wasPaid && order.discountId) {
      const released = await tx.em.execute<{ id: string }[]>(
        'update discount_redemptions set released_at = now() where order_id = ? and released_at is null returning id',
        [order.id],
      );
      if (released.length > 0) {
        await tx.em.execute('update discounts set uses = uses - 1, updated_at = now() where id = ? and uses > 0', [
          order.discountId,
        ]);
      }
    }
  }
  await tx.em.flush();
  if (to === 'cancelled') await enqueueOrderMail(tx, { template: 'order_cancelled', orderId: order.id });
  if (to === 'cancelled' || to === 'expired') {
    await publish(tx, orderCancelled, {
      orderId: order.id,
      orderNumber: order.number,
      paymentMethod: order.paymentMethod,
      wasPaid,
    });
  }
  if (to === 'paid') {
    await enqueueOrderMail(tx, { template: 'payment_received', orderId: order.id });
    await publish(tx, orderPaid, {
      orderId: order.id,
      orderNumber: order.number,
      customerId: order.customerId,
      paymentMethod: order.paymentMethod,
      total: order.total,
      currency: order.currency,
      parts: parts.map((part) => ({ partId: part.id, vendorId: part.vendorId, total: part.total })),
    });
  }
}

export async function cancelMyOrder(ctx: AuthenticatedCtx, orderId: string, reason: string | undefined) {
  return inTransaction(ctx, async (tx) => {
    const order = await lockOrder(tx, { id: orderId, customerId: ctx.actor.userId });
    if (!CUSTOMER_CANCELLABLE.includes(order.status)) {
      throw new ConflictError('invalid_status_transition', `An order that is ${order.status} cannot be cancelled.`);
    }
    await moveWholeOrder(tx, order, 'cancelled', reason);
    return loadOrderDto(tx, order.id);
  });
}

/** Expires an unpaid order whose deadline has passed (the expiry job); anything else is left alone. */
export async function expireOrder(ctx: Ctx, orderId: string): Promise<boolean> {
  return inTransaction(ctx, async (tx) => {
    const order = await lockOrder(tx, { id: orderId });
    if (order.status !== 'pending_payment' || !order.paymentDeadline || order.paymentDeadline > new Date())
      return false;
    await moveWholeOrder(tx, order, 'expired', 'unpaid at the payment deadline');
    return true;
  });
}

/** Moves parts along fulfilment and the order after its least advanced part. */
async function moveParts(
  tx: TxCtx,
  order: Order,
  parts: OrderPart[],
  to: OrderStatus,
  details: { note?: string | undefined; carrier?: string | undefined; trackingNumber?: string | undefined },
) {
  for (const part of parts) {
    recordTransition(tx, { orderId: order.id, partId: part.id, from: part.status, to, note: details.note });
    part.status = to;
    if (details.carrier) part.carrier = details.carrier;
    if (details.trackingNumber) part.trackingNumber = details.trackingNumber;
  }
  const all = await tx.em.find(OrderPart, { orderId: order.id });
  const next = leastAdvanced(all.map((part) => part.status));
  if (next && next !== order.status) {
    recordTransition(tx, { orderId: order.id, from: order.status, to: next, note: 'follows its parts' });
    order.status = next;
  }
  await tx.em.flush();
  if (to === 'shipped') {
    for (const part of parts)
      await enqueueOrderMail(tx, { template: 'order_shipped', orderId: order.id, partId: part.id });
  }
}

export async function updateVendorOrderStatus(
  ctx: AuthenticatedCtx,
  orderId: string,
  input: z.infer<typeof VendorFulfilmentInput>,
) {
  return inTransaction(ctx, async (tx) => {
    const part = await tx.em.findOne(OrderPart, { orderId, vendorId: ctx.actor.userId });
    if (!part) throw new NotFoundError('order');
    const order = await lockOrder(tx, { id: orderId });
    await tx.em.refresh(part);
    await moveParts(tx, order, [part], input.status, input);
    return vendorOrderDto(tx, orderId, ctx.actor.userId);
  });
}

export async function setOrderStatus(
  ctx: AuthenticatedCtx,
  orderId: string,
  input: { status: 'paid' | 'processing' | 'shipped' | 'delivered' | 'cancelled'; note?: string | undefined },
) {
  return inTransaction(ctx, async (tx) => {
    const order = await lockOrder(tx, { id: orderId });
    // Money taken by a provider settles its order through the ledger (settleCapture); marked by hand, the vendors would
    // be credited for a payment the ledger never saw, and the provider's capture, should it come, refunded as a second.
    if (input.status === 'paid' && order.paymentMethod !== 'manual') {
      throw new ConflictError(
        'invalid_status_transition',
        `This order is paid through ${order.paymentMethod}: its payment marks it paid, not an admin.`,
      );
    }
    ordersAudit.record(tx, {
      action: 'order.status_set',
      targetId: order.id,
      details: { number: order.number, from: order.status, to: input.status, note: input.note ?? null },
    });
    if (input.status === 'paid' || input.status === 'cancelled') {
      await moveWholeOrder(tx, order, input.status, input.note);
    } else {
      const parts = await tx.em.find(OrderPart, { orderId });
      for (const part of parts) assertMove(part.status, input.status);
      await moveParts(tx, order, parts, input.status, { note: input.note });
    }
    return loadOrderDto(tx, order.id);
  });
}
