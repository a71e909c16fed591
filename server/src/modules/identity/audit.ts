import type { Ctx } from '../../platform/context';
import type { EntityManager } from '../../platform/database';
import { AuditEntry } from './identity.entities';

export type AuditAction =
  | 'login.succeeded'
  | 'login.failed'
  | 'password.changed'
  | 'password.reset'
  | 'user.role_changed'
  | 'user.active_changed'
  | 'user.created_by_admin'
  | 'oauth.linked'
  | 'product.pending_review'
  | 'product.published'
  | 'product.rejected'
  | 'product.archived'
  | 'review.hidden'
  | 'review.restored'
  | 'category.created'
  | 'category.updated'
  | 'category.deleted';

/** Records who did what to whom, from where; persisted by the caller's flush (same transaction as the change). */
export function recordAudit(
  em: EntityManager,
  ctx: Pick<Ctx, 'ip' | 'requestId' | 'actor'>,
  entry: { action: AuditAction; targetId?: string | null; actorId?: string | null; details?: Record<string, unknown> },
): void {
  em.persist(
    em.create(AuditEntry, {
      action: entry.action,
      actorId: entry.actorId !== undefined ? entry.actorId : (ctx.actor?.userId ?? null),
      targetId: entry.targetId ?? null,
      ip: ctx.ip ?? null,
      requestId: ctx.requestId,
      details: entry.details ?? null,
    }),
  );
}
