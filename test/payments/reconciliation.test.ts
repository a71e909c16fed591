/**
 * The daily reconciliation end to end: payments made through the real `stripe` client against the local Stripe
 * server, then Stripe and the ledger made to disagree the ways they do in life (a refund made in Stripe's dashboard
 * whose webhook never came; a payment that succeeded while no webhook or confirm call reached Emporium), the job run
 * by the worker, and its report read through the API.
 */
import request from 'supertest';
import { listReconciliations, type ReconciliationRun } from '@emporium/sdk';
import { enqueueJob, systemCtx, tasks } from '@emporium/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, makeProduct, publish, uniqueSku, usd } from '../support/catalog';
import { auth, buyNow, sleep } from '../support/commerce';
import { startTestServer, type TestServer } from '../support/server';
import { deliverStripeEvent, startFakeStripe, type FakeStripe, type SignedEvent } from '../support/stripe-server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let stripe: FakeStripe;
let server: TestServer;
let admin: SignedInUser;
let customer: SignedInUser;
let variantId: string;

const reconcileTask = tasks.find((task) => task.name === 'payments__reconcile')!;

const placeOrder = () => buyNow(server, customer, [{ variantId, quantity: 1 }], 'stripe');

const deliver = (event: SignedEvent) => deliverStripeEvent(server.app, event);

/** An order paid at Stripe; `settled`: the webhook reached Emporium too. */
async function paidOrder(settled: boolean) {
  const order = await placeOrder();
  const created = await request(server.app)
    .post('/api/payments/create-intent')
    .set(auth(customer.accessToken))
    .send({ orderId: order.id });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const intent = stripe.succeed(created.body.paymentIntentId as string);
  if (settled) expect((await deliver(stripe.event('payment_intent.succeeded', intent))).body.outcome).toBe('processed');
  return { order, intent };
}

/** Enqueues the job as the schedule does (or with a window of its own) and waits for the worker's new report. */
async function reconcileThroughWorker(payload: { days?: number } = {}): Promise<ReconciliationRun> {
  const before = await reports();
  await enqueueJob(systemCtx(server.deps, 'test'), reconcileTask, payload);
  const until = Date.now() + 20_000;
  for (;;) {
    const now = await reports();
    if (now.length > before.length) return now[0]!;
    if (Date.now() > until) throw new Error('the reconciliation job did not report in time');
    await sleep(200);
  }
}

async function reports(): Promise<ReconciliationRun[]> {
  const page = await listReconciliations({
    client: server.clientFor(admin.accessToken),
    query: { provider: 'stripe', limit: 100 },
    throwOnError: true,
  });
  return page.data.data;
}

beforeAll(async () => {
  stripe = await startFakeStripe();
  server = await startTestServer({
    worker: true,
    env: {
      ...ADMIN_ENV,
      ...stripe.env,
    },
  });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  const vendor = await makeUser(server, 'vendor');
  customer = await makeUser(server, 'customer');
  const categoryId = await makeCategory(server, admin, 'Reconciled');
  const shipping = await request(server.app)
    .post('/api/admin/shipping-methods')
    .set(auth(admin.accessToken))
    .send({ name: 'Courier', rate: usd(300) });
  expect(shipping.status).toBe(201);
  const product = await makeProduct(server, vendor, {
    categoryId,
    variants: [{ sku: uniqueSku('REC'), price: usd(2_000), stock: 50 }],
  });
  await publish(server, vendor, admin, product.id);
  variantId = product.variants[0]!.id;
});

afterAll(async () => {
  await server?.close();
  await stripe?.close();
});

describe('payments__reconcile', () => {
  it('is scheduled daily by every worker', async () => {
    expect(reconcileTask.schedule).toBe('0 3 * * *');
    const until = Date.now() + 10_000;
    let known: { identifier: string }[] = [];
    while (known.length === 0 && Date.now() < until) {
      known = await server.deps.orm.em
        .fork()
        .execute(`select identifier from graphile_worker._private_known_crontabs where identifier = ?`, [
          'payments__reconcile',
        ]);
      if (known.length === 0) await sleep(200);
    }
    expect(known).toEqual([{ identifier: 'payments__reconcile' }]);
  });

  it('reports a refund made at Stripe that no webhook reported and a payment the ledger never captured', async () => {
    const agreeing = await paidOrder(true);
    const refundedAtStripe = await paidOrder(true);
    const dashboardRefund = stripe.refundAtStripe(refundedAtStripe.intent.id, 700);
    const unsettled = await paidOrder(false);
    // Outside the window: touched three days ago, so the default two days leave it out.
    const old = await paidOrder(false);
    await server.deps.orm.em
      .fork()
      .execute(`update payments set updated_at = now() - interval '3 days' where provider_ref = ?`, [old.intent.id]);

    const run = await reconcileThroughWorker();
    expect(run).toMatchObject({ provider: 'stripe', windowDays: 2, checked: 3 });
    expect(Date.parse(run.finishedAt)).toBeGreaterThanOrEqual(Date.parse(run.startedAt));
    expect(run.differences).toHaveLength(2);
    expect(run.differences).toEqual(
      expect.arrayContaining([
        {
          kind: 'refund_mismatch',
          orderId: refundedAtStripe.order.id,
          providerReference: refundedAtStripe.intent.id,
          ledger: { amount: 0, currency: 'USD' },
          provider: { amount: 700, currency: 'USD' },
          detail: expect.stringContaining(`Missing from the ledger: ${dashboardRefund.id}`) as string,
        },
        {
          kind: 'capture_mismatch',
          orderId: unsettled.order.id,
          providerReference: unsettled.intent.id,
          ledger: { amount: 0, currency: 'USD' },
          provider: { amount: unsettled.order.total.amount, currency: 'USD' },
          detail: expect.stringContaining('intent succeeded') as string,
        },
      ]),
    );
    expect(run.differences.map((difference) => difference.orderId)).not.toContain(agreeing.order.id);

    const metrics = await request(server.app).get('/metrics');
    expect(metrics.text).toMatch(/^payment_reconciliation_differences\{provider="stripe"\} 2$/m);
    expect(metrics.text).toMatch(/^payment_reconciliation_last_run_timestamp_seconds\{provider="stripe"\} \d/m);
    expect(metrics.text).toMatch(
      /^payment_reconciliation_differences_found_total\{provider="stripe",kind="refund_mismatch"\} 1$/m,
    );

    // The late webhook arrives: the ledger catches up, and a wider window also finds the old payment.
    const late = await deliver(
      stripe.event('charge.refunded', {
        id: refundedAtStripe.intent.latest_charge,
        object: 'charge',
        payment_intent: refundedAtStripe.intent.id,
      }),
    );
    expect(late.body.outcome).toBe('processed');
    const wider = await reconcileThroughWorker({ days: 5 });
    expect(wider).toMatchObject({ windowDays: 5, checked: 4 });
    expect(wider.differences.map((difference) => [difference.kind, difference.orderId]).sort()).toEqual(
      [
        ['capture_mismatch', unsettled.order.id],
        ['capture_mismatch', old.order.id],
      ].sort(),
    );

    const listed = await reports();
    expect(listed.map((report) => report.id)).toEqual([wider.id, run.id]);
    const paged = await listReconciliations({
      client: server.clientFor(admin.accessToken),
      query: { limit: 1 },
      throwOnError: true,
    });
    expect(paged.data.data.map((report) => report.id)).toEqual([wider.id]);
    expect(paged.data.nextCursor).not.toBeNull();
    const forbidden = await listReconciliations({ client: server.clientFor(customer.accessToken) });
    expect(forbidden.response?.status).toBe(403);
  });
});
