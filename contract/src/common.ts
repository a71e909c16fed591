/**
 * Shared building blocks of the wire contract: problem details, the cursor page envelope, money, ids, timestamps, and
 * the route metadata that carries auth and rate-limit policies.
 */
import { z } from 'zod';

export const Id = z.string().uuid().describe('A UUID (v7) identifying the object');
export const Timestamp = z.string().datetime().describe('ISO 8601 timestamp in UTC');

export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
  .describe('ISO 4217 currency code');

/** Money is never a float: an integer amount in the currency's minor unit (cents for USD). */
export const Money = z
  .object({
    amount: z.number().int().describe('Integer amount in minor units (1999 = 19.99 USD)'),
    currency: CurrencyCode,
  })
  .strict();

/**
 * Stable, snake_case error codes a client may switch on. These are the platform's own (any route may meet them); each
 * domain declares its codes next to its schemas, and index.ts composes `ERROR_CODES` from all of them.
 */
export const PLATFORM_ERROR_CODES = [
  'validation_failed',
  'malformed_json',
  'payload_too_large',
  'unsupported_media_type',
  'unauthorized',
  'invalid_token',
  'forbidden',
  'not_found',
  'route_not_found',
  'conflict',
  'already_exists',
  'invalid_reference',
  'rate_limited',
  'not_ready',
  'internal_error',
] as const;
export type PlatformErrorCode = (typeof PLATFORM_ERROR_CODES)[number];

const ProblemFieldError = z.object({
  path: z.string().describe('Where the problem is: `body.email`, `query.limit`, `params.id`'),
  message: z.string(),
  code: z.string().describe('The validator code, e.g. `too_small`, `invalid_string`, `unrecognized_keys`'),
});

const problemShape = {
  type: z.string().describe('A URI reference identifying the problem type'),
  title: z.string().describe('Short, human-readable summary of the problem type'),
  status: z.number().int().describe('The HTTP status code'),
  detail: z.string().describe('Human-readable explanation of this occurrence'),
  requestId: z.string().describe('The X-Request-Id of the request; quote it when reporting a problem'),
  errors: z.array(ProblemFieldError).optional().describe('Field errors, for `validation_failed`'),
};

/** RFC 9457 problem details, served as `application/problem+json`. */
export const Problem = z.object({ ...problemShape, code: z.string() }).describe('RFC 9457 problem details');
export type Problem = z.infer<typeof Problem>;

/**
 * The `problem` of a domain: a problem whose `code` is one of the given ones (the platform's or the domain's own), so a
 * route declares exactly what it can answer for a status and a typo is a type error.
 */
export function problemsOf<DomainCode extends string>() {
  return <const C extends PlatformErrorCode | DomainCode>(...codes: [C, ...C[]]) =>
    z
      .object({ ...problemShape, code: z.enum(codes).describe('Stable machine-readable error code') })
      .describe(`Problem details; code: ${codes.join(', ')}`);
}

/** A problem with platform codes only. */
export const problem = problemsOf<never>();

/** The 400 of every route that takes a JSON body. */
export const invalidBody = problem('validation_failed', 'malformed_json');

/** A signed-in route's 401 (no or bad token). */
export const unauthorized = problem('unauthorized', 'invalid_token');

/** The 401 and 403 of a route restricted to some roles. */
export const denied = { 401: unauthorized, 403: problem('forbidden') } as const;

/** Responses every route may give; merged into each route by the root router. */
export const commonResponses = {
  429: problem('rate_limited'),
  500: problem('internal_error'),
} as const;

export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=`: above the maximum is a 400, never a silent clamp. */
export const PageQuery = z
  .object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE_SIZE)
      .default(20)
      .describe(`Page size, 1-${MAX_PAGE_SIZE} (default 20)`),
    cursor: z.string().max(512).optional().describe('Opaque cursor: the `nextCursor` of the previous page'),
  })
  .strict();

/** The cursor page envelope: `nextCursor` is null on the last page. */
export function page<T extends z.ZodTypeAny>(item: T) {
  return z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null when there is none'),
  });
}

export const MessageResponse = z.object({ message: z.string() });

export const ROLES = ['customer', 'vendor', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/**
 * Who may call a route: everyone, everyone with an optional sign-in (`optional`: a token, when sent, must be valid
 * and identifies the caller, e.g. a cart that is a guest's or a customer's), any signed-in user, or signed-in users with
 * one of the listed roles.
 * One guard in the server enforces it; a test fails when a route has none.
 */
export type AuthPolicy = 'public' | 'optional' | 'authenticated' | readonly [Role, ...Role[]];

export interface RouteMetadata {
  auth: AuthPolicy;
  /**
   * A named rate-limit policy. Each domain declares its policy names next to its schemas; the server's modules hold
   * their budgets, and the server refuses to start when a route names a policy no module defines.
   */
  rateLimit?: string;
}

/** Typed route metadata (ts-rest types `metadata` as unknown). */
export function meta(metadata: RouteMetadata): RouteMetadata {
  return metadata;
}

export function isRouteMetadata(value: unknown): value is RouteMetadata {
  return typeof value === 'object' && value !== null && 'auth' in value;
}
