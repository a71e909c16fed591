/**
 * A module's one face: everything the composition root needs to know about a domain, declared by the module in its
 * index.ts and listed once in modules/index.ts. The platform defines the shape and never imports a module; the
 * composition root (runtime.ts, app.ts, migrate.ts) hands each layer the parts it needs.
 */
import type { AnyEntity, EntityClass, EntitySchema } from '@mikro-orm/core';
import type { Ctx } from './context';
import type { ConstraintProblems } from './error-handler';
import type { Deps } from './deps';
import type { Subscription } from './events';
import type { RegisteredTask } from './jobs';
import type { RateLimitBudget } from './rate-limit';

/** Router implementations by contract path: `{ api: { products: ... } }` or `{ health: ... }`; merged one level deep. */
export type ModuleRouters = Record<string, object>;

export interface ModuleDefinition {
  /** The module's folder name; also the prefix of its tasks (`<name>__<verb>`). */
  name: string;
  /** Its MikroORM entities (its tables). */
  entities: readonly (EntityClass<AnyEntity> | EntitySchema)[];
  /** Its route implementations, built once per app from the process's dependencies. */
  routers?: (deps: Deps) => ModuleRouters;
  /** Its background tasks. */
  tasks?: readonly RegisteredTask[];
  /** The audit actions it records (see platform/audit.ts). */
  auditActions?: readonly string[];
  /** Budgets of the rate-limit policies its routes name. */
  rateLimits?: Record<string, readonly RateLimitBudget[]>;
  /** Its unique and foreign-key constraints that a client can run into, and the problem each one means. */
  constraints?: ConstraintProblems;
  /** Its handlers of other modules' domain events (platform/events.ts). */
  subscriptions?: readonly Subscription[];
  /** Work to do on start, after migrations (e.g. the bootstrap admin). */
  onStart?: (ctx: Ctx) => Promise<void>;
}
