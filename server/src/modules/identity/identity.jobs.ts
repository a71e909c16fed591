/**
 * Identity's background work. Mails go out from jobs enqueued in the same transaction as the change; the
 * forgot-password and resend-verification requests are decided in a job too, so the HTTP answer takes the same
 * time whether or not the account exists.
 */
import { z } from 'zod';
import type { Deps } from '../../deps';
import { defineTask, enqueueJob } from '../../platform/jobs';
import type { EntityManager } from '../../platform/database';
import { issueActionToken } from './action-tokens';
import { User } from './identity.entities';
import { IdentityMail, renderIdentityMail } from './mail-templates';

export const sendIdentityMail = defineTask<IdentityMail, Deps>({
  name: 'identity__send_mail',
  payload: IdentityMail,
  run: async (mail, deps) => deps.mailer.send(renderIdentityMail(mail, deps.config.PUBLIC_URL)),
});

const EmailPayload = z.object({ email: z.string() });

export const sendPasswordReset = defineTask<z.infer<typeof EmailPayload>, Deps>({
  name: 'identity__send_password_reset',
  payload: EmailPayload,
  run: async ({ email }, deps) => {
    await deps.orm.em.fork().transactional(async (em) => {
      const user = await em.findOne(User, { email, isActive: true });
      if (!user) return;
      const token = await issueActionToken(em, user.id, 'reset_password');
      await enqueueMail(em, { template: 'reset_password', to: user.email, fullName: user.fullName, token });
    });
  },
});

export const resendVerification = defineTask<z.infer<typeof EmailPayload>, Deps>({
  name: 'identity__resend_verification',
  payload: EmailPayload,
  run: async ({ email }, deps) => {
    await deps.orm.em.fork().transactional(async (em) => {
      const user = await em.findOne(User, { email, emailVerifiedAt: null });
      if (!user) return;
      const token = await issueActionToken(em, user.id, 'verify_email');
      await enqueueMail(em, { template: 'verify_email', to: user.email, fullName: user.fullName, token });
    });
  },
});

export function enqueueMail(em: EntityManager, mail: IdentityMail): Promise<void> {
  return enqueueJob(em, sendIdentityMail, mail);
}

export const identityTasks = [sendIdentityMail, sendPasswordReset, resendVerification];
