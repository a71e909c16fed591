/**
 * The identity mails, plain text. Links are `${PUBLIC_URL}/<action>?token=<token>` (the README's PUBLIC_URL): the
 * storefront serves those pages and calls the API with the token.
 */
import { z } from 'zod';
import type { Mail } from '../../platform/mail';

export const IdentityMail = z.discriminatedUnion('template', [
  z.object({ template: z.literal('verify_email'), to: z.string(), fullName: z.string(), token: z.string() }),
  z.object({ template: z.literal('reset_password'), to: z.string(), fullName: z.string(), token: z.string() }),
  z.object({ template: z.literal('account_exists'), to: z.string(), fullName: z.string() }),
  z.object({ template: z.literal('password_changed'), to: z.string(), fullName: z.string() }),
]);
export type IdentityMail = z.infer<typeof IdentityMail>;

export function renderIdentityMail(mail: IdentityMail, publicUrl: string): Mail {
  const link = (action: string, token: string) => `${publicUrl}/${action}?token=${encodeURIComponent(token)}`;
  switch (mail.template) {
    case 'verify_email':
      return {
        to: mail.to,
        subject: 'Verify your Emporium email address',
        text: `Hello ${mail.fullName},\n\nConfirm your address to finish creating your account:\n${link('verify-email', mail.token)}\n\nThe link works once and expires in 24 hours.`,
      };
    case 'reset_password':
      return {
        to: mail.to,
        subject: 'Reset your Emporium password',
        text: `Hello ${mail.fullName},\n\nSomeone asked to reset your password. If it was you:\n${link('reset-password', mail.token)}\n\nThe link works once and expires in 1 hour. If it was not you, ignore this mail.`,
      };
    case 'account_exists':
      return {
        to: mail.to,
        subject: 'Someone tried to register with your address',
        text: `Hello ${mail.fullName},\n\nSomeone tried to create an Emporium account with this address, which already has one. If it was you, log in or reset your password at ${publicUrl}/forgot-password. Otherwise, ignore this mail.`,
      };
    case 'password_changed':
      return {
        to: mail.to,
        subject: 'Your Emporium password was changed',
        text: `Hello ${mail.fullName},\n\nYour password was just changed and your other sessions were ended. If this was not you, reset your password at once: ${publicUrl}/forgot-password.`,
      };
  }
}
