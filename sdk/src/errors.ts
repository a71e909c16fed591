/**
 * Two kinds of failure, kept apart: the server answered with a problem (EmporiumProblemError, carries `status` and the
 * stable `code` to switch on), or no answer came at all (EmporiumNetworkError: refused, DNS, timeout, abort).
 */
import type { Problem } from './gen/types.gen.js';

export type NetworkFailure = 'unreachable' | 'timeout' | 'aborted';

/** The request got no HTTP answer. `cause` is what fetch threw; `code` is the system error code when there is one. */
export class EmporiumNetworkError extends Error {
  override readonly name = 'EmporiumNetworkError';
  readonly reason: NetworkFailure;
  /** `ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`, ... when the platform reports one. */
  readonly code: string | undefined;

  constructor(cause: unknown, url?: string) {
    const reason = failureOf(cause);
    const code = systemCodeOf(cause);
    const what =
      reason === 'timeout' ? 'no answer in time' : reason === 'aborted' ? 'aborted' : (code ?? messageOf(cause));
    super(`${url ? `${url}: ` : ''}${what}`, { cause });
    this.reason = reason;
    this.code = code;
  }
}

/** The server answered with an error status. `problem` is the RFC 9457 body (typed per operation by `unwrap`). */
export class EmporiumProblemError<P extends Problem = Problem> extends Error {
  override readonly name = 'EmporiumProblemError';
  readonly status: number;
  readonly code: P['code'];
  readonly problem: P;
  /** The X-Request-Id of the call: quote it when reporting a problem. */
  readonly requestId: string | undefined;

  constructor(status: number, problem: P, requestId?: string) {
    super(`${status} ${problem.code}: ${problem.detail}`);
    this.status = status;
    this.code = problem.code;
    this.problem = problem;
    this.requestId = requestId ?? problem.requestId;
  }
}

export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const { code, status } = value as Record<string, unknown>;
  return typeof code === 'string' && typeof status === 'number';
}

export function isNetworkError(error: unknown): error is EmporiumNetworkError {
  return error instanceof EmporiumNetworkError;
}

export function isProblemError(error: unknown): error is EmporiumProblemError {
  return error instanceof EmporiumProblemError;
}

/** The shape every SDK function resolves to (with the default `responseStyle` and `throwOnError`). */
export type SdkResult<T, E> = ({ data: T; error: undefined } | { data: undefined; error: E }) & {
  request?: Request;
  response?: Response;
};

/** The data type of a successful `R` (what `unwrap` answers). */
export type DataOf<R> = R extends { data: infer T; error: undefined } ? T : never;
/** The problem types an operation declares (its `error` when it failed). */
export type ProblemOf<R> = R extends { data: undefined; error: infer E } ? Exclude<E, undefined> : never;

/**
 * The data of a successful call; otherwise throws EmporiumProblemError (the server answered an error status) or
 * EmporiumNetworkError (no answer).
 *
 * ```ts
 * const product = await unwrap(getProduct({ client, path: { id } }));
 * ```
 */
export async function unwrap<R extends SdkResult<unknown, unknown>>(pending: R | Promise<R>): Promise<DataOf<R>> {
  const result = await pending;
  if (result.error === undefined && result.response?.ok !== false) return result.data as DataOf<R>;
  throw toEmporiumError(result);
}

/** Turns a failed result into the error `unwrap` would throw. */
export function toEmporiumError(
  result: Pick<SdkResult<unknown, unknown>, 'error' | 'request' | 'response'>,
): EmporiumProblemError | EmporiumNetworkError {
  const { error, response, request } = result;
  if (error instanceof EmporiumNetworkError) return error;
  if (!response) return new EmporiumNetworkError(error, request?.url);
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const problem = isProblem(error) ? error : anonymousProblem(response, error, requestId);
  return new EmporiumProblemError(response.status, problem, requestId);
}

/**
 * Every item of a cursor-paginated list, page after page, until `nextCursor` is null. `fetchPage` receives `{}`
 * first, then `{ cursor }`: spread it into the query. A failed page throws like `unwrap`.
 *
 * ```ts
 * for await (const product of paginate((page) => listProducts({ client, query: { limit: 100, ...page } }))) { ... }
 * ```
 */
export async function* paginate<T>(
  fetchPage: (page: { cursor?: string }) => Promise<SdkResult<{ data: T[]; nextCursor: string | null }, unknown>>,
): AsyncGenerator<T, void, undefined> {
  let page: { cursor?: string } = {};
  for (;;) {
    const { data, nextCursor } = await unwrap(fetchPage(page));
    yield* data;
    if (!nextCursor) return;
    page = { cursor: nextCursor };
  }
}

/** Something other than the API answered (a proxy, a load balancer): keep its status and text. */
function anonymousProblem(response: Response, body: unknown, requestId: string | undefined): Problem {
  return {
    type: 'about:blank',
    title: response.statusText || 'Error',
    status: response.status,
    detail: typeof body === 'string' && body ? body.slice(0, 500) : `HTTP ${response.status}`,
    code: `http_${response.status}`,
    requestId: requestId ?? '',
  };
}

function failureOf(cause: unknown): NetworkFailure {
  const name = cause instanceof Error || isDomException(cause) ? (cause as Error).name : '';
  if (name === 'TimeoutError') return 'timeout';
  if (name === 'AbortError') return 'aborted';
  return 'unreachable';
}

function isDomException(value: unknown): boolean {
  return typeof DOMException !== 'undefined' && value instanceof DOMException;
}

/** fetch rejects with a bare `TypeError: fetch failed`; the system code is somewhere down its `cause` chain. */
function systemCodeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
    if (typeof current !== 'object') break;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
