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

const RegistrationPayload = z.object({ email: z.string(), passwordHash: z.string(), fullName: z.string() });

/**
 * A registration, decided: a new email gets its account (unverified) and the verification mail; a taken one gets a
 * mail to its owner and nothing else. Two registrations of one new email racing: the second insert fails on the unique
 * email, the job runs again and finds the account taken.
 */
export const registerAccount = defineTask<z.infer<typeof RegistrationPayload>>({
  name: 'identity__register',
  payload: RegistrationPayload,
  run: async ({ email, passwordHash, fullName }, ctx) => {
    await inTransaction(ctx, async (tx) => {
      const existing = await tx.em.findOne(User, { email });
      if (existing) {
        await enqueueMail(tx, { template: 'account_exists', to: existing.email, fullName: confirmedName(existing) });
        return;
      }
      const user = tx.em.create(User, {
        email,
        passwordHash,
        fullName,
        role: 'customer',
        emailVerifiedAt: null,
        isActive: true,
      });
      tx.em.persist(user);
      const token = await issueActionToken(tx, user.id, 'verify_email');
      await enqueueMail(tx, { template: 'verify_email', to: user.email, token });
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

export const identityTasks = [sendIdentityMail, registerAccount, sendPasswordReset, resendVerification];
