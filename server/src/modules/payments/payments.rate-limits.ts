/** Budgets of payments' rate-limit policies (the names are in the contract's payments schemas). */
import type { PAYMENTS_RATE_LIMIT_POLICIES } from '@emporium/contract';
import { byIp, byUser, type RateLimitBudget } from '../../platform/rate-limit';

type PaymentsPolicy = (typeof PAYMENTS_RATE_LIMIT_POLICIES)[number];

export const paymentsRateLimits: Record<PaymentsPolicy, readonly RateLimitBudget[]> = {
  payments: [
    { name: 'ip', points: 1200, durationSeconds: 60, key: byIp },
    { name: 'user', points: 60, durationSeconds: 60, key: byUser },
  ],
  // Providers send bursts from a few addresses; the signature, not the budget, keeps strangers out.
  webhooks: [{ name: 'ip', points: 6000, durationSeconds: 60, key: byIp }],
  payments_admin: [
    { name: 'ip', points: 3000, durationSeconds: 60, key: byIp },
    { name: 'user', points: 300, durationSeconds: 60, key: byUser },
  ],
};
