/**
 * Opens what the API and the worker run on (database, store, metrics) from a configuration, and closes it again.
 * main.ts, worker.ts and the tests all go through here, so they run the same code path.
 */
import { migrations } from '../migrations';
import type { Config } from './config';
import { entities, startModules, subscribers, tasks } from './modules';
import { databaseTimeouts, migrateDatabase, openDatabase } from './platform/database';
import type { Deps } from './platform/deps';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './platform/embedded-postgres';
import { migrateJobs, startWorker, type RunningWorker } from './platform/jobs';
import type { Logger } from './platform/logger';
import { createCache } from './platform/cache';
import { createMetrics } from './platform/metrics';
import { createLocalStorage, createS3Storage, type ObjectStorage } from './platform/storage';
import { createMailer } from './platform/mail';
import { jwtSecret } from './platform/auth';
import { createMemoryStore, createRedisStore, type KeyValueStore } from './platform/store';

export interface Runtime {
  deps: Deps;
  databaseUrl: string;
  close(): Promise<void>;
}

async function openStore(config: Readonly<Config>, logger: Logger): Promise<KeyValueStore> {
  if (config.REDIS_URL) {
    const { REDIS_URL: url, REDIS_KEY_PREFIX: keyPrefix, REDIS_COMMAND_TIMEOUT_MS: commandTimeoutMs } = config;
    return createRedisStore({ url, keyPrefix, commandTimeoutMs }, logger);
  }
  logger.warn('REDIS_URL is unset: cache and rate limits are kept in this process only (development only)');
  return createMemoryStore();
}

/** S3_BUCKET set: an S3-compatible bucket; else MEDIA_DIR, which the app serves under /media itself. */
function openStorage(config: Readonly<Config>): ObjectStorage {
  const { S3_BUCKET: bucket, S3_PUBLIC_URL: publicBaseUrl } = config;
  if (!bucket) return createLocalStorage(config.MEDIA_DIR, config.PUBLIC_URL);
  // loadConfig already refuses S3_BUCKET without S3_PUBLIC_URL; this only narrows the type.
  if (!publicBaseUrl) throw new Error('S3_PUBLIC_URL is required when S3_BUCKET is set');
  const { S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = config;
  return createS3Storage({
    bucket,
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    publicBaseUrl,
  });
}

export async function openRuntime(config: Readonly<Config>, logger: Logger): Promise<Runtime> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, config.EMBEDDED_PG_PORT, logger);
    databaseUrl = embedded.url;
  }
  if (config.migrateOnStart) {
    // On a connection of its own: migrations may run longer than any request is allowed to.
    const migrator = await openDatabase({
      url: databaseUrl,
      poolMax: 1,
      timeouts: databaseTimeouts(config, 'migrate'),
      logger,
      entities: [],
      migrations,
    });
    try {
      const applied = await migrateDatabase(migrator);
      if (applied.length > 0) logger.info({ applied }, 'applied migrations');
    } finally {
      await migrator.close();
    }
    await migrateJobs(databaseUrl);
  }
  const metrics = createMetrics();
  const orm = await openDatabase({
    url: databaseUrl,
    entities,
    migrations,
    poolMax: config.DATABASE_POOL_MAX,
    timeouts: databaseTimeouts(config, 'serve'),
    logger,
    onQuery: () => metrics.dbQueries.inc(),
  });
  const store = await openStore(config, logger);
  if (!config.JWT_SECRET)
    logger.warn('JWT_SECRET is unset: tokens are signed with a random key and end with this process');
  const deps: Deps = {
    config,
    logger,
    orm,
    store,
    cache: createCache(store, metrics, logger),
    storage: openStorage(config),
    metrics,
    mailer: createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, logger }),
    jwtKey: jwtSecret(config),
    subscribers,
    lifecycle: { shuttingDown: false },
  };
  return {
    deps,
    databaseUrl,
    close: async () => {
      deps.cache.close();
      await store.close();
      deps.storage.close();
      await orm.close();
      await embedded?.stop();
    },
  };
}

/** Each module's start-up work, after migrations (the bootstrap admin, for one). */
export function startRuntime(runtime: Runtime): Promise<void> {
  return startModules(runtime.deps);
}

export function startJobWorker(runtime: Runtime): Promise<RunningWorker> {
  const { deps } = runtime;
  return startWorker({
    connectionString: runtime.databaseUrl,
    concurrency: deps.config.WORKER_CONCURRENCY,
    tasks,
    deps,
  });
}
