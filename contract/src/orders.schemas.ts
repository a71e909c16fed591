/** Commerce on the wire: carts, discounts, shipping methods, tax rates, orders and their history. */
import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import type { CatalogErrorCode } from './catalog.schemas';
import { CurrencyCode, Id, Money, PageQuery, problemsOf, Timestamp } from './common';
import { EXAMPLE_IDS } from './examples';
import { postalAddressFields } from './identity.schemas';
import { named } from './named';

/** Error codes of carts, checkout, discounts and orders (besides the platform's and the catalog's stock codes). */
export const ORDERS_ERROR_CODES = [
  'cart_full',
  'cart_empty',
  'invalid_cart_token',
  'variant_unavailable',
  'currency_mismatch',
  'discount_invalid',
  'discount_exhausted',
  'discount_code_taken',
  'shipping_unavailable',
  'order_not_cancellable',
  'invoice_unavailable',
  'payment_method_unavailable',
] as const;
export type OrdersErrorCode = (typeof ORDERS_ERROR_CODES)[number];
export const ordersProblem = problemsOf<OrdersErrorCode | CatalogErrorCode>();

/**
 * Rate-limit policies of commerce routes (budgets: server/src/modules/orders/orders.rate-limits.ts): reads are
 * generous, cart writes and checkouts are counted per caller (token or cart token) and per IP.
 */
export const ORDERS_RATE_LIMIT_POLICIES = [
  'cart_read',
  'cart_write',
  'checkout',
  'orders_read',
  'orders_write',
] as const;

export const MAX_CART_LINES = 100;
export const MAX_LINE_QUANTITY = 99;

export const Quantity = z
  .number()
  .int()
  .min(1)
  .max(MAX_LINE_QUANTITY)
  .describe(`Units of the variant, 1-${MAX_LINE_QUANTITY}`);

/** An opaque guest cart token, as answered by the first `POST /api/cart/items` of a guest. */
export const CartTokenHeader = z
  .string()
  .regex(/^[A-Za-z0-9_-]{20,100}$/, 'is not a cart token')
  .describe('The guest cart token answered as `cartToken`');

export const CartHeaders = z.object({ 'x-cart-token': CartTokenHeader.optional() });

// ---------------------------------------------------------------------------------------------------- carts

export const CartItemInput = z
  .object({ variantId: Id, quantity: Quantity })
  .strict()
  .describe('Adds units of a variant (summed with a line of the same variant, at most 99)');

export const CartItemUpdate = z.object({ quantity: Quantity }).strict();

export const DiscountCodeInput = z
  .object({
    code: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .transform((code) => code.toUpperCase()),
  })
  .strict();

export const CommerceLine = z
  .object({
    variantId: Id,
    productId: Id,
    vendorId: Id,
    name: z.string().describe('The product name'),
    sku: z.string(),
    options: extendApi(z.record(z.string(), z.string()).describe("The variant's option values"), {
      maxProperties: 3,
    }),
    quantity: z.number().int(),
    unitPrice: Money,
    lineTotal: Money,
    discount: Money,
    tax: Money,
  })
  .describe('A line of a cart or an order');

export const CartLine = CommerceLine.extend({
  id: Id,
  available: z
    .boolean()
    .describe('False when the variant was archived, unpublished or is out of stock for this quantity'),
  priceChanged: z.boolean().describe('True when the price changed since the line was added or last seen'),
}).describe('A line of a cart');

export const Totals = z.object({
  subtotal: Money,
  discountTotal: Money,
  shippingTotal: Money,
  taxTotal: Money,
  total: Money,
});

export const VendorGroup = z
  .object({
    vendorId: Id,
    lineIds: z.array(z.string()).describe("The group's lines (cart line ids, or variant ids in an order)"),
    subtotal: Money,
    shipping: Money,
    shippingMethodId: Id.nullable(),
  })
  .describe('One vendor package');

export const Cart = z
  .object({
    id: Id,
    cartToken: z
      .string()
      .optional()
      .describe('Only on the answer that created a guest cart: send it as `X-Cart-Token` from then on'),
    lines: z.array(CartLine),
    groups: z.array(VendorGroup),
    discountCode: z.string().nullable(),
    discountProblem: z
      .string()
      .nullable()
      .describe('Why the applied code gives nothing now (expired, below its minimum...); null when it applies'),
    ...Totals.shape,
    taxNote: z.string().describe('Tax is exclusive and depends on the destination: the cart shows 0 until checkout'),
    updatedAt: Timestamp,
  })
  .describe('A cart: prices are always the current ones');

// ---------------------------------------------------------------------------------------------------- checkout

export const ShippingAddress = z.object(postalAddressFields).strict().describe('A full postal address');

export const PAYMENT_METHODS = ['manual', 'stripe', 'paypal'] as const;

const checkoutFields = {
  shippingAddressId: Id.optional().describe('One of my saved addresses'),
  shippingAddress: ShippingAddress.optional(),
  shippingMethods: z
    .array(z.object({ vendorId: Id, shippingMethodId: Id }).strict())
    .max(100)
    .optional()
    .describe(
      "A shipping method per vendor package; a vendor not named gets the cheapest method of the order's currency",
    ),
  paymentMethod: z
    .enum(PAYMENT_METHODS)
    .describe(
      '`manual` (an admin marks the order paid), `stripe` (then `POST /api/payments/create-intent`) or `paypal`; a ' +
        'provider this server has no keys for is 422 `payment_method_unavailable`',
    ),
};

const oneAddress = (value: { shippingAddressId?: unknown; shippingAddress?: unknown }) =>
  (value.shippingAddressId === undefined) !== (value.shippingAddress === undefined);
const oneAddressMessage = {
  message: 'give exactly one of shippingAddressId and shippingAddress',
  path: ['shippingAddress'],
};

export const CheckoutInput = z.object(checkoutFields).strict().refine(oneAddress, oneAddressMessage);

export const CreateOrderInput = z
  .object({
    ...checkoutFields,
    lines: z
      .array(z.object({ variantId: Id, quantity: Quantity }).strict())
      .min(1)
      .max(MAX_CART_LINES)
      .describe('The lines to buy; each variant at most once'),
    discountCode: z.string().trim().min(1).max(40).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (!oneAddress(value)) ctx.addIssue({ code: z.ZodIssueCode.custom, ...oneAddressMessage });
    if (new Set(value.lines.map((line) => line.variantId)).size !== value.lines.length) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'each variant at most once', path: ['lines'] });
    }
  });

// ---------------------------------------------------------------------------------------------------- orders

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'processing',
  'shipped',
  'delivered',
  'cancelled',
  'expired',
  'partially_refunded',
  'refunded',
] as const;
export const OrderStatus = z
  .enum(ORDER_STATUSES)
  .describe(
    'pending_payment -> paid -> processing -> shipped -> delivered; cancelled; expired (unpaid at the deadline)',
  );
export type OrderStatus = z.infer<typeof OrderStatus>;

export const OrderAddress = z.object({
  fullName: z.string(),
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  region: z.string().nullable(),
  postalCode: z.string(),
  country: z.string(),
  phone: z.string().nullable(),
});

export const OrderHistoryEntry = z
  .object({
    at: Timestamp,
    from: OrderStatus.nullable(),
    to: OrderStatus,
    partId: Id.nullable().describe("Set when the change was one vendor part's"),
    actorId: Id.nullable().describe('Who made the change; null for the system (e.g. expiry)'),
    actorRole: z.enum(['customer', 'vendor', 'admin', 'system']),
    note: z.string().nullable(),
  })
  .describe('One transition of an order or one of its parts');

export const OrderPart = z
  .object({
    id: Id,
    vendorId: Id,
    status: OrderStatus,
    lines: z.array(CommerceLine),
    shippingMethodId: Id.nullable(),
    shippingMethodName: z.string(),
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
    ...Totals.shape,
  })
  .describe("One vendor's part of an order, fulfilled by that vendor");

export const Order = z
  .object({
    id: Id,
    number: z.string().describe('Human-readable and sequential, e.g. EMP-000123'),
    customerId: Id,
    status: OrderStatus,
    currency: CurrencyCode,
    paymentMethod: z.enum(PAYMENT_METHODS),
    paymentDeadline: Timestamp.nullable().describe('An unpaid order expires then'),
    shippingAddress: OrderAddress,
    discountCode: z.string().nullable(),
    parts: z.array(OrderPart),
    ...Totals.shape,
    history: z.array(OrderHistoryEntry),
    paidAt: Timestamp.nullable(),
    invoiceNumber: z
      .string()
      .nullable()
      .describe('Issued when the order is paid (gapless per year, e.g. INV-2026-000042); the PDF is at /invoice'),
    flagReason: z
      .string()
      .nullable()
      .describe('Why an admin should look at the order, e.g. a payment that did not match its total'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .describe('An order: snapshots of what was bought, at the prices of the moment');

export const InvoicePending = z
  .object({
    invoiceNumber: z.string(),
    status: z.literal('generating'),
    retryAfterSeconds: z.number().int().min(1),
  })
  .describe('The invoice is numbered and its PDF is being made: ask again after `Retry-After` seconds');

export const OrderSummary = z
  .object({
    id: Id,
    number: z.string(),
    customerId: Id,
    status: OrderStatus,
    total: Money,
    itemCount: z.number().int(),
    vendorIds: z.array(Id),
    createdAt: Timestamp,
  })
  .describe('An order in a list');

export const VendorOrder = z
  .object({
    orderId: Id,
    number: z.string(),
    status: OrderStatus.describe("The order's status"),
    shippingAddress: OrderAddress,
    part: OrderPart,
    createdAt: Timestamp,
  })
  .describe("A vendor's view of an order: its own part only");

export const OrderListQuery = PageQuery.extend({ status: OrderStatus.optional() }).strict();

const dateQuery = z.string().datetime();
const amountQuery = z.coerce.number().int().min(0).max(1_000_000_000_000);

export const AdminOrderQuery = PageQuery.extend({
  status: OrderStatus.optional(),
  vendorId: Id.optional().describe('Orders with a part of this vendor'),
  customerId: Id.optional(),
  from: dateQuery.optional().describe('Placed at or after'),
  to: dateQuery.optional().describe('Placed before'),
  minTotal: amountQuery.optional().describe('Minor units'),
  maxTotal: amountQuery.optional().describe('Minor units'),
  q: z.string().trim().min(1).max(254).optional().describe("An order number (EMP-000123) or the customer's email"),
}).strict();

export const VendorFulfilmentInput = z
  .object({
    status: z.enum(['processing', 'shipped', 'delivered']),
    carrier: z.string().trim().min(1).max(60).optional(),
    trackingNumber: z.string().trim().min(1).max(100).optional(),
    note: z.string().trim().max(500).optional(),
  })
  .strict()
  .refine((value) => value.status !== 'shipped' || value.trackingNumber !== undefined, {
    message: 'a shipment needs a trackingNumber',
    path: ['trackingNumber'],
  });

export const AdminStatusInput = z
  .object({
    status: z.enum(['paid', 'processing', 'shipped', 'delivered', 'cancelled']),
    note: z.string().trim().max(500).optional(),
  })
  .strict();

export const CancelInput = z.object({ reason: z.string().trim().max(500).optional() }).strict();

// ---------------------------------------------------------------------------------------------------- discounts

export const DISCOUNT_KINDS = ['percentage', 'fixed'] as const;

export const DiscountInput = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{3,40}$/, '3-40 letters, digits, dashes or underscores')
      .transform((code) => code.toUpperCase()),
    kind: z.enum(DISCOUNT_KINDS),
    percentOff: z.number().int().min(1).max(100).optional().describe('For `percentage`: whole percent off each line'),
    amountOff: Money.optional(),
    minSubtotal: Money.optional(),
    startsAt: z.string().datetime().optional(),
    endsAt: z.string().datetime().optional(),
    usageLimit: z.number().int().min(1).max(10_000_000).optional().describe('Total uses; unlimited when omitted'),
    perCustomerLimit: z.number().int().min(1).max(1000).optional(),
    vendorId: Id.optional().describe("Only this vendor's lines are discounted"),
    categoryId: Id.optional().describe('Only lines of products directly in this category are discounted'),
  })
  .strict()
  .superRefine((value, ctx) => {
    if ((value.kind === 'percentage') !== (value.percentOff !== undefined)) {
      const message = 'percentOff is required for percentage codes and only for them';
      ctx.addIssue({ code: z.ZodIssueCode.custom, message, path: ['percentOff'] });
    }
    if ((value.kind === 'fixed') !== (value.amountOff !== undefined)) {
      const message = 'amountOff is required for fixed codes and only for them';
      ctx.addIssue({ code: z.ZodIssueCode.custom, message, path: ['amountOff'] });
    }
  });

export const Discount = z
  .object({
    id: Id,
    code: z.string(),
    kind: z.enum(DISCOUNT_KINDS),
    percentOff: z.number().int().nullable(),
    amountOff: Money.nullable(),
    minSubtotal: Money.nullable(),
    startsAt: Timestamp.nullable(),
    endsAt: Timestamp.nullable(),
    usageLimit: z.number().int().nullable(),
    perCustomerLimit: z.number().int().nullable(),
    uses: z.number().int().describe('Uses by placed orders not cancelled before payment'),
    vendorId: Id.nullable(),
    categoryId: Id.nullable(),
    disabled: z.boolean(),
    createdAt: Timestamp,
  })
  .describe('A discount code');

// ---------------------------------------------------------------------------------------------------- shipping, tax

export const ShippingMethodInput = z
  .object({
    name: z.string().trim().min(1).max(80),
    rate: Money,
    freeOver: Money.optional(),
  })
  .strict();

export const ShippingMethod = z
  .object({
    id: Id,
    name: z.string(),
    rate: Money,
    freeOver: Money.nullable(),
    active: z.boolean(),
    createdAt: Timestamp,
  })
  .describe('A shipping method');

export const TaxRateInput = z
  .object({ rateBps: z.number().int().min(0).max(10_000).describe('Basis points: 2000 = 20 %') })
  .strict();

export const TaxRate = z
  .object({ country: z.string(), rateBps: z.number().int(), updatedAt: Timestamp })
  .describe('The exclusive tax rate of a destination country');

// ---------------------------------------------------------------------------------------------------- OpenAPI names

const EXAMPLE_AT = '2026-03-01T12:00:00.000Z';
const ORDER_ID = '0190a6f2-aa01-7b02-8c03-9d04e5f6a7b8';
const PART_ID = '0190a6f2-aa11-7b12-8c13-9d14e5f6a7b8';
const LINE_ID = '0190a6f2-aa21-7b22-8c23-9d24e5f6a7b8';
const SHIPPING_ID = '0190a6f2-aa31-7b32-8c33-9d34e5f6a7b8';
const DISCOUNT_ID = '0190a6f2-aa41-7b42-8c43-9d44e5f6a7b8';
const usd = (amount: number) => ({ amount, currency: 'USD' });
const ADDRESS = {
  fullName: 'Ada Lovelace',
  line1: '12 St James Square',
  line2: null,
  city: 'London',
  region: null,
  postalCode: 'SW1Y 4JH',
  country: 'GB',
  phone: null,
};
const LINE = {
  variantId: EXAMPLE_IDS.variant,
  productId: EXAMPLE_IDS.product,
  vendorId: EXAMPLE_IDS.vendor,
  name: 'Linen Shirt',
  sku: 'SHIRT-M-BLUE',
  options: { size: 'M', colour: 'blue' },
  quantity: 2,
  unitPrice: usd(1999),
  lineTotal: usd(3998),
  discount: usd(400),
  tax: usd(720),
};
const TOTALS = {
  subtotal: usd(3998),
  discountTotal: usd(400),
  shippingTotal: usd(500),
  taxTotal: usd(720),
  total: usd(4818),
};
const PART = {
  id: PART_ID,
  vendorId: EXAMPLE_IDS.vendor,
  status: 'pending_payment' as const,
  lines: [LINE],
  shippingMethodId: SHIPPING_ID,
  shippingMethodName: 'Standard',
  carrier: null,
  trackingNumber: null,
  ...TOTALS,
};

named('CommerceLine', CommerceLine, LINE);
named('VendorGroup', VendorGroup, {
  vendorId: EXAMPLE_IDS.vendor,
  lineIds: [LINE_ID],
  subtotal: usd(3998),
  shipping: usd(500),
  shippingMethodId: SHIPPING_ID,
});
named('OrderAddress', OrderAddress, ADDRESS);
named('ShippingAddress', ShippingAddress, {
  fullName: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
});
named('OrderHistoryEntry', OrderHistoryEntry, {
  at: EXAMPLE_AT,
  from: 'pending_payment',
  to: 'paid',
  partId: null,
  actorId: EXAMPLE_IDS.admin,
  actorRole: 'admin',
  note: 'Bank transfer received',
});
named('OrderStatus', OrderStatus, 'paid');
named('CartItemInput', CartItemInput, { variantId: EXAMPLE_IDS.variant, quantity: 2 });
named('CartItemUpdate', CartItemUpdate, { quantity: 3 });
named('DiscountCodeInput', DiscountCodeInput, { code: 'SPRING10' });
named('CartLine', CartLine, { ...LINE, id: LINE_ID, available: true, priceChanged: false });
named('Cart', Cart, {
  id: '0190a6f2-aa51-7b52-8c53-9d54e5f6a7b8',
  lines: [{ ...LINE, id: LINE_ID, available: true, priceChanged: false, tax: usd(0) }],
  groups: [
    {
      vendorId: EXAMPLE_IDS.vendor,
      lineIds: [LINE_ID],
      subtotal: usd(3998),
      shipping: usd(500),
      shippingMethodId: null,
    },
  ],
  discountCode: 'SPRING10',
  discountProblem: null,
  ...TOTALS,
  taxTotal: usd(0),
  total: usd(4098),
  taxNote: 'Tax depends on the destination: it is added at checkout.',
  updatedAt: EXAMPLE_AT,
});
named('CheckoutInput', CheckoutInput, {
  shippingAddressId: EXAMPLE_IDS.address,
  shippingMethods: [{ vendorId: EXAMPLE_IDS.vendor, shippingMethodId: SHIPPING_ID }],
  paymentMethod: 'manual',
});
named('CreateOrderInput', CreateOrderInput, {
  lines: [{ variantId: EXAMPLE_IDS.variant, quantity: 2 }],
  shippingAddress: {
    fullName: 'Ada Lovelace',
    line1: '12 St James Square',
    city: 'London',
    postalCode: 'SW1Y 4JH',
    country: 'GB',
  },
  paymentMethod: 'manual',
});
named('OrderPart', OrderPart, PART);
named('Order', Order, {
  id: ORDER_ID,
  number: 'EMP-000123',
  customerId: EXAMPLE_IDS.user,
  status: 'paid',
  currency: 'USD',
  paymentMethod: 'manual',
  paymentDeadline: '2026-03-01T12:15:00.000Z',
  shippingAddress: ADDRESS,
  discountCode: 'SPRING10',
  parts: [{ ...PART, status: 'paid' }],
  ...TOTALS,
  history: [
    {
      at: EXAMPLE_AT,
      from: 'pending_payment',
      to: 'paid',
      partId: null,
      actorId: EXAMPLE_IDS.admin,
      actorRole: 'admin',
      note: 'Bank transfer received',
    },
  ],
  paidAt: EXAMPLE_AT,
  invoiceNumber: 'INV-2026-000042',
  flagReason: null,
  createdAt: EXAMPLE_AT,
  updatedAt: EXAMPLE_AT,
});
named('InvoicePending', InvoicePending, {
  invoiceNumber: 'INV-2026-000042',
  status: 'generating',
  retryAfterSeconds: 2,
});
named('OrderSummary', OrderSummary, {
  id: ORDER_ID,
  number: 'EMP-000123',
  customerId: EXAMPLE_IDS.user,
  status: 'pending_payment',
  total: usd(4818),
  itemCount: 2,
  vendorIds: [EXAMPLE_IDS.vendor],
  createdAt: EXAMPLE_AT,
});
named('VendorOrder', VendorOrder, {
  orderId: ORDER_ID,
  number: 'EMP-000123',
  status: 'paid',
  shippingAddress: ADDRESS,
  part: { ...PART, status: 'paid' },
  createdAt: EXAMPLE_AT,
});
named('VendorFulfilmentInput', VendorFulfilmentInput, {
  status: 'shipped',
  carrier: 'Royal Mail',
  trackingNumber: 'RM123456789GB',
});
named('AdminStatusInput', AdminStatusInput, { status: 'paid', note: 'Bank transfer received' });
named('CancelInput', CancelInput, { reason: 'Ordered the wrong size' });
named('DiscountInput', DiscountInput, { code: 'SPRING10', kind: 'percentage', percentOff: 10, usageLimit: 500 });
named('Discount', Discount, {
  id: DISCOUNT_ID,
  code: 'SPRING10',
  kind: 'fixed',
  percentOff: null,
  amountOff: usd(500),
  minSubtotal: usd(2500),
  startsAt: null,
  endsAt: null,
  usageLimit: 500,
  perCustomerLimit: null,
  uses: 42,
  vendorId: null,
  categoryId: null,
  disabled: false,
  createdAt: EXAMPLE_AT,
});
named('ShippingMethodInput', ShippingMethodInput, { name: 'Standard', rate: usd(500), freeOver: usd(5000) });
named('ShippingMethod', ShippingMethod, {
  id: SHIPPING_ID,
  name: 'Standard',
  rate: usd(500),
  freeOver: usd(5000),
  active: true,
  createdAt: EXAMPLE_AT,
});
named('TaxRateInput', TaxRateInput, { rateBps: 2000 });
named('TaxRate', TaxRate, { country: 'GB', rateBps: 2000, updatedAt: EXAMPLE_AT });
