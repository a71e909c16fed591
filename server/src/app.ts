/**
 * createApp builds the Express app from its dependencies and never listens: main.ts listens, tests use it in-process.
 */
import { join } from 'node:path';
import { API_VERSION, buildOpenApiDocument, contract, isRouteMetadata } from '@emporium/contract';
import { isAppRoute, type AppRouter } from '@ts-rest/core';
import { createExpressEndpoints } from '@ts-rest/express';
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { constraintProblems, moduleRouters, rateLimitPolicies } from './modules';
import { resolveSession } from './modules/identity';
import { API_KEY_RATE_LIMIT_POLICY, resolveApiKey } from './modules/integrations';
import { createAuthGuard } from './platform/auth';
import { systemCtx } from './platform/context';
import type { Deps } from './platform/deps';
import {
  byIp,
  configureBudgets,
  createRateLimiter,
  describeBudgets,
  type RateLimitPolicies,
} from './platform/rate-limit';
import { refuseControlCharacters, requireUtf8Charset, verifyUtf8 } from './platform/request-hygiene';
import { createErrorHandler, routeNotFound } from './platform/error-handler';
import { createIdempotency, IDEMPOTENCY_REPLAYED_HEADER, idempotencyOf } from './platform/idempotency';
import { measureRequests, serveMetrics } from './platform/metrics';
import { ormRequestContext, requestLogging } from './platform/request-context';
import { IMMUTABLE_CACHE_CONTROL, PUBLIC_PREFIX, type LocalStorage } from './platform/storage';

type RouterImplementation<T extends AppRouter> = Parameters<typeof createExpressEndpoints<T>>[1];

/** The modules' routers are merged at run time, so completeness is checked at start: a missing handler is a 404. */
function assertEveryRouteServed(routes: AppRouter, implementation: unknown, path = ''): void {
  for (const [key, route] of Object.entries(routes)) {
    const handler = (implementation as Record<string, unknown> | undefined)?.[key];
    if (handler === undefined) throw new Error(`no module serves the contract route ${path}${key}`);
    if (!isAppRoute(route)) assertEveryRouteServed(route, handler, `${path}${key}.`);
  }
}

/** Every rate-limit policy a route names is one a module defines. */
function assertEveryPolicyDefined(routes: AppRouter): void {
  for (const route of Object.values(routes)) {
    if (!isAppRoute(route)) {
      assertEveryPolicyDefined(route);
      continue;
    }
    const policy = isRouteMetadata(route.metadata) ? route.metadata.rateLimit : undefined;
    if (policy && !Object.hasOwn(rateLimitPolicies, policy)) {
      throw new Error(`route ${route.method} ${route.path} names the rate-limit policy "${policy}" no module defines`);
    }
  }
}

/** Idempotency keys are scoped per caller, so a route that takes one must have a signed-in caller. */
function assertIdempotentRoutesSignedIn(routes: AppRouter): void {
  for (const route of Object.values(routes)) {
    if (!isAppRoute(route)) {
      assertIdempotentRoutesSignedIn(route);
      continue;
    }
    const metadata = isRouteMetadata(route.metadata) ? route.metadata : undefined;
    if (idempotencyOf(metadata) && metadata?.auth === 'public') {
      throw new Error(`route ${route.method} ${route.path} takes idempotency keys but is public`);
    }
  }
}

/**
 * Serves MEDIA_DIR's public prefix (product images) when storage is local; an S3 bucket is served by S3 or a CDN
 * instead. Private objects (invoices) live beside it and are never reachable here. Keys are never reused, so responses
 * are immutable. Media is embedded by storefronts on other origins, so it opts out of helmet's same-origin resource
 * policy. Misses (dotfiles included) fall through to the 404 problem.
 */
function serveLocalMedia(storage: LocalStorage): RequestHandler {
  return express.static(join(storage.root, PUBLIC_PREFIX), {
    dotfiles: 'deny',
    index: false,
    redirect: false,
    cacheControl: false,
    setHeaders: (res) => {
      res.setHeader('Cache-Control', IMMUTABLE_CACHE_CONTROL);
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    },
  });
}

/**
 * While draining on SIGTERM, ask keep-alive clients to reconnect elsewhere. Decided when the answer's head is written,
 * not when the request arrived, so a request already in flight at the signal is answered with it too.
 */
function closeConnectionsWhenDraining(lifecycle: Deps['lifecycle']): RequestHandler {
  return (_req, res, next) => {
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
    res.writeHead = ((...args: unknown[]) => {
      if (lifecycle.shuttingDown && !res.headersSent) res.setHeader('Connection', 'close');
      return writeHead(...args);
    }) as typeof res.writeHead;
    next();
  };
}

/**
 * The routes outside the contract (the API document and its page, metrics, product media) are cheap to serve but not
 * free: one per-IP budget for them all, generous for browsers and scrapers, tunable as `RATE_LIMIT_DOCUMENTS`.
 */
const DOCUMENTS_RATE_LIMIT_POLICY = 'documents';
const outsideContractRateLimits: RateLimitPolicies = {
  [DOCUMENTS_RATE_LIMIT_POLICY]: [{ name: 'ip', points: 600, durationSeconds: 60, key: byIp }],
};

export function createApp(deps: Deps): Express {
  const { config, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);

  app.use(requestLogging(deps.logger));
  app.use(measureRequests(metrics));
  app.use(closeConnectionsWhenDraining(deps.lifecycle));
  // upgrade-insecure-requests only when the API is served over https: over plain http on any host but localhost it
  // makes the browser fetch the docs page's scripts over https, and the page stays blank.
  const servedOverHttps = config.PUBLIC_URL.startsWith('https:');
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: servedOverHttps ? [] : null } } }));
  app.use(
    cors({
      origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false,
      exposedHeaders: [
        'X-Request-Id',
        'Retry-After',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
        IDEMPOTENCY_REPLAYED_HEADER,
      ],
      maxAge: 600,
    }),
  );

  const budgets = configureBudgets(
    { ...rateLimitPolicies, ...outsideContractRateLimits },
    { multiplier: config.RATE_LIMIT_MULTIPLIER, overrides: config.rateLimitOverrides },
  );
  // Every API-key request also spends its key's own budget, after the guard has named the caller.
  const rateLimiter = createRateLimiter(deps.store, budgets, {
    callerPolicy: (req) => (req.actor?.apiKey ? API_KEY_RATE_LIMIT_POLICY : undefined),
  });
  const documentsLimit = rateLimiter.forPolicy(DOCUMENTS_RATE_LIMIT_POLICY);
  if (deps.storage.kind === 'local') {
    app.use(`/media/${PUBLIC_PREFIX}`, documentsLimit, serveLocalMedia(deps.storage));
  }
  // The served document states the budgets this deployment enforces (the committed one names the policies).
  const openApiDocument = buildOpenApiDocument(contract, API_VERSION, { rateLimitBudgets: describeBudgets(budgets) });
  app.get('/openapi.json', documentsLimit, (_req, res) => {
    res.json(openApiDocument);
  });
  app.use(
    '/docs',
    documentsLimit,
    swaggerUi.serve,
    swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' } }),
  );
  app.get('/metrics', documentsLimit, serveMetrics(metrics, config.METRICS_TOKEN));

  app.use(requireUtf8Charset);
  app.use(
    express.json({ limit: config.BODY_LIMIT, type: ['application/json', 'application/*+json'], verify: verifyUtf8 }),
  );
  app.use(refuseControlCharacters);
  app.use(ormRequestContext(deps.orm));

  const router = moduleRouters(deps) as RouterImplementation<typeof contract>;
  assertEveryRouteServed(contract, router);
  assertEveryPolicyDefined(contract);
  assertIdempotentRoutesSignedIn(contract);
  const authGuard = createAuthGuard(
    config,
    deps.jwtKey,
    (userId, sessionId) => resolveSession(systemCtx(deps, 'auth'), userId, sessionId),
    (secret, req) =>
      resolveApiKey(
        { ...systemCtx(deps, 'auth'), ip: req.ip, requestId: typeof req.id === 'string' ? req.id : 'auth' },
        secret,
      ),
  );
  createExpressEndpoints(contract, router, app, {
    logInitialization: false,
    jsonQuery: false,
    // Validating our own answers against the contract catches mapper drift; production skips the cost.
    responseValidation: !config.isProduction,
    requestValidationErrorHandler: (error, _req, _res, next) => next(error),
    // Per-IP budgets refuse a flood before the guard looks a session up; per-user budgets need the guard's actor;
    // idempotency comes after the guard too: keys are scoped per caller.
    globalMiddleware: [
      rateLimiter.beforeAuth,
      authGuard,
      rateLimiter.afterAuth,
      createIdempotency({ orm: deps.orm, logger: deps.logger }),
    ],
  });

  app.use(routeNotFound);
  app.use(createErrorHandler({ exposeStack: config.NODE_ENV === 'development', constraints: constraintProblems }));
  return app;
}
