/**
 * The `api_key` policy: every request an API key authenticates spends its key's budget (applied by a limiter after
 * the auth guard, besides the route's own policy), so one integration cannot starve the others.
 */
import { byActor, type RateLimitBudget } from '../../platform/rate-limit';

export const API_KEY_RATE_LIMIT_POLICY = 'api_key';

export const integrationsRateLimits: Record<typeof API_KEY_RATE_LIMIT_POLICY, readonly RateLimitBudget[]> = {
  api_key: [{ name: 'key', points: 600, durationSeconds: 60, key: byActor }],
};
