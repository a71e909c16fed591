/**
 * A frontend team's first program with @emporium/sdk. test/sdk/package.test.ts copies it into a scratch project
 * outside the workspace, installs the packed tarball there, type-checks it in strict mode without Node's types
 * (as a browser app would) and runs it against the test server. It prints one JSON report on stdout.
 * Usage: node main.ts <baseUrl> <email> <password> <url where nothing listens>
 */
import {
  EmporiumNetworkError,
  EmporiumProblemError,
  createEmporiumClient,
  createEmporiumSession,
  getProduct,
  getProfile,
  listProducts,
  login,
  paginate,
  register,
  unwrap,
  type Page,
  type Problem,
  type ProductSummary,
  type SessionTokens,
  type User,
} from '@emporium/sdk';

// No @types/node here on purpose: the package must type-check with the DOM library alone.
const [baseUrl = '', email = '', password = '', nowhereUrl = ''] = (
  globalThis as unknown as { process: { argv: string[] } }
).process.argv.slice(2);

const report: Record<string, unknown> = {};

// Every call through this fetch is counted, so the report can say how many refreshes really happened.
const seen: string[] = [];
const countingFetch: typeof fetch = (input, init) => {
  const request = new Request(input, init);
  seen.push(`${request.method} ${new URL(request.url).pathname}`);
  return fetch(request);
};

const saved: (SessionTokens | null)[] = [];
const session = createEmporiumSession({ onTokensChange: (tokens) => void saved.push(tokens) });
const client = createEmporiumClient({ baseUrl, session, fetch: countingFetch, networkErrors: 'throw' });

// Register answers 202 either way; logging in before the email is verified is a typed problem.
const newcomer = `newcomer-${Date.now()}@example.com`;
const registered = await register({
  client,
  body: { email: newcomer, password: 'a-long-password-1', fullName: 'New' },
});
report.registerStatus = registered.response?.status;
const early = await login({ client, body: { email: newcomer, password: 'a-long-password-1' } });
if (early.error) {
  // The switch is exhaustive over the codes login declares: a new code would fail this type-check.
  switch (early.error.code) {
    case 'email_not_verified':
    case 'account_disabled':
    case 'invalid_credentials':
    case 'validation_failed':
    case 'malformed_json':
    case 'rate_limited':
    case 'internal_error':
      report.unverifiedLogin = { status: early.response?.status, code: early.error.code };
      break;
    default: {
      const unexpected: never = early.error;
      throw new Error(`unexpected problem ${JSON.stringify(unexpected)}`);
    }
  }
}

// Log in and hand the pair to the session.
const signedIn = await unwrap(login({ client, body: { email, password } }));
await session.setTokens(signedIn);
const me: User = await unwrap(getProfile({ client }));
report.profileEmail = me.email;

// Paginate by hand: follow nextCursor until it is null...
const names: string[] = [];
let cursor: string | null = null;
do {
  const page: Page<ProductSummary> = await unwrap(
    listProducts({ client, query: { limit: 2, ...(cursor ? { cursor } : {}) } }),
  );
  names.push(...page.data.map((product) => product.name));
  cursor = page.nextCursor;
} while (cursor);
report.productNames = names;

// ...or let paginate do it.
const all: ProductSummary[] = [];
for await (const product of paginate((page) => listProducts({ client, query: { limit: 1, ...page } })))
  all.push(product);
report.paginatedCount = all.length;

// A 404 is an EmporiumProblemError carrying the problem body.
try {
  await unwrap(getProduct({ client, path: { id: '01900000-0000-7000-8000-000000000000' } }));
  report.missingProduct = 'found?!';
} catch (error) {
  if (!(error instanceof EmporiumProblemError)) throw error;
  const problem: Problem = error.problem;
  report.missingProduct = { status: error.status, code: error.code, hasRequestId: problem.requestId.length > 0 };
}

// An access token the server refuses: concurrent calls share one refresh, retry, and the new pair is saved.
const before = session.refreshToken;
await session.setTokens({ accessToken: 'not-a-valid-token', refreshToken: signedIn.refreshToken });
seen.length = 0;
saved.length = 0;
const profiles = await Promise.all([1, 2, 3, 4, 5].map(() => getProfile({ client })));
report.refresh = {
  statuses: profiles.map((result) => result.response?.status),
  refreshCalls: seen.filter((call) => call === 'POST /api/auth/refresh').length,
  savedPairs: saved.length,
  rotated: saved[0] !== null && saved[0]?.refreshToken !== before,
};

// The spent refresh token is refused: the session ends and the 401 is answered.
await session.setTokens({ accessToken: 'not-a-valid-token', refreshToken: signedIn.refreshToken });
const ended = await getProfile({ client });
report.spentRefresh = { status: ended.response?.status, code: ended.error?.code, signedIn: session.isSignedIn };

// Nobody listening: a network error, not a problem.
const nowhere = createEmporiumClient({ baseUrl: nowhereUrl, networkErrors: 'throw' });
try {
  await listProducts({ client: nowhere });
  report.network = 'answered?!';
} catch (error) {
  if (!(error instanceof EmporiumNetworkError)) throw error;
  report.network = { reason: error.reason, code: error.code };
}

console.log(JSON.stringify(report));
