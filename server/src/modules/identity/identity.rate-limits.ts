/** Budgets of identity's rate-limit policies (the policy names are in the contract's identity schemas). */
import type { IDENTITY_RATE_LIMIT_POLICIES } from '@emporium/contract';
import { byEmail, byIp, signedInIpBudget, byUser, type RateLimitBudget } from '../../platform/rate-limit';

type IdentityPolicy = (typeof IDENTITY_RATE_LIMIT_POLICIES)[number];

const HOUR = 60 * 60;

export const identityRateLimits: Record<IdentityPolicy, readonly RateLimitBudget[]> = {
  login: [
    { name: 'ip', points: 30, durationSeconds: 60, key: byIp },
    { name: 'account', points: 10, durationSeconds: 15 * 60, key: byEmail },
  ],
  // Per address too: each attempt mails the address (a verification or "someone tried to register"), whatever the IP.
  register: [
    { name: 'ip', points: 20, durationSeconds: HOUR, key: byIp },
    { name: 'email', points: 3, durationSeconds: HOUR, key: byEmail },
  ],
  email_action: [
    { name: 'ip', points: 20, durationSeconds: HOUR, key: byIp },
    { name: 'email', points: 5, durationSeconds: HOUR, key: byEmail },
  ],
  token_action: [{ name: 'ip', points: 60, durationSeconds: 60, key: byIp }],
  oauth: [{ name: 'ip', points: 30, durationSeconds: 60, key: byIp }],
  account: [signedInIpBudget, { name: 'user', points: 120, durationSeconds: 60, key: byUser }],
  // The current password is checked here: a stolen access token must not become a password-guessing oracle.
  password_change: [
    { name: 'ip', points: 20, durationSeconds: 15 * 60, key: byIp },
    { name: 'user', points: 5, durationSeconds: 15 * 60, key: byUser },
  ],
  user_admin: [signedInIpBudget, { name: 'user', points: 300, durationSeconds: 60, key: byUser }],
};
