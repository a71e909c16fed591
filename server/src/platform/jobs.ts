/**
 * Background jobs on graphile-worker (PostgreSQL). A task is defined once with its payload schema; it is enqueued
 * with `enqueueJob` on the caller's context, inside its transaction, so a rollback enqueues nothing. A task runs with
 * a context of its own (`systemCtx`), like a request. Tasks must be idempotent: jobs retry, and a `jobKey`
 * deduplicates. A task may declare a `schedule` (a crontab pattern): every worker registers it with graphile-worker's
 * cron, which enqueues one job per tick across all workers (its `known_crontabs` table), with an empty payload.
 */
import pg from 'pg';
import {
  Logger as GraphileLogger,
  parseCronItems,
  run,
  runMigrations,
  type ParsedCronItem,
  type Runner,
  type TaskList,
} from 'graphile-worker';
import type { ZodType, ZodTypeAny, ZodTypeDef } from 'zod';
import { systemCtx, type Ctx } from './context';
import type { Orm } from './database';
import type { Deps } from './deps';
import type { Logger } from './logger';

export interface TaskDefinition<Payload> {
  /** `<module>__<verb>`, e.g. `identity__send_mail`. */
  name: string;
  payload: ZodType<Payload, ZodTypeDef, unknown>;
  run(payload: Payload, ctx: Ctx): Promise<void>;
  /**
   * A crontab pattern (`minute hour day month weekday`, UTC), e.g. `'0 3 * * *'` daily at 03:00: the worker enqueues
   * the task then with payload `{}` (its schema must accept that). A tick missed while no worker ran is not caught up.
   */
  schedule?: string;
}

/** A task with its payload type erased, as the registry holds it (its payload is re-validated on every run). */
export interface RegisteredTask {
  name: string;
  payload: ZodTypeAny;
  run(payload: never, ctx: Ctx): Promise<void>;
  schedule?: string;
}

export function defineTask<Payload>(task: TaskDefinition<Payload>): TaskDefinition<Payload> {
  return task;
}

export interface EnqueueOptions {
  /** Replaces a pending job with the same key instead of adding a second one. */
  jobKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

/** Adds a job on the context's connection: inside `inTransaction`, it commits or rolls back with the data. */
export async function enqueueJob<Payload>(
  ctx: Ctx,
  task: Pick<TaskDefinition<Payload>, 'name' | 'payload'>,
  payload: Payload,
  options: EnqueueOptions = {},
): Promise<void> {
  await enqueueJobs(ctx, [job(task, payload, options)]);
}

/** A job to enqueue with `enqueueJobs`. */
export interface JobSpec {
  task: string;
  payload: unknown;
  options: EnqueueOptions;
}

export function job<Payload>(
  task: Pick<TaskDefinition<Payload>, 'name' | 'payload'>,
  payload: Payload,
  options: EnqueueOptions = {},
): JobSpec {
  return { task: task.name, payload, options };
}

/**
 * Adds several jobs in one statement (one round trip), like `enqueueJob` otherwise: one call of graphile-worker's
 * `add_jobs`, whose task and queue bookkeeping and NOTIFY then run once for the batch, not once per job.
 */
export async function enqueueJobs(ctx: Ctx, jobs: readonly JobSpec[]): Promise<void> {
  if (jobs.length === 0) return;
  // add_jobs' upsert cannot touch one key twice: the last job of a key wins, as with one add_job call after another.
  const lastOfKey = new Map(jobs.map((job, index) => [job.options.jobKey ?? index, job]));
  const specs = [...lastOfKey.values()].map(({ task, payload, options }) => ({
    identifier: task,
    payload,
    job_key: options.jobKey ?? null,
    run_at: options.runAt?.toISOString() ?? null,
    max_attempts: options.maxAttempts ?? 10,
  }));
  await ctx.em.execute(
    `select count(*) from graphile_worker.add_jobs(
       array(select spec from json_populate_recordset(null::graphile_worker.job_spec, ?::json) as spec))`,
    [JSON.stringify(specs)],
  );
}

/** Installs or upgrades graphile-worker's own schema. */
export async function migrateJobs(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: new GraphileLogger(() => () => undefined) });
}

function toGraphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const method = level === 'warning' ? 'warn' : level;
    logger[method]({ worker: true, ...scope, ...meta }, message);
  });
}

export interface WorkerOptions {
  connectionString: string;
  concurrency: number;
  tasks: readonly RegisteredTask[];
  deps: Deps;
  heartbeatMs?: number;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

const WORKER_ID = `worker-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

async function beat(orm: Orm): Promise<void> {
  await orm.em
    .fork()
    .execute(
      'insert into worker_heartbeat (worker_id, beat_at) values (?, now()) on conflict (worker_id) do update set beat_at = now()',
      [WORKER_ID],
    );
}

/**
 * The scheduled tasks as graphile-worker cron items. Each job gets the task's name as its key, so a run still queued
 * (a slow or failing one being retried) is replaced by the next tick instead of piling up.
 */
export function cronItemsOf(tasks: readonly RegisteredTask[]): ParsedCronItem[] {
  return parseCronItems(
    tasks.flatMap((task) =>
      task.schedule
        ? [
            {
              task: task.name,
              match: task.schedule,
              identifier: task.name,
              options: { backfillPeriod: 0, maxAttempts: 3, jobKey: task.name, jobKeyMode: 'replace' as const },
            },
          ]
        : [],
    ),
  );
}

/** Runs the worker and its heartbeat (read by /health/ready) until stop() is awaited. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { deps } = options;
  const taskList: TaskList = {};
  for (const task of options.tasks) {
    const run = task.run.bind(task) as (payload: unknown, ctx: Ctx) => Promise<void>;
    taskList[task.name] = async (raw, helpers) =>
      run(task.payload.parse(raw), systemCtx(deps, `job:${task.name}:${helpers.job.id}`));
  }
  // Our own pool, so that a connection the server drops (a restart, a failover, the embedded database stopping first on
  // SIGTERM) is logged instead of being an unhandled 'error' event that ends the process.
  const pgPool = new pg.Pool({ connectionString: options.connectionString, max: options.concurrency + 2 });
  const lost = (error: Error & { code?: string }) => {
    // Not the error object itself: pg attaches the whole client to it.
    deps.logger.warn({ code: error.code, reason: error.message }, 'job queue: a database connection was lost');
  };
  // Idle clients report through the pool, checked-out ones through themselves: both need a listener (graphile-worker
  // warns on start when either is missing).
  pgPool.on('error', lost);
  // pool.end() resolves once its clients are told to end, not once their sessions are gone: stopping waits for each
  // socket to close, or the database stopping next (the embedded one on Ctrl-C) cuts a session still saying goodbye.
  const sessionEnds = new Set<Promise<void>>();
  pgPool.on('connect', (client) => {
    client.on('error', lost);
    const closed: Promise<void> = new Promise<void>((resolve) => client.once('end', () => resolve())).then(() => {
      sessionEnds.delete(closed);
    });
    sessionEnds.add(closed);
  });
  const runner: Runner = await run({
    pgPool,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: toGraphileLogger(deps.logger),
    taskList,
    parsedCronItems: cronItemsOf(options.tasks),
  });
  await beat(deps.orm);
  const timer = setInterval(() => {
    beat(deps.orm).catch((error: unknown) => deps.logger.warn({ err: error }, 'worker heartbeat failed'));
  }, options.heartbeatMs ?? 10_000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await runner.stop();
      await pgPool.end();
      // Bounded: a socket whose peer vanished never reports its end, and shutdown must not wait for it.
      await Promise.race([Promise.all(sessionEnds), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      await deps.orm.em
        .fork()
        .execute('delete from worker_heartbeat where worker_id = ?', [WORKER_ID])
        .catch(() => undefined);
    },
  };
}
