/**
 * Social login with OpenID Connect (openid-client): authorization code + PKCE, state and nonce. The state is kept
 * server-side for 10 minutes (one use) and bound to the browser by a cookie. Providers come from configuration.
 */
import * as oidc from 'openid-client';
import type { z } from 'zod';
import type { TokenPair } from '@emporium/contract';
import type { Config } from '../../config';
import type { Ctx } from '../../platform/context';
import { AppError, ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors';
import type { KeyValueStore } from '../../platform/store';
import { identityAudit } from './identity.audit';
import { OAuthIdentity, User } from './identity.entities';
import { startSession } from './sessions';

interface ProviderSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
}

const STATE_TTL_SECONDS = 600;
export const OAUTH_STATE_COOKIE = 'emporium_oauth_state';

export function configuredProviders(config: Readonly<Config>): Map<string, ProviderSettings> {
  const providers = new Map<string, ProviderSettings>();
  if (config.OAUTH_GOOGLE_CLIENT_ID && config.OAUTH_GOOGLE_CLIENT_SECRET) {
    providers.set('google', {
      issuer: new URL('https://accounts.google.com'),
      clientId: config.OAUTH_GOOGLE_CLIENT_ID,
      clientSecret: config.OAUTH_GOOGLE_CLIENT_SECRET,
    });
  }
  if (config.OAUTH_OIDC_ISSUER && config.OAUTH_OIDC_CLIENT_ID && config.OAUTH_OIDC_CLIENT_SECRET) {
    providers.set(config.OAUTH_OIDC_NAME, {
      issuer: new URL(config.OAUTH_OIDC_ISSUER),
      clientId: config.OAUTH_OIDC_CLIENT_ID,
      clientSecret: config.OAUTH_OIDC_CLIENT_SECRET,
    });
  }
  return providers;
}

const oauthFailed = (detail: string) => new AppError(400, 'oauth_failed', 'Social login failed', { detail });
const badState = () =>
  new AppError(400, 'invalid_oauth_state', 'Invalid OAuth state', {
    detail: 'The login state is missing, used, expired or from another browser.',
  });

interface PendingLogin {
  provider: string;
  verifier: string;
  nonce: string;
}

export interface OAuthService {
  authorizationUrl(provider: string): Promise<{ url: string; state: string }>;
  complete(
    ctx: Ctx,
    provider: string,
    input: { callbackUrl: URL; cookieState: string | undefined },
  ): Promise<z.infer<typeof TokenPair>>;
}

/** Holds what outlives a request: the discovered provider configurations (one discovery per provider and process). */
export function createOAuthService(config: Readonly<Config>, store: KeyValueStore): OAuthService {
  const providers = configuredProviders(config);
  const discovered = new Map<string, Promise<oidc.Configuration>>();

  function providerConfig(name: string): Promise<oidc.Configuration> {
    const settings = providers.get(name);
    if (!settings) return Promise.reject(new NotFoundError(`OAuth provider ${name}`, 'oauth_provider_unknown'));
    let configuration = discovered.get(name);
    if (!configuration) {
      // Plain-http issuers exist only on developer machines and in tests; production insists on https.
      const insecure = settings.issuer.protocol === 'http:' && !config.isProduction;
      configuration = oidc.discovery(settings.issuer, settings.clientId, settings.clientSecret, undefined, {
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      configuration.catch(() => discovered.delete(name));
      discovered.set(name, configuration);
    }
    return configuration;
  }

  const redirectUri = (provider: string) => `${config.PUBLIC_URL}/api/auth/oauth/${provider}/callback`;

  async function findOrLinkUser(ctx: Ctx, provider: string, claims: oidc.IDToken): Promise<User> {
    const linked = await ctx.em.findOne(OAuthIdentity, { provider, subject: claims.sub });
    if (linked) return ctx.em.findOneOrFail(User, { id: linked.userId });
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : undefined;
    if (!email || claims.email_verified !== true) {
      throw oauthFailed('The provider did not share a verified email address.');
    }
    let user = await ctx.em.findOne(User, { email });
    if (user && user.passwordHash && !user.emailVerifiedAt) {
      // Someone registered this address without proving it: never hand that account to the provider's user.
      throw new ConflictError(
        'email_taken',
        'An unverified account uses this email; verify it or log in with a password.',
      );
    }
    if (!user) {
      const fullName = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 120) : email;
      user = ctx.em.create(User, {
        email,
        passwordHash: null,
        fullName,
        role: 'customer',
        emailVerifiedAt: new Date(),
        isActive: true,
      });
      ctx.em.persist(user);
    }
    ctx.em.persist(ctx.em.create(OAuthIdentity, { userId: user.id, provider, subject: claims.sub, email }));
    identityAudit.record(ctx, { action: 'oauth.linked', targetId: user.id, actorId: user.id, details: { provider } });
    return user;
  }

  return {
    async authorizationUrl(provider) {
      const configuration = await providerConfig(provider);
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const pending: PendingLogin = { provider, verifier, nonce };
      await store.set(`oauth:${state}`, JSON.stringify(pending), STATE_TTL_SECONDS);
      const url = oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri(provider),
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url: url.href, state };
    },

    async complete(ctx, provider, { callbackUrl, cookieState }) {
      const configuration = await providerConfig(provider);
      const error = callbackUrl.searchParams.get('error');
      if (error) throw oauthFailed(`The provider answered: ${error.slice(0, 200)}`);
      const state = callbackUrl.searchParams.get('state');
      if (!state || state !== cookieState) throw badState();
      const stored = await store.take(`oauth:${state}`);
      const pending = stored ? (JSON.parse(stored) as PendingLogin) : undefined;
      if (!pending || pending.provider !== provider) throw badState();
      let claims: oidc.IDToken | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
          pkceCodeVerifier: pending.verifier,
          expectedState: state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
        // Providers may keep email claims out of the ID token and serve them from the userinfo endpoint only.
        if (claims && claims.email === undefined) {
          const userInfo = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
          claims = {
            ...claims,
            email: userInfo.email,
            email_verified: userInfo.email_verified,
            name: userInfo.name ?? claims.name,
          };
        }
      } catch (grantError) {
        throw oauthFailed(
          `The code exchange failed: ${grantError instanceof Error ? grantError.message : 'unknown error'}`,
        );
      }
      if (!claims) throw oauthFailed('The provider sent no ID token.');
      const user = await findOrLinkUser(ctx, provider, claims);
      if (!user.isActive) throw new ForbiddenError('account_disabled', 'This account is disabled.');
      return startSession(ctx, user);
    },
  };
}
