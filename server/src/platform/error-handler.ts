/**
 * The one place that turns anything thrown into RFC 9457 problem+json: AppErrors as they are, request validation
 * errors with field errors, body-parser failures, PostgreSQL constraint codes, and everything else as a generic 500
 * whose details only reach the log (a stack in the body only in development).
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { RequestValidationError } from '@ts-rest/express';
import type { ZodError } from 'zod';
import { AppError, BadRequestError, ConflictError, NotFoundError, ValidationError, type FieldError } from './errors';

const PROBLEM_TYPE_BASE = 'https://emporium.dev/problems/';

function fieldErrors(location: string, error: ZodError | null): FieldError[] {
  if (!error) return [];
  return error.issues.flatMap((issue): FieldError[] => {
    const base = [location, ...issue.path].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: `${base}.${key}`,
        message: 'is not an accepted property',
        code: issue.code,
      }));
    }
    return [{ path: base, message: issue.message, code: issue.code }];
  });
}

function fromValidation(error: RequestValidationError): ValidationError {
  return new ValidationError([
    ...fieldErrors('params', error.pathParams),
    ...fieldErrors('headers', error.headers),
    ...fieldErrors('query', error.query),
    ...fieldErrors('body', error.body),
  ]);
}

/** body-parser marks its errors with `type`; each is the client's mistake. */
function fromBodyParser(error: { type?: unknown; status?: unknown }): AppError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new AppError(400, 'malformed_json', 'Malformed JSON', { detail: 'The request body is not valid JSON.' });
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', 'Payload too large', { detail: 'The request body is too large.' });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_media_type', 'Unsupported media type', {
        detail: 'The request body encoding or charset is not supported.',
      });
    default:
      return undefined;
  }
}

/**
 * Constraints a client can run into, by name, and the problem each one means (`users_email_key` -> 409
 * `email_taken`). Modules declare their own; the composition root merges them into one table. A violated constraint
 * that is not in the table gets the generic answer of its SQLSTATE below.
 */
export type ConstraintProblems = Readonly<Record<string, () => AppError>>;

/** PostgreSQL SQLSTATEs that mean the request collided with data, not that the server broke. */
function fromDatabase(
  error: { code?: unknown; constraint?: unknown },
  constraints: ConstraintProblems,
): AppError | undefined {
  const named =
    typeof error.constraint === 'string' && Object.hasOwn(constraints, error.constraint)
      ? constraints[error.constraint]
      : undefined;
  if (named && (error.code === '23505' || error.code === '23503' || error.code === '23514')) return named();
  switch (error.code) {
    case '23505':
      return new ConflictError('already_exists', 'An object with the same unique value already exists.');
    case '23503':
      return new ConflictError('invalid_reference', 'The request refers to an object that does not exist.');
    case '40001':
    case '40P01':
      return new ConflictError('conflict', 'A concurrent change won; retry the request.');
    // Data exceptions (malformed or out-of-range values) that validation should have caught: still the client's input.
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
      return new BadRequestError('validation_failed', 'A value in the request is malformed or out of range.');
    default:
      return undefined;
  }
}

/** SQLSTATEs after which the same request, retried a moment later, most likely succeeds. */
const TRANSIENT_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping or restarting
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '53300', // too_many_connections
]);
/** Socket errors of the connection to PostgreSQL. */
const TRANSIENT_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
/** pg's and pg-pool's own errors, which carry no code: a dropped connection, an acquire or connect timeout. */
const TRANSIENT_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** Seconds a client should wait before retrying a 503: outages this maps are restarts and lock waits. */
export const TRANSIENT_RETRY_AFTER_SECONDS = 1;

/** Why `error` (or what caused it) is a transient failure of a dependency, or undefined when it is not one. */
export function transientReason(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const { code, message, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (
    typeof code === 'string' &&
    (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_ERRNOS.has(code))
  ) {
    return code;
  }
  if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return message;
  // An AggregateError (a connect tried on several addresses) or a wrapped error.
  const inner: unknown[] = Array.isArray(errors) ? (errors as unknown[]) : [];
  for (const candidate of [cause, ...inner]) {
    const reason = transientReason(candidate, depth + 1);
    if (reason) return reason;
  }
  return undefined;
}

/**
 * A dependency failing for a moment (PostgreSQL restarting, a dropped connection, a lock or statement timeout, the
 * pool exhausted): 503 with Retry-After, so clients and load balancers retry instead of reporting a bug.
 */
export class ServiceUnavailableError extends AppError {
  constructor(readonly reason: string) {
    super(503, 'service_unavailable', 'Service unavailable', {
      detail: 'A dependency of the service is briefly unavailable; retry the request shortly.',
      headers: { 'Retry-After': String(TRANSIENT_RETRY_AFTER_SECONDS) },
    });
  }
}

function fromTransientFailure(error: unknown): ServiceUnavailableError | undefined {
  const reason = transientReason(error);
  return reason === undefined ? undefined : new ServiceUnavailableError(reason);
}

export function toAppError(error: unknown, constraints: ConstraintProblems = {}): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof RequestValidationError) return fromValidation(error);
  if (typeof error === 'object' && error !== null) {
    return fromBodyParser(error) ?? fromDatabase(error, constraints) ?? fromTransientFailure(error);
  }
  return undefined;
}

export interface ErrorHandlerOptions {
  exposeStack: boolean;
  constraints: ConstraintProblems;
}

export function createErrorHandler(options: ErrorHandlerOptions): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known = toAppError(error, options.constraints);
    const problem =
      known ??
      new AppError(500, 'internal_error', 'Internal server error', {
        detail: 'An unexpected error occurred. Quote the requestId when reporting it.',
      });
    if (known instanceof ServiceUnavailableError) {
      // Expected during a restart or a lock: one warning per request, without a stack.
      req.log.warn({ code: known.code, status: known.status, reason: known.reason }, 'dependency unavailable');
    } else if (known) {
      req.log.info({ code: known.code, status: known.status }, known.detail);
    } else {
      req.log.error({ err: error }, 'unhandled error');
      res.locals.unhandledError = error;
    }
    const body: Record<string, unknown> = {
      type: `${PROBLEM_TYPE_BASE}${problem.code}`,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      code: problem.code,
      requestId: req.id,
      ...(problem.errors ? { errors: problem.errors } : {}),
      ...problem.extensions,
    };
    if (!known && options.exposeStack && error instanceof Error) body.stack = error.stack;
    res.status(problem.status).set(problem.headers).type('application/problem+json').send(JSON.stringify(body));
  };
}

export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`route ${req.method} ${req.path}`, 'route_not_found'));
};
