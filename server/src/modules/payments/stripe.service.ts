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
import { Payment } from './payments.entities';
import { paymentMetrics } from './payments.metrics';
import { enqueuePaymentMail } from './payments.queue';
import { recordProviderRefund } from './refunds.service';
import { settleCapture } from './settlement';
import { providerError, stripeFor } from './stripe-client';

/** Stripe's own tolerance for a signature's timestamp. */
const SIGNATURE_TOLERANCE_SECONDS = 300;
const OPEN = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing']);

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
      intent.amount,
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
    if (OPEN.has(intent.status) && intent.amount === order.total && intent.client_secret) {
      return answer(order, intent);
    }
  }
  // Concurrent calls compute the same attempt, so Stripe's idempotency key hands both the same intent.
  const attempt = (previous?.attempt ?? 0) + 1;
  const intent = await callStripe(() =>
    stripe.paymentIntents.create(
      {
        amount: order.total,
        currency: order.currency.toLowerCase(),
        automatic_payment_methods: { enabled: true },
        metadata: { orderId: order.id, orderNumber: order.number },
        description: `Emporium order ${order.number}`,
      },
      { idempotencyKey: `payment-intent:${order.id}:${attempt}` },
    ),
  );
  await inTransaction(ctx, (tx) => rememberIntent(tx, order.id, intent, attempt));
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
      amount: intent.amount_received,
      currency: intent.currency,
    });
  }
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

async function handleEvent(tx: TxCtx, stripe: Stripe, event: Stripe.Event): Promise<boolean> {
  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed':
    case 'payment_intent.canceled': {
      // Events may arrive in any order: what counts is the intent as Stripe has it now.
      const intent = await callStripe(() => stripe.paymentIntents.retrieve(event.data.object.id));
      const orderId = orderOf(intent);
      if (!orderId) return false;
      await applyIntent(tx, orderId, intent);
      if (event.type === 'payment_intent.payment_failed' && intent.status !== 'succeeded') {
        paymentMetrics(tx.deps.metrics).payments.inc({ provider: 'stripe', outcome: 'failed' });
        await enqueuePaymentMail(tx, { template: 'payment_failed', orderId });
      }
      return true;
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      const intentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
      if (!intentId) return false;
      const intent = await callStripe(() => stripe.paymentIntents.retrieve(intentId));
      const orderId = orderOf(intent);
      if (!orderId) return false;
      // A refund may be reported before the payment's own event: settle first, so the refund has a capture.
      await applyIntent(tx, orderId, intent);
      const refunds = await callStripe(() => stripe.refunds.list({ payment_intent: intentId, limit: 100 }));
      for (const refund of refunds.data) {
        if (refund.status !== 'succeeded') continue;
        await recordProviderRefund(tx, orderId, {
          provider: 'stripe',
          providerRef: refund.id,
          amount: refund.amount,
          currency: refund.currency,
          restock: false,
        });
      }
      return true;
    }
    case 'charge.dispute.created': {
      const dispute = event.data.object;
      const intentId = typeof dispute.payment_intent === 'string' ? dispute.payment_intent : dispute.payment_intent?.id;
      if (!intentId) return false;
      const intent = await callStripe(() => stripe.paymentIntents.retrieve(intentId));
      const orderId = orderOf(intent);
      if (!orderId) return false;
      await applyIntent(tx, orderId, intent);
      await lockOrderMoney(tx, orderId);
      await recordMovement(tx, {
        orderId,
        kind: 'dispute',
        provider: 'stripe',
        providerRef: dispute.id,
        amount: dispute.amount,
        currency: dispute.currency,
      });
      await flagOrder(tx, orderId, `Disputed at Stripe (${dispute.id}, reason: ${dispute.reason}).`);
      return true;
    }
    default:
      return false;
  }
}

/**
 * Verifies the signature over the raw body, stores the event id once and handles the event in the same transaction:
 * a failure rolls both back, so Stripe's retry is handled afresh; a replay finds the id and changes nothing.
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
  return inTransaction(ctx, async (tx) => {
    const fresh = await tx.em.execute<{ event_id: string }[]>(
      `insert into webhook_events (provider, event_id, type, received_at) values ('stripe', ?, ?, now())
       on conflict do nothing returning event_id`,
      [event.id, event.type],
    );
    if (fresh.length === 0) return { received: true as const, outcome: 'duplicate' as const };
    const handled = await handleEvent(tx, stripe, event);
    return { received: true as const, outcome: handled ? ('processed' as const) : ('ignored' as const) };
  });
}
