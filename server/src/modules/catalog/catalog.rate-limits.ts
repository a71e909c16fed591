/** Budgets of the catalog's rate-limit policies (the policy names are in the contract's catalog schemas). */
import type { CATALOG_RATE_LIMIT_POLICIES } from '@emporium/contract';
import { byIp, byUser, signedInIpBudget, type RateLimitBudget } from '../../platform/rate-limit';

type CatalogPolicy = (typeof CATALOG_RATE_LIMIT_POLICIES)[number];

export const catalogRateLimits: Record<CatalogPolicy, readonly RateLimitBudget[]> = {
  // Storefront browsing: generous, and cached, but unbounded it is a scraping and cache-busting tool.
  catalog_read: [{ name: 'ip', points: 600, durationSeconds: 60, key: byIp }],
  // Full-text search is never cached and costs the database the most.
  catalog_search: [{ name: 'ip', points: 60, durationSeconds: 60, key: byIp }],
  catalog_manage: [signedInIpBudget, { name: 'user', points: 300, durationSeconds: 60, key: byUser }],
  catalog_write: [signedInIpBudget, { name: 'user', points: 120, durationSeconds: 60, key: byUser }],
  // Each upload is decoded and re-encoded twice (image and thumbnail).
  catalog_upload: [signedInIpBudget, { name: 'user', points: 30, durationSeconds: 60, key: byUser }],
  review_write: [signedInIpBudget, { name: 'user', points: 10, durationSeconds: 60, key: byUser }],
  catalog_admin: [signedInIpBudget, { name: 'user', points: 300, durationSeconds: 60, key: byUser }],
};
