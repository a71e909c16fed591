/**
 * Prometheus metrics on a registry per app (tests build several apps in one process). Routes are labelled by their
 * template (`/api/users/addresses/:id`), never by raw path, so ids cannot explode the label set.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import client from 'prom-client';
import { UnauthorizedError } from './errors';

export interface Metrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status_code'>;
  cacheRequests: client.Counter<'cache' | 'result'>;
  /** Every SQL statement sent; tests read it to prove a list's statement count does not grow with its size. */
  dbQueries: client.Counter;
}

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    cacheRequests: new client.Counter({
      name: 'cache_requests_total',
      help: 'Cache lookups by cache name and result (hit or miss)',
      labelNames: ['cache', 'result'],
      registers: [registry],
    }),
    dbQueries: new client.Counter({
      name: 'db_queries_total',
      help: 'SQL statements sent to the database',
      registers: [registry],
    }),
  };
}

function routeTemplate(req: Request): string {
  const tsRestRoute = (req as Request & { tsRestRoute?: { path: string } }).tsRestRoute;
  if (tsRestRoute) return tsRestRoute.path;
  const route = req.route as { path?: unknown } | undefined;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  return req.baseUrl || '(unmatched)';
}

export function measureRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      stop({ method: req.method, route: routeTemplate(req), status_code: String(res.statusCode) });
    });
    next();
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * GET /metrics. With a token (METRICS_TOKEN, required in production) only `Authorization: Bearer <token>` may read it:
 * the counters describe what the server did for other callers' requests, which can tell an outsider about them.
 */
export function serveMetrics(metrics: Metrics, token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return async (req, res) => {
    if (expected) {
      const presented = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!presented || !timingSafeEqual(digest(presented), expected)) {
        throw new UnauthorizedError('unauthorized', 'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.');
      }
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
