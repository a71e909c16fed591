/**
 * The context every service function takes first (Vendure's pattern): who is acting, from where, the EntityManager of
 * this unit of work, and the process's dependencies. It is the one way a module receives what it needs: routers and
 * job tasks build it; services never look at Express and never take a second EntityManager beside it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyScope, Role } from '@emporium/contract';
import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from './database';
import type { Deps } from './deps';

export interface Actor {
  userId: string;
  role: Role;
  /** The login session; for an API key, the key's id (keys have no session). */
  sessionId: string;
  /** Set when an API key authenticated the request: the actor is the key's creator, limited to these scopes. */
  apiKey?: { id: string; scopes: readonly ApiKeyScope[] };
}

export interface Ctx {
  /** The request's EntityManager; inside `inTransaction`, the transaction's. */
  em: EntityManager;
  deps: Deps;
  actor: Actor | undefined;
  ip: string | undefined;
  userAgent: string | undefined;
  requestId: string;
}

export interface AuthenticatedCtx extends Ctx {
  actor: Actor;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the auth guard on routes that require a signed-in user. */
      actor?: Actor;
    }
  }
}

/** The parts of a request a context is built from (ts-rest's request type narrows Express's query typing). */
interface RequestLike {
  id: unknown;
  ip?: string | undefined;
  actor?: Actor | undefined;
  headers: IncomingHttpHeaders;
}

export function ctxFrom(deps: Deps, req: RequestLike): Ctx {
  const em = RequestContext.getEntityManager() as EntityManager | undefined;
  if (!em) throw new Error('no RequestContext: ormRequestContext must run before the routes');
  return {
    em,
    deps,
    actor: req.actor,
    ip: req.ip,
    userAgent: req.headers['user-agent']?.slice(0, 300),
    requestId: String(req.id),
  };
}

/** For routes whose policy requires a signed-in user: the guard has already put the actor there. */
export function authenticatedCtxFrom(deps: Deps, req: RequestLike): AuthenticatedCtx {
  const ctx = ctxFrom(deps, req);
  if (!ctx.actor) throw new Error('authenticatedCtxFrom on a route without an auth policy');
  return { ...ctx, actor: ctx.actor };
}

/** The context of work nobody requested over HTTP (a job, a start-up task, a tool): its own EntityManager. */
export function systemCtx(deps: Deps, label: string): Ctx {
  return { em: deps.orm.em.fork(), deps, actor: undefined, ip: undefined, userAgent: undefined, requestId: label };
}
