/** Registration, verification, login, token refresh, logout and password reset: the stories of API.md's "Auth". */
import type { z } from 'zod';
import type { TokenPair, User as UserDto } from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../../platform/errors';
import { enqueueJob } from '../../platform/jobs';
import { hashPassword, verifyPassword } from '../../platform/secrets';
import { consumeActionToken, issueActionToken } from './action-tokens';
import { recordAudit } from './audit';
import { User } from './identity.entities';
import { enqueueMail, resendVerification, sendPasswordReset } from './identity.jobs';
import { toUserDto } from './identity.mapper';
import {
  endSessionOfRefreshToken,
  revokeSessions,
  rotateRefreshToken,
  startSession,
  type SessionSettings,
} from './sessions';

type TokenPairDto = z.infer<typeof TokenPair>;

export const REGISTERED_MESSAGE = 'If this address can be registered, a verification mail is on its way.';

/**
 * Registers a customer. The password is hashed before the email is looked up, so a taken email answers in the
 * same time; its owner gets a mail instead of a second account.
 */
export async function register(ctx: Ctx, input: { email: string; password: string; fullName: string }): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  await ctx.em.transactional(async (em) => {
    const existing = await em.findOne(User, { email: input.email });
    if (existing) {
      await enqueueMail(em, { template: 'account_exists', to: existing.email, fullName: existing.fullName });
      return;
    }
    const user = em.create(User, {
      email: input.email,
      passwordHash,
      fullName: input.fullName,
      role: 'customer',
      emailVerifiedAt: null,
      isActive: true,
    });
    em.persist(user);
    const token = await issueActionToken(em, user.id, 'verify_email');
    await enqueueMail(em, { template: 'verify_email', to: user.email, fullName: user.fullName, token });
  });
}

const invalidMailToken = () => new BadRequestError('invalid_token', 'The token is invalid, used or expired.');

export async function verifyEmail(ctx: Ctx, token: string): Promise<UserDto> {
  return ctx.em.transactional(async (em) => {
    const userId = await consumeActionToken(em, token, 'verify_email');
    const user = userId ? await em.findOne(User, { id: userId }) : null;
    if (!user) throw invalidMailToken();
    user.emailVerifiedAt ??= new Date();
    return toUserDto(user);
  });
}

export async function requestVerificationMail(ctx: Ctx, email: string): Promise<void> {
  await enqueueJob(ctx.em, resendVerification, { email }, { jobKey: `resend_verification:${email}` });
}

export async function requestPasswordReset(ctx: Ctx, email: string): Promise<void> {
  await enqueueJob(ctx.em, sendPasswordReset, { email }, { jobKey: `password_reset:${email}` });
}

/**
 * Logs in with a password. Unknown email and wrong password are the same 401 after the same argon2 work; only a
 * caller who knows the password learns that the account is unverified or disabled.
 */
export async function login(
  ctx: Ctx,
  settings: SessionSettings,
  input: { email: string; password: string },
): Promise<TokenPairDto> {
  const user = await ctx.em.findOne(User, { email: input.email });
  const valid = await verifyPassword(user?.passwordHash, input.password);
  if (!user || !valid) {
    recordAudit(ctx.em, ctx, {
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
  recordAudit(ctx.em, ctx, { action: 'login.succeeded', targetId: user.id, actorId: user.id });
  return startSession(ctx, settings, user);
}

export function refresh(ctx: Ctx, settings: SessionSettings, refreshToken: string): Promise<TokenPairDto> {
  return rotateRefreshToken(ctx, settings, refreshToken);
}

export function logout(ctx: AuthenticatedCtx, refreshToken: string): Promise<void> {
  return endSessionOfRefreshToken(ctx, ctx.actor, refreshToken);
}

/** Sets a new password from a reset token and ends every session of the user. */
export async function resetPassword(ctx: Ctx, input: { token: string; password: string }): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  await ctx.em.transactional(async (em) => {
    const userId = await consumeActionToken(em, input.token, 'reset_password');
    const user = userId ? await em.findOne(User, { id: userId }) : null;
    if (!user) throw invalidMailToken();
    user.passwordHash = passwordHash;
    // The mail proved ownership of the address.
    user.emailVerifiedAt ??= new Date();
    await revokeSessions(em, { userId: user.id }, 'password_reset');
    recordAudit(em, ctx, { action: 'password.reset', targetId: user.id, actorId: user.id });
    await enqueueMail(em, { template: 'password_changed', to: user.email, fullName: user.fullName });
  });
}
