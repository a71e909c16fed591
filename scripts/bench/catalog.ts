/**
 * Catalog read benchmark: the real server, in production mode, over a 100,000-product catalog, measured with
 * autocannon route by route. See README.md next to this file for what it does and how to read it.
 *
 *   npm run bench [-- --products 100000 --duration 10 --warmup 3 --connections 64 --workers 0 --fresh --profile
 *                    --no-serial --routes health,detail,list,search,list-uncached,search-uncached,search-zipf]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
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

const { values: args } = parseArgs({
  options: {
    products: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    workers: { type: 'string', default: '0' },
    routes: { type: 'string', default: 'health,detail,list,search,list-uncached,search-uncached,search-zipf' },
    fresh: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    serial: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const settings = {
  products: Number(args.products),
  duration: Number(args.duration),
  warmup: Number(args.warmup),
  connections: Number(args.connections),
  pipelining: 1,
  workers: Number(args.workers),
};
const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'emporium_bench';
const DATABASE_URL = Object.assign(new URL(ADMIN_URL), { pathname: `/${DATABASE}` }).toString();
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_KEY_PREFIX = 'bench:';
/** Enough distinct paths that an uncached run never repeats one (warm-up included). */
const UNCACHED_PATHS = 40_000;
const RESULTS_FILE = path.join(import.meta.dirname, 'results.json');
const logger = createLogger({ LOG_LEVEL: 'warn' });
const say = (message: string) => console.log(`[bench] ${message}`);

// ------------------------------------------------------------------------------------------------ autocannon

interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
}
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonRequest {
  path?: string;
  /** A function, or in workers mode the path of a CommonJS file exporting one. */
  setupRequest?: ((request: { path: string }) => { path: string }) | string;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
  workers?: number;
  warmup?: { connections: number; duration: number };
  requests?: AutocannonRequest[];
}) => Promise<AutocannonResult>;
// autocannon ships no types; this is the part of its programmatic API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Each request takes the next path of the list (each worker walks its own copy in workers mode). */
async function rotation(paths: string[], workDir: string, name: string): Promise<AutocannonRequest> {
  if (settings.workers === 0) {
    let next = 0;
    return { setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length]! }) };
  }
  const file = path.join(workDir, `${name}.cjs`);
  await writeFile(
    file,
    `const paths = ${JSON.stringify(paths)};\nlet next = Math.floor(Math.random() * paths.length);\n` +
      `module.exports = (request) => ({ ...request, path: paths[next++ % paths.length] });\n`,
  );
  return { setupRequest: file };
}

// ------------------------------------------------------------------------------------------------ seeded choices

/** mulberry32: the workload is the same run after run. */
function prng(seed: number) {
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
type Prng = ReturnType<typeof prng>;

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

function openBenchRuntime(): Promise<Runtime> {
  const config = loadConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL,
    MIGRATE_ON_START: 'true',
    REDIS_URL,
    REDIS_KEY_PREFIX,
    JWT_SECRET: randomBytes(32).toString('hex'),
  });
  return openRuntime(config, logger);
}

const countOf = async (runtime: Runtime, sql: string) =>
  (await runtime.deps.orm.em.fork().execute<{ n: number }[]>(sql))[0]?.n ?? 0;

interface Generation {
  products: number;
  variants: number;
  reviews: number;
  /** Generation until commit; when `reused`, the figure of the run that generated the database (if recorded). */
  generatedSeconds: number | null;
  vacuumSeconds: number | null;
  reused: boolean;
}

/** emporium_bench with exactly `settings.products` products: reused when it has them, else (re)built. */
async function prepareDatabase(): Promise<{ runtime: Runtime; generation: Generation }> {
  if (args.fresh && (await databaseExists())) await adminExecute(`drop database ${DATABASE} with (force)`);
  if (!(await databaseExists())) await adminExecute(`create database ${DATABASE}`);
  let runtime = await openBenchRuntime();
  let products = await countOf(runtime, 'select count(*)::int as n from products');
  if (products !== 0 && products !== settings.products) {
    say(`${DATABASE} holds ${products} products, not ${settings.products}: rebuilding it`);
    await runtime.close();
    await adminExecute(`drop database ${DATABASE} with (force)`);
    await adminExecute(`create database ${DATABASE}`);
    runtime = await openBenchRuntime();
    products = 0;
  }
  const previous = await readPreviousGeneration();
  let generation: Generation = {
    products,
    variants: 0,
    reviews: 0,
    generatedSeconds: previous?.generatedSeconds ?? null,
    vacuumSeconds: previous?.vacuumSeconds ?? null,
    reused: true,
  };
  if (products === 0) {
    say(`generating ${settings.products} products into ${DATABASE}...`);
    const started = performance.now();
    const result = await generateCatalog(systemCtx(runtime.deps, 'bench'), {
      products: settings.products,
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

async function readPreviousGeneration(): Promise<Generation | undefined> {
  try {
    const previous = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as { catalog?: Generation };
    return previous.catalog?.products === settings.products ? previous.catalog : undefined;
  } catch {
    return undefined;
  }
}

/** A clean cache for every run: the key prefix is the benchmark's own. */
async function clearBenchKeys(runtime: Runtime): Promise<void> {
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

interface Samples {
  productIds: string[];
  categories: { id: string; parentId: string | null }[];
  names: string[];
  words: string[];
}

async function sampleCatalog(runtime: Runtime): Promise<Samples> {
  const em = runtime.deps.orm.em.fork();
  const [products, categories, names, words] = await Promise.all([
    em.execute<{ id: string }[]>(
      `select id from products where status = 'published' order by md5(id::text) limit 1000`,
    ),
    em.execute<{ id: string; parent_id: string | null }[]>(`select id, parent_id from categories order by slug`),
    em.execute<{ name: string }[]>(
      `select name from products where status = 'published' order by md5(id::text || 'n') limit 3000`,
    ),
    // The catalog's words, less the boilerplate nobody searches for (in more than a tenth of the products).
    em.execute<{ word: string }[]>(
      `select word from ts_stat('select search_vector from products where status = ''published''')
        where word ~ '^[a-z]{3,}$' and ndoc <= (select count(*) / 10 from products where status = 'published') order by word`,
    ),
  ]);
  return {
    productIds: products.map((row) => row.id),
    categories: categories.map((row) => ({ id: row.id, parentId: row.parent_id })),
    names: names.map((row) => row.name),
    words: words.map((row) => row.word),
  };
}

// ------------------------------------------------------------------------------------------------ server

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startServer(port: number, profileDir: string | undefined): Promise<ChildProcess> {
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
        JWT_SECRET: randomBytes(32).toString('hex'),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        SMTP_URL: 'smtp://127.0.0.1:2525',
        LOG_LEVEL: 'warn',
        RUN_WORKER: 'false',
        MIGRATE_ON_START: 'false',
        SEED_DEMO_CATALOG: 'false',
        HOST: '127.0.0.1',
        PORT: String(port),
      },
    },
  );
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    const live = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (response) => response.ok,
      () => false,
    );
    if (live) return child;
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

/** Counters from /metrics: statements sent, and cache hits and misses over every cache, to explain the figures. */
async function serverCounters(baseUrl: string): Promise<{ queries: number; cacheHits: number; cacheMisses: number }> {
  const text = await fetch(`${baseUrl}/metrics`).then(
    (response) => response.text(),
    () => '',
  );
  const sum = (result: 'hit' | 'miss') =>
    [...text.matchAll(new RegExp(`^cache_requests_total\\{cache="[a-z_]+",result="${result}"\\} (\\d+)`, 'gm'))].reduce(
      (total, match) => total + Number(match[1]),
      0,
    );
  return {
    queries: Number(/^db_queries_total (\d+)/m.exec(text)?.[1] ?? NaN),
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
function coresBetween(before: CpuSnapshot | undefined, after: CpuSnapshot | undefined) {
  if (!before || !after) return null;
  const wall = (after.at - before.at) / 1000;
  const cores = (from: number, to: number) => round2((to - from) / wall);
  return {
    server: cores(before.server, after.server),
    postgres: cores(before.postgres, after.postgres),
    machine: cores(before.busy, after.busy),
  };
}

// ------------------------------------------------------------------------------------------------ workloads

const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  return search.toString();
};
const SORTS = ['newest', 'price_asc', 'price_desc', 'rating'] as const;
const PRICE_BOUNDS = [1000, 2500, 5000, 10_000, 25_000, 50_000];

/** Filters a shopper would use: none, a category (any level), a price band, both, in stock or well rated. */
function listFilters(random: Prng, samples: Samples): Record<string, string | number | undefined> {
  const roll = random.next();
  const category = () => random.pick(samples.categories).id;
  const band = () => {
    const low = random.pick(PRICE_BOUNDS);
    return random.next() < 0.5 ? { maxPrice: low } : { minPrice: low, maxPrice: low * 4 };
  };
  if (roll < 0.3) return {};
  if (roll < 0.65) return { categoryId: category() };
  if (roll < 0.85) return band();
  if (roll < 0.95) return { categoryId: category(), ...band() };
  return random.next() < 0.5 ? { inStock: 'true' } : { minRating: 4 };
}

/** ~400 first pages plus the next pages their real cursors lead to (fetched from the running server). */
async function listPaths(baseUrl: string, samples: Samples): Promise<string[]> {
  const random = prng(11);
  const firstPages = new Set<string>();
  while (firstPages.size < 400)
    firstPages.add(`/api/products?${query({ limit: 20, sort: random.pick(SORTS), ...listFilters(random, samples) })}`);
  const paths = [...firstPages];
  const failures = new Map<number, number>();
  let frontier = paths.slice(0, 250);
  for (let depth = 0; depth < 2; depth++) {
    const next: string[] = [];
    for (const page of frontier) {
      const response = await fetch(`${baseUrl}${page}`);
      if (!response.ok) {
        failures.set(response.status, (failures.get(response.status) ?? 0) + 1);
        continue;
      }
      const body = (await response.json()) as { nextCursor: string | null };
      if (!body.nextCursor) continue;
      const withCursor = `${page.replace(/&cursor=[^&]*/, '')}&${query({ cursor: body.nextCursor })}`;
      paths.push(withCursor);
      next.push(withCursor);
    }
    frontier = next.slice(0, 120);
  }
  if (failures.size > 0)
    say(`list preparation: some first pages failed: ${JSON.stringify(Object.fromEntries(failures))}`);
  return random.shuffle(paths);
}

/** `count` distinct first pages (page sizes 10-30 as well as filters and sorts vary), for the uncached run. */
function distinctListPaths(samples: Samples, count: number): string[] {
  const random = prng(13);
  const paths = new Set<string>();
  while (paths.size < count) {
    paths.add(
      `/api/products?${query({ limit: 10 + Math.floor(random.next() * 21), sort: random.pick(SORTS), ...listFilters(random, samples) })}`,
    );
  }
  return [...paths];
}

/** `length` draws from `paths` where the k-th path is drawn with probability proportional to 1/k (Zipf, s = 1). */
function zipfSequence(paths: string[], length: number): string[] {
  const random = prng(37);
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= paths.length; rank++) cumulative.push((total += 1 / rank));
  return Array.from({ length }, () => {
    const target = random.next() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return paths[low]!;
  });
}

/** One typo: a letter replaced, dropped or swapped with its neighbour. */
function typo(random: Prng, word: string): string {
  const at = 1 + Math.floor(random.next() * (word.length - 2));
  const kind = random.next();
  if (kind < 0.4)
    return word.slice(0, at) + String.fromCharCode(97 + Math.floor(random.next() * 26)) + word.slice(at + 1);
  if (kind < 0.7) return word.slice(0, at) + word.slice(at + 1);
  return word.slice(0, at - 1) + word[at]! + word[at - 1]! + word.slice(at + 1);
}

/**
 * 600 distinct searches from the catalog's own words: a word of a product name (45%), two neighbouring words of one
 * (40%), any other catalog word (15%); a typo in one of eight; a category, price cap or other sort in one of three.
 */
function searchPaths(samples: Samples, count = 600, seed = 23): string[] {
  const random = prng(seed);
  // Beyond a few thousand, the page size varies too, so that every path is a distinct query (and a cache miss).
  const limit = () => (count > 1000 ? 10 + Math.floor(random.next() * 21) : 20);
  const pairs = [
    ...new Set(
      samples.names.flatMap((name) => {
        const words = name.toLowerCase().split(/\s+/);
        return words.slice(1).map((word, index) => `${words[index]!} ${word}`);
      }),
    ),
  ];
  const nameWords = [...new Set(samples.names.flatMap((name) => name.toLowerCase().split(/\s+/)))].filter((word) =>
    /^[a-z]{3,}$/.test(word),
  );
  const longWords = samples.words.filter((word) => word.length >= 5);
  const topCategories = samples.categories.filter((category) => category.parentId === null || random.next() < 0.3);
  const paths = new Set<string>();
  while (paths.size < count) {
    const roll = random.next();
    // Mostly what products are called (a word or two of a name), sometimes any word of a description.
    let q = roll < 0.45 ? random.pick(nameWords) : roll < 0.85 ? random.pick(pairs) : random.pick(samples.words);
    if (random.next() < 0.12) {
      const words = q.split(' ');
      const index = words.findIndex((word) => word.length >= 5);
      if (index >= 0) words[index] = typo(random, words[index]!);
      else q = typo(random, random.pick(longWords));
      q = index >= 0 ? words.join(' ') : q;
    }
    const filter = random.next();
    paths.add(
      `/api/products/search?${query({
        q,
        limit: limit(),
        categoryId: filter < 0.15 ? random.pick(topCategories).id : undefined,
        maxPrice: filter >= 0.15 && filter < 0.25 ? random.pick(PRICE_BOUNDS) : undefined,
        sort: filter >= 0.25 && filter < 0.33 ? random.pick(SORTS) : undefined,
      })}`,
    );
  }
  return random.shuffle([...paths]);
}

// ------------------------------------------------------------------------------------------------ run

interface RouteResult {
  route: string;
  distinctPaths: number;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  queriesPerRequest: number | null;
  cacheHitRatio: number | null;
  /** Average cores busy during the measured run: the server process, PostgreSQL, the whole machine (autocannon too). */
  cpu: { server: number; postgres: number; machine: number } | null;
  serial?: SerialTimings;
}

interface SerialTimings {
  p50: number;
  p90: number;
  mean: number;
  /** Per query shape (sort and which filters, not their values): how many paths, their mean, their share of the time. */
  shapes: { shape: string; paths: number; meanMs: number; shareOfTime: number }[];
  slowest: { path: string; ms: number }[];
}

/** `sort=price_asc categoryId+maxPrice`, `q:2 words sort=relevance cursor`: the query's shape without its values. */
function shapeOf(page: string): string {
  const url = new URL(page, 'http://x');
  const params = [...url.searchParams.keys()].filter((key) => !['limit', 'sort', 'q'].includes(key));
  const q = url.searchParams.get('q');
  const words = q === null ? '' : `q:${q.split(' ').length} word${q.includes(' ') ? 's' : ''} `;
  const sort = url.searchParams.get('sort') ?? (q === null ? 'newest' : 'relevance');
  return `${words}sort=${sort}${params.length > 0 ? ` ${params.sort().join('+')}` : ''}`;
}

/** Every distinct path once, one at a time: which requests are slow on their own, without queueing. */
async function serialTimings(baseUrl: string, paths: string[]): Promise<SerialTimings> {
  const timings: { path: string; ms: number }[] = [];
  for (const page of paths) {
    const started = performance.now();
    await fetch(`${baseUrl}${page}`).then((response) => response.arrayBuffer());
    timings.push({ path: page, ms: round2(performance.now() - started) });
  }
  const sorted = timings.map((timing) => timing.ms).sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
  const total = sorted.reduce((sum, ms) => sum + ms, 0);
  const shapes = new Map<string, number[]>();
  for (const timing of timings)
    shapes.set(shapeOf(timing.path), [...(shapes.get(shapeOf(timing.path)) ?? []), timing.ms]);
  return {
    p50: at(0.5),
    p90: at(0.9),
    mean: round2(total / sorted.length),
    shapes: [...shapes.entries()]
      .map(([shape, ms]) => ({
        shape,
        paths: ms.length,
        meanMs: round2(ms.reduce((a, b) => a + b, 0) / ms.length),
        shareOfTime: round2(ms.reduce((a, b) => a + b, 0) / total),
      }))
      .sort((a, b) => b.shareOfTime - a.shareOfTime),
    slowest: timings.sort((a, b) => b.ms - a.ms).slice(0, 8),
  };
}

async function measure(
  baseUrl: string,
  serverPid: number | undefined,
  route: string,
  paths: string[],
  workDir: string,
): Promise<RouteResult> {
  say(
    `${route}: ${paths.length} distinct paths, ${settings.warmup} s warm-up + ${settings.duration} s at ${settings.connections} connections`,
  );
  const rotate = await rotation(paths, workDir, route);
  const run = (duration: number) =>
    autocannon({
      url: baseUrl,
      connections: settings.connections,
      pipelining: settings.pipelining,
      duration,
      ...(settings.workers > 0 ? { workers: settings.workers } : {}),
      requests: [rotate],
    });
  if (settings.warmup > 0) await run(settings.warmup);
  const before = await serverCounters(baseUrl);
  const cpuBefore = await cpuSnapshot(serverPid);
  const result = await run(settings.duration);
  const cpu = coresBetween(cpuBefore, await cpuSnapshot(serverPid));
  // autocannon stops with requests still queued in the server: let them finish before anything else is timed.
  await sleep(1000);
  const after = await serverCounters(baseUrl);
  const served = result.requests.total;
  const hits = after.cacheHits - before.cacheHits;
  const misses = after.cacheMisses - before.cacheMisses;
  return {
    route,
    distinctPaths: new Set(paths).size,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: served,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
    queriesPerRequest:
      Number.isFinite(after.queries - before.queries) && served > 0
        ? round2((after.queries - before.queries) / served)
        : null,
    cacheHitRatio: Number.isFinite(hits + misses) && hits + misses > 0 ? round2(hits / (hits + misses)) : null,
    cpu,
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

function targetsOf(results: RouteResult[]) {
  const of = (route: string) => results.find((result) => result.route === route);
  const targets: { target: string; value: string; pass: boolean }[] = [];
  for (const result of results) {
    targets.push({
      target: `${result.route}: p99 < 100 ms at ${settings.connections} connections`,
      value: `${result.p99} ms`,
      pass: result.p99 < 100,
    });
  }
  const [health, detail, list, search] = [of('health'), of('detail'), of('list'), of('search')];
  if (health && detail) {
    const ratio = detail.requestsPerSecond / health.requestsPerSecond;
    targets.push({
      target: "detail >= 40% of health's req/s",
      value: `${Math.round(ratio * 100)}%`,
      pass: ratio >= 0.4,
    });
  }
  if (list)
    targets.push({
      target: 'list >= 2000 req/s',
      value: `${list.requestsPerSecond} req/s`,
      pass: list.requestsPerSecond >= 2000,
    });
  if (search)
    targets.push({
      target: 'search >= 1000 req/s',
      value: `${search.requestsPerSecond} req/s`,
      pass: search.requestsPerSecond >= 1000,
    });
  for (const result of results) {
    targets.push({
      target: `${result.route}: no non-2xx answers or errors`,
      value: String(result.non2xx + result.errors),
      pass: result.non2xx + result.errors === 0,
    });
  }
  return targets;
}

function printTable(results: RouteResult[]): void {
  const header = [
    'route',
    'paths',
    'req/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'requests',
    'non-2xx',
    'errors',
    'queries/req',
    'cache hit',
    'CPU server/pg/all',
  ];
  const rows = results.map((r) =>
    [
      r.route,
      r.distinctPaths,
      r.requestsPerSecond,
      r.p50,
      r.p90,
      r.p99,
      r.max,
      r.requests,
      r.non2xx,
      r.errors + r.timeouts,
      r.queriesPerRequest ?? '-',
      r.cacheHitRatio ?? '-',
      r.cpu ? `${r.cpu.server}/${r.cpu.postgres}/${r.cpu.machine}` : '-',
    ].map(String),
  );
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const routes = args.routes.split(',').map((route) => route.trim());
  const { runtime, generation } = await prepareDatabase();
  const samples = await sampleCatalog(runtime);
  await clearBenchKeys(runtime);
  await runtime.close();

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'emporium-bench-'));
  const profileDir = args.profile ? path.join(workDir, 'profiles') : undefined;
  say(`starting the server (production mode) on ${baseUrl}`);
  const server = await startServer(port, profileDir);
  const results: RouteResult[] = [];
  try {
    const workloads: Record<string, () => Promise<string[]>> = {
      health: async () => ['/health/live'],
      detail: async () => samples.productIds.map((id) => `/api/products/${id}`),
      list: () => listPaths(baseUrl, samples),
      search: async () => searchPaths(samples),
      // Every request a distinct query, so each one is a cache miss: what the database path alone sustains.
      'list-uncached': async () => distinctListPaths(samples, UNCACHED_PATHS),
      'search-uncached': async () => searchPaths(samples, UNCACHED_PATHS, 29),
      // Real search traffic is long-tailed: the same 40,000 queries, drawn with Zipf popularity (s = 1).
      'search-zipf': async () => zipfSequence(searchPaths(samples, UNCACHED_PATHS, 31), 200_000),
    };
    for (const route of routes) {
      const workload = workloads[route];
      if (!workload) throw new Error(`unknown route ${route}; known: ${Object.keys(workloads).join(', ')}`);
      const paths = await workload();
      const result = await measure(baseUrl, server.pid, route, paths, workDir);
      if (args.serial && paths.length > 1 && paths.length <= 1000) result.serial = await serialTimings(baseUrl, paths);
      results.push(result);
    }
  } finally {
    await stopServer(server);
  }

  console.log('');
  printTable(results);
  const targets = targetsOf(results);
  console.log('');
  for (const target of targets) console.log(`${target.pass ? 'PASS' : 'FAIL'}  ${target.target} (${target.value})`);
  for (const { route, serial } of results) {
    if (!serial) continue;
    console.log(
      `\n${route}, each path once on one connection: p50 ${serial.p50} ms, p90 ${serial.p90} ms, mean ${serial.mean} ms; slowest:`,
    );
    for (const slow of serial.slowest) console.log(`  ${String(slow.ms).padStart(8)} ms  ${slow.path}`);
    console.log('  by shape (paths, mean ms, share of the serial time):');
    for (const shape of serial.shapes.slice(0, 10)) {
      console.log(
        `  ${String(shape.paths).padStart(5)} ${String(shape.meanMs).padStart(8)} ms ${String(Math.round(shape.shareOfTime * 100)).padStart(4)}%  ${shape.shape}`,
      );
    }
  }
  const cpu = os.cpus();
  await writeFile(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        ranAt: new Date().toISOString(),
        machine: {
          cpus: cpu.length,
          model: cpu[0]?.model ?? 'unknown',
          memoryGb: Math.round(os.totalmem() / 2 ** 30),
          node: process.version,
        },
        catalog: generation,
        settings,
        routes: results,
        targets,
      },
      null,
      2,
    )}\n`,
  );
  say(
    `results written to ${path.relative(ROOT, RESULTS_FILE)}${profileDir ? `; CPU profile of the server in ${profileDir}` : ''}`,
  );
}

await main();
