/**
 * Domain events inside a transaction: a module publishes what happened (`orders.paid`), and the modules that care
 * subscribe through their face, so the publisher never imports them (payments credits vendors when an order is paid;
 * orders does not know payments exists). Handlers run in the publisher's transaction, in module order: their writes
 * commit or roll back with the change, and work outside the database goes through a job or `tx.afterCommit`.
 */
import type { TxCtx } from './unit-of-work';

export interface DomainEvent<Payload> {
  readonly name: string;
  /** Carries the payload type; never set. */
  readonly payload?: Payload;
}

export function defineEvent<Payload>(name: string): DomainEvent<Payload> {
  return { name };
}

export interface Subscription {
  readonly event: string;
  handle(tx: TxCtx, payload: never): Promise<void>;
}

export function subscribe<Payload>(
  event: DomainEvent<Payload>,
  handle: (tx: TxCtx, payload: Payload) => Promise<void>,
): Subscription {
  return { event: event.name, handle };
}

/** The subscriptions of every module by event name, built once by the composition root. */
export type EventSubscribers = ReadonlyMap<string, readonly Subscription[]>;

export function eventSubscribers(subscriptions: readonly Subscription[]): EventSubscribers {
  const byEvent = new Map<string, Subscription[]>();
  for (const subscription of subscriptions) {
    byEvent.set(subscription.event, [...(byEvent.get(subscription.event) ?? []), subscription]);
  }
  return byEvent;
}

export async function publish<Payload>(tx: TxCtx, event: DomainEvent<Payload>, payload: Payload): Promise<void> {
  for (const subscription of tx.deps.subscribers.get(event.name) ?? []) {
    await (subscription.handle as (tx: TxCtx, payload: Payload) => Promise<void>)(tx, payload);
  }
}
