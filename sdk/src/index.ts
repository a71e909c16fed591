/**
 * @emporium/sdk: the typed client for the Emporium API. Everything under ./gen is generated from docs/openapi.json
 * (`npm run gen` at the repository root); the rest is hand-written: the client constructor with its auth helper
 * (session.ts), the error types (errors.ts) and the model names (models.ts).
 */
import { createClient, createConfig, type Client } from './gen/client/index.js';
import { refreshTokens } from './gen/sdk.gen.js';
import { EmporiumNetworkError } from './errors.js';
import type { EmporiumSession, RefreshOutcome } from './session.js';

export * from './gen/sdk.gen.js';
export type * from './gen/types.gen.js';
export type { Client } from './gen/client/index.js';
export type * from './models.js';
export * from './errors.js';
export * from './session.js';

export interface EmporiumClientOptions {
  /** The server's origin, e.g. `https://api.example.com` (the paths already start with /api or /health). */
  baseUrl: string;
  /**
   * The access token, or a function returning the current one (called before each authenticated request).
   * Ignored when `session` is given.
   */
  accessToken?: string | (() => string | undefined | Promise<string | undefined>);
  /**
   * The auth helper: authenticated calls send the session's access token; a 401 refreshes the pair once (shared by
   * concurrent calls) and retries the call once; a refused refresh ends the session and the 401 is answered.
   */
  session?: EmporiumSession;
  /**
   * What a call that gets no HTTP answer (refused, DNS, timeout, abort) does. `'throw'` (recommended) rejects with
   * EmporiumNetworkError, so a result's `error` is always a problem body of the operation. `'return'` (the default,
   * kept for existing callers) resolves `{ error: <what fetch threw>, response: undefined }`.
   */
  networkErrors?: 'throw' | 'return';
  /** A fetch implementation (defaults to the global one), e.g. one that adds a timeout signal. */
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

/** Creates a client; pass it as `client` to any SDK function: `getProfile({ client })`. */
export function createEmporiumClient(options: EmporiumClientOptions): Client {
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const baseFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const { session } = options;
  const client = createClient(
    createConfig({
      baseUrl,
      auth: session ? () => session.accessToken : options.accessToken,
      fetch: session ? renewingFetch(session, baseFetch, refresherFor(baseUrl, baseFetch, options.headers)) : baseFetch,
      ...(options.headers ? { headers: options.headers } : {}),
    }),
  );
  if (options.networkErrors === 'throw') {
    client.interceptors.error.use((error, response, request) => {
      // No response but a request: fetch itself failed. (Without a request, building it failed: not a network error.)
      if (response === undefined && request !== undefined) {
        throw error instanceof EmporiumNetworkError ? error : new EmporiumNetworkError(error, request.url);
      }
      return error;
    });
  }
  return client;
}

/** fetch that, for a call sent with the session's token and answered 401, renews the token and sends it once more. */
function renewingFetch(
  session: EmporiumSession,
  baseFetch: typeof fetch,
  refresher: (refreshToken: string) => Promise<RefreshOutcome>,
): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const sentToken = /^Bearer (.+)$/.exec(request.headers.get('Authorization') ?? '')?.[1];
    if (!sentToken) return baseFetch(request);
    // The body can be read only once: keep a copy for the retry before sending.
    const retry = request.clone();
    const response = await baseFetch(request);
    if (response.status !== 401) return response;
    const renewed = await session.renewAfter(sentToken, refresher);
    if (!renewed) return response;
    await response.body?.cancel();
    const headers = new Headers(retry.headers);
    headers.set('Authorization', `Bearer ${renewed}`);
    return baseFetch(new Request(retry, { headers }));
  };
}

function refresherFor(baseUrl: string, baseFetch: typeof fetch, headers?: Record<string, string>) {
  // A plain client: the refresh call must not itself go through the session's retry.
  const plain = createClient(createConfig({ baseUrl, fetch: baseFetch, ...(headers ? { headers } : {}) }));
  return async (refreshToken: string): Promise<RefreshOutcome> => {
    const result = await refreshTokens({ client: plain, body: { refreshToken } });
    if (result.data) return { accessToken: result.data.accessToken, refreshToken: result.data.refreshToken };
    // No answer at all: the caller's call fails as a network error, with the tokens left as they were.
    if (!result.response) throw new EmporiumNetworkError(result.error, `${baseUrl}/api/auth/refresh`);
    const { status } = result.response;
    return status === 400 || status === 401 || status === 403 ? 'rejected' : 'failed';
  };
}
