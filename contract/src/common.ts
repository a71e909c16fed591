/**
 * Shared building blocks of the wire contract: problem details, the cursor page envelope, money, ids, timestamps, and
 * the route metadata that carries auth and rate-limit policies.
 */
import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { exampleOf, named, titleOf } from './named';

export const Id = z.string().uuid().describe('A UUID (v7) identifying the object');
export const Timestamp = z.string().datetime().describe('ISO 8601 timestamp in UTC');

export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
  .describe('ISO 4217 currency code');

/** Money is never a float: an integer amount in the currency's minor unit (cents for USD). */
export const Money = named(
  'Money',
  z
    .object({
      // int64: totals in minor units outgrow 32 bits (21,474,836.47 USD).
      amount: extendApi(z.number().int().describe('Integer amount in minor units (1999 = 19.99 USD)'), {
        format: 'int64',
      }),
      currency: CurrencyCode,
    })
    .strict(),
  { amount: 1999, currency: 'USD' },
);

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
  'idempotency_key_required',
  'idempotency_key_reused',
  'idempotency_key_in_progress',
  'not_ready',
  'service_unavailable',
  'internal_error',
] as const;
export type PlatformErrorCode = (typeof PLATFORM_ERROR_CODES)[number];

const ProblemFieldError = named(
  'ProblemFieldError',
  z.object({
    path: z.string().describe('Where the problem is: `body.email`, `query.limit`, `params.id`'),
    message: z.string(),
    code: z.string().describe('The validator code, e.g. `too_small`, `invalid_string`, `unrecognized_keys`'),
  }),
);

const problemShape = {
  type: z.string().describe('A URI reference identifying the problem type'),
  title: z.string().describe('Short, human-readable summary of the problem type'),
  status: z.number().int().describe('The HTTP status code'),
  detail: z.string().describe('Human-readable explanation of this occurrence'),
  requestId: z.string().describe('The X-Request-Id of the request; quote it when reporting a problem'),
  errors: z.array(ProblemFieldError).optional().describe('Field errors, for `validation_failed`'),
};

/** RFC 9457 problem details, served as `application/problem+json`. */
export const Problem = named(
  'Problem',
  z
    .object({ ...problemShape, code: z.string().describe('Stable machine-readable error code; switch on it') })
    .describe('RFC 9457 problem details'),
  {
    type: 'https://emporium.dev/problems/not_found',
    title: 'Not found',
    status: 404,
    detail: 'The product does not exist.',
    code: 'not_found',
    requestId: '3f2b8c1e-6a4d-4e2f-9b7a-5c8d1e0f2a3b',
  },
);
export type Problem = z.infer<typeof Problem>;

const problemCodes = new WeakMap<z.ZodTypeAny, readonly string[]>();

/**
 * The `problem` of a domain: a problem whose `code` is one of the given ones (the platform's or the domain's own), so a
 * route declares exactly what it can answer for a status and a typo is a type error.
 */
export function problemsOf<DomainCode extends string>() {
  return <const C extends PlatformErrorCode | DomainCode>(...codes: [C, ...C[]]) => {
    const schema = z
      .object({ ...problemShape, code: z.enum(codes).describe('Stable machine-readable error code') })
      .describe(`Problem details; code: ${codes.join(', ')}`);
    problemCodes.set(schema, codes);
    return schema;
  };
}

/** The codes of a schema made by a `problem()` (the OpenAPI document refers such answers to the one Problem schema). */
export function problemCodesOf(schema: unknown): readonly string[] | undefined {
  return schema instanceof z.ZodType ? problemCodes.get(schema) : undefined;
}

/** A problem with platform codes only. */
export const problem = problemsOf<never>();

/** The 400 of every route that takes a JSON body. */
export const invalidBody = problem('validation_failed', 'malformed_json');

/** A signed-in route's 401 (no or bad token). */
export const unauthorized = problem('unauthorized', 'invalid_token');

/** The 401 and 403 of a route restricted to some roles. */
export const denied = { 401: unauthorized, 403: problem('forbidden') } as const;

/**
 * Responses every route may give; merged into each route by the root router. Every route may also answer
 * `503 service_unavailable` with `Retry-After` while PostgreSQL restarts or a lock or statement timeout strikes: that
 * answer comes from the error handler, outside the routes' declared responses, and is documented once in the README.
 */
export const commonResponses = {
  429: problem('rate_limited'),
  500: problem('internal_error'),
} as const;

/** The 422 of an idempotent route: its key was first used for another request. */
export const idempotencyReused = problem('idempotency_key_reused');

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
  const envelope = z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null when there is none'),
  });
  // Named after its item (`ProductSummaryPage`) when the item is named, so each page type is one component.
  const title = titleOf(item);
  if (title === undefined) return envelope;
  const example = exampleOf(item);
  return example === undefined
    ? named(`${title}Page`, envelope)
    : named(`${title}Page`, envelope, { data: [example], nextCursor: 'eyJpZCI6IjAxOTBhNmYyIn0' });
}

export const MessageResponse = named('Message', z.object({ message: z.string() }), {
  message: 'If the address can receive mail, a message is on its way.',
});

export const ROLES = ['customer', 'vendor', 'admin'] as const;
export const Role = named('Role', z.enum(ROLES).describe('What the user may do'));
export type Role = z.infer<typeof Role>;

/**
 * Who may call a route: everyone, everyone with an optional sign-in (`optional`: a token, when sent, must be valid
 * and identifies the caller, e.g. a cart that is a guest's or a customer's), any signed-in user, or signed-in users with
 * one of the listed roles.
 * One guard in the server enforces it; a test fails when a route has none.
 */
export type AuthPolicy = 'public' | 'optional' | 'authenticated' | readonly [Role, ...Role[]];

/**
 * What an API key may be granted. A key calls a route only when the route's metadata lists one of the key's scopes;
 * routes without `scopes` are for signed-in users only. `orders:*` are reserved for the orders module.
 */
export const API_KEY_SCOPES = ['catalog:read', 'catalog:write', 'orders:read', 'orders:write', 'admin:read'] as const;
export const ApiKeyScope = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

/** Every API key secret starts with this, so the guard (and secret scanners) can tell a key from a JWT. */
export const API_KEY_PREFIX = 'emp_live_';

export interface RouteMetadata {
  auth: AuthPolicy;
  /**
   * The API key scopes that open this route to keys (any one of them suffices; the route's `auth` roles still apply,
   * and a key acts with the admin role). Without it, an API key gets 403 here.
   */
  scopes?: readonly [ApiKeyScope, ...ApiKeyScope[]];
  /**
   * A named rate-limit policy. Each domain declares its policy names next to its schemas; the server's modules hold
   * their budgets, and the server refuses to start when a route names a policy no module defines.
   */
  rateLimit?: string;
  /**
   * The route takes an `Idempotency-Key` header (Stripe's semantics): the first answer is stored and replayed for the
   * same key and caller with `Idempotency-Replayed: true`; the same key with another request is 422
   * `idempotency_key_reused`; while the first is still running, 409 `idempotency_key_in_progress`. `true`: the key is
   * optional; `'required'`: a request without one is 400 `idempotency_key_required`. Only for routes that are not
   * public (keys are scoped per caller); such a route declares 409 with
   * `idempotency_key_in_progress` among its codes and 422 `idempotencyReused`.
   */
  idempotent?: boolean | 'required';
}

/** Typed route metadata (ts-rest types `metadata` as unknown). */
export function meta(metadata: RouteMetadata): RouteMetadata {
  return metadata;
}

export function isRouteMetadata(value: unknown): value is RouteMetadata {
  return typeof value === 'object' && value !== null && 'auth' in value;
}
