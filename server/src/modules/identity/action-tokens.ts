/** Single-use mailed tokens (email verification, password reset): random, stored hashed, expiring. */
import type { Ctx } from '../../platform/context';
import { randomToken, sha256 } from '../../platform/secrets';
import { ActionToken, type ActionTokenPurpose } from './identity.entities';

const TTL_MS: Record<ActionTokenPurpose, number> = {
  verify_email: 24 * 60 * 60 * 1000,
  reset_password: 60 * 60 * 1000,
};

/** Issues a new token; the user's older unused ones for the same purpose stop working (a newer one supersedes). */
export async function issueActionToken(ctx: Ctx, userId: string, purpose: ActionTokenPurpose): Promise<string> {
  await ctx.em.nativeDelete(ActionToken, { userId, purpose, usedAt: null });
  const raw = randomToken();
  ctx.em.persist(
    ctx.em.create(ActionToken, {
      userId,
      purpose,
      tokenHash: sha256(raw),
      expiresAt: new Date(Date.now() + TTL_MS[purpose]),
      usedAt: null,
    }),
  );
  return raw;
}

/** Consumes a token atomically; answers its user id, or undefined when it is unknown, used or expired. */
export async function consumeActionToken(
  ctx: Ctx,
  raw: string,
  purpose: ActionTokenPurpose,
): Promise<string | undefined> {
  const [row] = await ctx.em.execute<{ user_id: string }[]>(
    `update action_tokens set used_at = now()
      where token_hash = ? and purpose = ? and used_at is null and expires_at > now()
      returning user_id`,
    [sha256(raw), purpose],
  );
  return row?.user_id;
}
