/**
 * PostgreSQL and Redis processes of a test's own, on free ports, for fault tests that stop, restart, pause or lock
 * them. The machine's shared services are never touched. PostgreSQL 15's binaries run as the `postgres` user when the
 * tests run as root (initdb refuses root), with a data directory that user owns.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createLogger, loadConfig, openRuntime } from '@emporium/server';
import { TEST_REDIS_URL } from './env';

const run = promisify(execFile);
export const SERVER_DIR = path.resolve(import.meta.dirname, '../../server');
const PG_BIN = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Everything it has written to stdout so far (its JSON log lines). */
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * The real process entry (server/src/main.ts) as a child process on the test services, logging at info, on a port of
 * its own: resolves once it logs that port. `env` comes on top (the database, the worker, drain settings...).
 */
export async function startServerProcess(
  env: { DATABASE_URL: string } & Record<string, string>,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: `test:process-${randomBytes(6).toString('hex')}:`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`server exited early:\n${output}`)));
    setTimeout(() => {
      child.kill('SIGKILL'); // a server that never said its port is not left running
      reject(new Error(`no port after 15 s:\n${output}`));
    }, 15_000).unref();
  });
  return { child, port, output: () => output, exited };
}

/** Polls `check` until it answers true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface OwnPostgres {
  port: number;
  /** The URL of `database` on this server (default `postgres`). */
  url(database?: string): string;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, database?: string): Promise<R[]>;
  /** Creates a database and applies every migration (what global-setup does for the shared server's template). */
  createMigratedDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m fast`: sessions are ended with 57P01, then connections are refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const asPostgres = (command: string, args: string[]) =>
  process.getuid?.() === 0
    ? run('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, command), ...args])
    : run(path.join(PG_BIN, command), args);

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'emporium-fault-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dir, 0o700);
  const data = path.join(dir, 'data');
  await asPostgres('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
    '--no-instructions',
  ]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');
  const start = () => asPostgres('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', options, '-w', 'start']);
  await start();
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const query = async <R extends pg.QueryResultRow>(sql: string, database?: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query<R>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    port,
    url,
    query,
    createMigratedDatabase: async (name) => {
      await query(`create database ${name}`);
      const config = loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: url(name),
        MIGRATE_ON_START: 'true',
      });
      const runtime = await openRuntime(config, createLogger(config));
      await runtime.close();
      return url(name);
    },
    stop: async () => {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    start: async () => {
      await start();
    },
    close: async () => {
      await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnRedis {
  port: number;
  url: string;
  /** Runs one command through redis-cli and answers its output. */
  cli(...args: string[]): Promise<string>;
  /** CLIENT PAUSE ALL for `ms`: every client's commands wait (Redis 7 lets nothing, not even UNPAUSE, through). */
  pause(ms: number): Promise<void>;
  /** SHUTDOWN SAVE: the process ends, its keys are kept on disk for `start()` (a partition that heals, not a flush). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'emporium-fault-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const cli = async (...args: string[]) => (await run('redis-cli', ['-p', String(port), ...args])).stdout.trim();
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    await waitFor('redis to answer', async () => (await cli('ping')) === 'PONG');
  };
  const stop = async () => {
    const exited = child && child.exitCode === null ? once(child, 'exit') : Promise.resolve();
    await cli('shutdown', 'save').catch(() => undefined);
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    cli,
    pause: async (ms) => {
      await cli('client', 'pause', String(ms), 'ALL');
    },
    stop,
    start,
    close: async () => {
      if (child && child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
