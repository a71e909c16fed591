/**
 * The OpenAPI 3.0 document of the contract: ts-rest generates the paths, and this file completes what integrators
 * need from them: named schemas, one tag per domain, problem+json errors, documented headers, security, rate limits
 * and idempotency keys. The server serves the result and `npm run gen` writes it to docs/openapi.json.
 */
import { isAppRouteOtherResponse, type AppRoute, type AppRouter } from '@ts-rest/core';
import { generateSchema } from '@anatine/zod-openapi';
import { generateOpenApi } from '@ts-rest/open-api';
import pkg from '../package.json' with { type: 'json' };
import { isRouteMetadata, Problem, problemCodesOf, type RouteMetadata } from './common';

type OpenApiDocument = ReturnType<typeof generateOpenApi>;
type Operation = Parameters<NonNullable<NonNullable<Parameters<typeof generateOpenApi>[2]>['operationMapper']>>[0];
type Json = Record<string, unknown>;

/** The version of the contract's API (semver, see docs/VERSIONING.md): contract/package.json's `version`. */
export const API_VERSION: string = pkg.version;

/** The top-level tags, in the docs page's order, and the routers (keys of the contract) each one groups. */
export const TAGS = [
  {
    name: 'auth',
    routers: ['auth'],
    description: 'Registration, email verification, login, tokens, password reset and social login.',
  },
  { name: 'users', routers: ['users'], description: "The signed-in user's own profile, password and saved addresses." },
  {
    name: 'products',
    routers: ['products'],
    description:
      'The public catalog (list, search, details, reviews) and product management by vendors and admins: variants, stock, images.',
  },
  {
    name: 'categories',
    routers: ['categories'],
    description: 'The public category tree and the products of a category.',
  },
  {
    name: 'cart',
    routers: ['cart'],
    description: 'The cart of a guest (`X-Cart-Token`) or a signed-in customer, discount codes, and checkout.',
  },
  {
    name: 'orders',
    routers: ['orders'],
    description: "A customer's orders: place one from explicit lines, list, show and cancel.",
  },
  {
    name: 'vendor',
    routers: ['vendor', 'vendorOrders', 'vendorEarnings'],
    description: "A vendor's own products in any status, its parts of orders to fulfil, and its earnings.",
  },
  {
    name: 'payments',
    routers: ['payments'],
    description:
      'Paying an order with Stripe (the browser confirms with Stripe.js) or PayPal (the buyer approves at PayPal, ' +
      'then Emporium captures); card data never reaches Emporium. Orders are settled from the provider only.',
  },
  {
    name: 'webhooks',
    routers: ['webhooks'],
    description: "Payment providers' signed callbacks.",
  },
  {
    name: 'admin',
    routers: ['adminUsers', 'adminCatalog', 'adminApiKeys', 'adminOrders', 'adminPayments'],
    description:
      'Administration, admins only: users and roles, the product review queue, categories, review moderation and ' +
      'API keys for integrations, orders, discounts, shipping methods and tax rates, payments, refunds and vendor ' +
      'earnings.',
  },
  {
    name: 'health',
    routers: ['health'],
    description: 'Liveness and readiness probes for orchestrators; not part of the /api surface.',
  },
] as const;

/** Options of `buildOpenApiDocument`. */
export interface OpenApiOptions {
  /**
   * A sentence per rate-limit policy describing its budget (e.g. `login: '30 requests a minute per IP and 10 per 15
   * minutes per account'`). The server owns the budgets; without an entry the document names the policy only.
   */
  rateLimitBudgets?: Readonly<Record<string, string>>;
}

const ref = (kind: 'schemas' | 'responses' | 'headers' | 'parameters', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

const HEADERS: Record<string, Json> = {
  'X-Request-Id': {
    description:
      "The id of this request: the caller's own `X-Request-Id` when it is a sane value, else a generated UUID. The " +
      'same id is in the logs and in problem bodies (`requestId`).',
    schema: { type: 'string', maxLength: 128 },
  },
  ETag: {
    description:
      'Weak validator of the representation. Send it back as `If-None-Match` on the next GET: an unchanged answer is ' +
      '`304 Not Modified` with no body.',
    schema: { type: 'string', maxLength: 128 },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 86_400 },
  },
  'RateLimit-Limit': {
    description: 'Requests the tightest budget of the route allows in its window.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000 },
  },
  'RateLimit-Remaining': {
    description: 'Requests left in the current window of that budget.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000 },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the window of that budget resets.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86_400 },
  },
  'WWW-Authenticate': {
    description: 'The authentication scheme to use: `Bearer`.',
    schema: { type: 'string', enum: ['Bearer'] },
  },
  'Idempotency-Replayed': {
    description:
      '`true` when this answer is the stored answer of an earlier request with the same `Idempotency-Key` (nothing ' +
      'ran again).',
    schema: { type: 'string', enum: ['true'] },
  },
};

const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];

const PARAMETERS: Record<string, Json> = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'A unique key per intended operation (a UUID is a good choice), to retry safely: the first answer is stored for ' +
      '24 hours and replayed for the same key and caller with `Idempotency-Replayed: true`. The same key with a ' +
      'different body is 422 `idempotency_key_reused`; while the first request still runs, 409 ' +
      '`idempotency_key_in_progress`. Validation failures are not stored.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
    example: '5b0c4b9e-2f7a-4d8e-9a51-3c6f0e1d2b7a',
  },
};
/**
 * The same header on routes that refuse to run without it (checkout, order creation, refunds). Spelled in lower case
 * as these routes declared it in 1.0.0: header names are case-insensitive on the wire, but the SDK's `headers` key
 * and the breaking-change gate are not.
 */
PARAMETERS.IdempotencyKeyRequired = {
  ...PARAMETERS.IdempotencyKey,
  name: 'idempotency-key',
  required: true,
  description: `Required. ${String(PARAMETERS.IdempotencyKey!.description)} Without it: 400 \`idempotency_key_required\`.`,
};

const IDEMPOTENCY_PROBLEMS: Record<string, string> = {
  409: 'idempotency_key_in_progress',
  422: 'idempotency_key_reused',
};

const TITLES: Record<string, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

const pascal = (code: string) =>
  code
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/** Collects the problem answers of the operations as `components.responses`, one per status and set of codes. */
class ProblemResponses {
  readonly components: Record<string, Json> = {};
  private readonly statusOf = new Map<string, string>();

  refFor(status: string, codes: readonly string[]): Json {
    let name = codes.map(pascal).join('Or');
    const taken = this.statusOf.get(name);
    if (taken !== undefined && taken !== status) name = `${name}${status}`;
    this.statusOf.set(name, status);
    this.components[name] ??= this.build(status, codes);
    return ref('responses', name);
  }

  private build(status: string, codes: readonly string[]): Json {
    const headers: Json = { 'X-Request-Id': ref('headers', 'X-Request-Id') };
    if (status === '401') headers['WWW-Authenticate'] = ref('headers', 'WWW-Authenticate');
    if (status === '429') {
      headers['Retry-After'] = ref('headers', 'Retry-After');
      for (const name of RATE_LIMIT_HEADERS) headers[name] = ref('headers', name);
    }
    const [first] = codes;
    return {
      description: `Problem details; \`code\` is ${codes.map((code) => `\`${code}\``).join(' or ')}.`,
      headers,
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              ref('schemas', 'Problem'),
              { type: 'object', required: ['code'], properties: { code: { type: 'string', enum: [...codes] } } },
            ],
          },
          example: {
            type: `https://emporium.dev/problems/${first}`,
            title: TITLES[status] ?? 'Error',
            status: Number(status),
            detail: 'A human-readable explanation of this occurrence.',
            code: first,
            requestId: '3f2b8c1e-6a4d-4e2f-9b7a-5c8d1e0f2a3b',
          },
        },
      },
    };
  }
}

const tagOfRouter = new Map<string, string>(TAGS.flatMap((tag) => tag.routers.map((router) => [router, tag.name])));

function rateLimitSentence(policy: string, budget: string | undefined): string {
  return (
    `Rate-limited by the \`${policy}\` policy${budget ? `: ${budget}` : ''}. Past its budget the answer is 429 with ` +
    '`Retry-After` and `RateLimit-*` headers.'
  );
}

function operationMapper(options: OpenApiOptions, problems: ProblemResponses) {
  return (operation: Operation, route: AppRoute): Operation => {
    const mapped: Operation & Json = { ...operation };
    const metadata: RouteMetadata | undefined = isRouteMetadata(route.metadata) ? route.metadata : undefined;

    // ts-rest tags an operation with every router above it ("api", then the domain): keep the domain's one tag.
    const routerKey = operation.tags?.at(-1) ?? '';
    mapped.tags = [tagOfRouter.get(routerKey) ?? routerKey];

    if (mapped.requestBody && 'content' in mapped.requestBody) {
      mapped.requestBody = { ...mapped.requestBody, required: true };
      delete (mapped.requestBody as Json).description;
    }

    if (metadata?.auth === 'public') mapped.security = [];
    else if (metadata) {
      mapped.security = [{ bearerAuth: [] }];
      if (Array.isArray(metadata.auth)) mapped['x-roles'] = metadata.auth;
      if (metadata.scopes) mapped['x-api-key-scopes'] = metadata.scopes;
    }

    const description: string[] = operation.description ? [operation.description] : [];
    if (metadata?.rateLimit) {
      const budget = options.rateLimitBudgets?.[metadata.rateLimit];
      mapped['x-rate-limit'] = { policy: metadata.rateLimit, ...(budget ? { budget } : {}) };
      description.push(rateLimitSentence(metadata.rateLimit, budget));
    }

    const responseCodes = new Map<string, readonly string[]>();
    for (const [status, schema] of Object.entries(route.responses)) {
      const codes = problemCodesOf(schema);
      if (codes) responseCodes.set(status, codes);
    }
    if (metadata?.idempotent) {
      const required = metadata.idempotent === 'required';
      const parameter = required ? 'IdempotencyKeyRequired' : 'IdempotencyKey';
      mapped.parameters = [...(operation.parameters ?? []), ref('parameters', parameter)];
      const problemsOfKey = required
        ? { ...IDEMPOTENCY_PROBLEMS, 400: 'idempotency_key_required' }
        : IDEMPOTENCY_PROBLEMS;
      for (const [status, code] of Object.entries(problemsOfKey)) {
        responseCodes.set(status, [...new Set([...(responseCodes.get(status) ?? []), code])]);
      }
      description.push(
        required
          ? 'Requires an `Idempotency-Key` header: a retry with the same key replays the first answer.'
          : 'Takes an `Idempotency-Key` header to retry safely.',
      );
    }
    if (description.length > 0) mapped.description = description.join('\n\n');

    const responses: Json = {};
    const statuses = new Set([...Object.keys(operation.responses), ...responseCodes.keys()]);
    for (const status of [...statuses].sort()) {
      // 429 is a common response of the contract, but only routes with a rate-limit policy can answer it.
      if (status === '429' && !metadata?.rateLimit) continue;
      const codes = responseCodes.get(status);
      responses[status] = codes
        ? problems.refFor(status, codes)
        : describeAnswer(status, operation.responses[status] as Json, route, metadata);
    }
    mapped.responses = responses;
    return mapped;
  };
}

/** A non-problem answer: its headers, and problem+json when it is an error (the error handler sends every one). */
function describeAnswer(status: string, response: Json, route: AppRoute, metadata: RouteMetadata | undefined): Json {
  const success = status.startsWith('2');
  const headers: Json = { 'X-Request-Id': ref('headers', 'X-Request-Id') };
  const declared = route.responses[Number(status)];
  // ts-rest documents every answer as JSON; a file (an invoice's PDF) is binary in its own media type.
  const content =
    declared !== undefined && isAppRouteOtherResponse(declared)
      ? { [declared.contentType]: { schema: { type: 'string', format: 'binary' } } }
      : (response.content as Record<string, Json> | undefined);
  // A GET answered 202 means "not ready yet, ask again": it says when.
  if (status === '202' && route.method === 'GET') headers['Retry-After'] = ref('headers', 'Retry-After');
  if (success && route.method === 'GET' && content) headers.ETag = ref('headers', 'ETag');
  if (success && metadata?.rateLimit) for (const name of RATE_LIMIT_HEADERS) headers[name] = ref('headers', name);
  if (success && metadata?.idempotent) headers['Idempotency-Replayed'] = ref('headers', 'Idempotency-Replayed');
  const described: Json = {
    ...response,
    ...(content ? { content } : {}),
    description:
      typeof response.description === 'string' && response.description !== status
        ? response.description
        : (SUCCESS_DESCRIPTIONS[status] ?? TITLES[status] ?? status),
    headers,
  };
  if (!success && content?.['application/json']) {
    described.content = { 'application/problem+json': content['application/json'] };
  }
  return described;
}

const SUCCESS_DESCRIPTIONS: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No content',
  302: 'Found: a redirect to `Location`',
};

/** Replaces every schema that carries a `title` by a `$ref` to `components.schemas[title]`, children first. */
function hoistNamedSchemas(schema: Json, components: Record<string, Json>): Json {
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) schema[key] = list.map((item: Json) => hoistNamedSchemas(item, components));
  }
  for (const key of ['not', 'items'] as const) {
    const child = schema[key];
    if (isObject(child)) schema[key] = hoistNamedSchemas(child, components);
  }
  if (isObject(schema.additionalProperties)) {
    schema.additionalProperties = hoistNamedSchemas(schema.additionalProperties, components);
  }
  if (isObject(schema.properties)) {
    const properties = schema.properties;
    for (const [name, child] of Object.entries(properties)) {
      if (isObject(child)) properties[name] = hoistNamedSchemas(child, components);
    }
  }
  const title = schema.title;
  if (typeof title !== 'string' || schema.$ref !== undefined) return schema;

  const { nullable, ...named } = schema;
  const known = components[title];
  if (known === undefined) {
    components[title] = named;
    return nullable ? { nullable: true, allOf: [ref('schemas', title)] } : ref('schemas', title);
  }
  // The same named schema used with its own description or default (`Status.default('x')`): refer, and keep those.
  const extras: Json = nullable ? { nullable: true } : {};
  for (const key of new Set([...Object.keys(known), ...Object.keys(named)])) {
    if (JSON.stringify(known[key]) === JSON.stringify(named[key])) continue;
    // A parameter's description is on the parameter (ts-rest moves it there).
    if (named[key] === undefined && (key === 'description' || key === 'example')) continue;
    if (!['description', 'default', 'example'].includes(key) || named[key] === undefined) {
      throw new Error(`OpenAPI: two different schemas are named '${title}' (they differ in '${key}')`);
    }
    extras[key] = named[key];
  }
  return Object.keys(extras).length === 0 ? ref('schemas', title) : { ...extras, allOf: [ref('schemas', title)] };
}

/**
 * `{ nullable: true, allOf: [{ $ref }] }` (a nullable named schema, however it was produced): OpenAPI 3.0 wants the
 * referenced schema's `type` beside `nullable`.
 */
function typeNullableRefs(node: unknown, schemas: Record<string, Json>): void {
  if (Array.isArray(node)) {
    for (const item of node) typeNullableRefs(item, schemas);
    return;
  }
  if (!isObject(node)) return;
  const [only] = Array.isArray(node.allOf) ? (node.allOf as unknown[]) : [];
  if (node.nullable === true && node.type === undefined && isObject(only) && typeof only.$ref === 'string') {
    const type = schemas[only.$ref.replace('#/components/schemas/', '')]?.type;
    if (type !== undefined) node.type = type;
  }
  for (const value of Object.values(node)) typeNullableRefs(value, schemas);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** `format` on every integer: int32 unless declared int64 or its bounds need 64 bits. Examples are left alone. */
function addIntegerFormats(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) addIntegerFormats(item);
    return;
  }
  if (!isObject(node)) return;
  if (node.type === 'integer' && node.format === undefined) {
    const fits = (bound: unknown) => typeof bound !== 'number' || (bound >= INT32.min && bound <= INT32.max);
    node.format = fits(node.minimum) && fits(node.maximum) ? 'int32' : 'int64';
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'example' && key !== 'examples') addIntegerFormats(value);
  }
}

type Parameter = { schema?: Json };
type MediaTypes = Record<string, { schema?: Json }>;

/** Hoists the named schemas of every parameter, body and answer (ts-rest only hoists answers and named bodies). */
function hoistEverywhere(document: OpenApiDocument, schemas: Record<string, Json>): void {
  const hoistContent = (content: MediaTypes | undefined) => {
    for (const media of Object.values(content ?? {})) {
      if (media.schema) media.schema = hoistNamedSchemas(media.schema, schemas);
    }
  };
  for (const pathItem of Object.values(document.paths) as Record<string, Json>[]) {
    for (const operation of Object.values(pathItem)) {
      for (const parameter of (operation.parameters ?? []) as Parameter[]) {
        if (parameter.schema) parameter.schema = hoistNamedSchemas(parameter.schema, schemas);
      }
      hoistContent((operation.requestBody as { content?: MediaTypes } | undefined)?.content);
      for (const response of Object.values((operation.responses ?? {}) as Record<string, { content?: MediaTypes }>)) {
        hoistContent(response.content);
      }
    }
  }
  // Components hoisted by ts-rest may hold named schemas too; a list copy, since hoisting adds components.
  for (const [name, schema] of Object.entries({ ...schemas })) {
    const { title, ...rest } = schema;
    schemas[name] = { ...(title === undefined ? {} : { title }), ...hoistNamedSchemas(rest, schemas) };
  }
}

/** The OpenAPI 3.0 document of a router: the server serves it and `gen` writes it to docs/openapi.json. */
export function buildOpenApiDocument(
  router: AppRouter,
  version: string = API_VERSION,
  options: OpenApiOptions = {},
): OpenApiDocument {
  const problems = new ProblemResponses();
  const generated = generateOpenApi(
    router,
    {
      info: {
        title: 'Emporium API',
        version,
        description:
          'Contract-first REST API of the Emporium marketplace. JSON bodies in camelCase; unknown body properties are ' +
          'refused (400); money in integer minor units; UUID ids; ISO 8601 UTC timestamps; cursor pagination ' +
          '(`limit`, `cursor` -> `nextCursor`).\n\n' +
          'Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code` to switch on and the ' +
          '`requestId`; each operation lists the codes it can answer. Every answer carries `X-Request-Id`; GET answers ' +
          'carry an `ETag` and honour `If-None-Match` with `304 Not Modified`. Rate-limited operations say so and ' +
          'answer 429 with `Retry-After` and `RateLimit-*` headers past their budget. Any route may answer `503` ' +
          '(`service_unavailable`, with `Retry-After`) while a dependency is briefly unavailable (a database restart, ' +
          'a lock or statement timeout): retry it after that many seconds.\n\n' +
          'Versioning: `info.version` follows semver; a breaking change only comes with a new major version ' +
          '(docs/VERSIONING.md, docs/CHANGELOG.md).',
        contact: { name: 'Emporium API team', url: 'https://emporium.dev' },
        license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      },
      // x-internal: false, this is the public API (OWASP API9 asks each server to say its audience).
      servers: [
        {
          url: '/',
          description: 'The origin that serves this document (production, staging or local alike)',
          'x-internal': false,
        } as { url: string; description: string },
      ],
    },
    { setOperationId: true, operationMapper: operationMapper(options, problems) },
  );
  const document = generated as OpenApiDocument & Json;
  const schemas = { ...((document.components?.schemas ?? {}) as Record<string, Json>) };
  // Every problem answer refers to the one Problem schema.
  schemas.Problem ??= hoistNamedSchemas({ ...(generateSchema(Problem, true) as Json), title: undefined }, schemas);
  schemas.Problem.title = 'Problem';
  hoistEverywhere(document, schemas);
  document.tags = TAGS.map(({ name, description }) => ({ name, description }));
  document.components = {
    schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
    responses: Object.fromEntries(Object.entries(problems.components).sort(([a], [b]) => a.localeCompare(b))),
    parameters: PARAMETERS,
    headers: HEADERS,
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'An access token from `login` or `refreshTokens`: `Authorization: Bearer <accessToken>`. Tokens follow ' +
          'RFC8725 (JWT best current practices): verified against an explicit algorithm list, issuer, audience and ' +
          'expiry. Short-lived (about 15 minutes).',
      },
    },
  } as unknown as OpenApiDocument['components'];
  typeNullableRefs(document, schemas);
  addIntegerFormats(document.paths);
  addIntegerFormats(document.components);
  return document;
}
