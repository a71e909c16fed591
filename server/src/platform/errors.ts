/**
 * The one error model: services throw AppError subclasses; the error handler turns them (and anything else) into
 * RFC 9457 problem details. `code` is the stable string clients switch on; it must be one the contract declares.
 */
import type { ErrorCode } from '@emporium/contract';

export interface FieldError {
  path: string;
  message: string;
  code: string;
}

export interface AppErrorOptions {
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra problem members (RFC 9457 extensions), e.g. `checks` on a readiness problem. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly title: string,
    options: AppErrorOptions = {},
  ) {
    super(options.detail ?? title, { cause: options.cause });
    this.name = new.target.name;
    this.detail = options.detail ?? title;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[], detail = 'The request is invalid; see `errors`.') {
    super(400, 'validation_failed', 'Validation failed', { detail, errors });
  }
}

export class BadRequestError extends AppError {
  constructor(code: ErrorCode, detail: string) {
    super(400, code, 'Bad request', { detail });
  }
}

export class UnauthorizedError extends AppError {
  constructor(code: ErrorCode = 'unauthorized', detail = 'Authentication is required.') {
    super(401, code, 'Unauthorized', { detail, headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

export class ForbiddenError extends AppError {
  constructor(code: ErrorCode = 'forbidden', detail = 'You may not do this.') {
    super(403, code, 'Forbidden', { detail });
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'resource', code: ErrorCode = 'not_found') {
    super(404, code, 'Not found', { detail: `The ${what} does not exist.` });
  }
}

export class ConflictError extends AppError {
  constructor(code: ErrorCode = 'conflict', detail = 'The request conflicts with the current state.') {
    super(409, code, 'Conflict', { detail });
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, headers: Record<string, string>) {
    super(429, 'rate_limited', 'Too many requests', {
      detail: `Too many requests; retry in ${retryAfterSeconds} s.`,
      headers: { ...headers, 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(detail = 'The request body is too large.') {
    super(413, 'payload_too_large', 'Payload too large', { detail });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(detail = 'The request body is of a type this route does not accept.') {
    super(415, 'unsupported_media_type', 'Unsupported media type', { detail });
  }
}

/** The request is well-formed, but its content breaks a rule (422): e.g. an image with too many pixels. */
export class UnprocessableError extends AppError {
  constructor(code: ErrorCode, detail: string) {
    super(422, code, 'Unprocessable content', { detail });
  }
}
