/**
 * Read-through JSON cache on the key-value store. The store failing is a miss, never an error: the database answers.
 * Every lookup is counted in `cache_requests_total{cache,result}`, so the hit ratio is a PromQL division away.
 */
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { KeyValueStore } from './store';

export interface Cache {
  /** The cached value of `key`, or `load()`'s (stored for `ttlSeconds` unless it is undefined). */
  readThrough<T>(name: string, key: string, ttlSeconds: number, load: () => Promise<T | undefined>): Promise<T | undefined>;
  invalidate(...keys: string[]): Promise<void>;
}

export function createCache(store: KeyValueStore, metrics: Metrics, logger: Logger): Cache {
  return {
    async readThrough<T>(name: string, key: string, ttlSeconds: number, load: () => Promise<T | undefined>) {
      const cached = await store.get(key).catch(() => null);
      metrics.cacheRequests.inc({ cache: name, result: cached === null ? 'miss' : 'hit' });
      if (cached !== null) return JSON.parse(cached) as T;
      const value = await load();
      if (value !== undefined) {
        await store.set(key, JSON.stringify(value), ttlSeconds).catch((error: unknown) => logger.warn({ err: error, key }, 'cache write failed'));
      }
      return value;
    },
    async invalidate(...keys) {
      // A failed invalidation would serve stale data until the TTL: log it loudly, but the write itself succeeded.
      await store.del(...keys).catch((error: unknown) => logger.error({ err: error, keys }, 'cache invalidation failed'));
    },
  };
}
