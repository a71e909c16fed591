/**
 * Budgets of the integrations module. `api_key`: every request an API key authenticates spends its key's budget
 * (after the auth guard, besides the route's own policy), so one integration cannot starve the others.
 * `api_key_admin`: the admin routes that manage keys.
 */
import type { INTEGRATIONS_RATE_LIMIT_POLICIES } from '@emporium/contract';
import { byUser, signedInIpBudget, type RateLimitBudget } from '../../platform/rate-limit';

export const API_KEY_RATE_LIMIT_POLICY = 'api_key';

type IntegrationsPolicy = (typeof INTEGRATIONS_RATE_LIMIT_POLICIES)[number] | typeof API_KEY_RATE_LIMIT_POLICY;

export const integrationsRateLimits: Record<IntegrationsPolicy, readonly RateLimitBudget[]> = {
  api_key: [{ name: 'key', points: 600, durationSeconds: 60, key: byUser }],
  api_key_admin: [signedInIpBudget, { name: 'user', points: 300, durationSeconds: 60, key: byUser }],
};
