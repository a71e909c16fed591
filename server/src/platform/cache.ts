/**
 * Read-through JSON cache on the key-value store, organised in families. Every key of a family carries the family's
 * generation; `retire(family)` bumps it, so every entry of the family is gone at once, and a value loaded before a write
 * is stored under a generation nobody reads any more: a slow reader can never put back what a write retired.
 * The store failing is a miss, never an error: the source answers. Every lookup is counted in
 * `cache_requests_total{cache,result}`, so the hit ratio is a PromQL division away.
 *
 * A retirement that fails (Redis away or stalled) is remembered and replayed: until every missed retirement has reached
 * the store again, this process bypasses the cache (reads and fills), so the entries the write should have retired are
 * never served again once Redis is back. A timer replays them in the background too, so other replicas, which cannot
 * know, stop serving them as soon as Redis answers this one.
 */
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { KeyValueStore } from './store';

export interface Cache {
  /** The cached value of `key` in `family`, or `load()`'s (stored for `ttlSeconds` unless it is undefined). */
  readThrough<T>(name: string, family: string, key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T>;
  /** Retires every entry of the family. Never throws and never waits longer than one store command. */
  retire(family: string): Promise<void>;
  /** Families whose retirement has not reached the store yet (replayed before the cache is used again). */
  pendingRetirements(): readonly string[];
  /** Stops the background replay. */
  close(): void;
}

export interface CacheOptions {
  /** How often missed retirements are replayed in the background (ms). */
  replayIntervalMs?: number;
}

export function createCache(store: KeyValueStore, metrics: Metrics, logger: Logger, options: CacheOptions = {}): Cache {
  const generationKey = (family: string) => `${family}:generation`;
  const pending = new Set<string>();
  let replaying: Promise<boolean> | undefined;

  /** Bumps each pending family's generation; true once none is pending. One replay runs at a time. */
  const replay = (): Promise<boolean> => {
    if (pending.size === 0) return Promise.resolve(true);
    replaying ??= (async () => {
      // Until none is left: a retirement may fail again while this replay runs.
      while (pending.size > 0) {
        for (const family of [...pending]) {
          try {
            await store.incr(generationKey(family));
            pending.delete(family);
          } catch {
            return false;
          }
        }
      }
      logger.info('missed cache retirements replayed');
      return true;
    })().finally(() => (replaying = undefined));
    return replaying;
  };

  const timer = setInterval(() => {
    if (pending.size > 0) void replay();
  }, options.replayIntervalMs ?? 1000);
  timer.unref();

  return {
    async readThrough<T>(
      name: string,
      family: string,
      key: string,
      ttlSeconds: number,
      load: () => Promise<T>,
    ): Promise<T> {
      // A missed retirement not yet replayed: any entry may be one the write should have retired.
      if (!(await replay())) {
        metrics.cacheRequests.inc({ cache: name, result: 'bypass' });
        return load();
      }
      const generation = await store.get(generationKey(family)).catch(() => undefined);
      // Without the generation the store is unreachable: answer from the source rather than risk a stale entry.
      if (generation === undefined) return load();
      const entryKey = `${family}:${generation ?? 0}:${key}`;
      const cached = await store.get(entryKey).catch(() => null);
      metrics.cacheRequests.inc({ cache: name, result: cached === null ? 'miss' : 'hit' });
      if (cached !== null) return JSON.parse(cached) as T;
      const value = await load();
      if (value !== undefined) {
        // Not awaited: a store that stalls now must not hold the answer back.
        store
          .set(entryKey, JSON.stringify(value), ttlSeconds)
          .catch((error: unknown) => logger.warn({ err: error, key: entryKey }, 'cache write failed'));
      }
      return value;
    },
    async retire(family) {
      try {
        await store.incr(generationKey(family));
      } catch (error) {
        // The write itself succeeded; the retirement is replayed before this process serves from the cache again.
        pending.add(family);
        logger.warn({ err: error, family }, 'cache retirement failed: replayed when the store is back');
      }
    },
    pendingRetirements: () => [...pending],
    close: () => clearInterval(timer),
  };
}
