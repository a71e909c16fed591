/**
 * Stripe's side of the reconciliation: for each Stripe payment touched in the window, the PaymentIntent's
 * `amount_received` against the ledger's captures of that intent, and the intent's succeeded refunds against the
 * ledger's refunds of it. Read-only at Stripe and here; one intent Stripe cannot be asked about is reported and the
 * others are still compared.
 */
import type Stripe from 'stripe';
import type { Ctx } from '../../platform/context';
import { Payment } from './payments.entities';
import type { Difference, ProviderReport } from './reconciliation';
import { fromProviderAmount } from './provider-amounts';
import { stripeFor } from './stripe-client';

/** The intent's succeeded refunds, every page of them. */
async function succeededRefunds(stripe: Stripe, intentId: string): Promise<Stripe.Refund[]> {
  const refunds = await stripe.refunds.list({ payment_intent: intentId, limit: 100 }).autoPagingToArray({
    limit: 10_000,
  });
  return refunds.filter((refund) => refund.status === 'succeeded');
}

/** The ledger's captures of the intent, and its refunds of the order that are this intent's (by provider id). */
async function ledgerOf(ctx: Ctx, payment: Payment, stripeRefundIds: ReadonlySet<string>) {
  const [capture] = await ctx.em.execute<{ amount: string }[]>(
    `select coalesce(sum(amount), 0) as amount from payment_transactions
      where provider = 'stripe' and kind = 'capture' and provider_ref = ?`,
    [payment.providerRef],
  );
  const refunds = await ctx.em.execute<{ provider_ref: string; amount: number }[]>(
    `select provider_ref, amount from payment_transactions
      where order_id = ? and provider = 'stripe' and kind = 'refund' order by id`,
    [payment.orderId],
  );
  // Refunds Emporium asked for name their capture; those recorded from a webhook are known by Stripe's id only.
  const asked = await ctx.em.execute<{ provider_ref: string }[]>(
    `select provider_ref from refunds
      where order_id = ? and provider = 'stripe' and capture_ref = ? and provider_ref is not null`,
    [payment.orderId, payment.providerRef],
  );
  const ours = new Set([...stripeRefundIds, ...asked.map((row) => row.provider_ref)]);
  return {
    captured: Number(capture?.amount ?? 0),
    refunds: refunds.filter((row) => ours.has(row.provider_ref)),
  };
}

async function reconcileIntent(ctx: Ctx, stripe: Stripe, payment: Payment): Promise<Difference[]> {
  const base = { orderId: payment.orderId, providerReference: payment.providerRef };
  let intent: Stripe.PaymentIntent;
  let refunds: Stripe.Refund[];
  let received: number;
  let refundAmounts: number[];
  try {
    [intent, refunds] = await Promise.all([
      stripe.paymentIntents.retrieve(payment.providerRef),
      succeededRefunds(stripe, payment.providerRef),
    ]);
    // Stripe's units to ours; an amount that is no whole minor unit (an ISK charge from before Stripe's whole-krónur
    // rule) cannot be compared, and is reported like an unreadable intent rather than ending the run.
    received = fromProviderAmount('stripe', intent.amount_received ?? 0, intent.currency);
    refundAmounts = refunds.map((refund) => fromProviderAmount('stripe', refund.amount, refund.currency));
  } catch (error) {
    const zero = { amount: 0, currency: payment.currency };
    const reason = error instanceof Error ? error.message : String(error);
    return [{ kind: 'provider_unreadable', ...base, ledger: zero, provider: zero, detail: `Stripe: ${reason}` }];
  }
  const currency = intent.currency.toUpperCase();
  const money = (amount: number) => ({ amount, currency });
  const ledger = await ledgerOf(ctx, payment, new Set(refunds.map((refund) => refund.id)));
  const differences: Difference[] = [];
  if (received !== ledger.captured) {
    differences.push({
      kind: 'capture_mismatch',
      ...base,
      ledger: money(ledger.captured),
      provider: money(received),
      detail: `Stripe received ${received} (intent ${intent.status}); the ledger holds ${ledger.captured} in captures.`,
    });
  }
  const refundedAtStripe = refundAmounts.reduce((sum, amount) => sum + amount, 0);
  const refundedInLedger = ledger.refunds.reduce((sum, row) => sum + row.amount, 0);
  if (refundedAtStripe !== refundedInLedger) {
    const inLedger = new Set(ledger.refunds.map((row) => row.provider_ref));
    const atStripe = new Set(refunds.map((refund) => refund.id));
    const missing = refunds.filter((refund) => !inLedger.has(refund.id)).map((refund) => refund.id);
    const unknown = ledger.refunds.filter((row) => !atStripe.has(row.provider_ref)).map((row) => row.provider_ref);
    differences.push({
      kind: 'refund_mismatch',
      ...base,
      ledger: money(refundedInLedger),
      provider: money(refundedAtStripe),
      detail: [
        `Stripe refunded ${refundedAtStripe}; the ledger holds ${refundedInLedger} in refunds.`,
        missing.length ? `Missing from the ledger: ${missing.join(', ')}.` : '',
        unknown.length ? `Not succeeded at Stripe: ${unknown.join(', ')}.` : '',
      ]
        .filter(Boolean)
        .join(' '),
    });
  }
  return differences;
}

/** Compares every Stripe payment whose row changed since `since` (created, or its status updated). */
export async function reconcileStripe(ctx: Ctx, since: Date): Promise<ProviderReport> {
  const stripe = stripeFor(ctx.deps.config);
  const payments = await ctx.em.find(
    Payment,
    { provider: 'stripe', updatedAt: { $gte: since } },
    { orderBy: { id: 'asc' }, refresh: true },
  );
  const differences: Difference[] = [];
  for (const payment of payments) differences.push(...(await reconcileIntent(ctx, stripe, payment)));
  return { checked: payments.length, differences };
}
