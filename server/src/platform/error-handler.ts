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
  if (named && (error.code === '23505' || error.code === '23503')) return named();
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

export function toAppError(error: unknown, constraints: ConstraintProblems = {}): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof RequestValidationError) return fromValidation(error);
  if (typeof error === 'object' && error !== null) {
    return fromBodyParser(error) ?? fromDatabase(error, constraints);
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
    if (known) {
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
