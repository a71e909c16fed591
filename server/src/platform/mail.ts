/**
 * Outgoing mail through nodemailer to SMTP_URL. Without SMTP_URL (development only; production requires it) mails
 * are written to the log instead, links included, so a developer can follow them.
 */
import nodemailer from 'nodemailer';
import type { Logger } from './logger';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export function createMailer(options: { smtpUrl: string | undefined; from: string; logger: Logger }): Mailer {
  const { smtpUrl, from, logger } = options;
  if (!smtpUrl) {
    return {
      send: async (mail) => {
        logger.info(
          { mail: { to: mail.to, subject: mail.subject }, text: mail.text },
          'mail (SMTP_URL unset, logged only)',
        );
      },
    };
  }
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    send: async (mail) => {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
  };
}
