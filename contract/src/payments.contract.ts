import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { denied, Id, meta, PageQuery, page } from './common';
import {
  CommissionInput,
  LedgerEntry,
  OrderPayments,
  PaymentIntentAnswer,
  PaymentListQuery,
  PaymentOrderInput,
  PaymentState,
  paymentsProblem as problem,
  ReconciliationListQuery,
  ReconciliationRun,
  PaypalEvent,
  PaypalOrderAnswer,
  Refund,
  RefundInput,
  StripeEvent,
  VendorBalance,
  VendorEarnings,
  WebhookAnswer,
} from './payments.schemas';

const c = initContract();
const badInput = problem('validation_failed', 'malformed_json');
const byId = z.object({ id: Id });
const buyer = meta({ auth: ['customer'], rateLimit: 'payments' });
const adminReads = meta({ auth: ['admin'], rateLimit: 'payments_admin', scopes: ['orders:read'] });
const adminWrites = meta({ auth: ['admin'], rateLimit: 'payments_admin' });
/** The problems of a buyer's payment call, beside what each route adds: the provider failing or not set up here. */
const providerProblems = {
  400: badInput,
  ...denied,
  404: problem('not_found'),
  502: problem('payment_provider_error'),
  503: problem('payment_provider_unavailable'),
} as const;
/** Starting (or resuming) a payment with a provider. */
const startAnswers = { ...providerProblems, 409: problem('order_not_payable', 'payment_method_mismatch') } as const;
/** Settling an order from what its provider says. */
const settleAnswers = {
  ...providerProblems,
  409: problem('payment_method_mismatch', 'payment_not_completed'),
} as const;

/**
 * The buyer's side of payments: the client confirms with Stripe.js or approves at PayPal; Emporium never sees a card.
 */
export const paymentsContract = c.router(
  {
    createPaymentIntent: {
      method: 'POST',
      path: '/create-intent',
      summary: 'Start (or resume) paying an order with Stripe',
      description:
        "For the buyer's own `pending_payment` order placed with `paymentMethod: stripe`: creates the order's " +
        'PaymentIntent for its exact amount and currency, or returns the one already open, with its `clientSecret` ' +
        "for Stripe.js. Another customer's order is a 404; an order that is not awaiting payment is 409.",
      metadata: buyer,
      body: PaymentOrderInput,
      responses: { 200: PaymentIntentAnswer, ...startAnswers },
    },
    confirmPayment: {
      method: 'POST',
      path: '/confirm',
      summary: 'Settle an order from its provider',
      description:
        "After Stripe.js confirmed: re-reads the order's PaymentIntent from Stripe and settles the order if Stripe " +
        "says it `succeeded` (the browser's word is never enough). Racing the webhook is safe: the order is settled " +
        'once. A payment that does not match the order leaves it unpaid and flagged, and is refunded.',
      metadata: buyer,
      body: PaymentOrderInput,
      responses: { 200: PaymentState, ...settleAnswers },
    },
    createPaypalOrder: {
      method: 'POST',
      path: '/paypal/create-order',
      summary: 'Start (or resume) paying an order with PayPal',
      description:
        "For the buyer's own `pending_payment` order placed with `paymentMethod: paypal`: creates the order's PayPal " +
        'order (intent `CAPTURE`) for its exact amount and currency, or returns the one still open, with the link ' +
        "where the buyer approves it. Another customer's order is a 404; an order that is not awaiting payment is 409.",
      metadata: buyer,
      body: PaymentOrderInput,
      responses: { 200: PaypalOrderAnswer, ...startAnswers },
    },
    capturePaypalOrder: {
      method: 'POST',
      path: '/paypal/capture',
      summary: 'Capture an approved PayPal order and settle the order',
      description:
        "After the buyer approved at PayPal: captures the order's PayPal order (or re-reads it when it was captured " +
        'before) and settles the order when PayPal reports the capture `COMPLETED`. Racing the webhook is safe: the ' +
        'order is settled once. A capture that does not match the order leaves it unpaid and flagged, and is ' +
        "refunded. Not approved yet: 200 with the order still `pending_payment` and PayPal's status.",
      metadata: buyer,
      body: PaymentOrderInput,
      responses: { 200: PaymentState, ...settleAnswers },
    },
  },
  { pathPrefix: '/payments' },
);

/** Provider callbacks: public, authenticated by the provider's signature over the raw body. */
export const webhooksContract = c.router(
  {
    receiveStripeEvent: {
      method: 'POST',
      path: '/stripe',
      summary: 'Receive a Stripe event',
      description:
        'Verified with `Stripe-Signature` over the raw body (5-minute tolerance): a bad signature or an old timestamp ' +
        'is 400 and changes nothing. Each event id is handled once (a replay answers `duplicate`); handled types: ' +
        '`payment_intent.succeeded`, `payment_intent.payment_failed`, `payment_intent.canceled`, `charge.refunded`, ' +
        '`charge.dispute.created`, in any order; other types answer `ignored`.',
      metadata: meta({ auth: 'public', rateLimit: 'webhooks' }),
      headers: z.object({ 'stripe-signature': z.string().max(2000).optional() }),
      body: StripeEvent,
      responses: { 200: WebhookAnswer, 400: problem('validation_failed', 'malformed_json', 'invalid_signature') },
    },
    receivePaypalEvent: {
      method: 'POST',
      path: '/paypal',
      summary: 'Receive a PayPal event',
      description:
        "Verified by PayPal's own `verify-webhook-signature` call (the `PayPal-Transmission-*`, `PayPal-Cert-Url` and " +
        '`PayPal-Auth-Algo` headers, the raw body and `PAYPAL_WEBHOOK_ID`): an event PayPal does not vouch for is 400 ' +
        'and changes nothing. Each event id is handled once (a replay answers `duplicate`); handled types: ' +
        '`PAYMENT.CAPTURE.COMPLETED`, `PAYMENT.CAPTURE.DENIED`, `PAYMENT.CAPTURE.REFUNDED`, `CUSTOMER.DISPUTE.CREATED`, ' +
        'in any order; other types answer `ignored`.',
      metadata: meta({ auth: 'public', rateLimit: 'webhooks' }),
      headers: z.object({
        'paypal-transmission-id': z.string().max(200).optional(),
        'paypal-transmission-time': z.string().max(100).optional(),
        'paypal-transmission-sig': z.string().max(2000).optional(),
        'paypal-cert-url': z
          .string()
          .max(2000)
          .optional()
          .describe('Handed to PayPal with the rest of the event for verification; Emporium never fetches it'),
        'paypal-auth-algo': z.string().max(100).optional(),
      }),
      body: PaypalEvent,
      responses: {
        200: WebhookAnswer,
        400: problem('validation_failed', 'malformed_json', 'invalid_signature'),
        502: problem('payment_provider_error'),
        503: problem('payment_provider_unavailable'),
      },
    },
  },
  { pathPrefix: '/webhooks' },
);

/** Admins: the ledger, refunds, and vendors' earnings and commission rates. */
export const adminPaymentsContract = c.router(
  {
    listPayments: {
      method: 'GET',
      path: '/payments',
      summary: 'List money movements',
      description: 'The append-only ledger, newest first: captures, refunds and disputes with their provider ids.',
      metadata: adminReads,
      query: PaymentListQuery,
      responses: { 200: page(LedgerEntry), 400: badInput, ...denied },
    },
    listReconciliations: {
      method: 'GET',
      path: '/payments/reconciliations',
      summary: 'List reconciliation reports',
      description:
        'Newest first: each daily run compares, per provider, the payments touched in the last days (' +
        '`PAYMENTS_RECONCILIATION_DAYS`, default 2) with what the provider holds (the amount received and the ' +
        'succeeded refunds) and lists every difference with the ledger.',
      metadata: adminReads,
      query: ReconciliationListQuery,
      responses: { 200: page(ReconciliationRun), 400: badInput, ...denied },
    },
    getOrderPayments: {
      method: 'GET',
      path: '/orders/:id/payments',
      summary: "An order's money",
      description: 'Captured, refunded, disputed and balance, derived from the ledger, with its transactions.',
      metadata: adminReads,
      pathParams: byId,
      responses: { 200: OrderPayments, 400: badInput, ...denied, 404: problem('not_found') },
    },
    refundOrder: {
      method: 'POST',
      path: '/orders/:id/refunds',
      summary: 'Refund an order, fully or partly',
      description:
        'Through the provider that took the payment, with its own idempotency key. The refunds of an order never sum ' +
        'past what was captured, also under concurrent requests (422 `refund_exceeds_captured`). The order becomes ' +
        '`partially_refunded` or `refunded`; `restock` returns its units through the inventory ledger; the buyer gets ' +
        'a mail.',
      metadata: meta({ auth: ['admin'], rateLimit: 'payments_admin', idempotent: 'required' }),
      pathParams: byId,
      body: RefundInput,
      responses: {
        201: Refund,
        400: badInput,
        ...denied,
        404: problem('not_found'),
        409: problem('order_not_refundable'),
        422: problem('refund_exceeds_captured', 'currency_mismatch'),
        502: problem('payment_provider_error'),
      },
    },
    listVendorBalances: {
      method: 'GET',
      path: '/vendors/earnings',
      summary: "Every vendor's earnings balance",
      description: 'Vendors with any earnings entry, by vendor id.',
      metadata: adminReads,
      query: PageQuery,
      responses: { 200: page(VendorBalance), 400: badInput, ...denied },
    },
    setVendorCommission: {
      method: 'PUT',
      path: '/vendors/:id/commission',
      summary: "Set a vendor's commission rate",
      description: 'Applies to payments captured from now on; without one a vendor pays `PLATFORM_COMMISSION_BPS`.',
      metadata: adminWrites,
      pathParams: byId,
      body: CommissionInput,
      responses: { 200: VendorBalance, 400: badInput, ...denied, 404: problem('not_found') },
    },
  },
  { pathPrefix: '/admin' },
);

/** Vendors: their own earnings. */
export const vendorEarningsContract = c.router(
  {
    getMyEarnings: {
      method: 'GET',
      path: '/earnings',
      summary: 'My earnings',
      description:
        "The signed-in vendor's balance and entries: each captured payment's part minus commission, refunds.",
      metadata: meta({ auth: ['vendor'], rateLimit: 'payments' }),
      query: PageQuery,
      responses: { 200: VendorEarnings, 400: badInput, ...denied },
    },
  },
  { pathPrefix: '/vendor' },
);
