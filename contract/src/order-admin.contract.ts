import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { denied, Id, meta, page, PageQuery } from './common';
import {
  AdminOrderQuery,
  AdminStatusInput,
  Discount,
  DiscountInput,
  Order,
  OrderListQuery,
  OrderSummary,
  ShippingMethod,
  ShippingMethodInput,
  TaxRate,
  TaxRateInput,
  VendorFulfilmentInput,
  VendorOrder,
  ordersProblem as problem,
} from './orders.schemas';

import { exampleOf, named } from './named';
const c = initContract();
const vendorReads = meta({ auth: ['vendor'], rateLimit: 'orders_read' });
const vendorWrites = meta({ auth: ['vendor'], rateLimit: 'orders_write' });
const adminReads = meta({ auth: ['admin'], rateLimit: 'orders_read' });
const adminWrites = meta({ auth: ['admin'], rateLimit: 'orders_write' });
const badInput = problem('validation_failed', 'malformed_json');
const byId = z.object({ id: Id });

/** A vendor's parts of orders and their fulfilment. */
export const vendorOrdersContract = c.router(
  {
    listVendorOrders: {
      method: 'GET',
      path: '/orders',
      summary: 'List orders with my part',
      description: "Orders that contain the signed-in vendor's products, newest first; each shows only that part.",
      metadata: vendorReads,
      query: OrderListQuery,
      responses: { 200: page(VendorOrder), 400: badInput, ...denied },
    },
    getVendorOrder: {
      method: 'GET',
      path: '/orders/:id',
      summary: 'Get my part of an order',
      description: 'An order without a part of mine is a 404.',
      metadata: vendorReads,
      pathParams: byId,
      responses: { 200: VendorOrder, 400: badInput, ...denied, 404: problem('not_found') },
    },
    updateVendorOrderStatus: {
      method: 'PUT',
      path: '/orders/:id/status',
      summary: 'Fulfil my part of an order',
      description:
        'Moves my part: paid -> processing -> shipped (with `trackingNumber`) -> delivered. Any other step is 409 ' +
        '`invalid_status_transition`. The order follows its least advanced part.',
      metadata: vendorWrites,
      pathParams: byId,
      body: VendorFulfilmentInput,
      responses: {
        200: VendorOrder,
        400: badInput,
        ...denied,
        404: problem('not_found'),
        409: problem('invalid_status_transition'),
      },
    },
  },
  { pathPrefix: '/vendor' },
);

/** Admins: every order, status changes, discounts, shipping methods and tax rates. */
export const adminOrdersContract = c.router(
  {
    listAllOrders: {
      method: 'GET',
      path: '/orders',
      summary: 'List orders',
      description:
        'Every order, newest first; filter by status, vendor, customer, placement dates and totals, or find by ' +
        "order number or the customer's email (`q`).",
      metadata: adminReads,
      query: AdminOrderQuery,
      responses: { 200: page(OrderSummary), 400: badInput, ...denied },
    },
    getAnyOrder: {
      method: 'GET',
      path: '/orders/:id',
      summary: 'Get an order',
      description: 'Any order, with every part and its history.',
      metadata: adminReads,
      pathParams: byId,
      responses: { 200: Order, 400: badInput, ...denied, 404: problem('not_found') },
    },
    setOrderStatus: {
      method: 'PUT',
      path: '/orders/:id/status',
      summary: 'Change the status of an order',
      description:
        'Through the one state machine: `paid` marks a manual order paid; `cancelled` before shipping returns the ' +
        'stock (and, before payment, the discount use); fulfilment steps move every part. Others are 409.',
      metadata: adminWrites,
      pathParams: byId,
      body: AdminStatusInput,
      responses: {
        200: Order,
        400: badInput,
        ...denied,
        404: problem('not_found'),
        409: problem('invalid_status_transition'),
      },
    },
    createDiscount: {
      method: 'POST',
      path: '/discounts',
      summary: 'Create a discount code',
      description: 'Codes are stored upper-case and are unique.',
      metadata: adminWrites,
      body: DiscountInput,
      responses: { 201: Discount, 400: badInput, ...denied, 409: problem('discount_code_taken') },
    },
    listDiscounts: {
      method: 'GET',
      path: '/discounts',
      summary: 'List discount codes',
      description: 'Newest first, with their use counts.',
      metadata: adminReads,
      query: PageQuery,
      responses: { 200: page(Discount), 400: badInput, ...denied },
    },
    disableDiscount: {
      method: 'PUT',
      path: '/discounts/:id/disable',
      summary: 'Disable a discount code',
      description: 'It stops applying at once; placed orders keep their discount. Idempotent.',
      metadata: adminWrites,
      pathParams: byId,
      body: named('EmptyBody', z.object({}).strict(), {}),
      responses: { 200: Discount, 400: badInput, ...denied, 404: problem('not_found') },
    },
    createShippingMethod: {
      method: 'POST',
      path: '/shipping-methods',
      summary: 'Create a shipping method',
      description: 'A flat rate per vendor package, optionally free above a package subtotal.',
      metadata: adminWrites,
      body: ShippingMethodInput,
      responses: { 201: ShippingMethod, 400: badInput, ...denied },
    },
    listShippingMethods: {
      method: 'GET',
      path: '/shipping-methods',
      summary: 'List shipping methods',
      description: 'Every shipping method, cheapest first.',
      metadata: adminReads,
      responses: {
        200: named('ShippingMethodList', z.object({ data: z.array(ShippingMethod) }), {
          data: [exampleOf(ShippingMethod) as z.input<typeof ShippingMethod>],
        }),
        ...denied,
      },
    },
    setTaxRate: {
      method: 'PUT',
      path: '/tax-rates/:country',
      summary: 'Set the tax rate of a country',
      description: 'Exclusive tax for orders shipped there; a country without a rate is taxed at 0.',
      metadata: adminWrites,
      pathParams: z.object({ country: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code') }),
      body: TaxRateInput,
      responses: { 200: TaxRate, 400: badInput, ...denied },
    },
    listTaxRates: {
      method: 'GET',
      path: '/tax-rates',
      summary: 'List tax rates',
      description: 'By country.',
      metadata: adminReads,
      responses: {
        200: named('TaxRateList', z.object({ data: z.array(TaxRate) }), {
          data: [exampleOf(TaxRate) as z.input<typeof TaxRate>],
        }),
        ...denied,
      },
    },
  },
  { pathPrefix: '/admin' },
);
