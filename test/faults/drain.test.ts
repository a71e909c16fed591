/**
 * SIGTERM under load, against the real process entry (server/src/main.ts) as a child process: readiness turns 503
 * first, the server keeps answering (with Connection: close) for the drain delay, then stops accepting, finishes what
 * is in flight and exits 0. A client that stops sending when readiness fails, as a load balancer does, sees no reset.
 */
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOfTemplate } from '../support/env';
import { startServerProcess, waitFor } from '../support/processes';

const DRAIN_DELAY_MS = 1000;
const CLIENTS = 8;

let database: Awaited<ReturnType<typeof copyOfTemplate>>;
beforeAll(async () => {
  database = await copyOfTemplate();
});
afterAll(async () => database?.drop());

interface Answer {
  status: number;
  connection: string | undefined;
}

function get(port: number, agent: Agent, urlPath: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const refusesConnections = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('SIGTERM under load', () => {
  it('flips readiness, drains with Connection: close, finishes in-flight requests, resets none and exits 0', async () => {
    const { child, port, output, exited } = await startServerProcess({
      DATABASE_URL: database.url,
      RUN_WORKER: 'true',
      SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
    });
    const probes = new Agent({ keepAlive: false });
    await waitFor(
      'readiness (a worker heartbeat)',
      async () => (await get(port, probes, '/health/ready')).status === 200,
    );

    // The load: keep-alive clients sending back to back until readiness fails, as behind a load balancer.
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    let sending = true;
    const answers: Answer[] = [];
    const failures: unknown[] = [];
    const clients = Array.from({ length: CLIENTS }, async (_, index) => {
      while (sending) {
        try {
          answers.push(await get(port, agent, index % 2 === 0 ? '/api/products?limit=5' : '/health/live'));
        } catch (error) {
          failures.push(error);
        }
      }
    });
    const prober = (async () => {
      while ((await get(port, probes, '/health/ready')).status === 200) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      sending = false;
    })();

    // A request in flight across the whole shutdown: headers and half its body now, the rest after the listener closed.
    const slow = connect(port, '127.0.0.1');
    await once(slow, 'connect');
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'not-the-password' });
    slow.write(
      `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    slow.write(body.slice(0, 10));
    let slowResponse = '';
    slow.on('data', (chunk: Buffer) => (slowResponse += chunk.toString()));

    await waitFor('some load', async () => answers.length > 20);
    const signalledAt = answers.length;
    child.kill('SIGTERM');
    await prober;
    await Promise.all(clients);
    await waitFor('the listener to close', () => refusesConnections(port), DRAIN_DELAY_MS + 5000);
    slow.write(body.slice(10));
    const code = await exited;
    agent.destroy();

    expect(failures).toEqual([]);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    // Answers after the signal ask their clients to reconnect elsewhere.
    expect(answers.slice(signalledAt).some((answer) => answer.connection === 'close')).toBe(true);
    expect(slowResponse).toMatch(/^HTTP\/1\.1 401 /);
    expect(slowResponse.toLowerCase()).toContain('connection: close');
    expect(code).toBe(0);
    expect(output()).toContain('draining');
    expect(output()).toContain('shutdown complete');
  });
});
