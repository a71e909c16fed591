/**
 * What every benchmark here shares: the `emporium_bench` database (created, migrated and filled with the generated
 * catalog, or reused), the server started as a child process in production mode, autocannon runs with the server's
 * query counters and the CPU of the server, PostgreSQL and the machine sampled around them, and the result table.
 * See README.md next to this file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  createLogger,
  generateCatalog,
  loadConfig,
  migrations,
  openDatabase,
  openRuntime,
  systemCtx,
  type Runtime,
} from '@emporium/server';

// ------------------------------------------------------------------------------------------------ settings

export const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const DATABASE = 'emporium_bench';
const DATABASE_URL = Object.assign(new URL(ADMIN_URL), { pathname: `/${DATABASE}` }).toString();
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_KEY_PREFIX = 'bench:';
/**
 * One signing secret for the benchmark's own runtime and the server, so that sessions the benchmark starts through
 * the server's functions (signed-in customers) are valid on the server.
 */
const JWT_SECRET = randomBytes(32).toString('hex');
const METRICS_TOKEN = randomBytes(24).toString('hex');
/** Long enough for any run: tokens are minted once, before the first route. */
const ACCESS_TOKEN_TTL_SECONDS = '3600';
/**
 * Every request comes from one IP (and a few hundred callers), so the declared budgets would answer 429 within a
 * second. The limiter still counts every request in Redis: its cost is measured, only its refusals are lifted.
 */
const RATE_LIMIT_MULTIPLIER = '10000';
export const logger = createLogger({ LOG_LEVEL: 'warn' });
/** The machine's load when the script started: figures taken on a busy machine are noise. */
const loadAtStart = os.loadavg().map((load) => Math.round(load * 100) / 100);
export const say = (message: string) => console.log(`[bench] ${message}`);

export const round2 = (value: number) => Math.round(value * 100) / 100;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

// ------------------------------------------------------------------------------------------------ autocannon

interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
}
export interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  /** Seconds. */
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
export interface PreparedRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
export interface AutocannonRequest extends Partial<PreparedRequest> {
  /** A function, or in workers mode the path of a CommonJS file exporting one. */
  setupRequest?: ((request: PreparedRequest) => PreparedRequest) | string;
  /** Not in workers mode. */
  onResponse?: (status: number, body: string) => void;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
  workers?: number;
  requests?: AutocannonRequest[];
}) => Promise<AutocannonResult>;
// autocannon ships no types; this is the part of its programmatic API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

// ------------------------------------------------------------------------------------------------ seeded choices

/** mulberry32: the workload is the same run after run. */
export function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    shuffle: <T>(items: T[]): T[] => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  };
}
export type Prng = ReturnType<typeof prng>;

// ------------------------------------------------------------------------------------------------ database

async function adminExecute(sql: string): Promise<void> {
  const orm = await openDatabase({ url: ADMIN_URL, poolMax: 1, logger, entities: [], migrations });
  try {
    await orm.em.fork().execute(sql);
  } finally {
    await orm.close();
  }
}

async function databaseExists(): Promise<boolean> {
  const orm = await openDatabase({ url: ADMIN_URL, poolMax: 1, logger, entities: [], migrations });
  try {
    const rows = await orm.em
      .fork()
      .execute<{ found: boolean }[]>(
        `select exists (select 1 from pg_database where datname = '${DATABASE}') as found`,
      );
    return rows[0]?.found ?? false;
  } finally {
    await orm.close();
  }
}

/** The server's runtime in this process, on the benchmark's database: for preparation, sessions and checks. */
function openBenchRuntime(): Promise<Runtime> {
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL,
    MIGRATE_ON_START: 'true',
    REDIS_URL,
    REDIS_KEY_PREFIX,
    JWT_SECRET,
    ACCESS_TOKEN_TTL_SECONDS,
  });
  return openRuntime(config, logger);
}

export const countOf = async (runtime: Runtime, sql: string, params: unknown[] = []) =>
  (await runtime.deps.orm.em.fork().execute<{ n: number }[]>(sql, params))[0]?.n ?? 0;

export interface Generation {
  products: number;
  variants: number;
  reviews: number;
  /** Generation until commit; when `reused`, the figure of the run that generated the database (if recorded). */
  generatedSeconds: number | null;
  vacuumSeconds: number | null;
  reused: boolean;
}

/** The generation figures a results file recorded for a catalog of `products` products, if any. */
export async function previousGeneration(resultsFile: string, products: number): Promise<Generation | undefined> {
  try {
    const previous = JSON.parse(await readFile(resultsFile, 'utf8')) as { catalog?: Generation };
    return previous.catalog?.products === products ? previous.catalog : undefined;
  } catch {
    return undefined;
  }
}

/**
 * emporium_bench with exactly `products` products: reused when it has them, else (re)built (`fresh` always rebuilds).
 * Answers the runtime open on it (the caller closes it) and what was generated.
 */
export async function prepareDatabase(options: {
  products: number;
  fresh: boolean;
  previous?: Generation | undefined;
}): Promise<{ runtime: Runtime; generation: Generation }> {
  if (options.fresh && (await databaseExists())) await adminExecute(`drop database ${DATABASE} with (force)`);
  if (!(await databaseExists())) await adminExecute(`create database ${DATABASE}`);
  let runtime = await openBenchRuntime();
  let products = await countOf(runtime, 'select count(*)::int as n from products');
  if (products !== 0 && products !== options.products) {
    say(`${DATABASE} holds ${products} products, not ${options.products}: rebuilding it`);
    await runtime.close();
    await adminExecute(`drop database ${DATABASE} with (force)`);
    await adminExecute(`create database ${DATABASE}`);
    runtime = await openBenchRuntime();
    products = 0;
  }
  let generation: Generation = {
    products,
    variants: 0,
    reviews: 0,
    generatedSeconds: options.previous?.generatedSeconds ?? null,
    vacuumSeconds: options.previous?.vacuumSeconds ?? null,
    reused: true,
  };
  if (products === 0) {
    say(`generating ${options.products} products into ${DATABASE}...`);
    const started = performance.now();
    const result = await generateCatalog(systemCtx(runtime.deps, 'bench'), {
      products: options.products,
      seed: 1,
      onProgress: (written, total) => {
        if (written % 20_000 === 0 || written === total)
          say(`  ${written}/${total} products written (${seconds(started)} s)`);
      },
    });
    const generatedSeconds = seconds(started);
    say(`generated (committed) in ${generatedSeconds} s; VACUUM ANALYZE...`);
    const vacuumStarted = performance.now();
    await runtime.deps.orm.em.fork().execute('vacuum analyze');
    generation = { ...generation, generatedSeconds, vacuumSeconds: seconds(vacuumStarted), reused: false };
    if (!result.created) throw new Error('the generator found products where there were none');
  } else {
    say(`reusing ${DATABASE} (${products} products)`);
  }
  generation.products = await countOf(runtime, 'select count(*)::int as n from products');
  generation.variants = await countOf(runtime, 'select count(*)::int as n from product_variants');
  generation.reviews = await countOf(runtime, 'select count(*)::int as n from reviews');
  return { runtime, generation };
}

/** A clean cache for every run: the key prefix is the benchmark's own. */
export async function clearBenchKeys(runtime: Runtime): Promise<void> {
  const redis = runtime.deps.store.redis;
  if (!redis) return;
  let cursor = '0';
  do {
    // SCAN's pattern and answers are raw keys; DEL adds the client's prefix itself.
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_KEY_PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(REDIS_KEY_PREFIX.length)));
  } while (cursor !== '0');
}

// ------------------------------------------------------------------------------------------------ server

export interface BenchServer {
  baseUrl: string;
  pid: number | undefined;
  /** Where the V8 CPU profile is written when the server stops (with `profile`). */
  profileDir: string | undefined;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `server/src/main.ts` as a child process in production mode (no worker, no migrations, warnings only) on a free
 * port, once `/health/live` answers (`/health/ready` answers 503 without a worker heartbeat).
 */
export async function startServer(options: { profile: boolean }): Promise<BenchServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const profileDir = options.profile
    ? path.join(await mkdtemp(path.join(os.tmpdir(), 'emporium-bench-')), 'profiles')
    : undefined;
  say(`starting the server (production mode) on ${baseUrl}`);
  const child = spawn(
    process.execPath,
    [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--import', 'tsx', 'src/main.ts'],
    {
      cwd: path.join(ROOT, 'server'),
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL,
        REDIS_URL,
        REDIS_KEY_PREFIX,
        JWT_SECRET,
        ACCESS_TOKEN_TTL_SECONDS,
        METRICS_TOKEN,
        RATE_LIMIT_MULTIPLIER,
        PUBLIC_URL: baseUrl,
        SMTP_URL: 'smtp://127.0.0.1:2525',
        LOG_LEVEL: 'warn',
        RUN_WORKER: 'false',
        MIGRATE_ON_START: 'false',
        SEED_DEMO_CATALOG: 'false',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
        HOST: '127.0.0.1',
        PORT: String(port),
      },
    },
  );
  const server: BenchServer = { baseUrl, pid: child.pid, profileDir, stop: () => stopServer(child) };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    const live = await fetch(`${baseUrl}/health/live`).then(
      (response) => response.ok,
      () => false,
    );
    if (live) return server;
    await sleep(250);
  }
  child.kill('SIGKILL');
  throw new Error('the server did not answer /health/live within 60 s');
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

interface ServerCounters {
  queries: number;
  /** Requests the server finished (autocannon stops with some in flight: the server still runs them). */
  requests: number;
  cacheHits: number;
  cacheMisses: number;
}

/** Counters from /metrics: statements sent, and cache hits and misses over every cache, to explain the figures. */
async function serverCounters(baseUrl: string): Promise<ServerCounters> {
  const text = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).then(
    (response) => response.text(),
    () => '',
  );
  const sum = (result: 'hit' | 'miss') =>
    [...text.matchAll(new RegExp(`^cache_requests_total\\{cache="[a-z_]+",result="${result}"\\} (\\d+)`, 'gm'))].reduce(
      (total, match) => total + Number(match[1]),
      0,
    );
  const requests = [...text.matchAll(/^http_request_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce(
    (total, match) => total + Number(match[1]),
    0,
  );
  return {
    queries: Number(/^db_queries_total (\d+)/m.exec(text)?.[1] ?? NaN),
    requests,
    cacheHits: sum('hit'),
    cacheMisses: sum('miss'),
  };
}

// ------------------------------------------------------------------------------------------------ CPU accounting

/** CPU seconds so far (Linux /proc): the server process, every local postgres process, and the whole machine. */
interface CpuSnapshot {
  at: number;
  server: number;
  postgres: number;
  busy: number;
}

/** Average cores busy during a run: the server process, PostgreSQL, the whole machine (autocannon too). */
export interface Cores {
  server: number;
  postgres: number;
  machine: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

async function processTicks(pid: string): Promise<{ name: string; own: number; children: number } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // fields[0] is field 3 of proc(5): utime, stime, cutime, cstime are fields 14-17.
    return { name, own: fields[11]! + fields[12]!, children: fields[13]! + fields[14]! };
  } catch {
    return undefined;
  }
}

async function cpuSnapshot(serverPid: number | undefined): Promise<CpuSnapshot | undefined> {
  if (process.platform !== 'linux' || serverPid === undefined) return undefined;
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  let postgres = 0;
  for (const stats of await Promise.all(pids.map(processTicks))) {
    // Live backends' own time plus the postmaster's reaped children (backends that ended meanwhile).
    if (stats?.name === 'postgres') postgres += stats.own + stats.children;
  }
  const server = (await processTicks(String(serverPid)))?.own ?? 0;
  const cpuLine = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const busy = cpuLine.reduce((sum, value) => sum + value, 0) - cpuLine[3]! - (cpuLine[4] ?? 0);
  return {
    at: performance.now(),
    server: server / TICKS_PER_SECOND,
    postgres: postgres / TICKS_PER_SECOND,
    busy: busy / TICKS_PER_SECOND,
  };
}

/** Cores used on average between two snapshots. */
function coresBetween(before: CpuSnapshot | undefined, after: CpuSnapshot | undefined): Cores | null {
  if (!before || !after) return null;
  const wall = (after.at - before.at) / 1000;
  const cores = (from: number, to: number) => round2((to - from) / wall);
  return {
    server: cores(before.server, after.server),
    postgres: cores(before.postgres, after.postgres),
    machine: cores(before.busy, after.busy),
  };
}

// ------------------------------------------------------------------------------------------------ measuring

export interface LoadSettings {
  duration: number;
  warmup: number;
  connections: number;
  /** autocannon worker threads; 0 runs it in this thread (needed for `onResponse`). */
  workers: number;
}

export interface Measurement {
  result: AutocannonResult;
  /** Wall-clock seconds of the measured run. */
  seconds: number;
  requestsPerSecond: number;
  statusCodes: Record<string, number>;
  /** SQL statements per request, from the server's `db_queries_total`. */
  queriesPerRequest: number | null;
  cacheHitRatio: number | null;
  cpu: Cores | null;
}

/**
 * A warm-up run (unless `warmup` is 0), then the measured run, both at `connections` connections with pipelining 1,
 * every request prepared by `requests`. `beforeMeasured` runs between the two (e.g. to reset state the warm-up used).
 */
export async function measure(
  server: BenchServer,
  load: LoadSettings,
  requests: AutocannonRequest[],
  beforeMeasured?: () => Promise<void>,
): Promise<Measurement> {
  const run = (duration: number) =>
    autocannon({
      url: server.baseUrl,
      connections: load.connections,
      pipelining: 1,
      duration,
      ...(load.workers > 0 ? { workers: load.workers } : {}),
      requests,
    });
  if (load.warmup > 0) await run(load.warmup);
  if (beforeMeasured) await beforeMeasured();
  const before = await serverCounters(server.baseUrl);
  const cpuBefore = await cpuSnapshot(server.pid);
  const started = performance.now();
  const result = await run(load.duration);
  const elapsed = (performance.now() - started) / 1000;
  const cpu = coresBetween(cpuBefore, await cpuSnapshot(server.pid));
  // autocannon stops with requests still queued in the server: let them finish before anything else is timed.
  await sleep(1000);
  const after = await serverCounters(server.baseUrl);
  // The server's own count of the requests it finished in the window (less the one /metrics read), if it has one.
  const served =
    after.requests - before.requests - 1 > 0 ? after.requests - before.requests - 1 : result.requests.total;
  const hits = after.cacheHits - before.cacheHits;
  const misses = after.cacheMisses - before.cacheMisses;
  return {
    result,
    seconds: round2(elapsed),
    requestsPerSecond: Math.round(result.requests.average),
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
    queriesPerRequest:
      Number.isFinite(after.queries - before.queries) && served > 0
        ? round2((after.queries - before.queries) / served)
        : null,
    cacheHitRatio: Number.isFinite(hits + misses) && hits + misses > 0 ? round2(hits / (hits + misses)) : null,
    cpu,
  };
}

export const cpuColumn = (cpu: Cores | null) => (cpu ? `${cpu.server}/${cpu.postgres}/${cpu.machine}` : '-');

// ------------------------------------------------------------------------------------------------ reporting

/** A Markdown table: the first column left-aligned, the others right-aligned. */
export function printTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = rows.map((row) => row.map(String));
  const widths = header.map((title, index) => Math.max(title.length, ...cells.map((row) => row[index]!.length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of cells) console.log(line(row));
}

/** Says the machine's load; above 0.5 the figures are likely noise (a test run, another benchmark). */
export function sayLoad(): void {
  const [oneMinute = 0] = loadAtStart;
  say(`load average at start: ${loadAtStart.join(', ')}${oneMinute > 0.5 ? ' (busy: figures will be noisy)' : ''}`);
}

export function printTargets(targets: readonly { target: string; value: string; pass: boolean }[]): void {
  for (const target of targets) console.log(`${target.pass ? 'PASS' : 'FAIL'}  ${target.target} (${target.value})`);
}

/** What the figures were measured on, for the results file. */
export function machine() {
  const cpu = os.cpus();
  return {
    cpus: cpu.length,
    model: cpu[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: loadAtStart,
  };
}
