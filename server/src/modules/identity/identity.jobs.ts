/**
 * Identity's background work. Mails go out from jobs enqueued in the same transaction as the change; registration,
 * forgot-password and resend-verification are decided in a job too, so the HTTP request runs the same statements in
 * the same time whether or not the account exists.
 */
import { z } from 'zod';
import { defineTask, enqueueJob } from '../../platform/jobs';
import type { Ctx } from '../../platform/context';
import { newId } from '../../platform/columns';
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
 * mail to its owner and nothing else. The insert skips a taken email (`on conflict do nothing`), so two registrations
 * of one new email racing end as one account and one mail to its owner, and no job fails (a failed job's payload, the
 * password hash here, would be logged and kept).
 */
export const registerAccount = defineTask<z.infer<typeof RegistrationPayload>>({
  name: 'identity__register',
  payload: RegistrationPayload,
  run: async ({ email, passwordHash, fullName }, ctx) => {
    await inTransaction(ctx, async (tx) => {
      const [created] = await tx.em.execute<{ id: string }[]>(
        `insert into users (id, email, password_hash, full_name, role, email_verified_at, is_active, created_at,
                            updated_at)
         values (?, ?, ?, ?, 'customer', null, true, now(), now())
         on conflict (email) do nothing
         returning id`,
        [newId(), email, passwordHash, fullName],
      );
      if (created) {
        const token = await issueActionToken(tx, created.id, 'verify_email');
        await enqueueMail(tx, { template: 'verify_email', to: email, token });
        return;
      }
      const owner = await tx.em.findOneOrFail(User, { email });
      await enqueueMail(tx, { template: 'account_exists', to: owner.email, fullName: confirmedName(owner) });
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
