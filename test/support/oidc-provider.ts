/**
 * A real OpenID provider (the oidc-provider package) on a local port. Its login and consent screens are replaced by
 * an interaction that signs in the configured account at once, so a test can walk the redirects with fetch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

export interface LocalOpenIdProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who signs in at the next interaction. */
  account: TestAccount;
  close(): Promise<void>;
}

export async function startOpenIdProvider(redirectUri: string): Promise<LocalOpenIdProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state: LocalOpenIdProvider = {
    issuer,
    clientId: 'emporium-test',
    clientSecret: 'emporium-test-secret-emporium-test-secret',
    account: { sub: 'user-1', email: 'social@example.com', emailVerified: true, name: 'Social User' },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: state.clientId,
        client_secret: state.clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({
        sub: id,
        email: state.account.email,
        email_verified: state.account.emailVerified,
        name: state.account.name,
      }),
    }),
    // Consent is implied: the grant is created on the fly.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['test-cookie-key'] },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      void provider.interactionFinished(
        req,
        res,
        { login: { accountId: state.account.sub } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    void callback(req, res);
  });
  return state;
}
