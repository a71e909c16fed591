/**
 * Commerce data. As elsewhere, relations are plain id columns; the checkout and the order reads are explicit,
 * index-backed statements (orders.sql.ts), and the entities serve the simple reads and writes.
 */
import { defineEntity, p } from '@mikro-orm/core';
import { DISCOUNT_KINDS, ORDER_STATUSES, PAYMENT_METHODS } from '@emporium/contract';
import { createdAtColumn, idColumn, updatedAtColumn } from '../../platform/columns';
import type { PostalAddress } from '../identity';

export const CartSchema = defineEntity({
  name: 'Cart',
  tableName: 'carts',
  properties: {
    id: idColumn(),
    userId: p.uuid().nullable().unique(),
    /** SHA-256 of a guest cart's token; the token itself is only ever in the client's hands. */
    tokenHash: p.string().length(64).nullable().unique(),
    discountCode: p.string().length(40).nullable(),
    mergedAt: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class Cart extends CartSchema.class {}
CartSchema.setClass(Cart);

export const CartLineSchema = defineEntity({
  name: 'CartLine',
  tableName: 'cart_lines',
  properties: {
    id: idColumn(),
    cartId: p.uuid(),
    variantId: p.uuid(),
    quantity: p.integer(),
    /** The unit price the customer last saw: a different current price flags the line. */
    seenUnitPrice: p.integer(),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class CartLine extends CartLineSchema.class {}
CartLineSchema.setClass(CartLine);

export const DiscountSchema = defineEntity({
  name: 'Discount',
  tableName: 'discounts',
  properties: {
    id: idColumn(),
    code: p.string().length(40).unique(),
    kind: p.enum(DISCOUNT_KINDS),
    percentOff: p.integer().nullable(),
    amountOff: p.integer().nullable(),
    currency: p.string().length(3).nullable(),
    minSubtotal: p.integer().nullable(),
    startsAt: p.datetime().nullable(),
    endsAt: p.datetime().nullable(),
    usageLimit: p.integer().nullable(),
    perCustomerLimit: p.integer().nullable(),
    uses: p.integer().default(0),
    vendorId: p.uuid().nullable(),
    categoryId: p.uuid().nullable(),
    disabledAt: p.datetime().nullable(),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class Discount extends DiscountSchema.class {}
DiscountSchema.setClass(Discount);

export const DiscountRedemptionSchema = defineEntity({
  name: 'DiscountRedemption',
  tableName: 'discount_redemptions',
  properties: {
    id: idColumn(),
    discountId: p.uuid(),
    customerId: p.uuid(),
    orderId: p.uuid().unique(),
    releasedAt: p.datetime().nullable(),
    createdAt: createdAtColumn(),
  },
});
export class DiscountRedemption extends DiscountRedemptionSchema.class {}
DiscountRedemptionSchema.setClass(DiscountRedemption);

export const ShippingMethodSchema = defineEntity({
  name: 'ShippingMethod',
  tableName: 'shipping_methods',
  properties: {
    id: idColumn(),
    name: p.string().length(80),
    rate: p.integer(),
    freeOver: p.integer().nullable(),
    currency: p.string().length(3),
    active: p.boolean().default(true),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class ShippingMethod extends ShippingMethodSchema.class {}
ShippingMethodSchema.setClass(ShippingMethod);

export const TaxRateSchema = defineEntity({
  name: 'TaxRate',
  tableName: 'tax_rates',
  properties: {
    country: p.string().length(2).primary(),
    rateBps: p.integer(),
    updatedAt: updatedAtColumn(),
  },
});
export class TaxRate extends TaxRateSchema.class {}
TaxRateSchema.setClass(TaxRate);

/** The address as it was when the order was placed (identity's shape of a postal address). */
export type OrderAddressSnapshot = PostalAddress;

export const OrderSchema = defineEntity({
  name: 'Order',
  tableName: 'orders',
  properties: {
    id: idColumn(),
    number: p.string().length(20).unique(),
    customerId: p.uuid(),
    status: p.enum(ORDER_STATUSES),
    currency: p.string().length(3),
    subtotal: p.integer(),
    discountTotal: p.integer(),
    shippingTotal: p.integer(),
    taxTotal: p.integer(),
    total: p.integer(),
    discountId: p.uuid().nullable(),
    discountCode: p.string().length(40).nullable(),
    shippingAddress: p.json<OrderAddressSnapshot>(),
    paymentMethod: p.enum(PAYMENT_METHODS),
    paymentDeadline: p.datetime().nullable(),
    paidAt: p.datetime().nullable(),
    /** Why an admin should look at it (a payment that did not match); set by payments. */
    flagReason: p.string().length(300).nullable(),
    /** When a refund returned its units to stock (once per order). */
    restockedAt: p.datetime().nullable(),
    idempotencyKey: p.string().length(255),
    requestHash: p.string().length(64),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class Order extends OrderSchema.class {}
OrderSchema.setClass(Order);

export const OrderPartSchema = defineEntity({
  name: 'OrderPart',
  tableName: 'order_parts',
  properties: {
    id: idColumn(),
    orderId: p.uuid(),
    vendorId: p.uuid(),
    status: p.enum(ORDER_STATUSES),
    shippingMethodId: p.uuid().nullable(),
    shippingMethodName: p.string().length(80),
    subtotal: p.integer(),
    discountTotal: p.integer(),
    shippingTotal: p.integer(),
    taxTotal: p.integer(),
    total: p.integer(),
    carrier: p.string().length(60).nullable(),
    trackingNumber: p.string().length(100).nullable(),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class OrderPart extends OrderPartSchema.class {}
OrderPartSchema.setClass(OrderPart);

export const OrderLineSchema = defineEntity({
  name: 'OrderLine',
  tableName: 'order_lines',
  properties: {
    id: idColumn(),
    orderId: p.uuid(),
    partId: p.uuid(),
    variantId: p.uuid(),
    productId: p.uuid(),
    vendorId: p.uuid(),
    productName: p.string().length(200),
    sku: p.string().length(64),
    options: p.json<Record<string, string>>(),
    quantity: p.integer(),
    unitPrice: p.integer(),
    lineSubtotal: p.integer(),
    discount: p.integer(),
    tax: p.integer(),
    position: p.integer(),
  },
});
export class OrderLine extends OrderLineSchema.class {}
OrderLineSchema.setClass(OrderLine);

export const ACTOR_ROLES = ['customer', 'vendor', 'admin', 'system'] as const;

export const OrderHistorySchema = defineEntity({
  name: 'OrderHistory',
  tableName: 'order_history',
  properties: {
    id: idColumn(),
    orderId: p.uuid(),
    partId: p.uuid().nullable(),
    fromStatus: p.enum(ORDER_STATUSES).nullable(),
    toStatus: p.enum(ORDER_STATUSES),
    actorId: p.uuid().nullable(),
    actorRole: p.enum(ACTOR_ROLES),
    note: p.string().length(500).nullable(),
    createdAt: createdAtColumn(),
  },
});
export class OrderHistory extends OrderHistorySchema.class {}
OrderHistorySchema.setClass(OrderHistory);

/** A paid order's invoice: its gapless number (invoices.ts) and, once the job has made it, where its PDF is kept. */
export const InvoiceSchema = defineEntity({
  name: 'Invoice',
  tableName: 'invoices',
  properties: {
    id: idColumn(),
    orderId: p.uuid().unique(),
    number: p.string().length(20).unique(),
    year: p.integer(),
    sequence: p.integer(),
    issuedAt: p.datetime(),
    storageKey: p.string().length(200).nullable(),
    renderedAt: p.datetime().nullable(),
  },
});
export class Invoice extends InvoiceSchema.class {}
InvoiceSchema.setClass(Invoice);

export const ordersEntities = [
  Cart,
  CartLine,
  Discount,
  DiscountRedemption,
  ShippingMethod,
  TaxRate,
  Order,
  OrderPart,
  OrderLine,
  OrderHistory,
  Invoice,
];
