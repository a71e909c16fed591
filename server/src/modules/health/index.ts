/** The health module's face: liveness and readiness (/health/live, /health/ready). */
import type { HEALTH_RATE_LIMIT_POLICIES } from '@emporium/contract';
import type { ModuleDefinition } from '../../platform/module';
import { byIp, type RateLimitBudget } from '../../platform/rate-limit';
import { createHealthRouter } from './health.router';

/** Probes come from orchestrators and load balancers every few seconds; the budget only stops a flood. */
const healthRateLimits: Record<(typeof HEALTH_RATE_LIMIT_POLICIES)[number], readonly RateLimitBudget[]> = {
  probe: [{ name: 'ip', points: 600, durationSeconds: 60, key: byIp }],
};

export const healthModule: ModuleDefinition = {
  name: 'health',
  entities: [],
  routers: (deps) => ({ health: createHealthRouter(deps) }),
  rateLimits: healthRateLimits,
};
