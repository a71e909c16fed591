/**
 * Commerce benchmark: add-to-cart and checkout on the real server, in production mode, over the 100,000-product
 * catalog of `npm run bench`, measured with autocannon; checkout's stock is then checked in the database (no oversell,
 * orders equal to the stock taken, the ledger in step). See README.md next to this file.
 *
 *   npm run bench:commerce [-- --duration 10 --warmup 3 --connections 64 --customers 500 --hot-stock 100000
 *                             --sellout-stock 300 --routes health,cart-add,cart-add-guest,checkout-hot,checkout-sellout
 *                             --products 100000 --fresh --profile]
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importVerifiedUsers, startSessionFor, systemCtx, type Runtime } from '@emporium/server';
import {
  clearBenchKeys,
  countOf,
  cpuColumn,
  machine,
  measure,
  prepareDatabase,
  previousGeneration,
  printTable,
  printTargets,
  prng,
  ROOT,
  round2,
  say,
  sayLoad,
  startServer,
  type AutocannonRequest,
  type BenchServer,
  type Cores,
  type PreparedRequest,
} from './harness';

// ------------------------------------------------------------------------------------------------ settings

const ROUTES = ['health', 'cart-add', 'cart-add-guest', 'checkout-hot', 'checkout-spread', 'checkout-sellout'] as const;
type Route = (typeof ROUTES)[number];

const { values: args } = parseArgs({
  options: {
    products: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    customers: { type: 'string', default: '500' },
    'hot-stock': { type: 'string', default: '100000' },
    'sellout-stock': { type: 'string', default: '300' },
    routes: { type: 'string', default: ROUTES.join(',') },
    fresh: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
});
const settings = {
  products: Number(args.products),
  duration: Number(args.duration),
  warmup: Number(args.warmup),
  connections: Number(args.connections),
  // onResponse (status and time of every answer) needs autocannon in this thread.
  workers: 0,
  customers: Number(args.customers),
  hotStock: Number(args['hot-stock']),
  selloutStock: Number(args['sellout-stock']),
};
/** Each customer's cart cycles over this many variants of its own: carts stay small, and far under 100 lines. */
const VARIANTS_PER_CART = 10;
/** Variants put in carts (and beside the scarce one) hold at least this much, so no add is refused for stock. */
const MIN_POOL_STOCK = 50;
const RESULTS_FILE = path.join(import.meta.dirname, 'commerce-results.json');
const CATALOG_RESULTS_FILE = path.join(import.meta.dirname, 'results.json');
const SHIPPING_METHOD = { name: 'Bench standard', rate: { amount: 500, currency: 'USD' } };
const COUNTRY = 'GB';
const SHIPPING_ADDRESS = {
  fullName: 'Bench Customer',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: COUNTRY,
};

// ------------------------------------------------------------------------------------------------ preparation

interface Customer {
  id: string;
  accessToken: string;
}

interface PoolVariant {
  variantId: string;
  productId: string;
}

interface Fixture {
  customers: Customer[];
  adminToken: string;
  /** One variant sold by every checkout of `checkout-hot`. */
  hot: PoolVariant;
  /** The variant `checkout-sellout` sells out. */
  scarce: PoolVariant;
  /** Published variants with stock, for carts and for the second line of the sell-out orders. */
  pool: PoolVariant[];
}

/**
 * Verified customers with stable emails (made once, reused by later runs) and a fresh session each, through the
 * server's own functions (no password hashing): the benchmark measures shopping, not logging in.
 */
async function signedInUsers(runtime: Runtime, role: 'customer' | 'admin', count: number): Promise<Customer[]> {
  const ctx = systemCtx(runtime.deps, 'bench');
  const people = Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    email: `bench-${role}-${index}@bench.emporium.test`,
    fullName: `Bench ${role} ${index}`,
    createdAt: new Date(),
  }));
  const ids = await importVerifiedUsers(ctx, role, people, 'not-a-password-hash');
  const users: Customer[] = [];
  for (const person of people) {
    const id = ids.get(person.email);
    const pair = id ? await startSessionFor(systemCtx(runtime.deps, 'bench'), id) : undefined;
    if (!pair) throw new Error(`no session for ${person.email}`);
    users.push({ id: pair.user.id, accessToken: pair.accessToken });
  }
  return users;
}

/** Calls the running server; anything but the expected status stops the benchmark. */
async function call<T>(
  server: BenchServer,
  token: string | undefined,
  request: { method: string; path: string; body?: unknown; headers?: Record<string, string> },
  expected: number[],
): Promise<T> {
  const response = await fetch(`${server.baseUrl}${request.path}`, {
    method: request.method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...request.headers,
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const text = await response.text();
  if (!expected.includes(response.status))
    throw new Error(`${request.method} ${request.path}: ${response.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A shipping method and the destination's tax rate, set through the admin API as an operator would. */
async function configureCommerce(server: BenchServer, adminToken: string): Promise<void> {
  const { data: methods } = await call<{ data: { name: string; active: boolean }[] }>(
    server,
    adminToken,
    { method: 'GET', path: '/api/admin/shipping-methods' },
    [200],
  );
  if (!methods.some((method) => method.name === SHIPPING_METHOD.name && method.active)) {
    await call(
      server,
      adminToken,
      { method: 'POST', path: '/api/admin/shipping-methods', body: SHIPPING_METHOD },
      [201],
    );
  }
  await call(
    server,
    adminToken,
    { method: 'PUT', path: `/api/admin/tax-rates/${COUNTRY}`, body: { rateBps: 2000 } },
    [200],
  );
}

/** Sets a variant's stock to `target` through the admin API (one `correction` movement in the ledger). */
async function setStock(
  server: BenchServer,
  runtime: Runtime,
  adminToken: string,
  variant: PoolVariant,
  target: number,
): Promise<void> {
  const current = await stockOf(runtime, variant.variantId);
  if (current === target) return;
  await call(
    server,
    adminToken,
    {
      method: 'POST',
      path: `/api/products/${variant.productId}/variants/${variant.variantId}/inventory`,
      body: { delta: target - current, reason: 'correction', note: 'bench: stock for the checkout run' },
    },
    [200],
  );
}

const stockOf = (runtime: Runtime, variantId: string) =>
  countOf(runtime, 'select stock as n from product_variants where id = ?', [variantId]);

/** Published, live variants with stock, in a fixed pseudo-random order (the same run after run). */
async function sampleVariants(runtime: Runtime, count: number): Promise<PoolVariant[]> {
  const rows = await runtime.deps.orm.em.fork().execute<{ id: string; product_id: string }[]>(
    `select v.id, v.product_id from product_variants v join products p on p.id = v.product_id
      where p.status = 'published' and v.retired_at is null and v.stock >= ?
      order by md5(v.id::text) limit ?`,
    [MIN_POOL_STOCK, count],
  );
  return rows.map((row) => ({ variantId: row.id, productId: row.product_id }));
}

async function prepareFixture(server: BenchServer, runtime: Runtime): Promise<Fixture> {
  const [admin] = await signedInUsers(runtime, 'admin', 1);
  await configureCommerce(server, admin!.accessToken);
  const started = performance.now();
  const customers = await signedInUsers(runtime, 'customer', settings.customers);
  say(`${customers.length} signed-in customers ready in ${Math.round(performance.now() - started)} ms`);
  const sampled = await sampleVariants(runtime, settings.customers * VARIANTS_PER_CART + 1000);
  // The hot and the scarce variant are of products nobody else buys or carts in the run.
  const [hot, scarce] = sampled;
  const reserved = new Set([hot!.productId, scarce!.productId]);
  return {
    customers,
    adminToken: admin!.accessToken,
    hot: hot!,
    scarce: scarce!,
    pool: sampled.slice(2).filter((variant) => !reserved.has(variant.productId)),
  };
}

// ------------------------------------------------------------------------------------------------ workloads

const json = (body: unknown) => JSON.stringify(body);
const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

/** Request i goes to customer i mod n; each customer walks its own variants in turn, one unit at a time. */
function cartAddRequests(credentials: Record<string, string>[], pool: PoolVariant[]): AutocannonRequest {
  const random = prng(41);
  const cartOf = credentials.map(() => Array.from({ length: VARIANTS_PER_CART }, () => random.pick(pool).variantId));
  const turns = credentials.map(() => 0);
  let next = 0;
  return {
    setupRequest: (request: PreparedRequest) => {
      const customer = next++ % credentials.length;
      const variants = cartOf[customer]!;
      return {
        ...request,
        method: 'POST',
        path: '/api/cart/items',
        headers: { ...credentials[customer], 'content-type': 'application/json' },
        body: json({ variantId: variants[turns[customer]!++ % variants.length], quantity: 1 }),
      };
    },
  };
}

interface Answer {
  status: number;
  at: number;
  code?: string;
}

/**
 * `POST /api/orders` ("buy now"), each with a new Idempotency-Key, by the customers in turn. Every answer's status,
 * time and problem code (for non-201s) is kept for the checks.
 */
function checkoutRequests(
  customers: Customer[],
  linesOf: (index: number) => { variantId: string; quantity: number }[],
  answers: Answer[],
): AutocannonRequest {
  let next = 0;
  return {
    setupRequest: (request: PreparedRequest) => {
      const index = next++;
      return {
        ...request,
        method: 'POST',
        path: '/api/orders',
        headers: { ...bearer(customers[index % customers.length]!.accessToken), 'idempotency-key': randomUUID() },
        body: json({ lines: linesOf(index), shippingAddress: SHIPPING_ADDRESS, paymentMethod: 'manual' }),
      };
    },
    onResponse: (status: number, body: string) => {
      const answer: Answer = { status, at: Date.now() };
      if (status !== 201) {
        try {
          answer.code = (JSON.parse(body) as { code?: string }).code;
        } catch {
          answer.code = 'unparsable';
        }
      }
      answers.push(answer);
    },
  };
}

/** Empties the given carts (between runs, so that carts never fill up: every add must be a 2xx). */
async function emptyCarts(runtime: Runtime, cartIds: string[]): Promise<void> {
  await runtime.deps.orm.em.fork().execute('delete from cart_lines where cart_id = any(array[?]::uuid[])', [cartIds]);
}

async function customerCartIds(runtime: Runtime, customers: Customer[]): Promise<string[]> {
  const rows = await runtime.deps.orm.em
    .fork()
    .execute<{ id: string }[]>('select id from carts where user_id = any(array[?]::uuid[])', [
      customers.map((customer) => customer.id),
    ]);
  return rows.map((row) => row.id);
}

// ------------------------------------------------------------------------------------------------ checks

interface StockCheck {
  variant: string;
  initialStock: number;
  finalStock: number;
  stockTaken: number;
  /** 201 answers counted by the load generator (warm-up included). */
  created: number;
  /**
   * Requests the load generator had in flight when its runs stopped: the server still places those orders, their
   * answers are never counted. So `created <= orders <= created + inFlightAtStop`.
   */
  inFlightAtStop: number;
  /** Orders with a line of the variant placed since the run began, and their units. */
  orders: number;
  unitsOrdered: number;
  /** Sum of the variant's ledger deltas since the run began (sales are negative), and the lowest stock it recorded. */
  ledgerDelta: number;
  ledgerMinimumStock: number | null;
  pass: boolean;
}

async function checkStock(
  runtime: Runtime,
  variantId: string,
  since: Date,
  initialStock: number,
  created: number,
  inFlightAtStop: number,
): Promise<StockCheck> {
  const em = runtime.deps.orm.em.fork();
  const finalStock = await stockOf(runtime, variantId);
  const [orders] = await em.execute<{ orders: number; units: number }[]>(
    `select count(distinct o.id)::int as orders, coalesce(sum(l.quantity), 0)::int as units
       from orders o join order_lines l on l.order_id = o.id
      where l.variant_id = ? and o.created_at >= ?`,
    [variantId, since],
  );
  const [ledger] = await em.execute<{ delta: number; minimum: number | null }[]>(
    `select coalesce(sum(delta), 0)::int as delta, min(stock_after)::int as minimum
       from inventory_movements where variant_id = ? and created_at >= ?`,
    [variantId, since],
  );
  const stockTaken = initialStock - finalStock;
  const check = {
    variant: variantId,
    initialStock,
    finalStock,
    stockTaken,
    created,
    inFlightAtStop,
    orders: orders?.orders ?? 0,
    unitsOrdered: orders?.units ?? 0,
    ledgerDelta: ledger?.delta ?? 0,
    ledgerMinimumStock: ledger?.minimum ?? null,
  };
  return {
    ...check,
    pass:
      finalStock >= 0 &&
      check.orders === stockTaken &&
      check.unitsOrdered === stockTaken &&
      check.created <= check.orders &&
      check.orders <= check.created + inFlightAtStop &&
      check.ledgerDelta === -stockTaken &&
      (check.ledgerMinimumStock === null || check.ledgerMinimumStock >= 0),
  };
}

/** The pool variants sold beside the scarce one: their ledger must show exactly what the placed orders hold. */
async function checkSideLines(runtime: Runtime, variantIds: string[], since: Date) {
  const em = runtime.deps.orm.em.fork();
  const [ordered] = await em.execute<{ units: number }[]>(
    `select coalesce(sum(l.quantity), 0)::int as units from orders o join order_lines l on l.order_id = o.id
      where l.variant_id = any(array[?]::uuid[]) and o.created_at >= ?`,
    [variantIds, since],
  );
  const [ledger] = await em.execute<{ delta: number }[]>(
    `select coalesce(sum(delta), 0)::int as delta from inventory_movements
      where variant_id = any(array[?]::uuid[]) and reason = 'sale' and created_at >= ?`,
    [variantIds, since],
  );
  const unitsOrdered = ordered?.units ?? 0;
  const ledgerDelta = ledger?.delta ?? 0;
  return { unitsOrdered, ledgerDelta, pass: ledgerDelta === -unitsOrdered };
}

// ------------------------------------------------------------------------------------------------ run

interface RouteResult {
  route: Route;
  requestsPerSecond: number;
  /** 201 answers per second (checkout routes). */
  ordersPerSecond: number | null;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  queriesPerRequest: number | null;
  cpu: Cores | null;
  /** Milliseconds of the whole machine's CPU per request (server, database, Redis and autocannon together). */
  cpuMsPerRequest: number | null;
  checks?: Record<string, unknown>;
}

async function runRoute(
  route: Route,
  server: BenchServer,
  runtime: Runtime,
  fixture: Fixture,
  guestCarts: { tokens: Record<string, string>[]; cartIds: string[] },
): Promise<RouteResult> {
  const load = { ...settings };
  let requests: AutocannonRequest;
  let beforeMeasured: (() => Promise<void>) | undefined;
  const answers: Answer[] = [];
  let verify: (() => Promise<Record<string, unknown> & { pass: boolean }>) | undefined;

  if (route === 'health') {
    // The machine's ceiling: the HTTP stack with no SQL (one Redis call for its rate limit), in the same run.
    requests = { method: 'GET', path: '/health/live' };
  } else if (route === 'cart-add') {
    const cartIds = await customerCartIds(runtime, fixture.customers);
    await emptyCarts(runtime, cartIds);
    requests = cartAddRequests(
      fixture.customers.map((customer) => ({ authorization: `Bearer ${customer.accessToken}` })),
      fixture.pool,
    );
    // Carts made during the warm-up are emptied again: the measured run starts from empty carts too.
    beforeMeasured = async () => emptyCarts(runtime, await customerCartIds(runtime, fixture.customers));
  } else if (route === 'cart-add-guest') {
    await emptyCarts(runtime, guestCarts.cartIds);
    requests = cartAddRequests(guestCarts.tokens, fixture.pool.slice().reverse());
    beforeMeasured = () => emptyCarts(runtime, guestCarts.cartIds);
  } else if (route === 'checkout-spread') {
    // The same orders over thousands of variants: checkout without a hot row, to tell the lock's cost from the rest.
    const since = await databaseNow(runtime);
    const spread = fixture.pool.slice(200);
    requests = checkoutRequests(
      fixture.customers,
      (index) => [{ variantId: spread[index % spread.length]!.variantId, quantity: 1 }],
      answers,
    );
    verify = async () => {
      const side = await checkSideLines(
        runtime,
        spread.map((variant) => variant.variantId),
        since,
      );
      const others = answers.filter((answer) => answer.status !== 201);
      return { ...side, otherAnswers: countBy(others), pass: side.pass && others.length === 0 };
    };
  } else if (route === 'checkout-hot') {
    await setStock(server, runtime, fixture.adminToken, fixture.hot, settings.hotStock);
    const since = await databaseNow(runtime);
    requests = checkoutRequests(fixture.customers, () => [{ variantId: fixture.hot.variantId, quantity: 1 }], answers);
    verify = async () => {
      const stock = await checkStock(
        runtime,
        fixture.hot.variantId,
        since,
        settings.hotStock,
        answers.filter((answer) => answer.status === 201).length,
        load.connections * (load.warmup > 0 ? 2 : 1),
      );
      const others = answers.filter((answer) => answer.status !== 201);
      return { ...stock, otherAnswers: countBy(others), pass: stock.pass && others.length === 0 };
    };
  } else {
    // The scarce variant sells out within the first second; every order also holds a plentiful variant, which must
    // not lose stock when the scarce one is refused (all or nothing).
    await setStock(server, runtime, fixture.adminToken, fixture.scarce, settings.selloutStock);
    const since = await databaseNow(runtime);
    const sides = fixture.pool.slice(0, 200);
    requests = checkoutRequests(
      fixture.customers,
      (index) => [
        { variantId: fixture.scarce.variantId, quantity: 1 },
        { variantId: sides[index % sides.length]!.variantId, quantity: 1 },
      ],
      answers,
    );
    // A few seconds show the sell-out and the refusals after it; a warm-up would sell the stock before the run.
    load.warmup = 0;
    load.duration = Math.min(load.duration, 5);
    verify = async () => {
      const created = answers.filter((answer) => answer.status === 201);
      const refused = answers.filter((answer) => answer.status !== 201);
      const stock = await checkStock(
        runtime,
        fixture.scarce.variantId,
        since,
        settings.selloutStock,
        created.length,
        load.connections,
      );
      const side = await checkSideLines(
        runtime,
        sides.map((variant) => variant.variantId),
        since,
      );
      // When the last unit went: every refusal must come after it (none while units were left).
      const [soldOut] = await runtime.deps.orm.em
        .fork()
        .execute<{ at: Date | null }[]>(
          'select min(created_at) as at from inventory_movements where variant_id = ? and stock_after = 0 and created_at >= ?',
          [fixture.scarce.variantId, since],
        );
      const soldOutAt = soldOut?.at ? new Date(soldOut.at).getTime() : null;
      const firstRefusalAt = refused.length > 0 ? Math.min(...refused.map((answer) => answer.at)) : null;
      const onlyStockRefusals = refused.every(
        (answer) => answer.status === 409 && answer.code === 'insufficient_stock',
      );
      const refusalsAfterSellOut =
        firstRefusalAt === null || (soldOutAt !== null && firstRefusalAt >= soldOutAt && stock.finalStock === 0);
      return {
        ...stock,
        soldOut: stock.finalStock === 0,
        refusals: countBy(refused),
        refusalsAfterSellOut,
        firstRefusalMsAfterSellOut: firstRefusalAt !== null && soldOutAt !== null ? firstRefusalAt - soldOutAt : null,
        sideLines: side,
        pass:
          stock.pass &&
          stock.finalStock === 0 &&
          stock.orders === settings.selloutStock &&
          onlyStockRefusals &&
          refusalsAfterSellOut &&
          side.pass,
      };
    };
  }

  say(
    `${route}: ${load.warmup > 0 ? `${load.warmup} s warm-up + ` : ''}${load.duration} s at ${load.connections} connections`,
  );
  const measured = await measure(server, load, [requests], beforeMeasured);
  const cpuPerRequest =
    measured.cpu && measured.requestsPerSecond > 0
      ? round2((measured.cpu.machine * 1000) / measured.requestsPerSecond)
      : null;
  const { result } = measured;
  const created = measured.statusCodes['201'] ?? 0;
  const checks = verify ? await verify() : undefined;
  return {
    route,
    requestsPerSecond: measured.requestsPerSecond,
    ordersPerSecond: route.startsWith('checkout') ? Math.round(created / measured.seconds) : null,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes: measured.statusCodes,
    queriesPerRequest: measured.queriesPerRequest,
    cpu: measured.cpu,
    cpuMsPerRequest: cpuPerRequest,
    ...(checks ? { checks } : {}),
  };
}

function countBy(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const key = `${answer.status}${answer.code ? ` ${answer.code}` : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function databaseNow(runtime: Runtime): Promise<Date> {
  const [row] = await runtime.deps.orm.em.fork().execute<{ now: Date }[]>('select clock_timestamp() as now');
  return new Date(row!.now);
}

/** Guest carts, each made by its first add (201 with its token), for the guest route. */
async function guestCarts(server: BenchServer, fixture: Fixture, count: number) {
  const tokens: Record<string, string>[] = [];
  const cartIds: string[] = [];
  for (let index = 0; index < count; index++) {
    const cart = await call<{ id: string; cartToken: string }>(
      server,
      undefined,
      {
        method: 'POST',
        path: '/api/cart/items',
        body: { variantId: fixture.pool[index % fixture.pool.length]!.variantId, quantity: 1 },
      },
      [201],
    );
    tokens.push({ 'x-cart-token': cart.cartToken });
    cartIds.push(cart.id);
  }
  return { tokens, cartIds };
}

/** What a checkout route's database checks assert, and the figures behind them. */
function checkTarget(route: Route, checks: Record<string, unknown>) {
  const pick = (...keys: string[]) => JSON.stringify(Object.fromEntries(keys.map((key) => [key, checks[key]])));
  const pass = checks.pass === true;
  if (route === 'checkout-spread') {
    return {
      target: `${route}: stock taken = units ordered (ledger), every answer 201`,
      value: pick('unitsOrdered', 'ledgerDelta'),
      pass,
    };
  }
  const figures = pick('stockTaken', 'orders', 'created', 'finalStock');
  if (route === 'checkout-sellout') {
    return {
      target: `${route}: no oversell, orders = stock taken = ledger, 409 insufficient_stock only after the last unit, refused orders take nothing`,
      value: figures,
      pass,
    };
  }
  return { target: `${route}: no oversell, orders = stock taken = ledger, every answer 201`, value: figures, pass };
}

function targetsOf(results: RouteResult[]) {
  const targets: { target: string; value: string; pass: boolean }[] = [];
  for (const result of results) {
    if (result.route.startsWith('cart-add')) {
      targets.push(
        {
          target: `${result.route}: >= 1500 req/s`,
          value: `${result.requestsPerSecond} req/s`,
          pass: result.requestsPerSecond >= 1500,
        },
        {
          target: `${result.route}: p99 < 100 ms at ${settings.connections} connections`,
          value: `${result.p99} ms`,
          pass: result.p99 < 100,
        },
        {
          target: `${result.route}: every answer 2xx`,
          value: String(result.non2xx + result.errors),
          pass: result.non2xx + result.errors === 0,
        },
      );
    }
    if (result.route === 'checkout-hot') {
      targets.push({
        target: 'checkout-hot: >= 500 orders/s',
        value: `${result.ordersPerSecond} orders/s`,
        pass: (result.ordersPerSecond ?? 0) >= 500,
      });
    }
    if (result.checks) targets.push(checkTarget(result.route, result.checks));
  }
  return targets;
}

async function main(): Promise<void> {
  const routes = args.routes.split(',').map((route) => route.trim());
  for (const route of routes) {
    if (!(ROUTES as readonly string[]).includes(route))
      throw new Error(`unknown route ${route}; known: ${ROUTES.join(', ')}`);
  }
  sayLoad();
  const { runtime, generation } = await prepareDatabase({
    products: settings.products,
    fresh: args.fresh,
    previous: await previousGeneration(CATALOG_RESULTS_FILE, settings.products),
  });
  await clearBenchKeys(runtime);
  const server = await startServer({ profile: args.profile });
  const results: RouteResult[] = [];
  try {
    const fixture = await prepareFixture(server, runtime);
    const guests = routes.includes('cart-add-guest')
      ? await guestCarts(server, fixture, settings.customers)
      : { tokens: [], cartIds: [] };
    for (const route of routes) results.push(await runRoute(route as Route, server, runtime, fixture, guests));
  } finally {
    await server.stop();
    await runtime.close();
  }

  const health = results.find((result) => result.route === 'health');
  console.log('');
  printTable(
    [
      'route',
      'req/s',
      'orders/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'requests',
      'non-2xx',
      'errors',
      'queries/req',
      'CPU server/pg/all',
      'CPU ms/req',
      'of health',
    ],
    results.map((r) => [
      r.route,
      r.requestsPerSecond,
      r.ordersPerSecond ?? '-',
      r.p50,
      r.p90,
      r.p99,
      r.max,
      r.requests,
      r.non2xx,
      r.errors,
      r.queriesPerRequest ?? '-',
      cpuColumn(r.cpu),
      r.cpuMsPerRequest ?? '-',
      health ? `${Math.round((100 * r.requestsPerSecond) / health.requestsPerSecond)} %` : '-',
    ]),
  );
  for (const result of results) {
    if (result.checks) console.log(`\n${result.route} checks: ${JSON.stringify(result.checks)}`);
  }
  const targets = targetsOf(results);
  console.log('');
  printTargets(targets);
  await writeFile(
    RESULTS_FILE,
    `${JSON.stringify(
      { ranAt: new Date().toISOString(), machine: machine(), catalog: generation, settings, routes: results, targets },
      null,
      2,
    )}\n`,
  );
  say(
    `results written to ${path.relative(ROOT, RESULTS_FILE)}${server.profileDir ? `; CPU profile of the server in ${server.profileDir}` : ''}`,
  );
  if (!results.every((result) => result.checks?.pass !== false)) process.exitCode = 1;
}

await main();
