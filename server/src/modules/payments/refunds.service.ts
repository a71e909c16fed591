/**
 * Refunds, in three steps so that no provider call happens inside a transaction and concurrent refunds can never sum
 * past the capture:
 * 1. reserve: under the order's money lock, check what is left (captured - refunded - pending) and insert the refund
 *    as `pending`, which counts against what is left until it ends;
 * 2. ask the provider, with the refund's id as its idempotency key (a retry never refunds twice);
 * 3. record: the ledger row (unique per provider refund id, so the `charge.refunded` or `PAYMENT.CAPTURE.REFUNDED`
 *    webhook adds nothing), the vendors' debit, the order's status, the optional restock, the buyer's mail.
 * A provider refusal marks the refund failed (releasing its reservation) and answers 502.
 */
import type { z } from 'zod';
import type { Refund as RefundDto, RefundInput } from '@emporium/contract';
import type { Ctx } from '../../platform/context';
import { ConflictError, UnprocessableError, ValidationError } from '../../platform/errors';
import { inTransaction, type TxCtx } from '../../platform/unit-of-work';
import { orderForPayment, recordOrderRefund, restockOrder } from '../orders';
import { debitVendors, lockOrderMoney, orderMoney, recordMovement, type Provider } from './ledger';
import { PaymentTransaction, Refund } from './payments.entities';
import { paymentsAudit } from './payments.audit';
import { paymentMetrics } from './payments.metrics';
import { enqueuePaymentMail, enqueueRefundRetry } from './payments.queue';
import { PaypalApiError, paypalFor, type PaypalRefund } from './paypal-client';
import { providerAmountProblem, toPaypalValue, toProviderAmount } from './provider-amounts';
import { providerError, stripeFor } from './stripe-client';

const REFUNDABLE = ['paid', 'processing', 'shipped', 'delivered', 'partially_refunded'];

export interface RefundRequest {
  amount: number;
  currency: string;
  reason: string;
  restock: boolean;
  /** Refund this capture (an automatic refund of one payment); unset: the order's first capture. */
  captureRef?: string | undefined;
  /** Admins may refund only orders in a refundable status; automatic refunds also refund unpaid orders' payments. */
  automatic: boolean;
}

function toRefundDto(refund: Refund, orderStatus: string): z.infer<typeof RefundDto> {
  return {
    id: refund.id,
    orderId: refund.orderId,
    provider: refund.provider,
    providerRefundId: refund.providerRef ?? null,
    amount: { amount: refund.amount, currency: refund.currency },
    reason: refund.reason,
    status: refund.status,
    restocked: refund.restock,
    orderStatus: orderStatus as z.infer<typeof RefundDto>['orderStatus'],
    createdAt: refund.createdAt.toISOString(),
  };
}

async function reserve(ctx: Ctx, orderId: string, request: RefundRequest): Promise<Refund> {
  return inTransaction(ctx, async (tx) => {
    await lockOrderMoney(tx, orderId);
    const order = await orderForPayment(tx, orderId);
    if (!request.automatic && !REFUNDABLE.includes(order.status)) {
      throw new ConflictError('order_not_refundable', `An order that is ${order.status} cannot be refunded.`);
    }
    if (request.currency !== order.currency) {
      throw new UnprocessableError('currency_mismatch', `The order was paid in ${order.currency}.`);
    }
    const captures = await tx.em.find(
      PaymentTransaction,
      { orderId, kind: 'capture', ...(request.captureRef ? { providerRef: request.captureRef } : {}) },
      { orderBy: { id: 'asc' } },
    );
    const capture = captures[0];
    const money = await orderMoney(tx, orderId);
    const left = money.captured - money.refunded - money.pending;
    if (!capture || request.amount > left) {
      throw new UnprocessableError(
        'refund_exceeds_captured',
        `At most ${Math.max(left, 0)} ${order.currency} minor units of this order can still be refunded.`,
      );
    }
    const unrefundable =
      capture.provider !== 'manual' && providerAmountProblem(capture.provider, request.amount, order.currency);
    if (unrefundable) {
      throw new ValidationError([{ path: 'body.amount', message: unrefundable, code: 'invalid_amount' }]);
    }
    const refund = tx.em.create(Refund, {
      orderId,
      provider: capture.provider,
      captureRef: capture.providerRef,
      providerRef: null,
      amount: request.amount,
      currency: order.currency,
      reason: request.reason,
      status: 'pending',
      restock: request.restock,
      requestedBy: tx.actor?.userId ?? null,
    });
    tx.em.persist(refund);
    paymentsAudit.record(tx, {
      action: request.automatic ? 'refund.automatic' : 'refund.requested',
      targetId: orderId,
      details: { refundId: refund.id, amount: request.amount, currency: order.currency, reason: request.reason },
    });
    await tx.em.flush();
    return refund;
  });
}

/** Asks the provider that took the payment; `manual` payments are paid back outside Emporium. */
async function askProvider(ctx: Ctx, refund: Refund): Promise<string> {
  const provider: Provider = refund.provider;
  if (provider === 'manual') return `manual:${refund.id}`;
  if (provider === 'stripe') {
    const answer = await stripeFor(ctx.deps.config).refunds.create(
      {
        payment_intent: refund.captureRef,
        amount: toProviderAmount('stripe', refund.amount, refund.currency),
        metadata: { orderId: refund.orderId, refundId: refund.id },
      },
      { idempotencyKey: `refund:${refund.id}` },
    );
    return answer.id;
  }
  if (provider === 'paypal') {
    // PayPal refunds a capture; the refund's own id is the request id, so a retry gets the same refund back.
    const answer = await paypalFor(ctx.deps.config).call<PaypalRefund>(
      'POST',
      `/v2/payments/captures/${encodeURIComponent(refund.captureRef)}/refund`,
      {
        requestId: refund.id,
        body: {
          amount: { value: toPaypalValue(refund.amount, refund.currency), currency_code: refund.currency },
          custom_id: refund.orderId,
        },
      },
    );
    if (answer.status === 'FAILED' || answer.status === 'CANCELLED') {
      throw new PaypalApiError(422, answer.status, `PayPal refund ${answer.id} is ${answer.status}`);
    }
    return answer.id;
  }
  const unknown: never = provider;
  throw new Error(`no refund path for provider ${String(unknown)}`);
}

/**
 * Step 3, also used by the `charge.refunded` and `PAYMENT.CAPTURE.REFUNDED` webhooks for refunds made at the provider:
 * idempotent per refund id.
 */
export async function recordProviderRefund(
  tx: TxCtx,
  orderId: string,
  refund: { provider: Provider; providerRef: string; amount: number; currency: string; restock: boolean },
): Promise<string | undefined> {
  await lockOrderMoney(tx, orderId);
  const recorded = await recordMovement(tx, {
    orderId,
    kind: 'refund',
    provider: refund.provider,
    providerRef: refund.providerRef,
    amount: refund.amount,
    currency: refund.currency,
  });
  if (!recorded) return undefined;
  await debitVendors(tx, orderId, refund.amount, refund.providerRef);
  const money = await orderMoney(tx, orderId);
  const status = await recordOrderRefund(tx, orderId, {
    refunded: money.refunded,
    captured: money.captured,
    note: `${refund.provider} refund ${refund.providerRef}`,
  });
  if (refund.restock) await restockOrder(tx, orderId);
  paymentMetrics(tx.deps.metrics).refundedMinorUnits.inc(
    { provider: refund.provider, currency: refund.currency },
    refund.amount,
  );
  await enqueuePaymentMail(tx, { template: 'refund_made', orderId, amount: refund.amount });
  return status;
}

/** A refusal the provider will repeat (a 4xx): the refund can be marked failed. Anything else may have happened. */
function isDefiniteRefusal(error: unknown): boolean {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 409 && status !== 429;
}

/**
 * Steps 2 and 3 for a pending refund. When the provider's answer is unknown (a timeout, a 5xx) the refund stays
 * pending and a job retries it with the same idempotency key, so the provider refunds once whatever happened.
 */
export async function completeRefund(ctx: Ctx, refundId: string) {
  const refund = await ctx.em.findOneOrFail(Refund, { id: refundId }, { refresh: true });
  if (refund.status !== 'pending') return undefined;
  let providerRef: string;
  try {
    providerRef = await askProvider(ctx, refund);
  } catch (error) {
    if (isDefiniteRefusal(error)) {
      await ctx.em.execute(`update refunds set status = 'failed', updated_at = now() where id = ?`, [refund.id]);
    } else {
      await enqueueRefundRetry(ctx, refund.id);
    }
    throw providerError(refund.provider, error);
  }
  return inTransaction(ctx, async (tx) => {
    const status = await recordProviderRefund(tx, refund.orderId, {
      provider: refund.provider,
      providerRef,
      amount: refund.amount,
      currency: refund.currency,
      restock: refund.restock,
    });
    const row = await tx.em.findOneOrFail(Refund, { id: refund.id }, { refresh: true });
    row.status = 'succeeded';
    row.providerRef = providerRef;
    await tx.em.flush();
    const order = await orderForPayment(tx, refund.orderId);
    return toRefundDto(row, status ?? order.status);
  });
}

export async function refundOrder(ctx: Ctx, orderId: string, request: RefundRequest) {
  const refund = await reserve(ctx, orderId, request);
  const done = await completeRefund(ctx, refund.id);
  return done!;
}

export function adminRefund(ctx: Ctx, orderId: string, input: z.infer<typeof RefundInput>) {
  return refundOrder(ctx, orderId, {
    amount: input.amount.amount,
    currency: input.amount.currency,
    reason: input.reason,
    restock: input.restock,
    automatic: false,
  });
}

/** The job's refund: whatever is left of one capture (or of the order's), or the amount it names. */
export async function automaticRefund(
  ctx: Ctx,
  job: { orderId: string; captureRef?: string | undefined; amount?: number | undefined; reason: string },
): Promise<void> {
  const money = await orderMoney(ctx, job.orderId);
  const left = money.captured - money.refunded - money.pending;
  const amount = Math.min(job.amount ?? left, left);
  if (amount <= 0) return;
  const order = await orderForPayment(ctx, job.orderId);
  await refundOrder(ctx, job.orderId, {
    amount,
    currency: order.currency,
    reason: job.reason,
    restock: false,
    captureRef: job.captureRef,
    automatic: true,
  });
}
