import { renderIdentityMail, type IdentityMail } from '@emporium/server';
import { describe, expect, it } from 'vitest';

const PUBLIC_URL = 'https://shop.example.com';
const person = { to: 'ada@example.com', fullName: 'Ada Lovelace' };

function linksIn(text: string): string[] {
  return text.match(/https?:\/\/\S+/g) ?? [];
}

describe('renderIdentityMail', () => {
  it.each([
    ['verify_email', 'verify-email'],
    ['reset_password', 'reset-password'],
  ] as const)('%s links to ${PUBLIC_URL}/%s?token=<token>', (template, action) => {
    const mail = renderIdentityMail({ template, ...person, token: 'tok_123' }, PUBLIC_URL);
    expect(mail.to).toBe('ada@example.com');
    expect(linksIn(mail.text)).toEqual([`${PUBLIC_URL}/${action}?token=tok_123`]);
  });

  it('encodes the token, so characters that mean something in a URL survive the link', () => {
    const token = 'a+b/c=d&e f';
    const mail = renderIdentityMail({ template: 'reset_password', ...person, token }, PUBLIC_URL);
    const [link] = linksIn(mail.text);
    expect(new URL(link ?? '').searchParams.get('token')).toBe(token);
  });

  it.each(['account_exists', 'password_changed'] as const)('%s points at ${PUBLIC_URL}/forgot-password', (template) => {
    const mail = renderIdentityMail({ template, ...person }, PUBLIC_URL);
    expect(linksIn(mail.text).map((link) => link.replace(/[.:]$/, ''))).toEqual([`${PUBLIC_URL}/forgot-password`]);
  });

  it('keeps the user’s name out of the subject and on one line, so a name cannot add a header or a line', () => {
    const fullName = 'Eve\r\nBcc: victim@example.com';
    const templates: IdentityMail[] = [
      { template: 'verify_email', to: person.to, token: 't' },
      { template: 'reset_password', to: person.to, fullName, token: 't' },
      { template: 'account_exists', to: person.to, fullName },
      { template: 'password_changed', to: person.to, fullName },
    ];
    for (const template of templates) {
      const mail = renderIdentityMail(template, PUBLIC_URL);
      expect(mail.subject).not.toMatch(/[\r\n]|Eve|Bcc/);
      expect(mail.to).toBe(person.to);
      expect(mail.text).not.toMatch(/[\r\n]Bcc:/);
      if (template.template !== 'verify_email') expect(mail.text).toContain('Hello Eve Bcc: victim@example.com');
    }
  });

  it('sends plain text only: the name is never interpreted as markup', () => {
    const mail = renderIdentityMail(
      { template: 'password_changed', ...person, fullName: '<a href="https://evil.example">click</a>' },
      PUBLIC_URL,
    );
    expect(Object.keys(mail).sort()).toEqual(['subject', 'text', 'to']);
    expect(mail.text).toContain('Hello <a href="https://evil.example">click</a>');
  });
});
