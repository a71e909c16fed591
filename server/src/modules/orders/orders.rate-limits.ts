/** Budgets of commerce's rate-limit policies (the policy names are in the contract's orders schemas). */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { ORDERS_RATE_LIMIT_POLICIES } from '@emporium/contract';
import { byIp, type RateLimitBudget } from '../../platform/rate-limit';

type OrdersPolicy = (typeof ORDERS_RATE_LIMIT_POLICIES)[number];

/**
 * The caller: its bearer credential or guest cart token, hashed (the limiter runs before the auth guard, so this is
 * the credential as sent; a forged one fails authentication anyway). Callers without either are counted by IP only.
 */
export const byCaller = (req: Request): string | undefined => {
  const credential = req.headers.authorization ?? req.headers['x-cart-token'];
  if (typeof credential !== 'string' || credential.length === 0) return undefined;
  return createHash('sha256').update(credential).digest('base64url');
};

export const ordersRateLimits: Record<OrdersPolicy, readonly RateLimitBudget[]> = {
  cart_read: [
    { name: 'ip', points: 3000, durationSeconds: 60, key: byIp },
    { name: 'caller', points: 300, durationSeconds: 60, key: byCaller },
  ],
  cart_write: [
    { name: 'ip', points: 1200, durationSeconds: 60, key: byIp },
    { name: 'caller', points: 120, durationSeconds: 60, key: byCaller },
  ],
  // Many customers may share an office's IP: the per-caller budget is the tight one.
  checkout: [
    { name: 'ip', points: 6000, durationSeconds: 60, key: byIp },
    { name: 'caller', points: 30, durationSeconds: 60, key: byCaller },
  ],
  orders_read: [
    { name: 'ip', points: 3000, durationSeconds: 60, key: byIp },
    { name: 'caller', points: 600, durationSeconds: 60, key: byCaller },
  ],
  orders_write: [
    { name: 'ip', points: 1200, durationSeconds: 60, key: byIp },
    { name: 'caller', points: 120, durationSeconds: 60, key: byCaller },
  ],
};
