/**
 * Rate limits named by route metadata (`rateLimit: 'login'`). Each policy is a set of budgets keyed by IP, account
 * or email; modules declare the budgets of their policies, and the composition root passes them all here. With Redis
 * the counters are shared; if Redis fails, an in-process limiter takes over (the insurance limiter) so limits never
 * fail open. Answers 429 with Retry-After and RateLimit-* headers.
 */
import type { Request, RequestHandler } from 'express';
import { isRouteMetadata } from '@emporium/contract';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from './errors';
import type { KeyValueStore } from './store';

export interface RateLimitBudget {
  name: string;
  points: number;
  durationSeconds: number;
  /** What the budget counts per: the caller's IP, an email in the body...; undefined skips the budget. */
  key: (req: Request) => string | undefined;
}

export const byIp = (req: Request) => req.ip ?? 'unknown';
/** The normalised email of the body, before validation (a missing one simply skips that budget). */
export const byEmail = (req: Request) => {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' && email.length <= 254 ? email.trim().toLowerCase() : undefined;
};

/** The authenticated caller: the API key when one was used (each key has its own budget), else the user. */
export const byActor = (req: Request) =>
  req.actor ? (req.actor.apiKey ? `key:${req.actor.apiKey.id}` : `user:${req.actor.userId}`) : undefined;

function limiterFor(store: KeyValueStore, keyPrefix: string, budget: RateLimitBudget): RateLimiterAbstract {
  const options = { keyPrefix, points: budget.points, duration: budget.durationSeconds };
  if (!store.redis) return new RateLimiterMemory(options);
  return new RateLimiterRedis({
    ...options,
    storeClient: store.redis,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

function headers(budget: RateLimitBudget, result: RateLimiterRes): Record<string, string> {
  return {
    'RateLimit-Limit': String(budget.points),
    'RateLimit-Remaining': String(Math.max(0, result.remainingPoints)),
    'RateLimit-Reset': String(Math.ceil(result.msBeforeNext / 1000)),
  };
}

export type RateLimitPolicies = Readonly<Record<string, readonly RateLimitBudget[]>>;

/** The route's own policy (from its metadata); see `policyFor` in createRateLimiter. */
function routePolicy(req: Request): string | undefined {
  const metadata = (req as { tsRestRoute?: { metadata?: unknown } }).tsRestRoute?.metadata;
  return isRouteMetadata(metadata) ? metadata.rateLimit : undefined;
}

/**
 * `policyFor` chooses the policy of a request; by default the route's. A limiter placed after the auth guard can
 * choose by the caller instead (e.g. every API-key request spends the `api_key` budget).
 */
export function createRateLimiter(
  store: KeyValueStore,
  policies: RateLimitPolicies,
  policyFor: (req: Request) => string | undefined = routePolicy,
): RequestHandler {
  const limiters = new Map<string, { budget: RateLimitBudget; limiter: RateLimiterAbstract }[]>();
  for (const [policy, budgets] of Object.entries(policies)) {
    limiters.set(
      policy,
      budgets.map((budget) => ({ budget, limiter: limiterFor(store, `rl:${policy}:${budget.name}`, budget) })),
    );
  }
  return async (req, res, next) => {
    const policy = policyFor(req);
    if (!policy) return next();
    // All budgets at once: with Redis stalled each waits one command timeout before the insurance limiter answers,
    // and in parallel a request pays that once, not once per budget.
    const outcomes = await Promise.all(
      (limiters.get(policy) ?? []).flatMap(({ budget, limiter }) => {
        const key = budget.key(req);
        if (key === undefined) return [];
        return limiter.consume(key).then(
          (result) => ({ budget, result, limited: false }),
          (rejection: unknown) => {
            if (!(rejection instanceof RateLimiterRes)) throw rejection;
            return { budget, result: rejection, limited: true };
          },
        );
      }),
    );
    const limited = outcomes.find((outcome) => outcome.limited);
    if (limited) {
      const retryAfter = Math.max(1, Math.ceil(limited.result.msBeforeNext / 1000));
      throw new RateLimitedError(retryAfter, headers(limited.budget, limited.result));
    }
    let tightest: (typeof outcomes)[number] | undefined;
    for (const outcome of outcomes) {
      if (!tightest || outcome.result.remainingPoints < tightest.result.remainingPoints) tightest = outcome;
    }
    if (tightest) res.set(headers(tightest.budget, tightest.result));
    next();
  };
}
