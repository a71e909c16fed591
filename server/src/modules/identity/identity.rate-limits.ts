/** Budgets of identity's rate-limit policies (the policy names are in the contract's identity schemas). */
import type { IDENTITY_RATE_LIMIT_POLICIES } from '@emporium/contract';
import { byEmail, byIp, type RateLimitBudget } from '../../platform/rate-limit';

type IdentityPolicy = (typeof IDENTITY_RATE_LIMIT_POLICIES)[number];

export const identityRateLimits: Record<IdentityPolicy, readonly RateLimitBudget[]> = {
  login: [
    { name: 'ip', points: 30, durationSeconds: 60, key: byIp },
    { name: 'account', points: 10, durationSeconds: 15 * 60, key: byEmail },
  ],
  register: [{ name: 'ip', points: 20, durationSeconds: 60 * 60, key: byIp }],
  email_action: [
    { name: 'ip', points: 20, durationSeconds: 60 * 60, key: byIp },
    { name: 'email', points: 5, durationSeconds: 60 * 60, key: byEmail },
  ],
  token_action: [{ name: 'ip', points: 60, durationSeconds: 60, key: byIp }],
  oauth: [{ name: 'ip', points: 30, durationSeconds: 60, key: byIp }],
};
