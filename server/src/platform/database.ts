/**
 * MikroORM on PostgreSQL. Entities and migrations are handed in explicitly by the composition root (no globbing, and
 * the platform never imports a module), so the same code runs under tsx, in tests and in the container. Migrations
 * are committed TypeScript classes producing reviewed SQL.
 */
import type { AnyEntity, EntityClass, EntitySchema, MigrationsOptions } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from './logger';

export type { EntityManager };
export type Orm = MikroORM;

export interface DatabaseOptions {
  url: string;
  /** Every module's entities (migrate may pass none: applying migrations needs no metadata). */
  entities: readonly (EntityClass<AnyEntity> | EntitySchema)[];
  migrations: NonNullable<MigrationsOptions['migrationsList']>;
  poolMax: number;
  logger: Logger;
  debug?: boolean;
  /** Called for every statement (the query counter metric). */
  onQuery?: () => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Orm> {
  return MikroORM.init({
    clientUrl: options.url,
    entities: [...options.entities],
    extensions: [Migrator],
    pool: { min: 0, max: options.poolMax },
    discovery: { warnWhenNoEntities: false },
    migrations: { migrationsList: options.migrations, snapshot: false, silent: true, path: 'migrations', emit: 'ts' },
    // Services flush explicitly: one flush per write, decided at the edge.
    allowGlobalContext: false,
    debug: options.debug ?? false,
    onQuery: (sql) => {
      options.onQuery?.();
      return sql;
    },
    logger: (message) => options.logger.debug({ orm: true }, message),
  });
}

export async function migrateDatabase(orm: Orm): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((migration) => migration.name);
}

export async function pendingMigrations(orm: Orm): Promise<string[]> {
  const pending = await orm.migrator.getPending();
  return pending.map((migration) => migration.name);
}
