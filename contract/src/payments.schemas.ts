/** Payments on the wire: provider sessions, webhooks, refunds, the transaction ledger and vendor earnings. */
import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { Id, Money, PageQuery, problemsOf, Timestamp } from './common';
import { EXAMPLE_IDS } from './examples';
import { named } from './named';
import { ORDER_STATUSES, type OrdersErrorCode } from './orders.schemas';

export const PAYMENTS_ERROR_CODES = [
  'payment_method_mismatch',
  'payment_provider_unavailable',
  'payment_provider_error',
  'payment_not_completed',
  'order_not_payable',
  'order_not_refundable',
  'refund_exceeds_captured',
  'invalid_signature',
] as const;
export type PaymentsErrorCode = (typeof PAYMENTS_ERROR_CODES)[number];
export const paymentsProblem = problemsOf<PaymentsErrorCode | OrdersErrorCode>();

/** Budgets: server/src/modules/payments/payments.rate-limits.ts. */
export const PAYMENTS_RATE_LIMIT_POLICIES = ['payments', 'webhooks', 'payments_admin'] as const;

export const PAYMENT_PROVIDERS = ['manual', 'stripe', 'paypal'] as const;
export const LEDGER_KINDS = ['capture', 'refund', 'dispute'] as const;

const ORDER_ID = '01960f6e-7a2b-7c3d-8e4f-5a6b7c8d9e0f';
const AT = '2026-03-01T12:00:00.000Z';

/**
 * Card data never reaches Emporium (PCI SAQ A): bodies are strict, so a `card`, `number` or `cvc` field is a 400.
 */
export const PaymentOrderInput = named(
  'PaymentOrderInput',
  z.object({ orderId: Id }).strict().describe("The buyer's own order"),
  { orderId: ORDER_ID },
);

export const PaymentIntentAnswer = named(
  'PaymentIntentAnswer',
  z
    .object({
      orderId: Id,
      paymentIntentId: z.string(),
      clientSecret: z.string().describe('For Stripe.js `confirmPayment` in the browser; never log or store it'),
      amount: Money,
    })
    .describe("The order's Stripe PaymentIntent (created once per attempt, then reused)"),
  {
    orderId: ORDER_ID,
    paymentIntentId: 'pi_3Pq1aB2cD3eF4gH5',
    clientSecret: 'pi_3Pq1aB2cD3eF4gH5_secret_abc123',
    amount: { amount: 4818, currency: 'USD' },
  },
);

export const PaypalOrderAnswer = named(
  'PaypalOrderAnswer',
  z
    .object({
      orderId: Id,
      paypalOrderId: z.string().describe("PayPal's order id, for the PayPal JS SDK's `createOrder` callback"),
      approveUrl: z.string().url().describe('Where the buyer approves the payment at PayPal (a redirect flow)'),
      amount: Money,
    })
    .describe("The order's PayPal order (Orders v2, intent CAPTURE; created once per attempt, then reused)"),
  {
    orderId: ORDER_ID,
    paypalOrderId: '5O190127TN364715T',
    approveUrl: 'https://www.paypal.com/checkoutnow?token=5O190127TN364715T',
    amount: { amount: 4818, currency: 'USD' },
  },
);

export const PaymentState = named(
  'PaymentState',
  z
    .object({
      orderId: Id,
      orderStatus: z.enum(ORDER_STATUSES),
      provider: z.enum(PAYMENT_PROVIDERS),
      providerStatus: z
        .string()
        .describe("The provider's own status of the payment, e.g. `succeeded` (Stripe) or `COMPLETED` (PayPal)"),
    })
    .describe('Where a payment stands after asking the provider'),
  { orderId: ORDER_ID, orderStatus: 'paid', provider: 'stripe', providerStatus: 'succeeded' },
);

export const WebhookAnswer = named(
  'WebhookAnswer',
  z
    .object({
      received: z.literal(true),
      outcome: z
        .enum(['processed', 'duplicate', 'ignored'])
        .describe('`duplicate`: this event id was handled before; `ignored`: a type Emporium does not act on'),
    })
    .describe('Acknowledges a verified provider event'),
  { received: true, outcome: 'processed' },
);

/** Stripe's event envelope; the signature over the raw body is what is trusted, not these fields. */
export const StripeEvent = named(
  'StripeEvent',
  z
    .object({
      id: z.string(),
      type: z.string(),
      // A free-form object: extendApi, since a bare z.unknown() record emits a typeless `nullable` (STACK.md).
      data: z.object({
        object: extendApi(z.record(z.string(), z.unknown()), { type: 'object', additionalProperties: true }),
      }),
    })
    .passthrough()
    .describe('A Stripe event as Stripe posts it'),
  { id: 'evt_1Pq1aB2cD3eF4gH5', type: 'payment_intent.succeeded', data: { object: { id: 'pi_3Pq1aB2cD3eF4gH5' } } },
);

/** PayPal's event envelope; PayPal's verify-webhook-signature answer is what is trusted, not these fields. */
export const PaypalEvent = named(
  'PaypalEvent',
  z
    .object({
      id: z.string().min(1).max(255),
      event_type: z.string().min(1).max(100),
      // A free-form object: extendApi, since a bare z.unknown() record emits a typeless `nullable` (STACK.md).
      resource: extendApi(z.record(z.string(), z.unknown()), { type: 'object', additionalProperties: true }),
    })
    .passthrough()
    .describe('A PayPal webhook event as PayPal posts it'),
  {
    id: 'WH-2WR32451HC0233532-67976317FL4543714',
    event_type: 'PAYMENT.CAPTURE.COMPLETED',
    resource: {
      id: '3C679366HH908993F',
      status: 'COMPLETED',
      amount: { currency_code: 'USD', value: '48.18' },
      custom_id: ORDER_ID,
      supplementary_data: { related_ids: { order_id: '5O190127TN364715T' } },
    },
  },
);

export const RefundInput = named(
  'RefundInput',
  z
    .object({
      amount: Money.describe('At most what was captured minus what was refunded'),
      reason: z.string().trim().min(1).max(500),
      restock: z.boolean().default(false).describe("Return the order's units to stock (once per order)"),
    })
    .strict(),
  { amount: { amount: 1500, currency: 'USD' }, reason: 'Damaged in transit', restock: false },
);

export const Refund = named(
  'Refund',
  z
    .object({
      id: Id,
      orderId: Id,
      provider: z.enum(PAYMENT_PROVIDERS),
      providerRefundId: z.string().nullable(),
      amount: Money,
      reason: z.string(),
      status: z.enum(['pending', 'succeeded', 'failed']),
      restocked: z.boolean(),
      orderStatus: z.enum(ORDER_STATUSES),
      createdAt: Timestamp,
    })
    .describe('A refund through the provider that took the payment'),
  {
    id: EXAMPLE_IDS.user,
    orderId: ORDER_ID,
    provider: 'stripe',
    providerRefundId: 're_3Pq1aB2cD3eF4gH5',
    amount: { amount: 1500, currency: 'USD' },
    reason: 'Damaged in transit',
    status: 'succeeded',
    restocked: false,
    orderStatus: 'partially_refunded',
    createdAt: AT,
  },
);

export const LedgerEntry = named(
  'LedgerEntry',
  z
    .object({
      id: Id,
      orderId: Id,
      kind: z.enum(LEDGER_KINDS),
      provider: z.enum(PAYMENT_PROVIDERS),
      providerReference: z
        .string()
        .describe("The provider's id of the movement (PaymentIntent, PayPal capture, refund, dispute...)"),
      amount: Money.describe('Always positive; `kind` says which way the money moved'),
      createdAt: Timestamp,
    })
    .describe('One money movement (append-only)'),
  {
    id: EXAMPLE_IDS.user,
    orderId: ORDER_ID,
    kind: 'capture',
    provider: 'stripe',
    providerReference: 'pi_3Pq1aB2cD3eF4gH5',
    amount: { amount: 4818, currency: 'USD' },
    createdAt: AT,
  },
);

export const PaymentListQuery = PageQuery.extend({
  orderId: Id.optional(),
  provider: z.enum(PAYMENT_PROVIDERS).optional(),
  kind: z.enum(LEDGER_KINDS).optional(),
  from: Timestamp.optional().describe('Created at or after'),
  to: Timestamp.optional().describe('Created before'),
}).strict();

export const OrderPayments = named(
  'OrderPayments',
  z
    .object({
      orderId: Id,
      captured: Money,
      refunded: Money,
      disputed: Money,
      balance: Money.describe('captured - refunded - disputed'),
      transactions: z.array(LedgerEntry),
    })
    .describe("An order's money, derived from the ledger"),
  {
    orderId: ORDER_ID,
    captured: { amount: 4818, currency: 'USD' },
    refunded: { amount: 1500, currency: 'USD' },
    disputed: { amount: 0, currency: 'USD' },
    balance: { amount: 3318, currency: 'USD' },
    transactions: [],
  },
);

export const EarningEntry = named(
  'EarningEntry',
  z
    .object({
      id: Id,
      vendorId: Id,
      orderId: Id,
      kind: z.enum(['sale', 'refund']),
      gross: Money.describe("The vendor's part of the money (negative for a refund)"),
      commission: Money.describe("The platform's commission (negative when a refund gives it back)"),
      net: Money.describe('gross - commission: what the vendor earns'),
      createdAt: Timestamp,
    })
    .describe("A credit or debit of a vendor's earnings"),
  {
    id: EXAMPLE_IDS.user,
    vendorId: EXAMPLE_IDS.vendor,
    orderId: ORDER_ID,
    kind: 'sale',
    gross: { amount: 4318, currency: 'USD' },
    commission: { amount: 432, currency: 'USD' },
    net: { amount: 3886, currency: 'USD' },
    createdAt: AT,
  },
);

export const VendorEarnings = named(
  'VendorEarnings',
  z
    .object({
      vendorId: Id,
      commissionRateBps: z.number().int().describe('Basis points (1000 = 10 %)'),
      balance: Money.describe('Sum of `net` over every entry'),
      data: z.array(EarningEntry),
      nextCursor: z.string().nullable(),
    })
    .describe("A vendor's balance and entries, newest first"),
  {
    vendorId: EXAMPLE_IDS.vendor,
    commissionRateBps: 1000,
    balance: { amount: 3886, currency: 'USD' },
    data: [],
    nextCursor: null,
  },
);

export const VendorBalance = named(
  'VendorBalance',
  z.object({ vendorId: Id, vendorName: z.string(), commissionRateBps: z.number().int(), balance: Money }),
  {
    vendorId: EXAMPLE_IDS.vendor,
    vendorName: 'Ada Crafts',
    commissionRateBps: 1000,
    balance: { amount: 3886, currency: 'USD' },
  },
);

export const CommissionInput = named(
  'CommissionInput',
  z.object({ rateBps: z.number().int().min(0).max(10_000).describe('Basis points: 1000 = 10 %') }).strict(),
  { rateBps: 1200 },
);

export const RECONCILIATION_DIFFERENCE_KINDS = ['capture_mismatch', 'refund_mismatch', 'provider_unreadable'] as const;

export const ReconciliationDifference = named(
  'ReconciliationDifference',
  z
    .object({
      kind: z
        .enum(RECONCILIATION_DIFFERENCE_KINDS)
        .describe(
          '`capture_mismatch`: what the provider received differs from the captures in the ledger; ' +
            "`refund_mismatch`: the provider's succeeded refunds differ from the ledger's; `provider_unreadable`: the " +
            'provider could not be asked about this payment (amounts are 0)',
        ),
      orderId: Id,
      providerReference: z.string().describe("The provider's id of the payment (a Stripe PaymentIntent)"),
      ledger: Money.describe('What the ledger holds'),
      provider: Money.describe('What the provider holds'),
      detail: z.string().describe('The movements behind the difference, for a human'),
    })
    .describe('One way the ledger and the provider disagree about a payment'),
  {
    kind: 'refund_mismatch',
    orderId: ORDER_ID,
    providerReference: 'pi_3Pq1aB2cD3eF4gH5',
    ledger: { amount: 0, currency: 'USD' },
    provider: { amount: 1500, currency: 'USD' },
    detail: 'Refunds at the provider missing from the ledger: re_3Pq1aB2cD3eF4gH5',
  },
);

export const ReconciliationRun = named(
  'ReconciliationRun',
  z
    .object({
      id: Id,
      provider: z.enum(PAYMENT_PROVIDERS),
      startedAt: Timestamp,
      finishedAt: Timestamp,
      windowDays: z.number().int().describe("The provider's payments touched in this many past days were compared"),
      checked: z.number().int().describe('How many payments were compared'),
      differences: z.array(ReconciliationDifference).describe('Empty when the ledger and the provider agree'),
    })
    .describe("One run of the daily reconciliation of the ledger with one provider's records"),
  {
    id: EXAMPLE_IDS.user,
    provider: 'stripe',
    startedAt: '2026-03-02T03:00:00.000Z',
    finishedAt: '2026-03-02T03:00:04.000Z',
    windowDays: 2,
    checked: 42,
    differences: [],
  },
);

export const ReconciliationListQuery = PageQuery.extend({
  provider: z.enum(PAYMENT_PROVIDERS).optional(),
}).strict();
