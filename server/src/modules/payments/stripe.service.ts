/**
 * Stripe: PaymentIntents for orders, the confirm call and the webhook. The browser confirms with Stripe.js; Emporium
 * only ever believes Stripe itself (a re-read intent or a signed event), never the client.
 */
import type Stripe from 'stripe';
import type { z } from 'zod';
import type { PaymentIntentAnswer, PaymentState, WebhookAnswer } from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { BadRequestError, ConflictError } from '../../platform/errors';
import { inTransaction, type TxCtx } from '../../platform/unit-of-work';
import { newId } from '../../platform/columns';
import { flagOrder, orderForPayment, type PayableOrder } from '../orders';
import { lockOrderMoney, recordMovement } from './ledger';
import { firstDelivery, seenBefore } from './webhook-events';
import { Payment } from './payments.entities';
import { paymentMetrics } from './payments.metrics';
import { enqueueIntentCancellation, enqueuePaymentMail } from './payments.queue';
import { recordProviderRefund } from './refunds.service';
import { settleCapture } from './settlement';
import { fromProviderAmount, providerAmountProblem, toProviderAmount } from './provider-amounts';
import { providerError, stripeFor } from './stripe-client';

/** Stripe's own tolerance for a signature's timestamp. */
const SIGNATURE_TOLERANCE_SECONDS = 300;
const OPEN = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing']);

/**
 * An amount Stripe gives (in its units of the currency it names) in our minor units. It throws only on an amount that
 * is no whole minor unit, which Stripe no longer makes: ISK, the one currency Stripe counts finer than ISO 4217, is
 * whole krónur only since April 2023, and every intent Emporium creates is.
 */
const fromStripe = (amount: number, currency: string) => fromProviderAmount('stripe', amount, currency);

async function callStripe<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw providerError('Stripe', error);
  }
}

function assertPaysWithStripe(order: PayableOrder): void {
  if (order.paymentMethod !== 'stripe') {
    throw new ConflictError('payment_method_mismatch', `Order ${order.number} is paid with ${order.paymentMethod}.`);
  }
}

async function latestIntent(ctx: Ctx, orderId: string): Promise<Payment | null> {
  return ctx.em.findOne(Payment, { orderId, provider: 'stripe' }, { orderBy: { attempt: 'desc' }, refresh: true });
}

/** Records (or updates) what Stripe said of an intent. */
async function rememberIntent(tx: TxCtx, orderId: string, intent: Stripe.PaymentIntent, attempt?: number) {
  await tx.em.execute(
    `insert into payments (id, order_id, provider, provider_ref, attempt, amount, currency, status, created_at, updated_at)
     values (?, ?, 'stripe', ?, coalesce(?, (select coalesce(max(attempt), 0) + 1 from payments where order_id = ?)),
             ?, ?, ?, now(), now())
     on conflict (provider, provider_ref) do update set status = excluded.status, updated_at = now()`,
    [
      newId(),
      orderId,
      intent.id,
      attempt ?? null,
      orderId,
      fromStripe(intent.amount, intent.currency),
      intent.currency.toUpperCase(),
      intent.status,
    ],
  );
}

export async function createPaymentIntent(
  ctx: AuthenticatedCtx,
  orderId: string,
): Promise<z.infer<typeof PaymentIntentAnswer>> {
  const order = await orderForPayment(ctx, orderId, ctx.actor.userId);
  assertPaysWithStripe(order);
  if (order.status !== 'pending_payment') {
    throw new ConflictError('order_not_payable', `Order ${order.number} is ${order.status}, not awaiting payment.`);
  }
  const stripe = stripeFor(ctx.deps.config);
  const previous = await latestIntent(ctx, orderId);
  if (previous) {
    const intent = await callStripe(() => stripe.paymentIntents.retrieve(previous.providerRef));
    if (intent.status === 'succeeded') {
      // Paid at Stripe but not settled here yet (the webhook is late): settle it rather than charge again.
      await inTransaction(ctx, (tx) => applyIntent(tx, orderId, intent));
      throw new ConflictError('order_not_payable', `Order ${order.number} is already paid.`);
    }
    if (OPEN.has(intent.status) && fromStripe(intent.amount, intent.currency) === order.total && intent.client_secret) {
      return answer(order, intent);
    }
  }
  const unpayable = providerAmountProblem('stripe', order.total, order.currency);
  if (unpayable) throw new ConflictError('order_not_payable', unpayable);
  // Concurrent calls compute the same attempt, so Stripe's idempotency key hands both the same intent.
  const attempt = (previous?.attempt ?? 0) + 1;
  const intent = await callStripe(() =>
    stripe.paymentIntents.create(
      {
        amount: toProviderAmount('stripe', order.total, order.currency),
        currency: order.currency.toLowerCase(),
        automatic_payment_methods: { enabled: true },
        metadata: { orderId: order.id, orderNumber: order.number },
        description: `Emporium order ${order.number}`,
      },
      { idempotencyKey: `payment-intent:${order.id}:${attempt}` },
    ),
  );
  await inTransaction(ctx, (tx) => rememberIntent(tx, order.id, intent, attempt));
  // The order may have closed while Stripe made the intent, and its cancellation job run before the intent was
  // recorded: read it again now that the intent is on record, and have the job run (again) if so.
  if ((await orderForPayment(ctx, order.id)).status !== 'pending_payment') {
    await enqueueIntentCancellation(ctx, order.id);
    throw new ConflictError('order_not_payable', `Order ${order.number} is no longer awaiting payment.`);
  }
  return answer(order, intent);
}

function answer(order: PayableOrder, intent: Stripe.PaymentIntent): z.infer<typeof PaymentIntentAnswer> {
  return {
    orderId: order.id,
    paymentIntentId: intent.id,
    clientSecret: intent.client_secret!,
    amount: { amount: order.total, currency: order.currency },
  };
}

/** Applies what Stripe says of an intent now: settles a succeeded one (once), records a failed or canceled one. */
async function applyIntent(tx: TxCtx, orderId: string, intent: Stripe.PaymentIntent): Promise<void> {
  await rememberIntent(tx, orderId, intent);
  if (intent.status === 'succeeded') {
    await settleCapture(tx, orderId, {
      provider: 'stripe',
      reference: intent.id,
      amount: fromStripe(intent.amount_received, intent.currency),
      currency: intent.currency,
    });
  }
}

/** Stripe cancels an intent in these states; 'processing' ends on its own, in success or back in the first one. */
const CANCELLABLE = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action']);

/** Cancels the intent, or reads it again when Stripe says it moved on meanwhile (charged, or being charged). */
async function cancelOrRead(stripe: Stripe, intentId: string): Promise<Stripe.PaymentIntent> {
  try {
    return await stripe.paymentIntents.cancel(intentId, { cancellation_reason: 'abandoned' });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'payment_intent_unexpected_state') throw providerError('Stripe', error);
    return callStripe(() => stripe.paymentIntents.retrieve(intentId));
  }
}

/**
 * Cancels the open intents of an order that closed unpaid (cancelled, or expired at its deadline), so that a page
 * still holding the client secret can no longer take money for it. An intent charged meanwhile is applied instead:
 * settlement finds the order closed, flags it and refunds the payment. While one is still processing the job fails
 * and runs again later (graphile-worker's backoff), until it has settled one way or the other.
 */
export async function cancelOpenIntents(ctx: Ctx, orderId: string): Promise<void> {
  const stripe = stripeFor(ctx.deps.config);
  const open = await ctx.em.find(Payment, { orderId, provider: 'stripe', status: { $in: [...OPEN] } });
  const processing: string[] = [];
  for (const payment of open) {
    const seen = await callStripe(() => stripe.paymentIntents.retrieve(payment.providerRef));
    const intent = CANCELLABLE.has(seen.status) ? await cancelOrRead(stripe, seen.id) : seen;
    await inTransaction(ctx, (tx) => applyIntent(tx, orderId, intent));
    if (intent.status === 'processing') processing.push(intent.id);
  }
  if (processing.length > 0) throw new Error(`Stripe is still processing ${processing.join(', ')}: cancel later`);
}

export async function confirmPayment(ctx: AuthenticatedCtx, orderId: string): Promise<z.infer<typeof PaymentState>> {
  const order = await orderForPayment(ctx, orderId, ctx.actor.userId);
  assertPaysWithStripe(order);
  const payment = await latestIntent(ctx, orderId);
  if (!payment) {
    throw new ConflictError('payment_not_completed', `No payment was started for order ${order.number}.`);
  }
  const intent = await callStripe(() => stripeFor(ctx.deps.config).paymentIntents.retrieve(payment.providerRef));
  await inTransaction(ctx, (tx) => applyIntent(tx, orderId, intent));
  const now = await orderForPayment(ctx, orderId);
  return { orderId, orderStatus: now.status, provider: 'stripe', providerStatus: intent.status };
}

// ------------------------------------------------------------------------------------------------ webhook

/** The intent's order: its metadata names it (set when Emporium created it); an intent of no order is not ours. */
function orderOf(intent: Stripe.PaymentIntent): string | undefined {
  return intent.metadata?.orderId;
}

/** What an event means, read from Stripe before any transaction opens (no remote call inside one). */
type StripeFacts =
  | { kind: 'intent'; orderId: string; intent: Stripe.PaymentIntent; failed: boolean }
  | { kind: 'refunds'; orderId: string; intent: Stripe.PaymentIntent; refunds: Stripe.Refund[] }
  | { kind: 'dispute'; orderId: string; intent: Stripe.PaymentIntent; dispute: Stripe.Dispute };

const idOf = (value: string | { id: string } | null | undefined) => (typeof value === 'string' ? value : value?.id);

/** Events may arrive in any order: what counts is the intent as Stripe has it now. Undefined: not Emporium's. */
async function gatherFacts(stripe: Stripe, event: Stripe.Event): Promise<StripeFacts | undefined> {
  const intentOf = async (intentId: string | undefined) => {
    if (!intentId) return undefined;
    const intent = await callStripe(() => stripe.paymentIntents.retrieve(intentId));
    const orderId = orderOf(intent);
    return orderId ? { intent, orderId } : undefined;
  };
  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed':
    case 'payment_intent.canceled': {
      const found = await intentOf(event.data.object.id);
      return found && { kind: 'intent', ...found, failed: event.type === 'payment_intent.payment_failed' };
    }
    case 'charge.refunded': {
      const found = await intentOf(idOf(event.data.object.payment_intent));
      if (!found) return undefined;
      const refunds = await callStripe(() => stripe.refunds.list({ payment_intent: found.intent.id, limit: 100 }));
      return { kind: 'refunds', ...found, refunds: refunds.data };
    }
    case 'charge.dispute.created': {
      const found = await intentOf(idOf(event.data.object.payment_intent));
      return found && { kind: 'dispute', ...found, dispute: event.data.object };
    }
    default:
      return undefined;
  }
}

/** Applies the facts in the event's transaction. The intent first: a refund or dispute needs its capture recorded. */
async function applyFacts(tx: TxCtx, facts: StripeFacts): Promise<void> {
  const { orderId, intent } = facts;
  await applyIntent(tx, orderId, intent);
  if (facts.kind === 'intent' && facts.failed && intent.status !== 'succeeded') {
    paymentMetrics(tx.deps.metrics).payments.inc({ provider: 'stripe', outcome: 'failed' });
    await enqueuePaymentMail(tx, { template: 'payment_failed', orderId });
  }
  if (facts.kind === 'refunds') {
    for (const refund of facts.refunds) {
      if (refund.status !== 'succeeded') continue;
      await recordProviderRefund(tx, orderId, {
        provider: 'stripe',
        providerRef: refund.id,
        amount: fromStripe(refund.amount, refund.currency),
        currency: refund.currency,
        restock: false,
      });
    }
  }
  if (facts.kind === 'dispute') {
    const { dispute } = facts;
    await lockOrderMoney(tx, orderId);
    await recordMovement(tx, {
      orderId,
      kind: 'dispute',
      provider: 'stripe',
      providerRef: dispute.id,
      amount: fromStripe(dispute.amount, dispute.currency),
      currency: dispute.currency,
    });
    await flagOrder(tx, orderId, `Disputed at Stripe (${dispute.id}, reason: ${dispute.reason}).`);
  }
}

/**
 * Verifies the signature over the raw body, reads what the event means from Stripe, then stores the event id once and
 * applies it in one transaction: a failure rolls both back, so Stripe's retry is handled afresh; a replay finds the id
 * and changes nothing.
 */
export async function receiveStripeEvent(
  ctx: Ctx,
  rawBody: Buffer | undefined,
  signature: string | undefined,
): Promise<z.infer<typeof WebhookAnswer>> {
  const config = ctx.deps.config;
  const stripe = stripeFor(config);
  let event: Stripe.Event;
  try {
    if (!rawBody || !signature || !config.STRIPE_WEBHOOK_SECRET) throw new Error('no signature');
    event = stripe.webhooks.constructEvent(
      rawBody,
      signature,
      config.STRIPE_WEBHOOK_SECRET,
      SIGNATURE_TOLERANCE_SECONDS,
    );
  } catch {
    paymentMetrics(ctx.deps.metrics).webhookVerificationFailures.inc({ provider: 'stripe' });
    throw new BadRequestError('invalid_signature', 'The Stripe-Signature header does not verify this body.');
  }
  if (await seenBefore(ctx, 'stripe', event.id)) return { received: true, outcome: 'duplicate' };
  const facts = await gatherFacts(stripe, event);
  return inTransaction(ctx, async (tx) => {
    if (!(await firstDelivery(tx, 'stripe', event.id, event.type))) return { received: true, outcome: 'duplicate' };
    if (facts) await applyFacts(tx, facts);
    return { received: true, outcome: facts ? 'processed' : 'ignored' };
  });
}
