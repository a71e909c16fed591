/**
 * The bridge between SDK results (`{ data, error, response }`) and the CLI's errors and exit codes.
 */
import { createEmporiumClient, type Client } from '@emporium/sdk';
import { ApiError, isProblem, unreachable } from './errors';

const REQUEST_TIMEOUT_MS = 30_000;

/** What every SDK function resolves to, narrowed to the parts the CLI reads. */
export interface Outcome<T> {
  data: T | undefined;
  error: unknown;
  response?: Response;
}

/** Without a deadline a stalled server would hang a script forever; a timeout then counts as unreachable. */
const fetchWithTimeout: typeof fetch = (input, init) =>
  fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

export function createClient(baseUrl: string, accessToken?: () => string | undefined): Client {
  return createEmporiumClient({ baseUrl, fetch: fetchWithTimeout, ...(accessToken ? { accessToken } : {}) });
}

/** The data of a successful answer; otherwise throws ApiError (exit 1) or, without any answer, exit 4. */
export async function unwrap<T>(pending: Outcome<T> | Promise<Outcome<T>>, baseUrl: string): Promise<T> {
  const outcome = await pending;
  if (outcome.response?.ok) return outcome.data as T;
  throw failureOf(outcome, baseUrl);
}

export function failureOf(outcome: Outcome<unknown>, baseUrl: string, exitCode?: number): Error {
  const { response } = outcome;
  if (!response) return unreachable(baseUrl, outcome.error);
  const problem = isProblem(outcome.error) ? outcome.error : undefined;
  return new ApiError(response.status, problem, response.headers.get('x-request-id') ?? undefined, exitCode);
}
