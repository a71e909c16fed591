/**
 * The identity mails, plain text. Links are `${PUBLIC_URL}/<action>?token=<token>` (the README's PUBLIC_URL): the
 * storefront serves those pages and calls the API with the token.
 * A mail quotes no text its recipient has not confirmed as theirs: anyone can register any address with any name, so
 * a name is only used once the address is verified (`fullName` is left out otherwise), and never in a verification
 * mail, whose recipient by definition has confirmed nothing yet.
 */
import { z } from 'zod';
import type { Mail } from '../../platform/mail';

export const IdentityMail = z.discriminatedUnion('template', [
  z.object({ template: z.literal('verify_email'), to: z.string(), token: z.string() }),
  z.object({
    template: z.literal('reset_password'),
    to: z.string(),
    fullName: z.string().optional(),
    token: z.string(),
  }),
  z.object({ template: z.literal('account_exists'), to: z.string(), fullName: z.string().optional() }),
  z.object({ template: z.literal('password_changed'), to: z.string(), fullName: z.string().optional() }),
]);
export type IdentityMail = z.infer<typeof IdentityMail>;

/** The name of a verified account, as one line (no newlines or other controls can shape the mail). */
function greeting(fullName: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const name = fullName?.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return name ? `Hello ${name},` : 'Hello,';
}

/** The fullName a mail to this user may quote: only once the user has confirmed the address. */
export function confirmedName(user: { fullName: string; emailVerifiedAt?: Date | null }): string | undefined {
  return user.emailVerifiedAt ? user.fullName : undefined;
}

export function renderIdentityMail(mail: IdentityMail, publicUrl: string): Mail {
  const link = (action: string, token: string) => `${publicUrl}/${action}?token=${encodeURIComponent(token)}`;
  switch (mail.template) {
    case 'verify_email':
      return {
        to: mail.to,
        subject: 'Verify your Emporium email address',
        text: `Hello,\n\nConfirm your address to finish creating your account:\n${link('verify-email', mail.token)}\n\nThe link works once and expires in 24 hours.`,
      };
    case 'reset_password':
      return {
        to: mail.to,
        subject: 'Reset your Emporium password',
        text: `${greeting(mail.fullName)}\n\nSomeone asked to reset your password. If it was you:\n${link('reset-password', mail.token)}\n\nThe link works once and expires in 1 hour. If it was not you, ignore this mail.`,
      };
    case 'account_exists':
      return {
        to: mail.to,
        subject: 'Someone tried to register with your address',
        text: `${greeting(mail.fullName)}\n\nSomeone tried to create an Emporium account with this address, which already has one. If it was you, log in or reset your password at ${publicUrl}/forgot-password. Otherwise, ignore this mail.`,
      };
    case 'password_changed':
      return {
        to: mail.to,
        subject: 'Your Emporium password was changed',
        text: `${greeting(mail.fullName)}\n\nYour password was just changed and your other sessions were ended. If this was not you, reset your password at once: ${publicUrl}/forgot-password.`,
      };
  }
}
