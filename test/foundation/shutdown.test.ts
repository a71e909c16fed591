/**
 * The real process entry (server/src/main.ts) as a child process: SIGTERM lets an in-flight request finish,
 * then the process exits cleanly.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { databaseUrl, TEST_DATABASE_ADMIN_URL, TEST_REDIS_URL } from '../support/env';

const serverDir = path.resolve(import.meta.dirname, '../../server');
const databaseName = `emporium_t_${randomBytes(6).toString('hex')}`;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: TEST_DATABASE_ADMIN_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

beforeAll(async () => admin(`create database ${databaseName} template ${inject('templateDatabase')}`));
afterAll(async () => admin(`drop database if exists ${databaseName} with (force)`));

describe('graceful shutdown', () => {
  it('completes an in-flight request after SIGTERM, then exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        DATABASE_URL: databaseUrl(databaseName),
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: `test:${databaseName}:`,
        RUN_WORKER: 'false',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"port":(\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', () => reject(new Error(`server exited early:\n${output}`)));
      setTimeout(() => reject(new Error(`no port after 15 s:\n${output}`)), 15_000);
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
      child.once('exit', resolve);
      setTimeout(() => reject(new Error(`no exit after SIGTERM; response: ${response}\nlog:\n${output}`)), 12_000);
    });

    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response).toContain('invalid_credentials');
    expect(code).toBe(0);
    expect(output).toContain('shutdown complete');
  });
});
