/**
 * The SDK's auth helper and error typing against a scripted fetch: exact counts of refresh calls and retries,
 * which a real server cannot show as directly.
 */
import { describe, expect, it } from 'vitest';
import {
  EmporiumNetworkError,
  EmporiumProblemError,
  createEmporiumClient,
  createEmporiumSession,
  getProduct,
  getProfile,
  unwrap,
  updateProfile,
  type SessionTokens,
} from '@emporium/sdk';

const BASE = 'http://api.test';
const user = {
  id: '0190a0a0-0000-7000-8000-000000000001',
  email: 'ada@example.com',
  fullName: 'Ada',
  role: 'customer',
  emailVerified: true,
  isActive: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

function problem(status: number, code: string): Response {
  const body = { type: 'about:blank', title: code, status, detail: code, code, requestId: 'req-1' };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': 'req-1' },
  });
}

const json = (body: unknown) => Response.json(body);

/** A server that accepts only `valid` as access token and rotates `refresh-N` pairs, counting what it sees. */
function fakeServer(options: { refreshAnswer?: () => Response; refreshDelayMs?: number } = {}) {
  let generation = 0;
  const state = { valid: 'access-0', refreshCalls: 0, calls: [] as string[], bodies: [] as string[] };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    state.calls.push(`${request.method} ${path}`);
    if (path === '/api/auth/refresh') {
      state.refreshCalls += 1;
      const { refreshToken } = (await request.json()) as { refreshToken: string };
      await new Promise((resolve) => setTimeout(resolve, options.refreshDelayMs ?? 10));
      if (options.refreshAnswer) return options.refreshAnswer();
      if (refreshToken !== `refresh-${generation}`) return problem(401, 'invalid_refresh_token');
      generation += 1;
      state.valid = `access-${generation}`;
      return json({
        accessToken: state.valid,
        refreshToken: `refresh-${generation}`,
        tokenType: 'Bearer',
        expiresIn: 900,
        user,
      });
    }
    if (request.headers.get('authorization') !== `Bearer ${state.valid}`) return problem(401, 'unauthorized');
    if (request.method === 'PUT') {
      const body = await request.text();
      state.bodies.push(body);
      return json({ ...user, ...(JSON.parse(body) as object) });
    }
    return json(user);
  };
  return { state, fetch };
}

function sessionWith(tokens: SessionTokens) {
  const changes: (SessionTokens | null)[] = [];
  const session = createEmporiumSession({ tokens, onTokensChange: (next) => void changes.push(next) });
  return { session, changes };
}

describe('EmporiumSession with createEmporiumClient', () => {
  it('refreshes once and retries when a call answers 401, and hands the new pair to onTokensChange', async () => {
    const server = fakeServer();
    const { session, changes } = sessionWith({ accessToken: 'stale', refreshToken: 'refresh-0' });
    const client = createEmporiumClient({ baseUrl: BASE, session, fetch: server.fetch });

    const { data } = await getProfile({ client });

    expect(data?.email).toBe('ada@example.com');
    expect(server.state.calls).toEqual(['GET /api/users/profile', 'POST /api/auth/refresh', 'GET /api/users/profile']);
    expect(changes).toEqual([{ accessToken: 'access-1', refreshToken: 'refresh-1' }]);
    expect(session.tokens).toEqual({ accessToken: 'access-1', refreshToken: 'refresh-1' });
  });

  it('shares one refresh between concurrent 401s', async () => {
    const server = fakeServer({ refreshDelayMs: 50 });
    const { session, changes } = sessionWith({ accessToken: 'stale', refreshToken: 'refresh-0' });
    const client = createEmporiumClient({ baseUrl: BASE, session, fetch: server.fetch });

    const results = await Promise.all(Array.from({ length: 8 }, () => getProfile({ client })));

    expect(results.map((result) => result.response?.status)).toEqual(Array(8).fill(200));
    expect(server.state.refreshCalls).toBe(1);
    expect(changes).toHaveLength(1);
  });

  it('does not refresh again for a 401 to a token that has already been replaced', async () => {
    const server = fakeServer();
    const { session } = sessionWith({ accessToken: 'stale', refreshToken: 'refresh-0' });
    const client = createEmporiumClient({ baseUrl: BASE, session, fetch: server.fetch });
    await getProfile({ client });

    const renewed = await session.renewAfter('stale', () => Promise.reject(new Error('must not refresh')));

    expect(renewed).toBe('access-1');
    expect(server.state.refreshCalls).toBe(1);
  });

  it('sends the request body again on the retry', async () => {
    const server = fakeServer();
    const { session } = sessionWith({ accessToken: 'stale', refreshToken: 'refresh-0' });
    const client = createEmporiumClient({ baseUrl: BASE, session, fetch: server.fetch });

    const { data } = await updateProfile({ client, body: { fullName: 'Ada L.' } });

    expect(data?.fullName).toBe('Ada L.');
    expect(server.state.bodies).toEqual(['{"fullName":"Ada L."}']);
  });

  it('answers the 401 and clears the tokens when the server refuses the refresh token', async () => {
    const server = fakeServer();
    const { session, changes } = sessionWith({ accessToken: 'stale', refreshToken: 'spent' });
    const client = createEmporiumClient({ baseUrl: BASE, session, fetch: server.fetch });

    const { error, response } = await getProfile({ client });

    expect(response?.status).toBe(401);
    expect(error?.code).toBe('unauthorized');
    expect(session.tokens).toBeNull();
    expect(changes).toEqual([null]);
    expect(server.state.calls).toEqual(['GET /api/users/profile', 'POST /api/auth/refresh']);
  });

  it('retries only once: a second 401 is answered as it is', async () => {
    const server = fakeServer();
    const { session } = sessionWith({ accessToken: 'stale', refreshToken: 'refresh-0' });
    const revokeEveryToken: typeof fetch = async (input, init) => {
      const answer = await server.fetch(input, init);
      server.state.valid = 'nobody';
      return answer;
    };
    const strict = createEmporiumClient({ baseUrl: BASE, session, fetch: revokeEveryToken });

    const { response } = await getProfile({ client: strict });

    expect(response?.status).toBe(401);
    expect(server.state.refreshCalls).toBe(1);
    expect(server.state.calls.filter((call) => call === 'GET /api/users/profile')).toHaveLength(2);
  });

  it('keeps the tokens when the refresh fails for another reason (rate limited)', async () => {
    const server = fakeServer({ refreshAnswer: () => problem(429, 'rate_limited') });
    const { session, changes } = sessionWith({ accessToken: 'stale', refreshToken: 'refresh-0' });
    const client = createEmporiumClient({ baseUrl: BASE, session, fetch: server.fetch });

    const { response } = await getProfile({ client });

    expect(response?.status).toBe(401);
    expect(session.tokens).toEqual({ accessToken: 'stale', refreshToken: 'refresh-0' });
    expect(changes).toEqual([]);
  });

  it('does not touch calls made without a token', async () => {
    const server = fakeServer();
    const session = createEmporiumSession();
    const client = createEmporiumClient({ baseUrl: BASE, session, fetch: server.fetch });

    const { response } = await getProfile({ client });

    expect(response?.status).toBe(401);
    expect(server.state.calls).toEqual(['GET /api/users/profile']);
  });
});

describe('network failures and problems are typed apart', () => {
  const refused: typeof fetch = async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    throw new TypeError('fetch failed', { cause });
  };

  it("rejects with EmporiumNetworkError when fetch throws and networkErrors is 'throw'", async () => {
    const client = createEmporiumClient({ baseUrl: BASE, fetch: refused, networkErrors: 'throw' });

    const failure: unknown = await getProduct({ client, path: { id: user.id } }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(EmporiumNetworkError);
    expect(failure).toMatchObject({ reason: 'unreachable', code: 'ECONNREFUSED' });
  });

  it('tells a timeout apart', async () => {
    const timedOut: typeof fetch = async () => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    };
    const client = createEmporiumClient({ baseUrl: BASE, fetch: timedOut, networkErrors: 'throw' });

    await expect(getProduct({ client, path: { id: user.id } })).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('keeps the default result shape for existing callers, and unwrap still types it as a network error', async () => {
    const client = createEmporiumClient({ baseUrl: BASE, fetch: refused });

    const result = await getProduct({ client, path: { id: user.id } });

    expect(result.response).toBeUndefined();
    expect(result.error).toBeInstanceOf(TypeError);
    await expect(unwrap(result)).rejects.toBeInstanceOf(EmporiumNetworkError);
  });

  it('unwrap throws EmporiumProblemError with status, code and the problem body', async () => {
    const client = createEmporiumClient({ baseUrl: BASE, fetch: async () => problem(404, 'not_found') });

    const failure: unknown = await unwrap(getProduct({ client, path: { id: user.id } })).catch(
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(EmporiumProblemError);
    expect(failure).toMatchObject({
      status: 404,
      code: 'not_found',
      requestId: 'req-1',
      problem: { code: 'not_found' },
    });
  });

  it('unwrap keeps the status of an answer that is not a problem body (e.g. a proxy)', async () => {
    const badGateway = async () => new Response('<html>bad gateway</html>', { status: 502 });
    const client = createEmporiumClient({ baseUrl: BASE, fetch: badGateway });

    await expect(unwrap(getProduct({ client, path: { id: user.id } }))).rejects.toMatchObject({
      status: 502,
      code: 'http_502',
    });
  });
});
