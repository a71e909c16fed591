/**
 * Read-through JSON cache on the key-value store, organised in families. Every key of a family carries the family's
 * generation; `retire(family)` bumps it, so every entry of the family is gone at once, and a value loaded before a write
 * is stored under a generation nobody reads any more: a slow reader can never put back what a write retired.
 * The store failing is a miss, never an error: the source answers. Every lookup is counted in
 * `cache_requests_total{cache,result}`, so the hit ratio is a PromQL division away.
 */
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { KeyValueStore } from './store';

export interface Cache {
  /** The cached value of `key` in `family`, or `load()`'s (stored for `ttlSeconds` unless it is undefined). */
  readThrough<T>(name: string, family: string, key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T>;
  /** Retires every entry of the family. */
  retire(family: string): Promise<void>;
}

export function createCache(store: KeyValueStore, metrics: Metrics, logger: Logger): Cache {
  const generationKey = (family: string) => `${family}:generation`;
  return {
    async readThrough<T>(
      name: string,
      family: string,
      key: string,
      ttlSeconds: number,
      load: () => Promise<T>,
    ): Promise<T> {
      const generation = await store.get(generationKey(family)).catch(() => undefined);
      // Without the generation the store is unreachable: answer from the source rather than risk a stale entry.
      if (generation === undefined) return load();
      const entryKey = `${family}:${generation ?? 0}:${key}`;
      const cached = await store.get(entryKey).catch(() => null);
      metrics.cacheRequests.inc({ cache: name, result: cached === null ? 'miss' : 'hit' });
      if (cached !== null) return JSON.parse(cached) as T;
      const value = await load();
      if (value !== undefined) {
        await store
          .set(entryKey, JSON.stringify(value), ttlSeconds)
          .catch((error: unknown) => logger.warn({ err: error, key: entryKey }, 'cache write failed'));
      }
      return value;
    },
    async retire(family) {
      // A failed retirement serves stale data until the TTL: log it loudly, but the write itself succeeded.
      await store
        .incr(generationKey(family))
        .catch((error: unknown) => logger.error({ err: error, family }, 'cache retirement failed'));
    },
  };
}
