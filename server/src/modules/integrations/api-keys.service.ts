/**
 * API keys: admins create, list and revoke them; the auth guard resolves them. A key acts on behalf of the admin who
 * created it, with the admin role, but only on routes that list one of its scopes (the guard checks that). It stops
 * working when it expires, is revoked, or its creator is no longer an active admin.
 */
import { API_KEY_PREFIX, API_KEY_SCOPES, type ApiKey as ApiKeyDto, type ApiKeyScope } from '@emporium/contract';
import type { Actor, AuthenticatedCtx, Ctx } from '../../platform/context';
import { inTransaction } from '../../platform/unit-of-work';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { afterCursor, idColumn, toPage, type Keyset } from '../../platform/pagination';
import { randomToken, sha256 } from '../../platform/secrets';
import { activeUserRole } from '../identity';
import { integrationsAudit } from './integrations.audit';
import { ApiKey } from './integrations.entities';
import { toApiKeyDto } from './integrations.mapper';

/** Last use is recorded at most this often per key, so a busy key does not write on every request. */
const LAST_USE_RESOLUTION_MS = 60_000;
/** Characters of the secret after the prefix that lists show. */
const SHOWN_SECRET_CHARS = 4;

/** Newest first. */
const API_KEYS: Keyset<ApiKey> = { list: 'api_keys', columns: [idColumn('id')], direction: 'desc' };

/** Creates a key; the answer carries the secret, which is not stored and never shown again. */
export async function createApiKey(
  ctx: AuthenticatedCtx,
  input: { name: string; scopes: readonly ApiKeyScope[]; expiresAt?: string | undefined },
): Promise<ApiKeyDto & { secret: string }> {
  const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt);
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw new ValidationError([{ path: 'body.expiresAt', message: 'must be in the future', code: 'custom' }]);
  }
  const secret = `${API_KEY_PREFIX}${randomToken()}`;
  const key = ctx.em.create(ApiKey, {
    name: input.name,
    prefix: secret.slice(0, API_KEY_PREFIX.length + SHOWN_SECRET_CHARS),
    secretHash: sha256(secret),
    scopes: API_KEY_SCOPES.filter((scope) => input.scopes.includes(scope)),
    createdBy: ctx.actor.userId,
    expiresAt,
    lastUsedAt: null,
    revokedAt: null,
  });
  ctx.em.persist(key);
  integrationsAudit.record(ctx, {
    action: 'api_key.created',
    targetId: key.id,
    details: { name: key.name, scopes: key.scopes, expiresAt: expiresAt?.toISOString() ?? null },
  });
  await ctx.em.flush();
  return { ...toApiKeyDto(key), secret };
}

export async function listApiKeys(ctx: AuthenticatedCtx, query: { limit: number; cursor?: string | undefined }) {
  const after = afterCursor(API_KEYS, query.cursor);
  const rows = await ctx.em
    .createQueryBuilder(ApiKey)
    .where(after.sql, after.params)
    .orderBy({ id: 'desc' })
    .limit(query.limit + 1)
    .getResultList();
  return toPage(API_KEYS, rows, query.limit, toApiKeyDto);
}

/** Revokes a key at once; revoking a revoked key changes nothing (and records nothing). */
export async function revokeApiKey(ctx: AuthenticatedCtx, id: string): Promise<ApiKeyDto> {
  return inTransaction(ctx, async (tx) => {
    // Conditional, so of two concurrent revocations one records the audit entry (in the revocation's transaction).
    const revoked = await tx.em.nativeUpdate(ApiKey, { id, revokedAt: null }, { revokedAt: new Date() });
    const key = await tx.em.findOne(ApiKey, { id }, { refresh: true });
    if (!key) throw new NotFoundError('api key');
    if (revoked > 0) {
      integrationsAudit.record(tx, { action: 'api_key.revoked', targetId: key.id, details: { name: key.name } });
      await tx.em.flush();
    }
    return toApiKeyDto(key);
  });
}

export type ApiKeyOutcome = { actor: Actor } | { failure: 'invalid' | 'expired' | 'revoked' };

/** Records the key's use if the last recorded one is older than `notAfter` (one conditional UPDATE, no read). */
async function recordUse(ctx: Ctx, key: ApiKey, notAfter: Date): Promise<boolean> {
  const updated = await ctx.em.nativeUpdate(
    ApiKey,
    { id: key.id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: notAfter } }] },
    { lastUsedAt: new Date() },
  );
  return updated > 0;
}

/**
 * The guard's check of a bearer token with the key prefix: one unique-index lookup by the secret's hash (a hash
 * lookup, so no constant-time comparison is needed), one primary-key lookup of the creator. A revoked key's use is
 * audited, at most once a minute per key (and always the first time after the revocation).
 */
export async function resolveApiKey(ctx: Ctx, secret: string): Promise<ApiKeyOutcome> {
  const key = await ctx.em.findOne(ApiKey, { secretHash: sha256(secret) });
  if (!key) return { failure: 'invalid' };
  const now = Date.now();
  const throttle = new Date(now - LAST_USE_RESOLUTION_MS);
  if (key.revokedAt) {
    const since = key.revokedAt > throttle ? key.revokedAt : throttle;
    if (await recordUse(ctx, key, since)) {
      integrationsAudit.record(ctx, {
        action: 'api_key.used_revoked',
        actorId: null,
        targetId: key.id,
        details: { prefix: key.prefix },
      });
      await ctx.em.flush();
    }
    return { failure: 'revoked' };
  }
  if (key.expiresAt && key.expiresAt.getTime() <= now) return { failure: 'expired' };
  if ((await activeUserRole(ctx, key.createdBy)) !== 'admin') return { failure: 'invalid' };
  if (!key.lastUsedAt || key.lastUsedAt < throttle) await recordUse(ctx, key, throttle);
  return {
    actor: {
      userId: key.createdBy,
      role: 'admin',
      sessionId: key.id,
      apiKey: { id: key.id, scopes: key.scopes },
    },
  };
}
