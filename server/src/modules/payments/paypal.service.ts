/**
 * PayPal (Orders v2, intent CAPTURE): a PayPal order per Emporium order, the capture after the buyer approved, and the
 * webhook. Emporium only ever believes PayPal itself (a re-read order or capture, an event PayPal's
 * verify-webhook-signature vouches for), never the client. The PayPal order id is the `payments` row's reference; the
 * capture id is the ledger's capture reference and what refunds refund.
 */
import type { z } from 'zod';
import type { PaymentState, PaypalOrderAnswer, WebhookAnswer } from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { BadRequestError, ConflictError, NotFoundError } from '../../platform/errors';
import { inTransaction, type TxCtx } from '../../platform/unit-of-work';
import { newId } from '../../platform/columns';
import { closedUnpaid, flagOrder, orderForPayment, type PayableOrder } from '../orders';
import { lockOrderMoney, recordMovement } from './ledger';
import { Payment } from './payments.entities';
import { paymentMetrics } from './payments.metrics';
import { enqueuePaymentMail } from './payments.queue';
import { fromPaypalValue, providerAmountProblem, toPaypalValue } from './provider-amounts';
import {
  PaypalApiError,
  paypalFor,
  type PaypalCapture,
  type PaypalClient,
  type PaypalMoney,
  type PaypalOrder,
} from './paypal-client';
import { recordProviderRefund } from './refunds.service';
import { settleCapture } from './settlement';
import { firstDelivery, seenBefore } from './webhook-events';
import { providerError } from './stripe-client';

/** PayPal orders the buyer may still approve (or that wait for Emporium's capture). */
const OPEN = new Set(['CREATED', 'SAVED', 'APPROVED', 'PAYER_ACTION_REQUIRED']);
/** Captures whose money PayPal took (a refund later changes the status, not that). */
const CAPTURED = new Set(['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function callPaypal<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw providerError('PayPal', error);
  }
}

const readOrder = (paypal: PaypalClient, paypalOrderId: string) =>
  callPaypal(() => paypal.call<PaypalOrder>('GET', `/v2/checkout/orders/${encodeURIComponent(paypalOrderId)}`));

function assertPaysWithPaypal(order: PayableOrder): void {
  if (order.paymentMethod !== 'paypal') {
    throw new ConflictError('payment_method_mismatch', `Order ${order.number} is paid with ${order.paymentMethod}.`);
  }
}

async function latestPaypalOrder(ctx: Ctx, orderId: string): Promise<Payment | null> {
  return ctx.em.findOne(Payment, { orderId, provider: 'paypal' }, { orderBy: { attempt: 'desc' }, refresh: true });
}

const unitOf = (paypalOrder: PaypalOrder) => paypalOrder.purchase_units?.[0];

const minorUnits = (money: PaypalMoney) => fromPaypalValue(money.value, money.currency_code);

/** Records (or updates) what PayPal said of an order: the `payments` row keyed by the PayPal order id. */
async function rememberPaypalOrder(tx: TxCtx, orderId: string, paypalOrder: PaypalOrder, attempt?: number) {
  const unit = unitOf(paypalOrder);
  if (!unit) return;
  await tx.em.execute(
    `insert into payments (id, order_id, provider, provider_ref, attempt, amount, currency, status, created_at, updated_at)
     values (?, ?, 'paypal', ?, coalesce(?, (select coalesce(max(attempt), 0) + 1 from payments where order_id = ?)),
             ?, ?, ?, now(), now())
     on conflict (provider, provider_ref) do update set status = excluded.status, updated_at = now()`,
    [
      newId(),
      orderId,
      paypalOrder.id,
      attempt ?? null,
      orderId,
      minorUnits(unit.amount),
      unit.amount.currency_code.toUpperCase(),
      paypalOrder.status,
    ],
  );
}

/**
 * Creates the order's PayPal order for its exact amount, or answers the one still open. Concurrent calls compute the
 * same attempt, so the `PayPal-Request-Id` hands both the same PayPal order.
 */
export async function createPaypalOrder(
  ctx: AuthenticatedCtx,
  orderId: string,
): Promise<z.infer<typeof PaypalOrderAnswer>> {
  const order = await orderForPayment(ctx, orderId, ctx.actor.userId);
  assertPaysWithPaypal(order);
  if (order.status !== 'pending_payment') {
    throw new ConflictError('order_not_payable', `Order ${order.number} is ${order.status}, not awaiting payment.`);
  }
  const paypal = paypalFor(ctx.deps.config);
  const previous = await latestPaypalOrder(ctx, orderId);
  if (previous) {
    const open = await readOrder(paypal, previous.providerRef);
    const unit = unitOf(open);
    if (
      OPEN.has(open.status) &&
      unit &&
      minorUnits(unit.amount) === order.total &&
      unit.amount.currency_code.toUpperCase() === order.currency &&
      approveLink(open)
    ) {
      return answer(order, open);
    }
  }
  const unpayable = providerAmountProblem('paypal', order.total, order.currency);
  if (unpayable) throw new ConflictError('order_not_payable', unpayable);
  const attempt = (previous?.attempt ?? 0) + 1;
  const created = await callPaypal(() =>
    paypal.call<PaypalOrder>('POST', '/v2/checkout/orders', {
      requestId: `paypal-order:${order.id}:${attempt}`,
      body: {
        intent: 'CAPTURE',
        purchase_units: [
          {
            reference_id: order.id,
            custom_id: order.id,
            description: `Emporium order ${order.number}`,
            amount: { currency_code: order.currency, value: toPaypalValue(order.total, order.currency) },
          },
        ],
      },
    }),
  );
  if (!approveLink(created)) {
    throw providerError('PayPal', new Error(`PayPal order ${created.id} came without an approve link`));
  }
  await inTransaction(ctx, (tx) => rememberPaypalOrder(tx, order.id, created, attempt));
  return answer(order, created);
}

const approveLink = (paypalOrder: PaypalOrder) =>
  paypalOrder.links?.find((link) => link.rel === 'approve' || link.rel === 'payer-action')?.href;

function answer(order: PayableOrder, paypalOrder: PaypalOrder): z.infer<typeof PaypalOrderAnswer> {
  return {
    orderId: order.id,
    paypalOrderId: paypalOrder.id,
    approveUrl: approveLink(paypalOrder)!,
    amount: { amount: order.total, currency: order.currency },
  };
}

/** The captures PayPal reports on an order (one for intent CAPTURE, unless a capture was retried after a denial). */
const capturesOf = (paypalOrder: PaypalOrder): PaypalCapture[] => unitOf(paypalOrder)?.payments?.captures ?? [];

/** Applies what PayPal says of an order now: records it, and settles each capture that took money (once). */
async function applyPaypalOrder(tx: TxCtx, orderId: string, paypalOrder: PaypalOrder): Promise<void> {
  await rememberPaypalOrder(tx, orderId, paypalOrder);
  for (const capture of capturesOf(paypalOrder)) {
    if (!CAPTURED.has(capture.status)) continue;
    await settleCapture(tx, orderId, {
      provider: 'paypal',
      reference: capture.id,
      amount: minorUnits(capture.amount),
      currency: capture.amount.currency_code,
    });
  }
}

/** Captures an approved PayPal order; one already captured (by an earlier call or a retry) is read again instead. */
async function captureOnce(paypal: PaypalClient, paypalOrder: PaypalOrder): Promise<PaypalOrder> {
  if (paypalOrder.status !== 'APPROVED') return paypalOrder;
  try {
    return await paypal.call<PaypalOrder>('POST', `/v2/checkout/orders/${encodeURIComponent(paypalOrder.id)}/capture`, {
      requestId: `paypal-capture:${paypalOrder.id}`,
    });
  } catch (error) {
    if (error instanceof PaypalApiError && error.issue === 'ORDER_ALREADY_CAPTURED') {
      return readOrder(paypal, paypalOrder.id);
    }
    throw providerError('PayPal', error);
  }
}

export async function capturePaypalOrder(
  ctx: AuthenticatedCtx,
  orderId: string,
): Promise<z.infer<typeof PaymentState>> {
  const order = await orderForPayment(ctx, orderId, ctx.actor.userId);
  assertPaysWithPaypal(order);
  // A PayPal order the buyer approved takes no money until it is captured: for an order that closed unpaid
  // (cancelled, or expired at its deadline) it is never captured, rather than captured and refunded. An order that
  // closes while this call runs is still caught by settlement, which flags and refunds the capture.
  if (closedUnpaid(order)) {
    throw new ConflictError('order_not_payable', `Order ${order.number} is ${order.status}, not awaiting payment.`);
  }
  const payment = await latestPaypalOrder(ctx, orderId);
  if (!payment) {
    throw new ConflictError('payment_not_completed', `No PayPal payment was started for order ${order.number}.`);
  }
  const paypal = paypalFor(ctx.deps.config);
  const paypalOrder = await captureOnce(paypal, await readOrder(paypal, payment.providerRef));
  await inTransaction(ctx, (tx) => applyPaypalOrder(tx, orderId, paypalOrder));
  const now = await orderForPayment(ctx, orderId);
  const capture = capturesOf(paypalOrder).at(-1);
  return {
    orderId,
    orderStatus: now.status,
    provider: 'paypal',
    providerStatus: capture?.status ?? paypalOrder.status,
  };
}

// ------------------------------------------------------------------------------------------------ webhook

export interface PaypalTransmission {
  id: string | undefined;
  time: string | undefined;
  signature: string | undefined;
  certUrl: string | undefined;
  authAlgo: string | undefined;
}

interface PaypalEvent {
  id: string;
  event_type: string;
  resource: Record<string, unknown>;
}

/** The Emporium order a PayPal order pays: Emporium set it as the purchase unit's custom_id (and reference_id). */
async function emporiumOrderOf(tx: TxCtx, paypalOrder: PaypalOrder): Promise<string | undefined> {
  const unit = unitOf(paypalOrder);
  const candidate = unit?.custom_id ?? unit?.reference_id;
  if (!candidate || !UUID.test(candidate)) return undefined;
  try {
    return (await orderForPayment(tx, candidate)).id;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined; // another application's order on the same account
    throw error;
  }
}

/** A capture's PayPal order, read from PayPal (events may arrive in any order: what counts is PayPal's state now). */
async function paypalOrderOfCapture(paypal: PaypalClient, captureId: string | undefined) {
  if (!captureId) return undefined;
  const capture = await callPaypal(() =>
    paypal.call<PaypalCapture>('GET', `/v2/payments/captures/${encodeURIComponent(captureId)}`),
  );
  const paypalOrderId = capture.supplementary_data?.related_ids?.order_id;
  return paypalOrderId ? readOrder(paypal, paypalOrderId) : undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
const asMoney = (value: unknown): PaypalMoney | undefined => {
  const money = record(value);
  const currency = text(money.currency_code);
  const amount = text(money.value);
  return currency && amount ? { currency_code: currency, value: amount } : undefined;
};

/** The capture a refund belongs to: its `up` link ends in `/v2/payments/captures/{id}`. */
function refundedCaptureOf(refund: Record<string, unknown>): string | undefined {
  const links = Array.isArray(refund.links) ? (refund.links as unknown[]).map(record) : [];
  const up = links.find((link) => link.rel === 'up' && /\/captures\/[^/]+$/.test(text(link.href) ?? ''));
  return text(up?.href)?.split('/').pop();
}

/** What an event means, read from PayPal before any transaction opens (no remote call inside one). */
type PaypalFacts = { paypalOrder: PaypalOrder } & (
  | { kind: 'capture'; denied: boolean }
  | { kind: 'refund'; refundId: string; amount: PaypalMoney; completed: boolean }
  | { kind: 'dispute'; disputeId: string; amount: PaypalMoney; reason: string }
);

async function gatherFacts(paypal: PaypalClient, event: PaypalEvent): Promise<PaypalFacts | undefined> {
  const resource = event.resource;
  switch (event.event_type) {
    case 'PAYMENT.CAPTURE.COMPLETED':
    case 'PAYMENT.CAPTURE.DENIED': {
      // The resource is the capture; its PayPal order (read again from PayPal) names Emporium's order.
      const related = text(record(record(resource.supplementary_data).related_ids).order_id);
      const paypalOrder = related
        ? await readOrder(paypal, related)
        : await paypalOrderOfCapture(paypal, text(resource.id));
      return paypalOrder && { kind: 'capture', paypalOrder, denied: event.event_type === 'PAYMENT.CAPTURE.DENIED' };
    }
    case 'PAYMENT.CAPTURE.REFUNDED': {
      // The resource is the refund. It may be reported before the capture's own event: the order is settled first.
      const refundId = text(resource.id);
      const amount = asMoney(resource.amount);
      if (!refundId || !amount) return undefined;
      const paypalOrder = await paypalOrderOfCapture(paypal, refundedCaptureOf(resource));
      return (
        paypalOrder && { kind: 'refund', paypalOrder, refundId, amount, completed: resource.status === 'COMPLETED' }
      );
    }
    case 'CUSTOMER.DISPUTE.CREATED': {
      // The resource is the dispute; the disputed transaction is Emporium's capture.
      const disputeId = text(resource.dispute_id) ?? text(resource.id);
      const disputed = Array.isArray(resource.disputed_transactions)
        ? record((resource.disputed_transactions as unknown[])[0])
        : {};
      const amount = asMoney(resource.dispute_amount);
      if (!disputeId || !amount) return undefined;
      const paypalOrder = await paypalOrderOfCapture(paypal, text(disputed.seller_transaction_id));
      const reason = text(resource.reason) ?? 'unstated';
      return paypalOrder && { kind: 'dispute', paypalOrder, disputeId, amount, reason };
    }
    default:
      return undefined;
  }
}

/** Applies the facts in the event's transaction; false when the PayPal order is not one of Emporium's. */
async function applyFacts(tx: TxCtx, facts: PaypalFacts): Promise<boolean> {
  const orderId = await emporiumOrderOf(tx, facts.paypalOrder);
  if (!orderId) return false;
  await applyPaypalOrder(tx, orderId, facts.paypalOrder);
  if (facts.kind === 'capture' && facts.denied) {
    const completed = capturesOf(facts.paypalOrder).some((capture) => CAPTURED.has(capture.status));
    if (!completed) {
      paymentMetrics(tx.deps.metrics).payments.inc({ provider: 'paypal', outcome: 'failed' });
      await enqueuePaymentMail(tx, { template: 'payment_failed', orderId });
    }
  }
  if (facts.kind === 'refund' && facts.completed) {
    await recordProviderRefund(tx, orderId, {
      provider: 'paypal',
      providerRef: facts.refundId,
      amount: minorUnits(facts.amount),
      currency: facts.amount.currency_code,
      restock: false,
    });
  }
  if (facts.kind === 'dispute') {
    await lockOrderMoney(tx, orderId);
    await recordMovement(tx, {
      orderId,
      kind: 'dispute',
      provider: 'paypal',
      providerRef: facts.disputeId,
      amount: minorUnits(facts.amount),
      currency: facts.amount.currency_code,
    });
    await flagOrder(tx, orderId, `Disputed at PayPal (${facts.disputeId}, reason: ${facts.reason}).`);
  }
  return true;
}

/**
 * Asks PayPal whether it sent this event. The raw body goes into the request verbatim: PayPal checks its signature
 * over the bytes it sent, which re-serialising the parsed JSON might change.
 */
async function verifiedByPaypal(
  ctx: Ctx,
  paypal: PaypalClient,
  rawBody: Buffer | undefined,
  transmission: PaypalTransmission,
): Promise<boolean> {
  const webhookId = ctx.deps.config.PAYPAL_WEBHOOK_ID;
  const { id, time, signature, certUrl, authAlgo } = transmission;
  if (!rawBody || !webhookId || !id || !time || !signature || !certUrl || !authAlgo) return false;
  const fields = JSON.stringify({
    auth_algo: authAlgo,
    cert_url: certUrl,
    transmission_id: id,
    transmission_sig: signature,
    transmission_time: time,
    webhook_id: webhookId,
  });
  const body = `${fields.slice(0, -1)},"webhook_event":${rawBody.toString('utf8')}}`;
  try {
    const answer = await paypal.call<{ verification_status?: string }>(
      'POST',
      '/v1/notifications/verify-webhook-signature',
      { body },
    );
    return answer.verification_status === 'SUCCESS';
  } catch (error) {
    // PayPal refusing the verification request itself (a 4xx: e.g. a malformed cert URL) vouches for nothing;
    // PayPal unreachable is no verdict: 502, and PayPal delivers again later.
    if (error instanceof PaypalApiError && error.statusCode >= 400 && error.statusCode < 500) return false;
    throw providerError('PayPal', error);
  }
}

/**
 * Verifies the event with PayPal and reads what it means from PayPal, then stores its id once and applies it in one
 * transaction: a failure rolls both back, so PayPal's retry is handled afresh; a replay finds the id and changes
 * nothing.
 */
export async function receivePaypalEvent(
  ctx: Ctx,
  rawBody: Buffer | undefined,
  event: PaypalEvent,
  transmission: PaypalTransmission,
): Promise<z.infer<typeof WebhookAnswer>> {
  const paypal = paypalFor(ctx.deps.config);
  if (!(await verifiedByPaypal(ctx, paypal, rawBody, transmission))) {
    paymentMetrics(ctx.deps.metrics).webhookVerificationFailures.inc({ provider: 'paypal' });
    throw new BadRequestError('invalid_signature', 'PayPal did not verify this event.');
  }
  if (await seenBefore(ctx, 'paypal', event.id)) return { received: true, outcome: 'duplicate' };
  const facts = await gatherFacts(paypal, event);
  return inTransaction(ctx, async (tx) => {
    if (!(await firstDelivery(tx, 'paypal', event.id, event.event_type))) {
      return { received: true, outcome: 'duplicate' };
    }
    const handled = facts ? await applyFacts(tx, facts) : false;
    return { received: true, outcome: handled ? 'processed' : 'ignored' };
  });
}
