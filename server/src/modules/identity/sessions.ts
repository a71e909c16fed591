/**
 * Sessions and their rotating refresh tokens. A session is one login; every refresh consumes its token and issues
 * the next. A consumed token presented again means it leaked: the whole session (the family) is revoked.
 */
import type { z } from 'zod';
import type { TokenPair } from '@emporium/contract';
import { createAccessTokenSigner } from '../../platform/auth';
import type { Actor, Ctx } from '../../platform/context';
import { inTransaction } from '../../platform/unit-of-work';
import { UnauthorizedError } from '../../platform/errors';
import { randomToken, sha256 } from '../../platform/secrets';
import { RefreshToken, Session, User } from './identity.entities';
import { toUserDto } from './identity.mapper';

type TokenPairDto = z.infer<typeof TokenPair>;

function newRefreshToken(ctx: Ctx, sessionId: string): string {
  const raw = randomToken();
  ctx.em.persist(
    ctx.em.create(RefreshToken, {
      sessionId,
      tokenHash: sha256(raw),
      expiresAt: new Date(Date.now() + ctx.deps.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000),
      usedAt: null,
    }),
  );
  return raw;
}

async function tokenPair(ctx: Ctx, user: User, sessionId: string, refreshToken: string): Promise<TokenPairDto> {
  const access = await createAccessTokenSigner(ctx.deps.config, ctx.deps.jwtKey).sign({
    userId: user.id,
    role: user.role,
    sessionId,
  });
  return {
    accessToken: access.token,
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: access.expiresIn,
    user: toUserDto(user),
  };
}

/** Starts a session for a user who has proven who they are. Flushes. */
export async function startSession(ctx: Ctx, user: User): Promise<TokenPairDto> {
  const session = ctx.em.create(Session, {
    userId: user.id,
    ip: ctx.ip ?? null,
    userAgent: ctx.userAgent ?? null,
    revokedAt: null,
    revokedReason: null,
  });
  ctx.em.persist(session);
  const refreshToken = newRefreshToken(ctx, session.id);
  await ctx.em.flush();
  return tokenPair(ctx, user, session.id, refreshToken);
}

/**
 * Starts a session for a user that the caller has already authenticated by other means (a trusted tool or a test
 * harness; never reachable over HTTP). Answers the token pair, or undefined for an unknown or inactive user.
 */
export async function startSessionFor(ctx: Ctx, userId: string): Promise<TokenPairDto | undefined> {
  const user = await ctx.em.findOne(User, { id: userId, isActive: true });
  return user ? startSession(ctx, user) : undefined;
}

export async function revokeSessions(
  ctx: Ctx,
  where: { userId: string; sessionId?: string; exceptSessionId?: string },
  reason: string,
): Promise<number> {
  return ctx.em.nativeUpdate(
    Session,
    {
      userId: where.userId,
      revokedAt: null,
      ...(where.sessionId ? { id: where.sessionId } : {}),
      ...(where.exceptSessionId ? { id: { $ne: where.exceptSessionId } } : {}),
    },
    { revokedAt: new Date(), revokedReason: reason },
  );
}

const invalidRefresh = () =>
  new UnauthorizedError('invalid_token', 'The refresh token is invalid, expired or revoked.');

/**
 * Consumes a refresh token and issues the next pair. The consume is one conditional UPDATE, so of two parallel
 * refreshes with one token exactly one wins; the loser looks like reuse and revokes the family.
 */
export async function rotateRefreshToken(ctx: Ctx, raw: string): Promise<TokenPairDto> {
  const tokenHash = sha256(raw);
  const result = await inTransaction(ctx, async (tx) => {
    const consumed = await tx.em.nativeUpdate(
      RefreshToken,
      { tokenHash, usedAt: null, expiresAt: { $gt: new Date() } },
      { usedAt: new Date() },
    );
    const token = await tx.em.findOne(RefreshToken, { tokenHash });
    if (!token) return { failure: true as const };
    const session = await tx.em.findOne(Session, { id: token.sessionId });
    if (consumed === 0 || !session || session.revokedAt) {
      if (session && !session.revokedAt && token.usedAt) {
        await revokeSessions(tx, { userId: session.userId, sessionId: session.id }, 'refresh_token_reuse');
      }
      return { failure: true as const };
    }
    const user = await tx.em.findOne(User, { id: session.userId });
    if (!user?.isActive) return { failure: true as const };
    const next = newRefreshToken(tx, session.id);
    return { user, sessionId: session.id, refreshToken: next };
  });
  if ('failure' in result) throw invalidRefresh();
  return tokenPair(ctx, result.user, result.sessionId, result.refreshToken);
}

/** Revokes the session a refresh token belongs to, if it is the caller's own. */
export async function endSessionOfRefreshToken(ctx: Ctx, actor: Actor, raw: string): Promise<void> {
  const token = await ctx.em.findOne(RefreshToken, { tokenHash: sha256(raw) });
  const sessionIds = new Set([actor.sessionId]);
  if (token) sessionIds.add(token.sessionId);
  await ctx.em.nativeUpdate(
    Session,
    { id: { $in: [...sessionIds] }, userId: actor.userId, revokedAt: null },
    { revokedAt: new Date(), revokedReason: 'logout' },
  );
}

/** The guard's per-request check: one primary-key join. */
export async function resolveSession(ctx: Ctx, userId: string, sessionId: string): Promise<Actor | undefined> {
  const [row] = await ctx.em.execute<{ role: Actor['role'] }[]>(
    `select u.role from sessions s join users u on u.id = s.user_id
      where s.id = ? and s.user_id = ? and s.revoked_at is null and u.is_active`,
    [sessionId, userId],
  );
  return row ? { userId, sessionId, role: row.role } : undefined;
}

/** The role of an active user (undefined for a missing or deactivated one): for credentials that act on a user's behalf. */
export async function activeUserRole(ctx: Ctx, userId: string): Promise<Actor['role'] | undefined> {
  const [row] = await ctx.em.execute<{ role: Actor['role'] }[]>(`select role from users where id = ? and is_active`, [
    userId,
  ]);
  return row?.role;
}
