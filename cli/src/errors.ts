/**
 * Every failure ends as a CliError carrying its exit code; main.ts prints it and exits. The codes are part of the
 * CLI's interface (scripts branch on them), so they are listed in the README too.
 */
import { sanitize } from './output';

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notLoggedIn: 3,
  unreachable: 4,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** RFC 9457 problem details as the API sends them; every field optional since a proxy may answer instead. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  requestId?: string;
  errors?: { path: string; message: string; code: string }[];
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && ('detail' in value || 'title' in value || 'code' in value);
}

/** The API answered with an error status; `problem` is absent when the body was not problem details. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    requestId: string | undefined,
    exitCode: number = ExitCode.failure,
  ) {
    super(describeProblem(status, problem, requestId), exitCode, fieldErrors(problem));
    this.name = 'ApiError';
  }

  get code(): string | undefined {
    return this.problem?.code;
  }
}

function describeProblem(status: number, problem: Problem | undefined, fallbackRequestId: string | undefined): string {
  const summary = problem?.detail ?? problem?.title ?? `the server answered HTTP ${status}`;
  const requestId = problem?.requestId ?? fallbackRequestId;
  const context = [problem?.code, requestId ? `request ${requestId}` : undefined].filter(Boolean).join(', ');
  return context ? `${summary} (${context})` : summary;
}

function fieldErrors(problem: Problem | undefined): string[] {
  return (problem?.errors ?? []).map((error) => `${error.path}: ${error.message}`);
}

export function notLoggedIn(profile: string, reason: string, email?: string): CliError {
  const profileFlag = profile === 'default' ? '' : ` --profile ${profile}`;
  const emailFlag = email ? '' : ' --email <email>';
  return new CliError(`${reason}; run \`emporium login${profileFlag}${emailFlag}\``, ExitCode.notLoggedIn);
}

/** fetch rejects with a bare "fetch failed" TypeError; the useful part (ECONNREFUSED, ENOTFOUND, ...) is its cause. */
export function unreachable(baseUrl: string, error: unknown): CliError {
  return new CliError(`cannot reach ${baseUrl}: ${networkReason(error)}`, ExitCode.unreachable);
}

function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no answer in time';
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}

/** Writes the error to stderr and answers the exit code to use. */
export function report(error: unknown): number {
  if (error instanceof CliError) {
    process.stderr.write(`error: ${sanitize(error.message)}\n`);
    for (const detail of error.details) process.stderr.write(`  - ${sanitize(detail)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`error: unexpected failure: ${message}\n`);
  return ExitCode.failure;
}
