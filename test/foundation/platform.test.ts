import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import request from 'supertest';
import { z } from 'zod';
import { defineTask, enqueueJob, enqueueJobs, inTransaction, job, startWorker, systemCtx } from '@emporium/server';
import { getLiveness, getReadiness } from '@emporium/sdk';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

describe('jobs enqueued in a transaction', () => {
  it('enqueues nothing when the transaction rolls back, and runs the job when it commits', async () => {
    const received: string[] = [];
    const probe = defineTask<{ note: string }>({
      name: 'test__probe',
      payload: z.object({ note: z.string() }),
      run: async ({ note }) => {
        received.push(note);
      },
    });
    const ctx = systemCtx(server.deps, 'test');
    await expect(
      inTransaction(ctx, async (tx) => {
        await enqueueJob(tx, probe, { note: 'rolled back' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const [pending] = await ctx.em.execute<{ count: string }[]>(
      `select count(*) from graphile_worker.jobs where task_identifier = 'test__probe'`,
    );
    expect(Number(pending!.count)).toBe(0);

    await inTransaction(ctx, async (tx) => enqueueJob(tx, probe, { note: 'committed' }));
    const worker = await startWorker({
      connectionString: server.runtime.databaseUrl,
      concurrency: 1,
      tasks: [probe],
      deps: server.deps,
    });
    try {
      await expect.poll(() => received, { timeout: 10_000 }).toEqual(['committed']);
    } finally {
      await worker.stop();
    }
  });
});

describe('jobs enqueued together', () => {
  it('keeps the last of two jobs with one key in a batch', async () => {
    const probe = defineTask<{ note: string }>({
      name: 'test__batch',
      payload: z.object({ note: z.string() }),
      run: async () => undefined,
    });
    const ctx = systemCtx(server.deps, 'test');
    const later = new Date(Date.now() + 3_600_000);
    await inTransaction(ctx, (tx) =>
      enqueueJobs(tx, [
        job(probe, { note: 'first' }, { jobKey: 'test__batch:one', runAt: later }),
        job(probe, { note: 'other' }, { runAt: later }),
        job(probe, { note: 'second' }, { jobKey: 'test__batch:one', runAt: later }),
      ]),
    );
    const rows = await ctx.em.execute<{ key: string | null; payload: { note: string } }[]>(
      `select j.key, j.payload from graphile_worker._private_jobs j
         join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'test__batch' order by j.id`,
    );
    expect(rows.map((row) => [row.key, row.payload.note])).toEqual([
      ['test__batch:one', 'second'],
      [null, 'other'],
    ]);
  });
});

describe('database connections lost', () => {
  it('keeps the process up and serving after PostgreSQL drops every connection (a failover, a restart)', async () => {
    const worker = await startWorker({
      connectionString: server.runtime.databaseUrl,
      concurrency: 1,
      tasks: [],
      deps: server.deps,
    });
    try {
      // The API's and the worker's pooled connections are cut by the server, as a failover would. An unhandled pool
      // 'error' event would end this process (and fail the run).
      const admin = new pg.Client({ connectionString: server.runtime.databaseUrl });
      await admin.connect();
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      );
      await admin.end();
      await expect
        .poll(async () => (await request(server.app).get('/api/categories')).status, { timeout: 10_000 })
        .toBe(200);
      const [row] = await server.deps.orm.em.fork().execute<{ one: number }[]>('select 1 as one');
      expect(row?.one).toBe(1);
    } finally {
      await worker.stop();
    }
  });
});

describe('health', () => {
  it('reports live, and not ready (503 naming the worker) while no worker beats', async () => {
    expect((await getLiveness({ client: server.client })).data).toEqual({ status: 'ok' });
    const ready = await getReadiness({ client: server.client });
    expect(ready.response!.status).toBe(503);
    expect(ready.response!.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(ready.error).toMatchObject({
      code: 'not_ready',
      detail: 'Down: worker.',
      checks: { database: 'up', redis: 'up', migrations: 'up', worker: 'down' },
    });
  });
});

describe('readiness and migrations', () => {
  it('reports a migration missing, and stops asking once every migration was found applied', async () => {
    const own = await startTestServer();
    try {
      const em = own.deps.orm.em.fork();
      const [last] = await em.execute<{ id: number; name: string }[]>(
        'select id, name from mikro_orm_migrations order by id desc limit 1',
      );
      const migrations = async () =>
        ((await getReadiness({ client: own.client })).error as { checks: { migrations: string } }).checks.migrations;
      await em.execute('delete from mikro_orm_migrations where id = ?', [last!.id]);
      expect(await migrations()).toBe('down');
      await em.execute('insert into mikro_orm_migrations (id, name, executed_at) values (?, ?, now())', [
        last!.id,
        last!.name,
      ]);
      expect(await migrations()).toBe('up');
      // Found applied once, applied for good (migrations only go forward): later probes skip the migrator.
      await em.execute('delete from mikro_orm_migrations where id = ?', [last!.id]);
      expect(await migrations()).toBe('up');
    } finally {
      await own.close();
    }
  });
});

describe('GET /metrics', () => {
  it('shows the request histogram labelled by route template, never by raw path', async () => {
    await request(server.app).get('/health/live');
    await request(server.app).put('/api/users/addresses/0190a4c5-0000-7000-8000-000000000001').send({ city: 'X' });
    await request(server.app).get('/no/such/route/12345');
    const metrics = await request(server.app).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} \d+/,
    );
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_count\{method="PUT",route="\/api\/users\/addresses\/:id",status_code="401"\} 1/,
    );
    expect(metrics.text).toMatch(/route="\(unmatched\)",status_code="404"/);
    expect(metrics.text).not.toContain('0190a4c5-0000-7000-8000-000000000001');
    expect(metrics.text).not.toContain('12345');
    expect(metrics.text).toContain('process_cpu_seconds_total');
  });
});

describe('documentation', () => {
  it('serves the OpenAPI document and the docs page', async () => {
    const spec = await request(server.app).get('/openapi.json');
    expect(spec.body.openapi).toBe('3.0.2');
    expect(spec.body.paths['/api/auth/login'].post.operationId).toBe('login');
    const docs = await request(server.app).get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
  });

  it('lets the docs page load its scripts over plain http (no upgrade-insecure-requests for an http PUBLIC_URL)', async () => {
    expect(server.deps.config.PUBLIC_URL).toMatch(/^http:/);
    const docs = await request(server.app).get('/docs/');
    const csp = String(docs.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    const script = await request(server.app).get('/docs/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
  });
});
