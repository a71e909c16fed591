/**
 * Catalog read benchmark: the real server, in production mode, over a 100,000-product catalog, measured with
 * autocannon route by route. See README.md next to this file for what it does and how to read it.
 *
 *   npm run bench [-- --products 100000 --duration 10 --warmup 3 --connections 64 --workers 0 --fresh --profile
 *                    --no-serial --routes health,detail,list,search,list-uncached,search-uncached,search-zipf]
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Runtime } from '@emporium/server';
import {
  clearBenchKeys,
  cpuColumn,
  machine,
  measure,
  previousGeneration,
  prepareDatabase,
  printTable,
  printTargets,
  prng,
  round2,
  ROOT,
  say,
  sayLoad,
  startServer,
  type AutocannonRequest,
  type BenchServer,
  type Cores,
  type Prng,
} from './harness';

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
  workers: Number(args.workers),
};
/** Enough distinct paths that an uncached run never repeats one (warm-up included). */
const UNCACHED_PATHS = 40_000;
const RESULTS_FILE = path.join(import.meta.dirname, 'results.json');

// ------------------------------------------------------------------------------------------------ autocannon

/** Each request takes the next path of the list (each worker walks its own copy in workers mode). */
async function rotation(paths: string[], name: string): Promise<AutocannonRequest> {
  if (settings.workers === 0) {
    let next = 0;
    return { setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length]! }) };
  }
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'emporium-bench-')), `${name}.cjs`);
  await writeFile(
    file,
    `const paths = ${JSON.stringify(paths)};\nlet next = Math.floor(Math.random() * paths.length);\n` +
      `module.exports = (request) => ({ ...request, path: paths[next++ % paths.length] });\n`,
  );
  return { setupRequest: file };
}

// ------------------------------------------------------------------------------------------------ catalog samples

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
  cpu: Cores | null;
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

async function measureRoute(server: BenchServer, route: string, paths: string[]): Promise<RouteResult> {
  say(
    `${route}: ${paths.length} distinct paths, ${settings.warmup} s warm-up + ${settings.duration} s at ${settings.connections} connections`,
  );
  const measured = await measure(server, settings, [await rotation(paths, route)]);
  const { result } = measured;
  return {
    route,
    distinctPaths: new Set(paths).size,
    requestsPerSecond: measured.requestsPerSecond,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: measured.statusCodes,
    queriesPerRequest: measured.queriesPerRequest,
    cacheHitRatio: measured.cacheHitRatio,
    cpu: measured.cpu,
  };
}

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

function printResults(results: RouteResult[]): void {
  printTable(
    [
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
    ],
    results.map((r) => [
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
      cpuColumn(r.cpu),
    ]),
  );
}

async function main(): Promise<void> {
  const routes = args.routes.split(',').map((route) => route.trim());
  sayLoad();
  const { runtime, generation } = await prepareDatabase({
    products: settings.products,
    fresh: args.fresh,
    previous: await previousGeneration(RESULTS_FILE, settings.products),
  });
  const samples = await sampleCatalog(runtime);
  await clearBenchKeys(runtime);
  await runtime.close();

  const server = await startServer({ profile: args.profile });
  const { baseUrl } = server;
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
      const result = await measureRoute(server, route, paths);
      if (args.serial && paths.length > 1 && paths.length <= 1000) result.serial = await serialTimings(baseUrl, paths);
      results.push(result);
    }
  } finally {
    await server.stop();
  }

  console.log('');
  printResults(results);
  const targets = targetsOf(results);
  console.log('');
  printTargets(targets);
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
  await writeFile(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        ranAt: new Date().toISOString(),
        machine: machine(),
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
    `results written to ${path.relative(ROOT, RESULTS_FILE)}${server.profileDir ? `; CPU profile of the server in ${server.profileDir}` : ''}`,
  );
}

await main();
