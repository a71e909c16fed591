/**
 * What an outsider can learn or break by sending odd input: each case here was found by probing the running API and
 * failed before its fix.
 */
import { SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipRateLimitKey } from '@emporium/server';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN_ENV, makeUser, type SignedInUser } from '../support/users';

const METRICS_TOKEN = 'metrics-token-0123456789';

let server: TestServer;
let mailbox: Mailbox;
let customer: SignedInUser;

beforeAll(async () => {
  mailbox = await startMailbox();
  server = await startTestServer({
    worker: true,
    // The declared budgets, not the test suite's raised ones: these tests are about the limits.
    env: { ...ADMIN_ENV, SMTP_URL: mailbox.url, METRICS_TOKEN, RATE_LIMIT_MULTIPLIER: '1' },
  });
  customer = await makeUser(server, 'customer');
});
afterAll(async () => {
  await server.close();
  await mailbox.close();
});

let nextAddress = 1;
/** A fresh client address per test (TRUST_PROXY trusts the loopback test client's X-Forwarded-For). */
const freshIp = () => `198.51.100.${nextAddress++}`;

describe('control characters in input', () => {
  it('answers 400 naming the query value, not 500, for a NUL in an anonymous query', async () => {
    const response = await request(server.app).get('/api/products?option=size:%00').set('X-Forwarded-For', freshIp());
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors).toEqual([expect.objectContaining({ path: 'query.option' })]);
  });

  it.each([
    ['NUL', '\u0000'],
    ['escape', '\u001b[31m'],
    ['DEL', '\u007f'],
    ['a C1 control', '\u0085'],
  ])('answers 400 for %s in a search query', async (_name, text) => {
    const response = await request(server.app)
      .get('/api/products/search')
      .query({ q: `shoe${text}` })
      .set('X-Forwarded-For', freshIp());
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('query.q');
  });

  it('answers register with the same 400 for a new and a taken email (no account existence leak)', async () => {
    const attempt = (email: string) =>
      request(server.app)
        .post('/api/auth/register')
        .set('X-Forwarded-For', freshIp())
        .send({ email, password: 'a-long-password-1', fullName: 'Nul\u0000Name' });
    const taken = await attempt(customer.email);
    const fresh = await attempt('nobody-yet@example.com');
    expect(taken.status).toBe(400);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(taken.body)).toEqual(strip(fresh.body));
    expect(taken.body.errors).toEqual([expect.objectContaining({ path: 'body.fullName' })]);
  });

  it('finds control characters deep in a body', async () => {
    const response = await request(server.app)
      .post('/api/users/addresses')
      .set('Authorization', `Bearer ${customer.accessToken}`)
      .send({ lines: ['ok', 'bad\u0000'] });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ path: 'body.lines.1' })]);
  });

  it('lets tabs and line breaks through to the route', async () => {
    const response = await request(server.app)
      .put('/api/users/profile')
      .set('Authorization', `Bearer ${customer.accessToken}`)
      .send({ fullName: 'Line\tbreak' });
    expect(response.status).not.toBe(500);
    expect(response.body.errors ?? []).not.toContainEqual(
      expect.objectContaining({ message: 'must not contain control characters' }),
    );
  });
});

describe('body encodings', () => {
  const body = JSON.stringify({ email: 'x@example.com' });

  it.each(['utf-7', 'latin1', 'utf-16le', 'bogus'])('answers 415 for a JSON body declared %s', async (charset) => {
    const response = await request(server.app)
      .post('/api/auth/forgot-password')
      .set('X-Forwarded-For', freshIp())
      .set('Content-Type', `application/json; charset=${charset}`)
      .send(body);
    expect(response.status).toBe(415);
    expect(response.body.code).toBe('unsupported_media_type');
  });

  it('never decodes UTF-7 into markup', async () => {
    const response = await request(server.app)
      .put('/api/users/profile')
      .set('Authorization', `Bearer ${customer.accessToken}`)
      .set('Content-Type', 'application/json; charset=utf-7')
      .send('{"fullName":"+ADw-script+AD4-"}');
    expect(response.status).toBe(415);
    const profile = await request(server.app)
      .get('/api/users/profile')
      .set('Authorization', `Bearer ${customer.accessToken}`);
    expect(profile.body.fullName).not.toContain('<script>');
  });

  it('accepts UTF-8 declared or not', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json; charset="UTF-8"']) {
      const response = await request(server.app)
        .put('/api/users/profile')
        .set('Authorization', `Bearer ${customer.accessToken}`)
        .set('Content-Type', type)
        .send(JSON.stringify({ fullName: 'Zoë Ångström' }));
      expect(response.status, type).toBe(200);
      expect(response.body.fullName).toBe('Zoë Ångström');
    }
  });

  it('answers 400 for invalid UTF-8 instead of replacing it', async () => {
    // fetch sends the bytes as they are (supertest would serialise a Buffer as JSON).
    const response = await fetch(`${server.baseUrl}/api/users/profile`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${customer.accessToken}`, 'Content-Type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"fullName":"bad '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'malformed_json',
      detail: 'The request body is not valid UTF-8.',
    });
  });
});

describe('access tokens', () => {
  it('refuses a correctly signed token without exp', async () => {
    const { config, jwtKey } = server.deps;
    const claims = JSON.parse(Buffer.from(customer.accessToken.split('.')[1]!, 'base64url').toString()) as {
      sid: string;
      role: string;
    };
    const forever = await new SignJWT({ sid: claims.sid, role: claims.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setSubject(customer.id)
      .setIssuer(config.JWT_ISSUER)
      .setAudience(config.JWT_AUDIENCE)
      .setIssuedAt()
      .sign(jwtKey);
    const response = await request(server.app).get('/api/users/profile').set('Authorization', `Bearer ${forever}`);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_token');
  });
});

describe('GET /metrics', () => {
  it('answers 401 without the metrics token and with a wrong one', async () => {
    const anonymous = await request(server.app).get('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');
    expect(anonymous.text).not.toContain('db_queries_total');
    const wrong = await request(server.app).get('/metrics').set('Authorization', 'Bearer not-the-token-at-all');
    expect(wrong.status).toBe(401);
  });

  it('serves the metrics with the token', async () => {
    const response = await request(server.app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.text).toContain('db_queries_total');
  });
});

describe('mails to an address nobody has confirmed', () => {
  it('does not quote the registering fullName in the verification mail', async () => {
    const email = 'quoted@example.com';
    const response = await request(server.app)
      .post('/api/auth/register')
      .set('X-Forwarded-For', freshIp())
      .send({ email, password: 'a-long-password-1', fullName: 'Win a prize at https://evil.example/claim' });
    expect(response.status).toBe(202);
    const mail = await mailbox.waitFor(email, /Verify your Emporium email/);
    expect(mail.text).not.toContain('evil.example');
    expect(mail.text).not.toContain('prize');
  });

  it('limits registrations per address whatever the IP, so one address cannot be mail-bombed', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const response = await request(server.app)
        .post('/api/auth/register')
        .set('X-Forwarded-For', freshIp())
        .send({ email: customer.email, password: 'a-long-password-1', fullName: 'Someone' });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
  });
});

describe('per-IP budgets', () => {
  it('count an IPv6 /64 as one client', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 31; attempt += 1) {
      const response = await request(server.app)
        .post('/api/auth/login')
        .set('X-Forwarded-For', `2001:db8:1:2:${attempt.toString(16)}::1`)
        .send({ email: `ipv6-${attempt}@example.com`, password: 'wrong-password-1' });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it.each([
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['::ffff:c000:207', '192.0.2.7'],
    ['192.0.2.7', '192.0.2.7'],
    [undefined, 'unknown'],
  ])('keys %s as %s', (address, key) => {
    expect(ipRateLimitKey(address)).toBe(key);
  });
});

describe('PUT /api/users/password', () => {
  it('answers 429 after a few wrong current passwords for one user', async () => {
    const user = await makeUser(server, 'customer');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const response = await request(server.app)
        .put('/api/users/password')
        .set('X-Forwarded-For', freshIp())
        .set('Authorization', `Bearer ${user.accessToken}`)
        .send({ currentPassword: `guess-${attempt}`, newPassword: 'a-brand-new-password-1' });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
  });
});
