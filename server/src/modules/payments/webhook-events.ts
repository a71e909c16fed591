/** Provider event ids, kept once each (`webhook_events`): a replayed event is recognised and changes nothing. */
import type { Ctx } from '../../platform/context';
import type { TxCtx } from '../../platform/unit-of-work';
import type { Provider } from './ledger';

/** A cheap look before reading the provider; the insert in the event's transaction is what decides. */
export async function seenBefore(ctx: Ctx, provider: Provider, eventId: string): Promise<boolean> {
  const rows = await ctx.em.execute('select 1 from webhook_events where provider = ? and event_id = ?', [
    provider,
    eventId,
  ]);
  return rows.length > 0;
}

/** Records the event id in the transaction that applies the event; false when another delivery got there first. */
export async function firstDelivery(tx: TxCtx, provider: Provider, eventId: string, type: string): Promise<boolean> {
  const fresh = await tx.em.execute(
    `insert into webhook_events (provider, event_id, type, received_at) values (?, ?, ?, now())
     on conflict do nothing returning event_id`,
    [provider, eventId, type],
  );
  return fresh.length > 0;
}
