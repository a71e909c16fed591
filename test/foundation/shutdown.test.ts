/**
 * The real process entry (server/src/main.ts) as a child process: SIGTERM lets an in-flight request finish,
 * then the process exits cleanly; with the embedded PostgreSQL, a Ctrl-C stops everything in order and exits 0, and a
 * taken port is reported in words.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOfTemplate } from '../support/env';
import { SERVER_DIR, startServerProcess } from '../support/processes';

let database: Awaited<ReturnType<typeof copyOfTemplate>>;
beforeAll(async () => {
  database = await copyOfTemplate();
});
afterAll(async () => database?.drop());

describe('graceful shutdown', () => {
  it('completes an in-flight request after SIGTERM, then exits 0', async () => {
    const { child, port, output, exited } = await startServerProcess({
      DATABASE_URL: database.url,
      RUN_WORKER: 'false',
    });

    // Start a request and send only half its body, so it is in flight when the signal arrives.
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'not-the-password' });
    socket.write(
      `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    socket.write(body.slice(10));
    const code = await new Promise<number | null>((resolve, reject) => {
      void exited.then(resolve);
      setTimeout(() => reject(new Error(`no exit after SIGTERM; response: ${response}\nlog:\n${output()}`)), 12_000);
    });

    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response).toContain('invalid_credentials');
    expect(code).toBe(0);
    expect(output()).toContain('shutdown complete');
  });
});

async function listening(): Promise<Server> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** main.ts with the embedded PostgreSQL (DATABASE_URL unset), in a process group of its own as under a terminal. */
function startEmbedded(dataDir: string, pgPort: number) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    EMBEDDED_PG_DIR: dataDir,
    EMBEDDED_PG_PORT: String(pgPort),
    SEED_DEMO_CATALOG: 'false',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

describe('npm start with the embedded PostgreSQL', () => {
  it('says which port is taken and what to set when the embedded PostgreSQL port is in use, and exits 1', async () => {
    const squatter = await listening();
    const port = (squatter.address() as AddressInfo).port;
    try {
      const { output, exited } = startEmbedded(path.join(tmpdir(), 'emporium-never-created'), port);
      const code = await exited;
      expect(code).toBe(1);
      expect(output.stderr).toContain(`port ${port} is in use`);
      expect(output.stderr).toMatch(/Set EMBEDDED_PG_PORT=\d+/);
      expect(output.stderr).not.toMatch(/^\s+at /m); // no stack trace
      expect(output.stderr).not.toContain('undefined');
    } finally {
      squatter.close();
    }
  });

  it('stops on Ctrl-C (SIGINT to the process group) with exit code 0, one line and no warning or error', async () => {
    // As root the embedded PostgreSQL runs as the `postgres` user, which must be able to write its data directory.
    const dir = await mkdtemp(path.join(tmpdir(), 'emporium-embedded-'));
    await chmod(dir, 0o777);
    const pgPort = await listening().then((server) => {
      const { port } = server.address() as AddressInfo;
      server.close();
      return port;
    });
    const { child, output, exited } = startEmbedded(path.join(dir, 'data'), pgPort);
    try {
      await expect
        .poll(() => output.stdout.includes('Emporium API on') || child.exitCode !== null, { timeout: 30_000 })
        .toBe(true);
      expect(child.exitCode, output.stdout + output.stderr).toBeNull();
      const startLog = output.stdout.length;
      process.kill(-(child.pid ?? 0), 'SIGINT');
      const code = await exited;
      const shutdownLines = output.stdout.slice(startLog).trim().split('\n');
      const seen = `stdout:\n${output.stdout}\nstderr:\n${output.stderr}`;
      expect(code, seen).toBe(0);
      expect(shutdownLines, seen).toHaveLength(1);
      expect(shutdownLines[0]).toContain('shutdown complete');
      expect(output.stdout).not.toContain('57P01');
      expect(output.stdout).not.toContain("doesn't have all of the error handlers");
      expect(output.stderr, seen).toBe('');
    } finally {
      if (child.exitCode === null) process.kill(-(child.pid ?? 0), 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 45_000);
});
