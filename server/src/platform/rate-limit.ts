/**
 * Rate limits named by route metadata (`rateLimit: 'login'`). Each policy is a set of budgets keyed by IP, account,
 * email or signed-in user; modules declare the budgets of their policies, and the composition root passes them all
 * here. With Redis the counters are shared; if Redis fails, an in-process limiter takes over (the insurance limiter)
 * so limits never fail open. Answers 429 with Retry-After and RateLimit-* headers.
 *
 * Budgets keyed by the caller's identity need the auth guard to have run, and budgets keyed by IP must run before it
 * (an anonymous flood should be refused before the guard's session lookup): so the limiter is two middlewares, one on
 * each side of the guard.
 */
import { isIP } from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import { isRouteMetadata } from '@emporium/contract';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from './errors';
import type { KeyValueStore } from './store';

/** What a budget counts per; undefined skips the budget. `needsActor` keyers run after the auth guard. */
export type RateLimitKeyer = ((req: Request) => string | undefined) & { readonly needsActor?: true };

export interface RateLimitBudget {
  name: string;
  points: number;
  durationSeconds: number;
  /** What the budget counts per: the caller's IP, an email in the body, the signed-in user... */
  key: RateLimitKeyer;
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped; an embedded IPv4 tail becomes two groups). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const ipv4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (ipv4Tail) {
    const [a, b, c, d] = ipv4Tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, ipv4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const headGroups = parse(head);
  const tailGroups = parse(tail ?? '');
  const zeros = tail === undefined ? [] : new Array<number>(8 - headGroups.length - tailGroups.length).fill(0);
  return [...headGroups, ...zeros, ...tailGroups];
}

/**
 * The rate-limit identity of an address: an IPv4 address as it is (an IPv4-mapped IPv6 address as its IPv4), an IPv6
 * address by its /64, since one subscriber is usually handed a whole /64 and could otherwise rotate through it.
 */
export function ipRateLimitKey(address: string | undefined): string {
  if (!address) return 'unknown';
  if (isIP(address) === 4) return address;
  if (isIP(address.split('%')[0]!) !== 6) return address;
  const groups = ipv6Groups(address);
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

export const byIp: RateLimitKeyer = (req) => ipRateLimitKey(req.ip);

/** The normalised email of the body, before validation (a missing one simply skips that budget). */
export const byEmail: RateLimitKeyer = (req) => {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' && email.length <= 254 ? email.trim().toLowerCase() : undefined;
};

/**
 * The signed-in caller (set by the auth guard): each API key on its own (so one integration cannot starve another or
 * its admin), else the user; on a route that lets anonymous callers in, the IP.
 */
export const byUser: RateLimitKeyer = Object.assign(
  (req: Request) => {
    if (!req.actor) return `ip:${ipRateLimitKey(req.ip)}`;
    return req.actor.apiKey ? `key:${req.actor.apiKey.id}` : `user:${req.actor.userId}`;
  },
  { needsActor: true as const },
);

/**
 * The per-IP budget every signed-in policy also has, spent before the auth guard: a flood of requests with missing or
 * bad tokens is refused before the guard looks a session or an API key up.
 */
export const signedInIpBudget: RateLimitBudget = { name: 'ip', points: 600, durationSeconds: 60, key: byIp };

export type RateLimitPolicies = Readonly<Record<string, readonly RateLimitBudget[]>>;

/** A budget set from the environment: `RATE_LIMIT_<POLICY>_<BUDGET>=points/seconds` or `RATE_LIMIT_<POLICY>=...`. */
export interface RateLimitSettings {
  /** Multiplies every budget's points that no override names (1 = as declared). */
  multiplier: number;
  /** By upper-case name (`LOGIN_ACCOUNT`, `CATALOG_SEARCH`): an exact budget that replaces the declared one. */
  overrides: Readonly<Record<string, { points: number; durationSeconds: number }>>;
}

/**
 * The policies with the environment's settings applied. An override that names no policy or budget stops the start,
 * so a typo never silently leaves the declared budget in force.
 */
export function configureBudgets(policies: RateLimitPolicies, settings: RateLimitSettings): RateLimitPolicies {
  const used = new Set<string>();
  const configured = Object.fromEntries(
    Object.entries(policies).map(([policy, budgets]) => [
      policy,
      budgets.map((budget) => {
        const exact = `${policy}_${budget.name}`.toUpperCase();
        const name = Object.hasOwn(settings.overrides, exact) ? exact : policy.toUpperCase();
        const override = Object.hasOwn(settings.overrides, name) ? settings.overrides[name] : undefined;
        if (override) {
          used.add(name);
          return { ...budget, ...override };
        }
        return { ...budget, points: Math.max(1, Math.round(budget.points * settings.multiplier)) };
      }),
    ]),
  );
  const unknown = Object.keys(settings.overrides).filter((name) => !used.has(name));
  if (unknown.length > 0) {
    throw new Error(`RATE_LIMIT_${unknown.join(', RATE_LIMIT_')} names no rate-limit policy or budget`);
  }
  return configured;
}

/** Each policy's budgets in words, e.g. `60 requests per 60 s per ip`, for the served OpenAPI document. */
export function describeBudgets(policies: RateLimitPolicies): Record<string, string> {
  return Object.fromEntries(
    Object.entries(policies).map(([policy, budgets]) => [
      policy,
      budgets
        .map((budget) => `${budget.points} requests per ${budget.durationSeconds} s per ${budget.name}`)
        .join('; '),
    ]),
  );
}

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

interface Tightest {
  budget: RateLimitBudget;
  result: RateLimiterRes;
}

type Limiters = Map<string, { budget: RateLimitBudget; limiter: RateLimiterAbstract }[]>;

/** The route's own policy (from its metadata). */
function routePolicy(req: Request): string | undefined {
  const metadata = (req as { tsRestRoute?: { metadata?: unknown } }).tsRestRoute?.metadata;
  return isRouteMetadata(metadata) ? metadata.rateLimit : undefined;
}

/**
 * One side of the guard: spends the budgets of the request's policies that this side holds. All budgets at once:
 * with Redis stalled each waits one command timeout before the insurance limiter answers, and in parallel a request
 * pays that once, not once per budget. The tightest budget seen on either side is what the headers report.
 */
function stageMiddleware(limiters: Limiters, policiesOf: (req: Request) => string[]): RequestHandler {
  return async (req, res: Response<unknown, { rateLimitTightest?: Tightest }>, next) => {
    const budgets = policiesOf(req).flatMap((policy) => limiters.get(policy) ?? []);
    if (budgets.length === 0) return next();
    const outcomes = await Promise.all(
      budgets.flatMap(({ budget, limiter }) => {
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
    let tightest = res.locals.rateLimitTightest;
    for (const outcome of outcomes) {
      if (!tightest || outcome.result.remainingPoints < tightest.result.remainingPoints) tightest = outcome;
    }
    if (tightest) {
      res.locals.rateLimitTightest = tightest;
      res.set(headers(tightest.budget, tightest.result));
    }
    next();
  };
}

export interface RateLimiterOptions {
  /** A policy every request of some callers spends besides the route's (e.g. each API key's own budget). */
  callerPolicy?: (req: Request) => string | undefined;
}

/**
 * The limiter's two halves: `beforeAuth` (budgets keyed by IP, email...) goes before the auth guard, `afterAuth`
 * (budgets keyed by the signed-in caller, and the caller's own policy) after it. `forPolicy` limits a route outside
 * the contract (the API document, metrics, media) by a policy it names, with that policy's budgets that need no caller.
 */
export function createRateLimiter(
  store: KeyValueStore,
  policies: RateLimitPolicies,
  options: RateLimiterOptions = {},
): { beforeAuth: RequestHandler; afterAuth: RequestHandler; forPolicy: (policy: string) => RequestHandler } {
  const before: Limiters = new Map();
  const after: Limiters = new Map();
  for (const [policy, budgets] of Object.entries(policies)) {
    const build = (budget: RateLimitBudget) => ({
      budget,
      limiter: limiterFor(store, `rl:${policy}:${budget.name}`, budget),
    });
    before.set(policy, budgets.filter((budget) => !budget.key.needsActor).map(build));
    after.set(policy, budgets.filter((budget) => budget.key.needsActor).map(build));
  }
  const routeOnly = (req: Request) => [routePolicy(req)].filter((policy): policy is string => policy !== undefined);
  const routeAndCaller = (req: Request) =>
    [routePolicy(req), options.callerPolicy?.(req)].filter((policy): policy is string => policy !== undefined);
  return {
    beforeAuth: stageMiddleware(before, routeOnly),
    afterAuth: stageMiddleware(after, routeAndCaller),
    forPolicy: (policy) => {
      if (!before.get(policy)?.length)
        throw new Error(`no rate-limit policy "${policy}" with a budget keyed by request`);
      return stageMiddleware(before, () => [policy]);
    },
  };
}
