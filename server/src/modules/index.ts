/**
 * The modules of the server, listed once. Everything the composition root hands the platform (entities, routes,
 * tasks, rate-limit budgets, constraint problems, audit vocabulary) is gathered from these definitions here, and a
 * clash between two modules (a task, a policy, a constraint or an audit action claimed twice) stops the start.
 */
import { AuditEntry } from '../platform/audit';
import { systemCtx } from '../platform/context';
import type { ConstraintProblems } from '../platform/error-handler';
import type { Deps } from '../platform/deps';
import { eventSubscribers } from '../platform/events';
import type { RegisteredTask } from '../platform/jobs';
import type { ModuleDefinition, ModuleRouters } from '../platform/module';
import type { RateLimitPolicies } from '../platform/rate-limit';
import { catalogModule } from './catalog';
import { healthModule } from './health';
import { identityModule } from './identity';
import { integrationsModule } from './integrations';
import { ordersModule } from './orders';
import { paymentsModule } from './payments';

export const modules: readonly ModuleDefinition[] = [
  healthModule,
  identityModule,
  catalogModule,
  integrationsModule,
  ordersModule,
  paymentsModule,
];

/** Merges named entries of every module, refusing a name two modules claim. */
function mergeUnique<T>(what: string, parts: [module: string, entries: Readonly<Record<string, T>> | undefined][]) {
  const merged: Record<string, T> = {};
  const owner = new Map<string, string>();
  for (const [module, entries] of parts) {
    for (const [name, value] of Object.entries(entries ?? {})) {
      const claimed = owner.get(name);
      if (claimed) throw new Error(`${what} "${name}" is declared by both ${claimed} and ${module}`);
      owner.set(name, module);
      merged[name] = value;
    }
  }
  return merged;
}

const byName = <T extends { name: string }>(items: readonly T[] | undefined) =>
  Object.fromEntries((items ?? []).map((item) => [item.name, item]));

/** The platform's own tables (the audit log) and every module's. */
export const entities = [AuditEntry, ...modules.flatMap((module) => module.entities)];

export const tasks: readonly RegisteredTask[] = Object.values(
  mergeUnique(
    'task',
    modules.map((module) => [module.name, byName(module.tasks)]),
  ),
);

export const rateLimitPolicies: RateLimitPolicies = mergeUnique(
  'rate-limit policy',
  modules.map((module) => [module.name, module.rateLimits]),
);

export const constraintProblems: ConstraintProblems = mergeUnique(
  'constraint',
  modules.map((module) => [module.name, module.constraints]),
);

export const auditActions: readonly string[] = Object.keys(
  mergeUnique(
    'audit action',
    modules.map((module) => [
      module.name,
      Object.fromEntries((module.auditActions ?? []).map((action) => [action, true])),
    ]),
  ),
);

/** Every module's handlers of domain events, in the order the modules are listed. */
export const subscribers = eventSubscribers(modules.flatMap((module) => module.subscriptions ?? []));

/** Every module's route implementations, merged one level deep under the contract's top-level keys. */
export function moduleRouters(deps: Deps): Record<string, ModuleRouters> {
  const merged: Record<string, Record<string, object>> = {};
  for (const module of modules) {
    for (const [key, routers] of Object.entries(module.routers?.(deps) ?? {})) {
      merged[key] = { ...merged[key], ...(routers as Record<string, object>) };
    }
  }
  return merged;
}

/** Each module's start-up work (after migrations), in the order the modules are listed. */
export async function startModules(deps: Deps): Promise<void> {
  for (const module of modules) await module.onStart?.(systemCtx(deps, `start:${module.name}`));
}
