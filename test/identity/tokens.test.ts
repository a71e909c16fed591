import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProfile } from '@emporium/sdk';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN_ENV, makeUser, type SignedInUser } from '../support/users';

let server: TestServer;
let user: SignedInUser;
let sessionId: string;

beforeAll(async () => {
  server = await startTestServer({ env: ADMIN_ENV });
  user = await makeUser(server);
  sessionId = JSON.parse(Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString()).sid;
});
afterAll(async () => server.close());

function sign(overrides: { key?: Uint8Array; issuer?: string; audience?: string; expiresAt?: number } = {}) {
  const { config, jwtKey } = server.deps;
  return new SignJWT({ sid: sessionId, role: 'admin' })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setSubject(user.id)
    .setIssuer(overrides.issuer ?? config.JWT_ISSUER)
    .setAudience(overrides.audience ?? config.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(overrides.expiresAt ?? Math.floor(Date.now() / 1000) + 600)
    .sign(overrides.key ?? jwtKey);
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function statusWith(token: string) {
  const { response, error } = await getProfile({ client: server.clientFor(token) });
  return { status: response!.status, code: (error as { code?: string } | undefined)?.code };
}

describe('access token verification', () => {
  it('accepts a token it signed itself (the control case)', async () => {
    expect((await statusWith(await sign())).status).toBe(200);
  });

  it.each([
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: user.id, sid: sessionId, iss: 'emporium', aud: 'emporium-api', exp: 9e9 })}.`,
    ],
    ['a wrong key', () => sign({ key: new TextEncoder().encode('x'.repeat(64)) })],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = user.accessToken.split('.');
        const payload = JSON.parse(Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString());
        return `${header}.${b64({ ...payload, sub: '00000000-0000-7000-8000-000000000000' })}.${signature}`;
      },
    ],
    ['an expired token', () => sign({ expiresAt: Math.floor(Date.now() / 1000) - 60 })],
    ['a wrong issuer', () => sign({ issuer: 'someone-else' })],
    ['a wrong audience', () => sign({ audience: 'another-api' })],
    ['a refresh token presented as an access token', async () => user.refreshToken],
    ['garbage', async () => 'not.a.jwt'],
  ])('refuses %s with 401 invalid_token', async (_name, forge) => {
    expect(await statusWith(await forge())).toEqual({ status: 401, code: 'invalid_token' });
  });

  it('answers a missing token with 401 unauthorized and WWW-Authenticate: Bearer', async () => {
    const { response, error } = await getProfile({ client: server.client });
    expect(response!.status).toBe(401);
    expect(response!.headers.get('www-authenticate')).toBe('Bearer');
    expect(error).toMatchObject({ code: 'unauthorized' });
  });
});
