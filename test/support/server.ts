/**
 * The real server in-process for one test file: its own database (a copy of the migrated template), its own Redis
 * key prefix, listening on port 0; plus an SDK client pointed at it. Optionally the job worker too.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createEmporiumClient, type Client } from '@emporium/sdk';
import { createServer } from 'node:http';
import {
  createApp,
  createLogger,
  loadConfig,
  openRuntime,
  startJobWorker,
  startRuntime,
  type Deps,
  type Runtime,
} from '@emporium/server';
import { copyOfTemplate, TEST_REDIS_URL } from './env';

export interface TestServer {
  baseUrl: string;
  app: ReturnType<typeof createApp>;
  deps: Deps;
  runtime: Runtime;
  databaseName: string;
  /** An SDK client without credentials; `clientFor(token)` gives an authenticated one. */
  client: Client;
  clientFor(accessToken: string): Client;
  close(): Promise<void>;
}

export interface TestServerOptions {
  worker?: boolean;
  /** Extra environment; a function receives the server's base URL (for peers that must know it first). */
  env?: Record<string, string> | ((baseUrl: string) => Promise<Record<string, string>>);
  /** An existing, migrated database to run on (a fault test's own PostgreSQL) instead of a copy of the template. */
  databaseUrl?: string;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const ownDatabase = options.databaseUrl === undefined ? await copyOfTemplate() : undefined;
  const databaseName = ownDatabase?.name ?? `emporium_t_${randomBytes(6).toString('hex')}`;
  // Listen first: the app's PUBLIC_URL (mail links, OAuth redirect URIs) must name the real port.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const extraEnv = typeof options.env === 'function' ? await options.env(baseUrl) : options.env;
  const config = loadConfig({
    PUBLIC_URL: baseUrl,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: options.databaseUrl ?? ownDatabase?.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `test:${databaseName}:`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    MIGRATE_ON_START: 'false',
    // A test file sends many requests from one address in a minute; tests of a limit set its budget explicitly.
    RATE_LIMIT_MULTIPLIER: '50',
    ...extraEnv,
  });
  const runtime = await openRuntime(config, createLogger(config));
  await startRuntime(runtime);
  const worker = options.worker ? await startJobWorker(runtime) : undefined;
  const app = createApp(runtime.deps);
  server.on('request', app);
  return {
    baseUrl,
    app,
    deps: runtime.deps,
    runtime,
    databaseName,
    client: createEmporiumClient({ baseUrl }),
    clientFor: (accessToken) => createEmporiumClient({ baseUrl, accessToken }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker?.stop();
      await runtime.close();
      await ownDatabase?.drop();
    },
  };
}
