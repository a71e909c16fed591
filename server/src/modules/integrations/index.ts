/**
 * The integrations module's one face: API keys for server-to-server integrations (admin management, the key
 * resolver the auth guard is given by the composition root, the per-key rate-limit policy).
 */
import type { ModuleDefinition } from '../../platform/module';
import { integrationsAudit } from './integrations.audit';
import { integrationsEntities } from './integrations.entities';
import { integrationsRateLimits } from './integrations.rate-limits';
import { createIntegrationsRouters } from './integrations.router';

export const integrationsModule: ModuleDefinition = {
  name: 'integrations',
  entities: integrationsEntities,
  routers: (deps) => ({ api: createIntegrationsRouters(deps) }),
  auditActions: integrationsAudit.actions,
  rateLimits: integrationsRateLimits,
};

export { resolveApiKey } from './api-keys.service';
export { API_KEY_RATE_LIMIT_POLICY } from './integrations.rate-limits';
