/**
 * Authenticated calls for a profile. Access tokens live about 15 minutes, so most invocations after the first
 * need a refresh: one is done when the stored token has expired or a call answers 401, the new pair is saved, and
 * the call is retried once. Anything beyond that means the session is gone and the user must log in again.
 */
import { refreshTokens, type Client, type RefreshTokensResponse } from '@emporium/sdk';
import { createClient, failureOf, unwrap, type Outcome } from './api';
import { readProfile, tokensOf, updateProfile, type Tokens } from './config-store';
import type { Context } from './context';
import { ApiError, ExitCode, notLoggedIn } from './errors';

/** Refresh a little early so a token does not expire between this check and the server's. */
const EXPIRY_MARGIN_MS = 30_000;

export interface Session {
  client: Client;
  tokens(): Tokens;
  call<T>(send: (client: Client, tokens: Tokens) => Promise<Outcome<T>>): Promise<T>;
}

export function tokensFromPair(pair: RefreshTokensResponse): Tokens {
  return {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: new Date(Date.now() + pair.expiresIn * 1000).toISOString(),
  };
}

function hasExpired(tokens: Tokens): boolean {
  const expiresAt = Date.parse(tokens.expiresAt);
  return Number.isNaN(expiresAt) || expiresAt - EXPIRY_MARGIN_MS <= Date.now();
}

export async function openSession(context: Context): Promise<Session> {
  const profile = await readProfile(context.profile);
  const initial = tokensOf(profile);
  if (!initial) throw notLoggedIn(context.profile, `profile "${context.profile}" is not logged in`, profile?.email);
  let tokens: Tokens = initial;
  const email = profile?.email;
  const client = createClient(context.baseUrl, () => tokens.accessToken);
  let refreshed = false;

  const expired = (reason: string) => notLoggedIn(context.profile, reason, email);

  async function refresh(): Promise<Tokens> {
    refreshed = true;
    let { refreshToken } = tokens;
    // Refresh tokens are single-use and reuse revokes the whole family: if another emporium process has already
    // rotated this pair, continue with its tokens instead of presenting the spent one.
    const stored = tokensOf(await readProfile(context.profile));
    if (stored && stored.refreshToken !== refreshToken) {
      if (!hasExpired(stored)) return stored;
      refreshToken = stored.refreshToken;
    }
    const outcome = await refreshTokens({ client: createClient(context.baseUrl), body: { refreshToken } });
    const status = outcome.response?.status;
    if (status === 400 || status === 401 || status === 403) {
      const failure = failureOf(outcome, context.baseUrl, ExitCode.notLoggedIn);
      throw expired(`the session has ended (${failure.message})`);
    }
    const next = tokensFromPair(await unwrap(outcome, context.baseUrl));
    await updateProfile(context.profile, (stale) => ({ ...stale, url: context.baseUrl, ...next }));
    return next;
  }

  async function call<T>(send: (client: Client, tokens: Tokens) => Promise<Outcome<T>>): Promise<T> {
    if (!refreshed && hasExpired(tokens)) tokens = await refresh();
    let outcome = await send(client, tokens);
    if (outcome.response?.status === 401 && !refreshed) {
      tokens = await refresh();
      outcome = await send(client, tokens);
    }
    if (outcome.response?.status === 401) {
      const failure = failureOf(outcome, context.baseUrl);
      const code = failure instanceof ApiError && failure.code ? ` (${failure.code})` : '';
      throw expired(`the server no longer accepts this session${code}`);
    }
    return unwrap(outcome, context.baseUrl);
  }

  return { client, tokens: () => tokens, call };
}
