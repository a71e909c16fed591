/**
 * Identity's background work. Mails go out from jobs enqueued in the same transaction as the change; registration,
 * forgot-password and resend-verification are decided in a job too, so the HTTP request runs the same statements in
 * the same time whether or not the account exists.
 */
import { z } from 'zod';
import { defineTask, enqueueJob } from '../../platform/jobs';
import type { Ctx } from '../../platform/context';
import { inTransaction } from '../../platform/unit-of-work';
import { issueActionToken } from './action-tokens';
import { User } from './identity.entities';
import { confirmedName, IdentityMail, renderIdentityMail } from './mail-templates';

export const sendIdentityMail = defineTask<IdentityMail>({
  name: 'identity__send_mail',
  payload: IdentityMail,
  run: async (mail, ctx) => ctx.deps.mailer.send(renderIdentityMail(mail, ctx.deps.config.PUBLIC_URL)),
});

const EmailPayload = z.object({ email: z.string() });

const RegistrationPayload = z.object({ email: z.string(), created: z.boolean() });

/**
 * The mail of a registration, decided here rather than in the request so that the request runs the same statements
 * whether or not the email was taken: a new account gets its verification link, a taken address a note to its owner.
 */
export const registrationMail = defineTask<z.infer<typeof RegistrationPayload>>({
  name: 'identity__registration_mail',
  payload: RegistrationPayload,
  run: async ({ email, created }, ctx) => {
    await inTransaction(ctx, async (tx) => {
      const user = await tx.em.findOne(User, { email });
      if (!user) return;
      if (created && !user.emailVerifiedAt) {
        const token = await issueActionToken(tx, user.id, 'verify_email');
        await enqueueMail(tx, { template: 'verify_email', to: user.email, token });
        return;
      }
      await enqueueMail(tx, { template: 'account_exists', to: user.email, fullName: confirmedName(user) });
    });
  },
});

export const sendPasswordReset = defineTask<z.infer<typeof EmailPayload>>({
  name: 'identity__send_password_reset',
  payload: EmailPayload,
  run: async ({ email }, ctx) => {
    await inTransaction(ctx, async (tx) => {
      const user = await tx.em.findOne(User, { email, isActive: true });
      if (!user) return;
      const token = await issueActionToken(tx, user.id, 'reset_password');
      await enqueueMail(tx, { template: 'reset_password', to: user.email, fullName: confirmedName(user), token });
    });
  },
});

export const resendVerification = defineTask<z.infer<typeof EmailPayload>>({
  name: 'identity__resend_verification',
  payload: EmailPayload,
  run: async ({ email }, ctx) => {
    await inTransaction(ctx, async (tx) => {
      const user = await tx.em.findOne(User, { email, emailVerifiedAt: null });
      if (!user) return;
      const token = await issueActionToken(tx, user.id, 'verify_email');
      await enqueueMail(tx, { template: 'verify_email', to: user.email, token });
    });
  },
});

export function enqueueMail(ctx: Ctx, mail: IdentityMail): Promise<void> {
  return enqueueJob(ctx, sendIdentityMail, mail);
}

export const identityTasks = [sendIdentityMail, registrationMail, sendPasswordReset, resendVerification];
