/**
 * MikroORM on PostgreSQL. Entities and migrations are handed in explicitly by the composition root (no globbing, and
 * the platform never imports a module), so the same code runs under tsx, in tests and in the container. Migrations
 * are committed TypeScript classes producing reviewed SQL.
 */
import type { AnyEntity, EntityClass, EntitySchema, MigrationsOptions } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from './logger';

export type { EntityManager };
export type Orm = MikroORM;

export interface DatabaseOptions {
  url: string;
  /** Every module's entities (migrate may pass none: applying migrations needs no metadata). */
  entities: readonly (EntityClass<AnyEntity> | EntitySchema)[];
  migrations: NonNullable<MigrationsOptions['migrationsList']>;
  poolMax: number;
  /** Bounds on every wait for PostgreSQL (ms; 0 or absent: none). */
  timeouts?: DatabaseTimeouts;
  logger: Logger;
  debug?: boolean;
  /** Called for every statement (the query counter metric). */
  onQuery?: () => void;
}

export interface DatabaseTimeouts {
  /** Waiting for a pooled connection, or for a new one to open (pg's `connectionTimeoutMillis`). */
  acquireMs: number;
  /** PostgreSQL `statement_timeout`: a statement running longer is cancelled (57014). */
  statementMs: number;
  /** PostgreSQL `lock_timeout`: a statement waiting longer for a lock fails (55P03). */
  lockMs: number;
  /** PostgreSQL `idle_in_transaction_session_timeout`: a transaction left open ends its session. */
  idleInTransactionMs: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Orm> {
  return MikroORM.init({
    clientUrl: options.url,
    entities: [...options.entities],
    extensions: [Migrator],
    pool: { min: 0, max: options.poolMax },
    // pg's own options: without them the pool waits forever for a connection and statements wait forever for locks.
    driverOptions: {
      connectionTimeoutMillis: options.timeouts?.acquireMs ?? 0,
      statement_timeout: options.timeouts?.statementMs ?? 0,
      lock_timeout: options.timeouts?.lockMs ?? 0,
      idle_in_transaction_session_timeout: options.timeouts?.idleInTransactionMs ?? 0,
    },
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

/** The database timeouts of the configuration; migrations get their own, longer statement timeout. */
export function databaseTimeouts(config: Readonly<Config>, purpose: 'serve' | 'migrate'): DatabaseTimeouts {
  return {
    acquireMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
    statementMs:
      purpose === 'migrate' ? config.DATABASE_MIGRATION_STATEMENT_TIMEOUT_MS : config.DATABASE_STATEMENT_TIMEOUT_MS,
    lockMs: config.DATABASE_LOCK_TIMEOUT_MS,
    idleInTransactionMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}
