/**
 * The audit log: who did what to whom, from where. The log and its table belong to the platform; the vocabulary does
 * not. Each module declares its own actions with `auditLog([...])` and records through what that returns, so a typo is
 * a type error and no module lists another's actions. The module definitions name their actions, and the composition
 * root refuses two modules claiming the same one.
 */
import { defineEntity, p } from '@mikro-orm/core';
import { createdAtColumn, idColumn } from './columns';
import type { Ctx } from './context';

export const AuditEntrySchema = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_log',
  properties: {
    id: idColumn(),
    action: p.string().length(60),
    actorId: p.uuid().nullable(),
    targetId: p.uuid().nullable(),
    ip: p.string().nullable(),
    requestId: p.string().nullable(),
    details: p.json<Record<string, unknown>>().nullable(),
    createdAt: createdAtColumn(),
  },
});
export class AuditEntry extends AuditEntrySchema.class {}
AuditEntrySchema.setClass(AuditEntry);

export interface AuditRecord<Action extends string> {
  action: Action;
  targetId?: string | null;
  /** Who acted; defaults to the context's actor (null for anonymous work such as a failed login). */
  actorId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditLog<Action extends string> {
  readonly actions: readonly Action[];
  /** Adds an entry to the context's unit of work: it is written by the caller's flush, in the same transaction. */
  record(ctx: Ctx, entry: AuditRecord<Action>): void;
}

export function auditLog<const Action extends string>(actions: readonly Action[]): AuditLog<Action> {
  return {
    actions,
    record(ctx, entry) {
      ctx.em.persist(
        ctx.em.create(AuditEntry, {
          action: entry.action,
          actorId: entry.actorId !== undefined ? entry.actorId : (ctx.actor?.userId ?? null),
          targetId: entry.targetId ?? null,
          ip: ctx.ip ?? null,
          requestId: ctx.requestId,
          // Work done through an API key names the key, so it is told apart from its creator's own.
          details: ctx.actor?.apiKey ? { ...entry.details, apiKeyId: ctx.actor.apiKey.id } : (entry.details ?? null),
        }),
      );
    },
  };
}
