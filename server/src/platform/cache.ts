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
  /**
   * Like readThrough, for a family of entries retired all at once by `retire(family)`: keys carry the family's
   * generation, so an entry loaded before a write is stored under a generation nobody reads any more (no stale set).
   */
  readThroughFamily<T>(name: string, family: string, key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T>;
  retire(family: string): Promise<void>;
}

export function createCache(store: KeyValueStore, metrics: Metrics, logger: Logger): Cache {
  const generationKey = (family: string) => `${family}:generation`;
  const cache: Cache = {
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
    async readThroughFamily<T>(name: string, family: string, key: string, ttlSeconds: number, load: () => Promise<T>) {
      const generation = await store.get(generationKey(family)).catch(() => undefined);
      // Without the generation the store is unreachable: answer from the source rather than risk a stale entry.
      if (generation === undefined) return load();
      const value = await cache.readThrough(name, `${family}:${generation ?? 0}:${key}`, ttlSeconds, load);
      return value as T;
    },
    async retire(family) {
      await store.incr(generationKey(family)).catch((error: unknown) => logger.error({ err: error, family }, 'cache generation bump failed'));
    },
  };
  return cache;
}
