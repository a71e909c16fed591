/** Registration, verification, login, token refresh, logout and password reset (contract/src/auth.contract.ts). */
import type { z } from 'zod';
import type { TokenPair, User as UserDto } from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../../platform/errors';
import { enqueueJob } from '../../platform/jobs';
import { newId } from '../../platform/columns';
import { inTransaction } from '../../platform/unit-of-work';
import { hashPassword, verifyPassword } from '../../platform/secrets';
import { consumeActionToken } from './action-tokens';
import { identityAudit } from './identity.audit';
import { User } from './identity.entities';
import { enqueueMail, registrationMail, resendVerification, sendPasswordReset } from './identity.jobs';
import { confirmedName } from './mail-templates';
import { toUserDto } from './identity.mapper';
import { endSessionOfRefreshToken, revokeSessions, rotateRefreshToken, startSession } from './sessions';

type TokenPairDto = z.infer<typeof TokenPair>;

export const REGISTERED_MESSAGE = 'If this address can be registered, a verification mail is on its way.';

/**
 * Registers a customer: the account is made at once (unverified), and a job mails the verification link, or for a
 * taken email a note to its owner. The request runs the same statements, in about the same time, either way: the
 * password is hashed first, the insert skips a taken email (`on conflict do nothing`, which also settles two
 * registrations of one email racing), and the one job decides the mail. The answer (202) never depends on it.
 */
export async function register(ctx: Ctx, input: { email: string; password: string; fullName: string }): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  await inTransaction(ctx, async (tx) => {
    const [created] = await tx.em.execute<{ id: string }[]>(
      `insert into users (id, email, password_hash, full_name, role, email_verified_at, is_active, created_at, updated_at)
       values (?, ?, ?, ?, 'customer', null, true, now(), now())
       on conflict (email) do nothing
       returning id`,
      [newId(), input.email, passwordHash, input.fullName],
    );
    await enqueueJob(tx, registrationMail, { email: input.email, created: created !== undefined });
  });
}

const invalidMailToken = () => new BadRequestError('invalid_token', 'The token is invalid, used or expired.');

export async function verifyEmail(ctx: Ctx, token: string): Promise<UserDto> {
  return inTransaction(ctx, async (tx) => {
    const userId = await consumeActionToken(tx, token, 'verify_email');
    const user = userId ? await tx.em.findOne(User, { id: userId }) : null;
    if (!user) throw invalidMailToken();
    user.emailVerifiedAt ??= new Date();
    return toUserDto(user);
  });
}

export async function requestVerificationMail(ctx: Ctx, email: string): Promise<void> {
  await enqueueJob(ctx, resendVerification, { email }, { jobKey: `resend_verification:${email}` });
}

export async function requestPasswordReset(ctx: Ctx, email: string): Promise<void> {
  await enqueueJob(ctx, sendPasswordReset, { email }, { jobKey: `password_reset:${email}` });
}

/**
 * Logs in with a password. Unknown email and wrong password are the same 401 after the same argon2 work; only a
 * caller who knows the password learns that the account is unverified or disabled.
 */
export async function login(ctx: Ctx, input: { email: string; password: string }): Promise<TokenPairDto> {
  const user = await ctx.em.findOne(User, { email: input.email });
  const valid = await verifyPassword(user?.passwordHash, input.password);
  if (!user || !valid) {
    identityAudit.record(ctx, {
      action: 'login.failed',
      targetId: user?.id ?? null,
      actorId: null,
      details: { email: input.email },
    });
    await ctx.em.flush();
    throw new UnauthorizedError('invalid_credentials', 'The email or password is wrong.');
  }
  if (!user.emailVerifiedAt) throw new ForbiddenError('email_not_verified', 'Verify your email address first.');
  if (!user.isActive) throw new ForbiddenError('account_disabled', 'This account is disabled.');
  identityAudit.record(ctx, { action: 'login.succeeded', targetId: user.id, actorId: user.id });
  return startSession(ctx, user);
}

export function refresh(ctx: Ctx, refreshToken: string): Promise<TokenPairDto> {
  return rotateRefreshToken(ctx, refreshToken);
}

export function logout(ctx: AuthenticatedCtx, refreshToken: string): Promise<void> {
  return endSessionOfRefreshToken(ctx, ctx.actor, refreshToken);
}

/** Sets a new password from a reset token and ends every session of the user. */
export async function resetPassword(ctx: Ctx, input: { token: string; password: string }): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  await inTransaction(ctx, async (tx) => {
    const userId = await consumeActionToken(tx, input.token, 'reset_password');
    const user = userId ? await tx.em.findOne(User, { id: userId }) : null;
    if (!user) throw invalidMailToken();
    user.passwordHash = passwordHash;
    // The mail proved ownership of the address.
    user.emailVerifiedAt ??= new Date();
    await revokeSessions(tx, { userId: user.id }, 'password_reset');
    identityAudit.record(tx, { action: 'password.reset', targetId: user.id, actorId: user.id });
    await enqueueMail(tx, { template: 'password_changed', to: user.email, fullName: confirmedName(user) });
  });
}
