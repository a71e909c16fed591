/** The health module's face: liveness and readiness (/health/live, /health/ready). */
import type { ModuleDefinition } from '../../platform/module';
import { createHealthRouter } from './health.router';

export const healthModule: ModuleDefinition = {
  name: 'health',
  entities: [],
  routers: (deps) => ({ health: createHealthRouter(deps) }),
};
