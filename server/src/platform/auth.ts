/**
 * Access tokens and the one guard that enforces each route's auth policy (from the contract's metadata).
 * Access tokens are HS256 JWTs signed with jose and verified by passport-jwt with an explicit algorithm list,
 * issuer and audience. They name their session (`sid`); the guard checks that session live on every request, so
 * logout, password resets, deactivation and role changes take effect at once.
 */
import { createSecretKey, randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { API_KEY_PREFIX, isRouteMetadata, type Role, type RouteMetadata } from '@emporium/contract';
import { SignJWT } from 'jose';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import type { Config } from '../config';
import type { Actor } from './context';
import { ForbiddenError, UnauthorizedError } from './errors';

const ALGORITHM = 'HS256';
const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface AccessTokenSigner {
  sign(subject: { userId: string; role: Role; sessionId: string }): Promise<{ token: string; expiresIn: number }>;
}

type AuthConfig = Pick<Config, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'ACCESS_TOKEN_TTL_SECONDS'>;

export function createAccessTokenSigner(config: AuthConfig, secret: Uint8Array): AccessTokenSigner {
  return {
    sign: async ({ userId, role, sessionId }) => {
      const token = await new SignJWT({ sid: sessionId, role })
        .setProtectedHeader({ alg: ALGORITHM, typ: ACCESS_TOKEN_TYPE })
        .setSubject(userId)
        .setIssuer(config.JWT_ISSUER)
        .setAudience(config.JWT_AUDIENCE)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${config.ACCESS_TOKEN_TTL_SECONDS}s`)
        .sign(secret);
      return { token, expiresIn: config.ACCESS_TOKEN_TTL_SECONDS };
    },
  };
}

/** Looks up a session: the actor when the session is live and its user active, else undefined. */
export type SessionResolver = (userId: string, sessionId: string) => Promise<Actor | undefined>;

interface AccessTokenClaims {
  sub?: unknown;
  sid?: unknown;
  exp?: unknown;
}

type AuthOutcome = { actor: Actor } | { failure: 'missing' | 'invalid' | 'expired' | 'revoked' };

function createAuthenticator(config: AuthConfig, secret: Uint8Array, resolveSession: SessionResolver) {
  const passport = new Passport();
  passport.use(
    'jwt',
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        // A KeyObject made once: given bytes, jsonwebtoken tries (and fails) to parse them as a public key and then
        // builds a secret key on every verification. Its types say string | Buffer; it takes a KeyObject too.
        secretOrKey: createSecretKey(secret) as unknown as Buffer,
        algorithms: [ALGORITHM],
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
      },
      (claims: AccessTokenClaims, done: (error: unknown, user?: Actor | false, info?: unknown) => void) => {
        // jsonwebtoken checks `exp` only when present; a token without one would never expire.
        if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') {
          done(null, false, { message: 'invalid' });
          return;
        }
        resolveSession(claims.sub, claims.sid).then(
          (actor) => done(null, actor ?? false, actor ? undefined : { message: 'revoked' }),
          (error: unknown) => done(error),
        );
      },
    ),
  );
  const asError = (error: unknown) => (error instanceof Error ? error : new Error('authentication failed'));
  return (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) =>
    new Promise<AuthOutcome>((resolve, reject) => {
      const callback = (error: unknown, actor: Actor | false, info: unknown) => {
        if (error) return reject(asError(error));
        if (actor) return resolve({ actor });
        const name = info instanceof Error ? info.name : undefined;
        const message = info && typeof info === 'object' && 'message' in info ? String(info.message) : '';
        if (name === 'TokenExpiredError') return resolve({ failure: 'expired' });
        if (message === 'revoked') return resolve({ failure: 'revoked' });
        if (message === 'No auth token') return resolve({ failure: 'missing' });
        return resolve({ failure: 'invalid' });
      };
      const middleware = passport.authenticate('jwt', { session: false }, callback) as RequestHandler;
      void middleware(req, res, (error: unknown) => reject(asError(error)));
    });
}

/**
 * Looks up an API key (the whole bearer token, `emp_live_...`): the actor it acts as (with `apiKey` set) when the key
 * is live, else why not. Passed in by the composition root, like the session resolver.
 */
export type ApiKeyResolver = (
  secret: string,
  req: Parameters<RequestHandler>[0],
) => Promise<{ actor: Actor } | { failure: 'invalid' | 'expired' | 'revoked' }>;

const API_KEY_FAILURE_DETAIL = {
  invalid: 'The API key is invalid.',
  expired: 'The API key has expired.',
  revoked: 'The API key has been revoked.',
} as const;

function bearerApiKey(req: Parameters<RequestHandler>[0]): string | undefined {
  const match = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1]?.startsWith(API_KEY_PREFIX) ? match[1] : undefined;
}

/** An API key calls only routes that list one of its scopes; everything else is for users (403). */
function assertKeyMayCall(actor: Actor, metadata: RouteMetadata): void {
  if (!actor.apiKey) return;
  const granted = metadata.scopes?.filter((scope) => actor.apiKey?.scopes.includes(scope)) ?? [];
  if (granted.length > 0) return;
  throw new ForbiddenError(
    'forbidden',
    metadata.scopes
      ? `This API key lacks the scope this route needs (one of: ${metadata.scopes.join(', ')}).`
      : 'This route is not open to API keys; sign in as a user.',
  );
}

const FAILURE_DETAIL = {
  missing: 'Send an access token: Authorization: Bearer <accessToken>.',
  invalid: 'The access token is invalid.',
  expired: 'The access token has expired; refresh it.',
  revoked: 'The session of this access token has ended.',
} as const;

/**
 * ts-rest global middleware: reads the matched route's `auth` policy and enforces it. Public routes pass; others
 * need a valid token for a live session (401 otherwise) and, for role lists, one of the roles (403 otherwise).
 */
export function createAuthGuard(
  config: AuthConfig,
  secret: Uint8Array,
  resolveSession: SessionResolver,
  resolveApiKey?: ApiKeyResolver,
): RequestHandler {
  const authenticate = createAuthenticator(config, secret, resolveSession);
  return async (req, res, next) => {
    const route = (req as { tsRestRoute?: { metadata?: unknown; path: string } }).tsRestRoute;
    const metadata = isRouteMetadata(route?.metadata) ? route.metadata : undefined;
    if (!metadata) throw new Error(`route ${route?.path ?? req.path} has no auth policy`);
    if (metadata.auth === 'public') return next();
    if (metadata.auth === 'optional' && req.headers.authorization === undefined) return next();
    // A bearer token with the key prefix is an API key, never a JWT: it is looked up instead of verified.
    const apiKey = resolveApiKey ? bearerApiKey(req) : undefined;
    const outcome = apiKey && resolveApiKey ? await resolveApiKey(apiKey, req) : await authenticate(req, res);
    if ('failure' in outcome) {
      if (apiKey && outcome.failure !== 'missing') {
        throw new UnauthorizedError('invalid_token', API_KEY_FAILURE_DETAIL[outcome.failure]);
      }
      const code = outcome.failure === 'missing' ? 'unauthorized' : 'invalid_token';
      throw new UnauthorizedError(code, FAILURE_DETAIL[outcome.failure]);
    }
    if (Array.isArray(metadata.auth) && !metadata.auth.includes(outcome.actor.role)) {
      throw new ForbiddenError('forbidden', 'Your role may not call this route.');
    }
    assertKeyMayCall(outcome.actor, metadata);
    req.actor = outcome.actor;
    next();
  };
}

/** The signing key: JWT_SECRET, or (outside production only) a random one per process. */
export function jwtSecret(config: Pick<Config, 'JWT_SECRET'>): Uint8Array {
  return new TextEncoder().encode(config.JWT_SECRET ?? randomUUID() + randomUUID());
}
