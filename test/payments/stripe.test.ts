/**
 * Stripe payments end to end: the real `stripe` client against a local server speaking Stripe's API, webhooks signed
 * the way Stripe signs them, the job worker running (automatic refunds, mails).
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usd } from '../support/catalog';
import { auth, buyNow, eventually, liveVariant as sellable, openShop } from '../support/commerce';
import { startTestServer, type TestServer } from '../support/server';
import { deliverStripeEvent, startFakeStripe, type FakeStripe, type SignedEvent } from '../support/stripe-server';
import { ADMIN_ENV, type SignedInUser } from '../support/users';

let stripe: FakeStripe;
let server: TestServer;
let admin: SignedInUser;
let vendor: SignedInUser;
let customer: SignedInUser;
let stranger: SignedInUser;
let categoryId: string;

const liveVariant = (stock = 50, price = 2_000) => sellable(server, { vendor, admin }, { categoryId, stock, price });

const placeOrder = (
  variantId: string,
  quantity = 1,
  paymentMethod: 'manual' | 'stripe' | 'paypal' = 'stripe',
  buyer = customer,
) => buyNow(server, buyer, [{ variantId, quantity }], paymentMethod);

const createIntent = (orderId: string, token = customer.accessToken) =>
  request(server.app).post('/api/payments/create-intent').set(auth(token)).send({ orderId });
const confirm = (orderId: string, token = customer.accessToken) =>
  request(server.app).post('/api/payments/confirm').set(auth(token)).send({ orderId });
const deliver = (event: SignedEvent) => deliverStripeEvent(server.app, event);
const orderOf = async (orderId: string) =>
  (await request(server.app).get(`/api/admin/orders/${orderId}`).set(auth(admin.accessToken))).body as {
    status: string;
    flagReason: string | null;
    total: { amount: number };
    parts: { vendorId: string; total: { amount: number } }[];
  };
const moneyOf = async (orderId: string) =>
  (await request(server.app).get(`/api/admin/orders/${orderId}/payments`).set(auth(admin.accessToken))).body as {
    captured: { amount: number };
    refunded: { amount: number };
    disputed: { amount: number };
    balance: { amount: number };
    transactions: { kind: string; providerReference: string; amount: { amount: number } }[];
  };

/** An order paid at Stripe (the intent succeeded), not yet known to Emporium. */
async function paidAtStripe(variantId: string, quantity = 1, amount?: number) {
  const order = await placeOrder(variantId, quantity);
  const intent = await createIntent(order.id);
  expect(intent.status, JSON.stringify(intent.body)).toBe(200);
  return { order, intent: stripe.succeed(intent.body.paymentIntentId as string, amount) };
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
  ({ admin, vendor, customer, stranger, categoryId } = await openShop(server, {
    category: 'Payments',
    shippingRate: 300,
  }));
});

afterAll(async () => {
  await server?.close();
  await stripe?.close();
});

describe('POST /api/payments/create-intent', () => {
  it("creates the order's intent for its exact amount once, and refuses others' orders and card data", async () => {
    const { variantId } = await liveVariant();
    const order = await placeOrder(variantId, 2);
    const first = await createIntent(order.id);
    expect(first.status).toBe(200);
    expect(first.body.amount).toEqual({ amount: order.total.amount, currency: 'USD' });
    const intent = stripe.intents.get(first.body.paymentIntentId as string)!;
    expect(intent).toMatchObject({ amount: order.total.amount, currency: 'usd', metadata: { orderId: order.id } });
    expect(first.body.clientSecret).toBe(intent.client_secret);
    const creation = stripe.requests.find((req) => req.path === '/v1/payment_intents');
    expect(creation?.idempotencyKey).toBe(`payment-intent:${order.id}:1`);

    const again = await createIntent(order.id);
    expect(again.body.paymentIntentId).toBe(first.body.paymentIntentId);

    expect((await createIntent(order.id, stranger.accessToken)).status).toBe(404);
    expect((await confirm(order.id, stranger.accessToken)).status).toBe(404);
    expect((await createIntent(randomUUID())).status).toBe(404);
    const withCard = await request(server.app)
      .post('/api/payments/create-intent')
      .set(auth(customer.accessToken))
      .send({ orderId: order.id, card: { number: '4242424242424242', cvc: '123' } });
    expect(withCard.status).toBe(400);
    const manual = await placeOrder(variantId, 1, 'manual');
    const mismatch = await createIntent(manual.id);
    expect(mismatch.status).toBe(409);
    expect(mismatch.body.code).toBe('payment_method_mismatch');
  });
});

describe('settlement', () => {
  it('pays an order only when Stripe says so, once, whether the confirm call or the webhook comes first', async () => {
    const { variantId } = await liveVariant();
    const order = await placeOrder(variantId);
    const intent = await createIntent(order.id);
    const early = await confirm(order.id);
    expect(early.body).toMatchObject({ orderStatus: 'pending_payment', providerStatus: 'requires_payment_method' });

    stripe.succeed(intent.body.paymentIntentId as string);
    const event = stripe.event('payment_intent.succeeded', stripe.intents.get(intent.body.paymentIntentId as string)!);
    // The confirm call and ten deliveries of the same event, all at once.
    const answers = await Promise.all([confirm(order.id), ...Array.from({ length: 10 }, () => deliver(event))]);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    const outcomes = answers.slice(1).map((answer) => answer.body.outcome as string);
    expect(outcomes.filter((outcome) => outcome === 'processed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(9);

    expect((await orderOf(order.id)).status).toBe('paid');
    const money = await moneyOf(order.id);
    expect(money.transactions.map((entry) => entry.kind)).toEqual(['capture']);
    expect(money.captured.amount).toBe(order.total.amount);
    const history = (await request(server.app).get(`/api/orders/${order.id}`).set(auth(customer.accessToken))).body
      .history as { to: string }[];
    expect(history.filter((entry) => entry.to === 'paid')).toHaveLength(1);
  });

  it('is paid by its payment only: an admin marking a card order paid gets 409 and changes nothing', async () => {
    const { variantId } = await liveVariant();
    const order = await placeOrder(variantId);
    const marked = await request(server.app)
      .put(`/api/admin/orders/${order.id}/status`)
      .set(auth(admin.accessToken))
      .send({ status: 'paid', note: 'customer says it went through' });
    expect(marked.status).toBe(409);
    expect(marked.body.code).toBe('invalid_status_transition');
    expect((await orderOf(order.id)).status).toBe('pending_payment');
    expect((await moneyOf(order.id)).transactions).toEqual([]);
    const earnings = await request(server.app).get('/api/vendor/earnings').set(auth(vendor.accessToken));
    const entries = earnings.body.data as { orderId: string }[];
    expect(entries.map((entry) => entry.orderId)).not.toContain(order.id);
  });

  it('never opens a second intent for an order Stripe already charged: it settles the order instead', async () => {
    const { variantId } = await liveVariant();
    const { order } = await paidAtStripe(variantId);
    const again = await createIntent(order.id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('order_not_payable');
    expect((await orderOf(order.id)).status).toBe('paid');
    expect([...stripe.intents.values()].filter((intent) => intent.metadata.orderId === order.id)).toHaveLength(1);
  });

  it('refuses webhooks with a bad signature, a stale timestamp or another secret, and ignores unknown types', async () => {
    const { variantId } = await liveVariant();
    const { order, intent } = await paidAtStripe(variantId);
    const good = stripe.event('payment_intent.succeeded', intent);
    const forged = { ...good, payload: good.payload.replace(intent.id, `${intent.id}x`) };
    const stale = stripe.event('payment_intent.succeeded', intent, { ageSeconds: 301 });
    const otherSecret = stripe.event('payment_intent.succeeded', intent, { secret: 'whsec_not_ours' });
    for (const event of [forged, stale, otherSecret]) {
      const answer = await deliver(event);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('invalid_signature');
    }
    const unsigned = await request(server.app)
      .post('/api/webhooks/stripe')
      .send(JSON.parse(good.payload) as object);
    expect(unsigned.status).toBe(400);
    expect((await orderOf(order.id)).status).toBe('pending_payment');

    const unknown = await deliver(stripe.event('customer.created', { id: 'cus_1', object: 'customer' }));
    expect(unknown.body).toEqual({ received: true, outcome: 'ignored' });
    const metrics = await request(server.app).get('/metrics');
    expect(metrics.text).toMatch(/payment_webhook_verification_failures_total\{provider="stripe"\} [4-9]/);

    expect((await deliver(good)).body.outcome).toBe('processed');
    expect((await orderOf(order.id)).status).toBe('paid');
  });

  it('leaves an order unpaid and flagged when the captured amount differs, and refunds that payment', async () => {
    const { variantId } = await liveVariant();
    const { order, intent } = await paidAtStripe(variantId, 1, 100);
    const answer = await confirm(order.id);
    expect(answer.body.orderStatus).toBe('pending_payment');
    const flagged = await orderOf(order.id);
    expect(flagged.flagReason).toMatch(/does not match/);
    const refunded = await eventually(
      async () => stripe.refunds.filter((refund) => refund.payment_intent === intent.id),
      (list) => list.length > 0,
    );
    expect(refunded.map((refund) => refund.amount)).toEqual([100]);
    const money = await eventually(
      () => moneyOf(order.id),
      (value) => value.refunded.amount === 100,
    );
    expect(money.balance.amount).toBe(0);
    expect((await orderOf(order.id)).status).toBe('pending_payment');
  });

  it('ends in the right state when a refund is reported before the payment itself', async () => {
    const { variantId } = await liveVariant();
    const { order, intent } = await paidAtStripe(variantId, 2);
    const refund = stripe.refundAtStripe(intent.id, 500);
    const refundedFirst = await deliver(
      stripe.event('charge.refunded', { id: intent.latest_charge, object: 'charge', payment_intent: intent.id }),
    );
    expect(refundedFirst.body.outcome).toBe('processed');
    const succeededLater = await deliver(stripe.event('payment_intent.succeeded', intent));
    expect(succeededLater.body.outcome).toBe('processed');
    expect((await orderOf(order.id)).status).toBe('partially_refunded');
    const money = await moneyOf(order.id);
    expect(money.transactions.map((entry) => [entry.kind, entry.providerReference])).toEqual([
      ['capture', intent.id],
      ['refund', refund.id],
    ]);
    expect(money.balance.amount).toBe(order.total.amount - 500);
  });

  it('records a dispute in the ledger and flags the order', async () => {
    const { variantId } = await liveVariant();
    const { order, intent } = await paidAtStripe(variantId);
    expect((await confirm(order.id)).body.orderStatus).toBe('paid');
    const dispute = {
      id: 'dp_1',
      object: 'dispute',
      amount: 700,
      currency: 'usd',
      payment_intent: intent.id,
      reason: 'fraudulent',
    };
    expect((await deliver(stripe.event('charge.dispute.created', dispute))).body.outcome).toBe('processed');
    const money = await moneyOf(order.id);
    expect(money.disputed.amount).toBe(700);
    expect(money.balance.amount).toBe(order.total.amount - 700);
    expect((await orderOf(order.id)).flagReason).toMatch(/Disputed at Stripe \(dp_1/);
  });

  it("cancels the open intent of an order cancelled before payment, so the page's client secret takes no money", async () => {
    const { variantId } = await liveVariant();
    const order = await placeOrder(variantId);
    const intent = await createIntent(order.id);
    const intentId = intent.body.paymentIntentId as string;
    const cancel = await request(server.app)
      .put(`/api/orders/${order.id}/cancel`)
      .set(auth(customer.accessToken))
      .send({ reason: 'changed my mind' });
    expect(cancel.status).toBe(200);
    const status = await eventually(
      async () => stripe.intents.get(intentId)!.status,
      (now) => now === 'canceled',
    );
    expect(status).toBe('canceled');
    const cancels = stripe.requests.filter((call) => call.path === `/v1/payment_intents/${intentId}/cancel`);
    expect(cancels.map((call) => call.form.cancellation_reason)).toEqual(['abandoned']);
    // Nothing was taken, so nothing is refunded; the order stays cancelled.
    expect((await moneyOf(order.id)).transactions).toEqual([]);
    expect((await orderOf(order.id)).status).toBe('cancelled');
  });

  it('cancels an intent that was processing at the cancellation once it is back to awaiting a payment method', async () => {
    const { variantId } = await liveVariant();
    const order = await placeOrder(variantId);
    const intentId = (await createIntent(order.id)).body.paymentIntentId as string;
    const intent = stripe.intents.get(intentId)!;
    intent.status = 'processing'; // a bank debit on its way, say
    expect(
      (
        await request(server.app)
          .put(`/api/orders/${order.id}/cancel`)
          .set(auth(customer.accessToken))
          .send({ reason: 'changed my mind' })
      ).status,
    ).toBe(200);
    const cancelCalls = () =>
      stripe.requests.filter((call) => call.path === `/v1/payment_intents/${intentId}/cancel`).length;
    // The job reads the intent, leaves it (Stripe refuses to cancel a processing one) and fails, to run again later.
    await eventually(
      async () => stripe.requests.filter((call) => call.path === `/v1/payment_intents/${intentId}`).length,
      (reads) => reads > 0,
    );
    expect(cancelCalls()).toBe(0);
    intent.status = 'requires_payment_method'; // the debit failed
    const status = await eventually(
      async () => stripe.intents.get(intentId)!.status,
      (now) => now === 'canceled',
    );
    expect(status).toBe('canceled');
    expect(cancelCalls()).toBe(1);
  });

  it('refunds a payment that arrives after the order was cancelled, and hands its stock out only once', async () => {
    const { productId, variantId } = await liveVariant(3);
    const { order, intent } = await paidAtStripe(variantId, 2);
    const cancel = await request(server.app)
      .put(`/api/orders/${order.id}/cancel`)
      .set(auth(customer.accessToken))
      .send({ reason: 'too slow' });
    expect(cancel.status).toBe(200);
    expect((await deliver(stripe.event('payment_intent.succeeded', intent))).body.outcome).toBe('processed');
    const after = await orderOf(order.id);
    expect(after.status).toBe('cancelled');
    expect(after.flagReason).toMatch(/after the order expired or was cancelled/);
    await eventually(
      async () => stripe.refunds.filter((refund) => refund.payment_intent === intent.id).length,
      (count) => count > 0,
    );
    const money = await eventually(
      () => moneyOf(order.id),
      (value) => value.refunded.amount === order.total.amount,
    );
    expect(money.balance.amount).toBe(0);
    const product = await request(server.app).get(`/api/vendor/products/${productId}`).set(auth(vendor.accessToken));
    expect(product.body.variants[0].stock).toBe(3);
  });
});

describe('POST /api/admin/orders/{id}/refunds', () => {
  it('lets only the refunds that fit through when ten run at once, and keeps the ledger and Stripe in step', async () => {
    const { variantId } = await liveVariant();
    const { order, intent } = await paidAtStripe(variantId, 3); // 3 x 20.00 + 3.00 shipping = 63.00
    expect((await confirm(order.id)).body.orderStatus).toBe('paid');
    const refund = (amount: number) =>
      request(server.app)
        .post(`/api/admin/orders/${order.id}/refunds`)
        .set(auth(admin.accessToken))
        .set('Idempotency-Key', randomUUID())
        .send({ amount: usd(amount), reason: 'goodwill' });
    const answers = await Promise.all(Array.from({ length: 10 }, () => refund(1_000)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(6);
    expect(statuses.filter((status) => status === 422)).toHaveLength(4);
    for (const refused of answers.filter((answer) => answer.status === 422)) {
      expect(refused.body.code).toBe('refund_exceeds_captured');
    }
    const atStripe = stripe.refunds.filter((item) => item.payment_intent === intent.id);
    expect(atStripe.reduce((sum, item) => sum + item.amount, 0)).toBe(6_000);
    const money = await moneyOf(order.id);
    expect(money.refunded.amount).toBe(6_000);
    expect(money.balance.amount).toBe(order.total.amount - 6_000);
    expect((await orderOf(order.id)).status).toBe('partially_refunded');

    const rest = await refund(order.total.amount - 6_000);
    expect(rest.status).toBe(201);
    expect(rest.body.orderStatus).toBe('refunded');
    expect((await refund(1)).status).toBe(409);
  });

  it('answers 502 and keeps nothing when Stripe refuses, and customers and vendors cannot refund', async () => {
    const { variantId } = await liveVariant();
    const { order } = await paidAtStripe(variantId);
    expect((await confirm(order.id)).body.orderStatus).toBe('paid');
    const attempt = (token: string) =>
      request(server.app)
        .post(`/api/admin/orders/${order.id}/refunds`)
        .set(auth(token))
        .set('Idempotency-Key', randomUUID())
        .send({ amount: usd(500), reason: 'test' });
    expect((await attempt(customer.accessToken)).status).toBe(403);
    expect((await attempt(vendor.accessToken)).status).toBe(403);
    stripe.failRefunds(400);
    try {
      const refused = await attempt(admin.accessToken);
      expect(refused.status).toBe(502);
      expect(refused.body.code).toBe('payment_provider_error');
    } finally {
      stripe.failRefunds(undefined);
    }
    expect((await moneyOf(order.id)).refunded.amount).toBe(0);
    expect((await attempt(admin.accessToken)).status).toBe(201);
  });
});

describe('a currency Stripe counts differently (ISK: whole krónur, sent in hundredths)', () => {
  let iceland: TestServer;
  let shop: Awaited<ReturnType<typeof openShop>>;

  beforeAll(async () => {
    iceland = await startTestServer({
      worker: true,
      env: { ...ADMIN_ENV, ...stripe.env, CATALOG_CURRENCY: 'ISK' },
    });
    shop = await openShop(iceland, { category: 'Wool', shippingRate: 500, currency: 'ISK' });
  });

  afterAll(async () => {
    await iceland?.close();
  });

  it('charges, records and refunds krónur in the units Stripe counts them, and keeps the ledger in krónur', async () => {
    const { variantId } = await sellable(
      iceland,
      { vendor: shop.vendor, admin: shop.admin },
      { categoryId: shop.categoryId, price: 4_990, currency: 'ISK' },
    );
    const order = await buyNow(iceland, shop.customer, [{ variantId, quantity: 2 }], 'stripe');
    expect(order.total.amount).toBe(2 * 4_990 + 500);

    const intent = await request(iceland.app)
      .post('/api/payments/create-intent')
      .set(auth(shop.customer.accessToken))
      .send({ orderId: order.id });
    expect(intent.status, JSON.stringify(intent.body)).toBe(200);
    expect(intent.body.amount).toEqual({ amount: 10_480, currency: 'ISK' });
    const atStripe = stripe.intents.get(intent.body.paymentIntentId as string)!;
    expect(atStripe).toMatchObject({ amount: 1_048_000, currency: 'isk' });

    const paid = stripe.succeed(atStripe.id);
    expect((await deliverStripeEvent(iceland.app, stripe.event('payment_intent.succeeded', paid))).status).toBe(200);
    const money = async () =>
      (await request(iceland.app).get(`/api/admin/orders/${order.id}/payments`).set(auth(shop.admin.accessToken)))
        .body as {
        captured: { amount: number; currency: string };
        refunded: { amount: number };
        disputed: { amount: number };
      };
    expect((await money()).captured).toEqual({ amount: 10_480, currency: 'ISK' });

    const refund = await request(iceland.app)
      .post(`/api/admin/orders/${order.id}/refunds`)
      .set(auth(shop.admin.accessToken))
      .set('Idempotency-Key', randomUUID())
      .send({ amount: { amount: 1_000, currency: 'ISK' }, reason: 'goodwill' });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    expect(stripe.refunds.find((item) => item.payment_intent === atStripe.id)?.amount).toBe(100_000);
    expect((await money()).refunded.amount).toBe(1_000);

    // A refund made in Stripe's dashboard reaches us as an event, in Stripe's units: 2,000 krónur, not 200,000.
    stripe.refundAtStripe(atStripe.id, 200_000);
    const event = stripe.event('charge.refunded', {
      object: 'charge',
      id: paid.latest_charge,
      payment_intent: paid.id,
    });
    expect((await deliverStripeEvent(iceland.app, event)).body.outcome).toBe('processed');
    expect((await money()).refunded.amount).toBe(3_000);

    // A dispute too: 150,000 at Stripe is 1,500 krónur.
    const dispute = { id: 'dp_isk', object: 'dispute', amount: 150_000, currency: 'isk', payment_intent: paid.id };
    const disputed = stripe.event('charge.dispute.created', { ...dispute, reason: 'fraudulent' });
    expect((await deliverStripeEvent(iceland.app, disputed)).body.outcome).toBe('processed');
    expect((await money()).disputed.amount).toBe(1_500);
  });
});
