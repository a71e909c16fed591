/**
 * The one state machine of orders and their vendor parts. Every status change of either goes through `transition`,
 * which refuses a step the machine does not allow (409 `invalid_status_transition`) and writes the history row
 * (who, when, from, to, note).
 */
import type { OrderStatus } from '@emporium/contract';
import { ConflictError } from '../../platform/errors';
import type { TxCtx } from '../../platform/unit-of-work';
import { OrderHistory } from './orders.entities';

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  pending_payment: ['paid', 'cancelled', 'expired'],
  paid: ['processing', 'cancelled', 'partially_refunded', 'refunded'],
  processing: ['shipped', 'cancelled', 'partially_refunded', 'refunded'],
  shipped: ['delivered', 'partially_refunded', 'refunded'],
  delivered: ['partially_refunded', 'refunded'],
  partially_refunded: ['refunded'],
  cancelled: [],
  expired: [],
  refunded: [],
};

/** Fulfilment order: an order's status follows its least advanced part. */
const FULFILMENT: readonly OrderStatus[] = ['paid', 'processing', 'shipped', 'delivered'];

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

export function assertMove(from: OrderStatus, to: OrderStatus): void {
  if (!canMove(from, to)) {
    throw new ConflictError('invalid_status_transition', `An order cannot go from ${from} to ${to}.`);
  }
}

/** Cancellable by its customer (before anything shipped). */
export const CUSTOMER_CANCELLABLE: readonly OrderStatus[] = ['pending_payment', 'paid', 'processing'];

export function leastAdvanced(statuses: readonly OrderStatus[]): OrderStatus | undefined {
  const ranks = statuses.map((status) => FULFILMENT.indexOf(status));
  if (ranks.some((rank) => rank < 0)) return undefined;
  return FULFILMENT[Math.min(...ranks)];
}

export interface Transition {
  orderId: string;
  partId?: string | null;
  from: OrderStatus;
  to: OrderStatus;
  note?: string | null | undefined;
}

/** Checks the step and records it; the caller changes the row it has locked. */
export function recordTransition(tx: TxCtx, transition: Transition): void {
  assertMove(transition.from, transition.to);
  tx.em.persist(
    tx.em.create(OrderHistory, {
      orderId: transition.orderId,
      partId: transition.partId ?? null,
      fromStatus: transition.from,
      toStatus: transition.to,
      actorId: tx.actor?.userId ?? null,
      actorRole: tx.actor?.role ?? 'system',
      note: transition.note ?? null,
    }),
  );
}
