import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProfile, login } from '@emporium/sdk';
import { startOpenIdProvider, type LocalOpenIdProvider } from '../support/oidc-provider';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV } from '../support/users';

let server: TestServer;
let provider: LocalOpenIdProvider;

beforeAll(async () => {
  server = await startTestServer({
    env: async (baseUrl) => {
      provider = await startOpenIdProvider(`${baseUrl}/api/auth/oauth/local/callback`);
      return {
        ...ADMIN_ENV,
        OAUTH_OIDC_NAME: 'local',
        OAUTH_OIDC_ISSUER: provider.issuer,
        OAUTH_OIDC_CLIENT_ID: provider.clientId,
        OAUTH_OIDC_CLIENT_SECRET: provider.clientSecret,
      };
    },
  });
});
afterAll(async () => {
  await server.close();
  await provider.close();
});

/** A browser's cookie jar, just enough for the redirect dance. */
function jar() {
  const cookies = new Map<string, string>();
  return {
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    store: (response: Response) => {
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const index = pair.indexOf('=');
        cookies.set(pair.slice(0, index), pair.slice(index + 1));
      }
    },
  };
}

/** Follows redirects by hand, carrying cookies per host, until the redirect back to our callback. */
async function walkToCallback(startUrl: string) {
  const apiJar = jar();
  const providerJar = jar();
  const start = await fetch(startUrl, { redirect: 'manual' });
  expect(start.status).toBe(302);
  apiJar.store(start);
  let location = start.headers.get('location')!;
  for (let hop = 0; hop < 10 && location.startsWith(provider.issuer); hop += 1) {
    const response = await fetch(location, { redirect: 'manual', headers: { cookie: providerJar.header() } });
    providerJar.store(response);
    location = new URL(response.headers.get('location')!, location).href;
  }
  expect(location.startsWith(`${server.baseUrl}/api/auth/oauth/local/callback?`)).toBe(true);
  return { callbackUrl: location, apiCookies: apiJar.header() };
}

describe('social login with OpenID Connect', () => {
  it('completes the round trip with PKCE, state and nonce, and answers a token pair', async () => {
    const { callbackUrl, apiCookies } = await walkToCallback(`${server.baseUrl}/api/auth/oauth/local/authorize`);
    const authorize = new URL(callbackUrl);
    expect(authorize.searchParams.get('code')).toBeTruthy();

    const response = await fetch(callbackUrl, { headers: { cookie: apiCookies } });
    expect(response.status, await response.clone().text()).toBe(200);
    const pair = (await response.json()) as { accessToken: string; user: { email: string; emailVerified: boolean } };
    expect(pair.user).toMatchObject({ email: 'social@example.com', emailVerified: true });
    const profile = await getProfile({ client: server.clientFor(pair.accessToken) });
    expect(profile.data!.email).toBe('social@example.com');

    // The same provider account logs in again into the same user.
    const again = await walkToCallback(`${server.baseUrl}/api/auth/oauth/local/authorize`);
    const second = await fetch(again.callbackUrl, { headers: { cookie: again.apiCookies } });
    expect(((await second.json()) as { user: { id: string } }).user.id).toBe(profile.data!.id);
  });

  it("refuses a callback whose state does not match the browser's cookie", async () => {
    const { callbackUrl } = await walkToCallback(`${server.baseUrl}/api/auth/oauth/local/authorize`);
    const other = await walkToCallback(`${server.baseUrl}/api/auth/oauth/local/authorize`);
    const response = await fetch(callbackUrl, { headers: { cookie: other.apiCookies } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('invalid_oauth_state');
  });

  it('refuses a replayed callback: the state works once', async () => {
    const { callbackUrl, apiCookies } = await walkToCallback(`${server.baseUrl}/api/auth/oauth/local/authorize`);
    expect((await fetch(callbackUrl, { headers: { cookie: apiCookies } })).status).toBe(200);
    const replay = await fetch(callbackUrl, { headers: { cookie: apiCookies } });
    expect(replay.status).toBe(400);
  });

  it('links to an existing verified account with the same email instead of creating a second one', async () => {
    provider.account = { sub: 'admin-sub', email: ADMIN.email, emailVerified: true, name: 'Admin Elsewhere' };
    const admin = await login({ client: server.client, body: ADMIN });
    const { callbackUrl, apiCookies } = await walkToCallback(`${server.baseUrl}/api/auth/oauth/local/authorize`);
    const pair = (await (await fetch(callbackUrl, { headers: { cookie: apiCookies } })).json()) as {
      user: { id: string };
    };
    expect(pair.user.id).toBe(admin.data!.user.id);
  });

  it('answers 404 for a provider that is not configured', async () => {
    const response = await fetch(`${server.baseUrl}/api/auth/oauth/nowhere/authorize`, { redirect: 'manual' });
    expect(response.status).toBe(404);
  });
});
