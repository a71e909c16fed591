import type { Config } from '../config';
import type { Cache } from './cache';
import type { Orm } from './database';
import type { EventSubscribers } from './events';
import type { Logger } from './logger';
import type { Mailer } from './mail';
import type { Metrics } from './metrics';
import type { ObjectStorage } from './storage';
import type { KeyValueStore } from './store';

/** What the app, its modules and the job tasks are built from; tests build their own. */
export interface Deps {
  config: Readonly<Config>;
  logger: Logger;
  orm: Orm;
  store: KeyValueStore;
  /** Read-through JSON cache on `store`, with hit/miss metrics. */
  cache: Cache;
  /** Where uploaded media (product images) go. */
  storage: ObjectStorage;
  metrics: Metrics;
  mailer: Mailer;
  /** The access-token signing key (JWT_SECRET, or a random one per process outside production). */
  jwtKey: Uint8Array;
  /** Who handles each domain event (platform/events.ts). */
  subscribers: EventSubscribers;
  /** Flipped on SIGTERM: readiness turns 503 and responses ask clients to close their connection. */
  lifecycle: { shuttingDown: boolean };
}
