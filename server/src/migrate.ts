/** `migrate`: applies the committed migrations and graphile-worker's schema. `migrate create` drafts a new migration from the entity diff. */
import { migrations } from '../migrations';
import { databaseTimeouts, migrateDatabase, openDatabase } from './platform/database';
import { migrateJobs } from './platform/jobs';
import { loadConfigOrExit } from './process';

const { config, logger } = loadConfigOrExit();
if (!config.DATABASE_URL) {
  logger.error('DATABASE_URL is required for migrate (the development start migrates its embedded database itself)');
  process.exit(78);
}
const drafting = process.argv[2] === 'create';
// Drafting diffs the entities against the database; applying committed migrations needs no entity metadata, so it
// loads no module (and none of their libraries).
const entities = drafting ? (await import('./modules')).entities : [];
const orm = await openDatabase({
  url: config.DATABASE_URL,
  poolMax: 2,
  timeouts: databaseTimeouts(config, 'migrate'),
  logger,
  entities,
  migrations,
});
try {
  if (drafting) {
    const result = await orm.migrator.create('migrations');
    logger.info({ file: result.fileName }, 'drafted a migration: review it and append it to migrations/index.ts');
  } else {
    const applied = await migrateDatabase(orm);
    await migrateJobs(config.DATABASE_URL);
    logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'database is up to date');
  }
} finally {
  await orm.close();
}
