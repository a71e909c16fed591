/**
 * A small key-value store with expiry for caches, token denylists and rate limits: Redis when REDIS_URL is set,
 * otherwise (outside production only) an in-process map, announced with a warning.
 */
import { Redis } from 'ioredis';
import type { Logger } from './logger';

export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  /** The Redis client, for libraries that speak Redis themselves (rate-limiter-flexible); absent in memory mode. */
  readonly redis?: Redis;
  get(key: string): Promise<string | null>;
  /** Reads and deletes in one step, so a one-time value can be used once. */
  take(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  /** Adds one to a counter (created at 0, never expiring) and answers the new value. */
  incr(key: string): Promise<number>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface RedisStoreOptions {
  url: string;
  keyPrefix: string;
  /**
   * Every command fails after this long. Without it a command in flight when Redis stalls (CLIENT PAUSE, a dropped
   * packet partition) or dies waits until Redis answers again: ioredis keeps such commands to re-send them on
   * reconnect, and neither `enableOfflineQueue: false` nor `maxRetriesPerRequest` releases them.
   */
  commandTimeoutMs: number;
}

export async function createRedisStore(options: RedisStoreOptions, logger: Logger): Promise<KeyValueStore> {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    lazyConnect: true,
    // Fail fast while Redis is away instead of queueing: callers degrade (cache miss) or fall back (rate limits).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: 2000,
    // Commands issued in the same tick (a request's rate-limit budgets, many requests' cache reads) go in one write.
    enableAutoPipelining: true,
  });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis error'));
  await redis.connect().catch((error: unknown) => logger.error({ err: error }, 'redis is unreachable at start'));
  return {
    kind: 'redis',
    redis,
    get: (key) => redis.get(key),
    take: (key) => redis.getdel(key),
    set: async (key, value, ttlSeconds) => {
      await redis.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    },
    del: async (...keys) => {
      if (keys.length > 0) await redis.del(...keys);
    },
    incr: (key) => redis.incr(key),
    ping: async () => {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export function createMemoryStore(): KeyValueStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    kind: 'memory',
    get: async (key) => live(key)?.value ?? null,
    take: async (key) => {
      const value = live(key)?.value ?? null;
      entries.delete(key);
      return value;
    },
    set: async (key, value, ttlSeconds) => {
      entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    },
    del: async (...keys) => {
      for (const key of keys) entries.delete(key);
    },
    incr: async (key) => {
      const value = Number(live(key)?.value ?? 0) + 1;
      entries.set(key, { value: String(value), expiresAt: Number.POSITIVE_INFINITY });
      return value;
    },
    ping: async () => true,
    close: async () => entries.clear(),
  };
}
