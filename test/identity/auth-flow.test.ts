import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  forgotPassword,
  getProfile,
  login,
  logout,
  refreshTokens,
  register,
  resetPassword,
  verifyEmail,
} from '@emporium/sdk';
import { importVerifiedUsers, systemCtx } from '@emporium/server';
import { startMailbox, tokenFrom, type Mailbox } from '../support/mailbox';
import { startTestServer, type TestServer } from '../support/server';
import { signIn } from '../support/users';

let server: TestServer;
let mailbox: Mailbox;

beforeAll(async () => {
  mailbox = await startMailbox();
  server = await startTestServer({ worker: true, env: { SMTP_URL: mailbox.url } });
});
afterAll(async () => {
  await server.close();
  await mailbox.close();
});

async function registerAndVerify(email: string, password: string) {
  const registered = await register({ client: server.client, body: { email, password, fullName: 'Ada Lovelace' } });
  expect(registered.response!.status).toBe(202);
  const mail = await mailbox.waitFor(email, /Verify your Emporium email/);
  const verified = await verifyEmail({ client: server.client, body: { token: tokenFrom(mail, 'verify-email') } });
  expect(verified.data?.user).toMatchObject({ email, emailVerified: true, role: 'customer' });
}

describe('the account lifecycle', () => {
  it('registers, verifies by mail, logs in, refreshes and logs out; the old tokens then fail', async () => {
    const email = 'ada@example.com';
    await registerAndVerify('Ada@Example.com '.trim().toLowerCase(), 'analytical-engine-1843');
    const session = await signIn(server, email, 'analytical-engine-1843');

    const profile = await getProfile({ client: server.clientFor(session.accessToken) });
    expect(profile.data).toMatchObject({ email, fullName: 'Ada Lovelace', emailVerified: true, isActive: true });

    const refreshed = await refreshTokens({ client: server.client, body: { refreshToken: session.refreshToken } });
    expect(refreshed.response!.status).toBe(200);
    const next = refreshed.data!;
    expect(next.refreshToken).not.toBe(session.refreshToken);

    const loggedOut = await logout({
      client: server.clientFor(next.accessToken),
      body: { refreshToken: next.refreshToken },
    });
    expect(loggedOut.response!.status).toBe(204);

    const oldAccess = await getProfile({ client: server.clientFor(next.accessToken) });
    expect(oldAccess.response!.status).toBe(401);
    expect(oldAccess.response!.headers.get('www-authenticate')).toBe('Bearer');
    const oldRefresh = await refreshTokens({ client: server.client, body: { refreshToken: next.refreshToken } });
    expect(oldRefresh.response!.status).toBe(401);
  });

  it('refuses login before the email is verified, and mails the owner when their address is registered again', async () => {
    const email = 'grace@example.com';
    await register({ client: server.client, body: { email, password: 'compiler-a0-1952', fullName: 'Grace Hopper' } });
    const unverified = await login({ client: server.client, body: { email, password: 'compiler-a0-1952' } });
    expect(unverified.response!.status).toBe(403);
    expect(unverified.error).toMatchObject({ code: 'email_not_verified' });

    const again = await register({
      client: server.client,
      body: { email, password: 'another-password-1', fullName: 'Mallory' },
    });
    expect(again.response!.status).toBe(202);
    await mailbox.waitFor(email, /Someone tried to register with your address/);
  });
});

describe('registering one new email twice at once', () => {
  it('makes one account, mails the verification once and tells the owner of the other attempt', async () => {
    const email = 'twice@example.com';
    const answers = await Promise.all(
      ['first-password-1', 'second-password-2'].map((password) =>
        request(server.app).post('/api/auth/register').send({ email, password, fullName: 'Twice' }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
    await mailbox.waitFor(email, /Verify your Emporium email/);
    await mailbox.waitFor(email, /Someone tried to register with your address/);
    const [row] = await server.deps.orm.em
      .fork()
      .execute<{ accounts: number }[]>('select count(*)::int as accounts from users where email = ?', [email]);
    expect(row?.accounts).toBe(1);
  });
});

describe('answers that cannot tell accounts apart', () => {
  it('gives register, login and forgot-password the same answers for existing and missing accounts', async () => {
    await registerAndVerify('known@example.com', 'known-password-123');
    const registerTaken = await request(server.app)
      .post('/api/auth/register')
      .send({ email: 'known@example.com', password: 'xxxxxxxxxxxxxx', fullName: 'X' });
    const registerFree = await request(server.app)
      .post('/api/auth/register')
      .send({ email: 'fresh@example.com', password: 'xxxxxxxxxxxxxx', fullName: 'X' });
    expect([registerTaken.status, registerTaken.body]).toEqual([registerFree.status, registerFree.body]);

    const wrongPassword = await request(server.app)
      .post('/api/auth/login')
      .send({ email: 'known@example.com', password: 'nope-nope-nope' });
    const unknownEmail = await request(server.app)
      .post('/api/auth/login')
      .send({ email: 'ghost@example.com', password: 'nope-nope-nope' });
    expect(wrongPassword.status).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(wrongPassword.body)).toEqual(strip(unknownEmail.body));
    expect(wrongPassword.body.code).toBe('invalid_credentials');

    const forgotKnown = await request(server.app)
      .post('/api/auth/forgot-password')
      .send({ email: 'known@example.com' });
    const forgotGhost = await request(server.app)
      .post('/api/auth/forgot-password')
      .send({ email: 'ghost@example.com' });
    expect([forgotKnown.status, forgotKnown.body]).toEqual([202, forgotGhost.body]);
  });

  it('runs the same statements for a taken email as for a new one when registering', async () => {
    // No job worker here: only the request's own statements are counted (the mail is decided in a job).
    const quiet = await startTestServer();
    try {
      const taken = `taken-${randomUUID()}@example.com`;
      await importVerifiedUsers(
        systemCtx(quiet.deps, 'test'),
        'customer',
        [{ id: randomUUID(), email: taken, fullName: 'Taken', createdAt: new Date() }],
        'not-a-password-hash',
      );
      const statementsOf = async (email: string) => {
        const before = (await quiet.deps.metrics.dbQueries.get()).values[0]?.value ?? 0;
        const answer = await request(quiet.app)
          .post('/api/auth/register')
          .send({ email, password: 'same-password-123', fullName: 'Someone' });
        expect(answer.status).toBe(202);
        return ((await quiet.deps.metrics.dbQueries.get()).values[0]?.value ?? 0) - before;
      };
      const forTaken = await statementsOf(taken);
      const forNew = await statementsOf(`new-${randomUUID()}@example.com`);
      expect(forTaken).toBeGreaterThan(0);
      expect(forTaken).toBe(forNew);
    } finally {
      await quiet.close();
    }
  });
});

describe('refresh token rotation', () => {
  it('revokes the whole family when a used refresh token is presented again', async () => {
    await registerAndVerify('rotate@example.com', 'rotate-password-1');
    const first = await signIn(server, 'rotate@example.com', 'rotate-password-1');
    const second = await refreshTokens({ client: server.client, body: { refreshToken: first.refreshToken } });
    expect(second.response!.status).toBe(200);

    const replay = await refreshTokens({ client: server.client, body: { refreshToken: first.refreshToken } });
    expect(replay.response!.status).toBe(401);
    // The thief's replay ended the family: the legitimate newer token and its access token are dead too.
    const descendant = await refreshTokens({
      client: server.client,
      body: { refreshToken: second.data!.refreshToken },
    });
    expect(descendant.response!.status).toBe(401);
    const access = await getProfile({ client: server.clientFor(second.data!.accessToken) });
    expect(access.response!.status).toBe(401);
  });

  it('lets at most one of two parallel refreshes with the same token succeed', async () => {
    await registerAndVerify('race@example.com', 'race-password-12');
    for (let round = 0; round < 5; round += 1) {
      const session = await signIn(server, 'race@example.com', 'race-password-12');
      const results = await Promise.all(
        [1, 2].map(() => refreshTokens({ client: server.client, body: { refreshToken: session.refreshToken } })),
      );
      expect(results.filter((result) => result.response!.status === 200).length).toBeLessThanOrEqual(1);
    }
  });
});

describe('password reset', () => {
  it('works once, ends every session, and an expired token is refused', async () => {
    const email = 'reset@example.com';
    await registerAndVerify(email, 'original-password-1');
    const before = await signIn(server, email, 'original-password-1');

    await forgotPassword({ client: server.client, body: { email } });
    const token = tokenFrom(await mailbox.waitFor(email, /Reset your Emporium password/), 'reset-password');
    const reset = await resetPassword({ client: server.client, body: { token, password: 'brand-new-password-2' } });
    expect(reset.response!.status).toBe(204);
    const reused = await resetPassword({ client: server.client, body: { token, password: 'third-password-3333' } });
    expect(reused.error).toMatchObject({ code: 'invalid_token' });

    expect((await getProfile({ client: server.clientFor(before.accessToken) })).response!.status).toBe(401);
    expect(
      (await refreshTokens({ client: server.client, body: { refreshToken: before.refreshToken } })).response!.status,
    ).toBe(401);
    await signIn(server, email, 'brand-new-password-2');
    await mailbox.waitFor(email, /password was changed/);

    mailbox.mails.length = 0;
    await forgotPassword({ client: server.client, body: { email } });
    const late = tokenFrom(await mailbox.waitFor(email, /Reset your Emporium password/), 'reset-password');
    await server.deps.orm.em
      .fork()
      .execute(`update action_tokens set expires_at = now() - interval '1 second' where purpose = 'reset_password'`);
    const expired = await resetPassword({
      client: server.client,
      body: { token: late, password: 'too-late-password-4' },
    });
    expect(expired.response!.status).toBe(400);
    expect(expired.error).toMatchObject({ code: 'invalid_token' });
  });
});
