import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { denied, Id, meta, page } from './common';
import {
  CancelInput,
  CreateOrderInput,
  InvoicePending,
  Order,
  OrderListQuery,
  OrderSummary,
  ordersProblem as problem,
} from './orders.schemas';

const c = initContract();
const customers = meta({ auth: ['customer'], rateLimit: 'orders_read' });
const customerWrites = meta({ auth: ['customer'], rateLimit: 'orders_write' });
const badInput = problem('validation_failed', 'malformed_json');
const byId = z.object({ id: Id });

const listMyOrders = {
  method: 'GET',
  summary: 'List my orders',
  description: "The signed-in customer's orders, newest first.",
  metadata: customers,
  query: OrderListQuery,
  responses: { 200: page(OrderSummary), 400: badInput, ...denied },
} as const;

/** A customer's orders, and "buy now" / integrator orders from explicit lines. */
export const ordersContract = c.router({
  createOrder: {
    method: 'POST',
    path: '/orders',
    summary: 'Place an order from explicit lines',
    description:
      'The same pipeline as `POST /api/cart/checkout` (idempotency, re-pricing, discount, stock reservation) for lines ' +
      'given in the body instead of the cart; the cart is left alone.',
    metadata: meta({ auth: ['customer'], rateLimit: 'checkout', idempotent: 'required' }),
    body: CreateOrderInput,
    responses: {
      201: Order,
      400: badInput,
      ...denied,
      404: problem('not_found'),
      409: problem('insufficient_stock', 'idempotency_key_in_progress', 'currency_mismatch'),
      422: problem(
        'idempotency_key_reused',
        'variant_unavailable',
        'discount_invalid',
        'discount_exhausted',
        'shipping_unavailable',
        'payment_method_unavailable',
      ),
    },
  },
  listMyOrders: { ...listMyOrders, path: '/orders' },
  listUserOrders: {
    ...listMyOrders,
    path: '/users/orders',
    summary: 'List my orders (alias)',
    description: 'The same as `GET /api/orders`.',
  },
  getMyOrder: {
    method: 'GET',
    path: '/orders/:id',
    summary: 'Get one of my orders',
    description: "With its parts, lines and history. Another customer's order is a 404.",
    metadata: customers,
    pathParams: byId,
    responses: { 200: Order, 400: badInput, ...denied, 404: problem('not_found') },
  },
  getOrderInvoice: {
    method: 'GET',
    path: '/orders/:id/invoice',
    summary: "Download an order's invoice",
    description:
      "The PDF invoice of a paid order, for its buyer and for admins (another customer's order is a 404). The invoice " +
      'is numbered when the order is paid and its PDF made by a background job: until it is ready the answer is 202 ' +
      'with `Retry-After`. An unpaid, cancelled or expired order has none (409 `invoice_unavailable`).',
    metadata: meta({ auth: ['customer', 'admin'], rateLimit: 'orders_read' }),
    pathParams: byId,
    responses: {
      200: c.otherResponse({ contentType: 'application/pdf', body: c.type<Uint8Array>() }),
      202: InvoicePending,
      400: badInput,
      ...denied,
      404: problem('not_found'),
      409: problem('invoice_unavailable'),
    },
  },
  cancelMyOrder: {
    method: 'PUT',
    path: '/orders/:id/cancel',
    summary: 'Cancel one of my orders',
    description:
      'Before anything has shipped. The stock goes back (recorded in the inventory ledger) and, if the order was not ' +
      'paid, the discount use too. A shipped, delivered, cancelled or expired order is 409.',
    metadata: customerWrites,
    pathParams: byId,
    body: CancelInput,
    responses: {
      200: Order,
      400: badInput,
      ...denied,
      404: problem('not_found'),
      409: problem('invalid_status_transition'),
    },
  },
});
