/**
 * Settling an order from a provider's word, whoever brings it first (the confirm call or a webhook): the capture is
 * appended to the ledger once (its provider id is unique), then orders settles the order under its row lock. A capture
 * that cannot pay the order (the order expired or was cancelled, was already paid by another payment, or the amount
 * or currency differ) is flagged for an admin and refunded automatically by a job, never kept.
 */
import type { TxCtx } from '../../platform/unit-of-work';
import { flagOrder, settleOrderPayment, type CapturedPayment, type SettlementOutcome } from '../orders';
import { lockOrderMoney, recordMovement } from './ledger';
import { paymentMetrics } from './payments.metrics';
import { enqueueAutomaticRefund } from './payments.queue';

const UNKEPT: Record<Exclude<SettlementOutcome, 'settled'>, string> = {
  already_paid: 'a second payment for an order already paid',
  too_late: 'a payment that arrived after the order expired or was cancelled',
  mismatch: 'a payment whose amount or currency does not match the order',
};

/** `duplicate` when this capture was recorded before (a replay, or the other of confirm and webhook). */
export async function settleCapture(
  tx: TxCtx,
  orderId: string,
  capture: CapturedPayment,
): Promise<SettlementOutcome | 'duplicate'> {
  await lockOrderMoney(tx, orderId);
  const recorded = await recordMovement(tx, {
    orderId,
    kind: 'capture',
    provider: capture.provider,
    providerRef: capture.reference,
    amount: capture.amount,
    currency: capture.currency,
  });
  if (!recorded) return 'duplicate';
  const outcome = await settleOrderPayment(tx, orderId, capture);
  paymentMetrics(tx.deps.metrics).payments.inc({ provider: capture.provider, outcome });
  if (outcome !== 'settled') {
    const reason = `Refunded automatically: ${UNKEPT[outcome]} (${capture.provider} ${capture.reference}).`;
    if (outcome !== 'mismatch') await flagOrder(tx, orderId, reason);
    await enqueueAutomaticRefund(tx, { orderId, captureRef: capture.reference, amount: capture.amount, reason });
  }
  return outcome;
}
