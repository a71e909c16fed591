/** Registration, verification, login, token refresh, logout and password reset (contract/src/auth.contract.ts). */
import type { z } from 'zod';
import type { TokenPair, User as UserDto } from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../../platform/errors';
import { enqueueJob } from '../../platform/jobs';
import { inTransaction } from '../../platform/unit-of-work';
import { hashPassword, verifyPassword } from '../../platform/secrets';
import { consumeActionToken } from './action-tokens';
import { identityAudit } from './identity.audit';
import { User } from './identity.entities';
import { enqueueMail, registerAccount, resendVerification, sendPasswordReset } from './identity.jobs';
import { confirmedName } from './mail-templates';
import { toUserDto } from './identity.mapper';
import { endSessionOfRefreshToken, revokeSessions, rotateRefreshToken, startSession } from './sessions';

type TokenPairDto = z.infer<typeof TokenPair>;

export const REGISTERED_MESSAGE = 'If this address can be registered, a verification mail is on its way.';

/**
 * Registers a customer: hashes the password and hands the rest to a job (`identity__register`), which makes the
 * account or, for a taken email, mails its owner instead. The request runs the same statements, in the same time,
 * whether or not the email is taken; the answer (202) never depends on it.
 */
export async function register(ctx: Ctx, input: { email: string; password: string; fullName: string }): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  await enqueueJob(ctx, registerAccount, { email: input.email, passwordHash, fullName: input.fullName });
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
