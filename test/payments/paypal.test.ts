/**
 * PayPal payments end to end: Emporium's fetch-based PayPal client against a local server speaking PayPal's REST API,
 * webhooks that only that server's verify-webhook-signature vouches for, the job worker running (automatic refunds).
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usd } from '../support/catalog';
import { auth, buyNow, eventually, liveVariant as sellable, openShop } from '../support/commerce';
import { startFakePaypal, type FakePaypal, type SignedPaypalEvent } from '../support/paypal-server';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN_ENV, type SignedInUser } from '../support/users';

let paypal: FakePaypal;
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
  paymentMethod: 'manual' | 'stripe' | 'paypal' = 'paypal',
  buyer = customer,
) => buyNow(server, buyer, [{ variantId, quantity }], paymentMethod);

const createOrder = (orderId: string, token = customer.accessToken) =>
  request(server.app).post('/api/payments/paypal/create-order').set(auth(token)).send({ orderId });
const capture = (orderId: string, token = customer.accessToken) =>
  request(server.app).post('/api/payments/paypal/capture').set(auth(token)).send({ orderId });
const deliver = (event: SignedPaypalEvent) =>
  request(server.app)
    .post('/api/webhooks/paypal')
    .set(event.headers)
    .set('Content-Type', 'application/json')
    .send(event.payload);
const orderOf = async (orderId: string) =>
  (await request(server.app).get(`/api/admin/orders/${orderId}`).set(auth(admin.accessToken))).body as {
    status: string;
    flagReason: string | null;
  };
const moneyOf = async (orderId: string) =>
  (await request(server.app).get(`/api/admin/orders/${orderId}/payments`).set(auth(admin.accessToken))).body as {
    captured: { amount: number };
    refunded: { amount: number };
    disputed: { amount: number };
    balance: { amount: number };
    transactions: { kind: string; provider: string; providerReference: string; amount: { amount: number } }[];
  };

/** An order the buyer approved at PayPal, not yet captured. */
async function approvedAtPaypal(variantId: string, quantity = 1, captureValue?: string) {
  const order = await placeOrder(variantId, quantity);
  const created = await createOrder(order.id);
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const paypalOrderId = created.body.paypalOrderId as string;
  paypal.approve(paypalOrderId, captureValue);
  return { order, paypalOrderId };
}

/** An order paid through PayPal and settled by the capture call; answers the capture id. */
async function paidWithPaypal(variantId: string, quantity = 1) {
  const { order, paypalOrderId } = await approvedAtPaypal(variantId, quantity);
  const captured = await capture(order.id);
  expect(captured.body.orderStatus).toBe('paid');
  const captureId = paypal.orders.get(paypalOrderId)!.purchase_units[0]!.payments!.captures[0]!.id;
  return { order, paypalOrderId, captureId };
}

beforeAll(async () => {
  paypal = await startFakePaypal();
  server = await startTestServer({
    worker: true,
    env: {
      ...ADMIN_ENV,
      PAYPAL_CLIENT_ID: paypal.clientId,
      PAYPAL_CLIENT_SECRET: paypal.clientSecret,
      PAYPAL_WEBHOOK_ID: paypal.webhookId,
      PAYPAL_API_BASE: paypal.url,
    },
  });
  ({ admin, vendor, customer, stranger, categoryId } = await openShop(server, {
    category: 'PayPal',
    shippingRate: 300,
  }));
});

afterAll(async () => {
  await server?.close();
  await paypal?.close();
});

describe('POST /api/payments/paypal/create-order', () => {
  it("creates the order's PayPal order for its exact amount once, and refuses others' orders and card data", async () => {
    const { variantId } = await liveVariant();
    const order = await placeOrder(variantId, 2); // 2 x 20.00 + 3.00 shipping
    const first = await createOrder(order.id);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.amount).toEqual({ amount: order.total.amount, currency: 'USD' });
    const created = paypal.orders.get(first.body.paypalOrderId as string)!;
    expect(created.purchase_units[0]).toMatchObject({
      reference_id: order.id,
      custom_id: order.id,
      amount: { currency_code: 'USD', value: '43.00' },
    });
    expect(first.body.approveUrl).toBe(created.links.find((link) => link.rel === 'approve')!.href);
    const creation = paypal.requests.find((req) => req.path === '/v2/checkout/orders');
    expect(creation?.requestId).toBe(`paypal-order:${order.id}:1`);

    const again = await createOrder(order.id);
    expect(again.body.paypalOrderId).toBe(first.body.paypalOrderId);
    expect(paypal.requests.filter((req) => req.path === '/v2/checkout/orders')).toHaveLength(1);
    expect(paypal.tokensIssued()).toBe(1);

    expect((await createOrder(order.id, stranger.accessToken)).status).toBe(404);
    expect((await capture(order.id, stranger.accessToken)).status).toBe(404);
    expect((await createOrder(randomUUID())).status).toBe(404);
    const withCard = await request(server.app)
      .post('/api/payments/paypal/create-order')
      .set(auth(customer.accessToken))
      .send({ orderId: order.id, card: { number: '4111111111111111', cvc: '123' } });
    expect(withCard.status).toBe(400);
    const manual = await placeOrder(variantId, 1, 'manual');
    const mismatch = await createOrder(manual.id);
    expect(mismatch.status).toBe(409);
    expect(mismatch.body.code).toBe('payment_method_mismatch');
  });
});

describe('POST /api/payments/paypal/capture and POST /api/webhooks/paypal', () => {
  it('pays an order once when the capture call and ten deliveries of its webhook race', async () => {
    const { variantId } = await liveVariant();
    const order = await placeOrder(variantId);
    const created = await createOrder(order.id);
    const paypalOrderId = created.body.paypalOrderId as string;
    const early = await capture(order.id);
    expect(early.body).toMatchObject({ orderStatus: 'pending_payment', provider: 'paypal', providerStatus: 'CREATED' });

    paypal.approve(paypalOrderId);
    paypal.delayCaptureAnswers(300);
    try {
      // supertest sends on `then`: start the capture call now, answer later.
      const captureCall = capture(order.id).then((answer) => answer);
      // PayPal captured and sends its webhook while Emporium still waits for the capture's answer.
      const captured = await eventually(
        async () => paypal.orders.get(paypalOrderId)!.purchase_units[0]!.payments?.captures[0],
        (found) => found !== undefined,
      );
      const event = paypal.event('PAYMENT.CAPTURE.COMPLETED', captured!);
      const answers = await Promise.all([captureCall, ...Array.from({ length: 10 }, () => deliver(event))]);
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      expect(answers[0].body).toMatchObject({ orderStatus: 'paid', provider: 'paypal', providerStatus: 'COMPLETED' });
      const outcomes = answers.slice(1).map((answer) => answer.body.outcome as string);
      expect(outcomes.filter((outcome) => outcome === 'processed')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(9);

      expect((await orderOf(order.id)).status).toBe('paid');
      const money = await moneyOf(order.id);
      expect(money.transactions.map((entry) => [entry.kind, entry.provider, entry.providerReference])).toEqual([
        ['capture', 'paypal', captured!.id],
      ]);
      expect(money.captured.amount).toBe(order.total.amount);
      const history = (await request(server.app).get(`/api/orders/${order.id}`).set(auth(customer.accessToken))).body
        .history as { to: string }[];
      expect(history.filter((entry) => entry.to === 'paid')).toHaveLength(1);
      const captureCalls = paypal.requests.filter((req) => req.path.endsWith('/capture'));
      expect(captureCalls.map((req) => req.requestId)).toEqual([`paypal-capture:${paypalOrderId}`]);
    } finally {
      paypal.delayCaptureAnswers(0);
    }

    // Capturing again re-reads the captured PayPal order and changes nothing.
    const again = await capture(order.id);
    expect(again.body).toMatchObject({ orderStatus: 'paid', providerStatus: 'COMPLETED' });
    expect((await moneyOf(order.id)).transactions).toHaveLength(1);
  });

  it('settles from the webhook alone, and a replayed event (ten times) has one effect', async () => {
    const { variantId } = await liveVariant();
    const { order, paypalOrderId } = await approvedAtPaypal(variantId);
    // The buyer's capture call never came back: PayPal captured, Emporium hears only the webhook.
    const event = paypal.event('PAYMENT.CAPTURE.COMPLETED', paypal.captureAtPaypal(paypalOrderId));
    const first = await deliver(event);
    expect(first.body).toEqual({ received: true, outcome: 'processed' });
    const replays = await Promise.all(Array.from({ length: 10 }, () => deliver(event)));
    expect(replays.map((answer) => answer.body.outcome as string)).toEqual(replays.map(() => 'duplicate'));
    expect((await orderOf(order.id)).status).toBe('paid');
    expect((await moneyOf(order.id)).transactions).toHaveLength(1);
    // The buyer's late capture call re-reads the captured order and changes nothing.
    expect((await capture(order.id)).body).toMatchObject({ orderStatus: 'paid', providerStatus: 'COMPLETED' });
    expect((await moneyOf(order.id)).transactions).toHaveLength(1);
  });

  it('refuses events PayPal does not vouch for, changes nothing, and ignores unknown types', async () => {
    const { variantId } = await liveVariant();
    const { order, paypalOrderId } = await approvedAtPaypal(variantId);
    const captured = paypal.captureAtPaypal(paypalOrderId);
    const good = paypal.event('PAYMENT.CAPTURE.COMPLETED', captured);
    const tampered = { ...good, payload: good.payload.replace(captured.id, `${captured.id.slice(0, -1)}X`) };
    const otherSecret = paypal.event('PAYMENT.CAPTURE.COMPLETED', captured, { secret: 'not-paypals' });
    const { 'paypal-transmission-sig': _sig, ...unsignedHeaders } = good.headers;
    const unsigned = { ...good, headers: unsignedHeaders };
    const wrongAlgo = { ...good, headers: { ...good.headers, 'paypal-auth-algo': 'none' } };
    for (const event of [tampered, otherSecret, unsigned, wrongAlgo]) {
      const answer = await deliver(event);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('invalid_signature');
    }
    const noHeaders = await request(server.app)
      .post('/api/webhooks/paypal')
      .send(JSON.parse(good.payload) as object);
    expect(noHeaders.status).toBe(400);
    expect((await orderOf(order.id)).status).toBe('pending_payment');
    expect((await moneyOf(order.id)).transactions).toHaveLength(0);
    const metrics = await request(server.app).get('/metrics');
    expect(metrics.text).toMatch(/payment_webhook_verification_failures_total\{provider="paypal"\} [5-9]/);

    const unknown = await deliver(paypal.event('BILLING.SUBSCRIPTION.CREATED', { id: 'I-1' }));
    expect(unknown.body).toEqual({ received: true, outcome: 'ignored' });
    expect((await deliver(good)).body.outcome).toBe('processed');
    expect((await orderOf(order.id)).status).toBe('paid');
  });

  it('never captures a PayPal order approved after its order was cancelled', async () => {
    const { variantId } = await liveVariant();
    const { order, paypalOrderId } = await approvedAtPaypal(variantId);
    const cancel = await request(server.app)
      .put(`/api/orders/${order.id}/cancel`)
      .set(auth(customer.accessToken))
      .send({ reason: 'changed my mind' });
    expect(cancel.status).toBe(200);
    const late = await capture(order.id);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('order_not_payable');
    expect(paypal.requests.filter((req) => req.path === `/v2/checkout/orders/${paypalOrderId}/capture`)).toEqual([]);
    expect(paypal.orders.get(paypalOrderId)!.status).toBe('APPROVED');
    expect((await moneyOf(order.id)).captured.amount).toBe(0);
  });

  it('leaves an order unpaid and flagged when PayPal captured another amount, and refunds that capture', async () => {
    const { variantId } = await liveVariant();
    const { order, paypalOrderId } = await approvedAtPaypal(variantId, 1, '1.00');
    const answer = await capture(order.id);
    expect(answer.body.orderStatus).toBe('pending_payment');
    expect((await orderOf(order.id)).flagReason).toMatch(/does not match/);
    const captureId = paypal.orders.get(paypalOrderId)!.purchase_units[0]!.payments!.captures[0]!.id;
    const refunded = await eventually(
      async () => paypal.refunds.filter((refund) => refund.captureId === captureId),
      (list) => list.length > 0,
    );
    expect(refunded.map((refund) => refund.amount.value)).toEqual(['1.00']);
    const money = await eventually(
      () => moneyOf(order.id),
      (value) => value.refunded.amount === 100,
    );
    expect(money.balance.amount).toBe(0);
    expect((await orderOf(order.id)).status).toBe('pending_payment');
  });

  it('records a refund made at PayPal once, however often it is reported, and a dispute with a flag', async () => {
    const { variantId } = await liveVariant();
    const { order, captureId } = await paidWithPaypal(variantId, 2);
    const refund = paypal.refundAtPaypal(captureId, '5.00');
    const { captureId: _c, requestId: _r, ...resource } = refund;
    const refundedEvent = paypal.event('PAYMENT.CAPTURE.REFUNDED', resource);
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(refundedEvent)));
    expect(answers.filter((answer) => answer.body.outcome === 'processed')).toHaveLength(1);
    // Another delivery of the same refund under a new event id adds nothing either.
    expect((await deliver(paypal.event('PAYMENT.CAPTURE.REFUNDED', resource))).body.outcome).toBe('processed');
    let money = await moneyOf(order.id);
    expect(money.refunded.amount).toBe(500);
    expect((await orderOf(order.id)).status).toBe('partially_refunded');

    const dispute = {
      dispute_id: 'PP-D-1234',
      reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
      status: 'OPEN',
      dispute_amount: { currency_code: 'USD', value: '7.00' },
      disputed_transactions: [{ seller_transaction_id: captureId }],
    };
    expect((await deliver(paypal.event('CUSTOMER.DISPUTE.CREATED', dispute))).body.outcome).toBe('processed');
    money = await moneyOf(order.id);
    expect(money.disputed.amount).toBe(700);
    expect(money.balance.amount).toBe(order.total.amount - 500 - 700);
    expect((await orderOf(order.id)).flagReason).toMatch(/Disputed at PayPal \(PP-D-1234/);
  });
});

describe('POST /api/admin/orders/{id}/refunds (PayPal)', () => {
  it('refunds the capture at PayPal with the refund id as PayPal-Request-Id and never past the capture', async () => {
    const { variantId } = await liveVariant();
    const { order, captureId } = await paidWithPaypal(variantId, 3); // 63.00
    const refund = (amount: number) =>
      request(server.app)
        .post(`/api/admin/orders/${order.id}/refunds`)
        .set(auth(admin.accessToken))
        .set('Idempotency-Key', randomUUID())
        .send({ amount: usd(amount), reason: 'goodwill' });
    const answers = await Promise.all(Array.from({ length: 10 }, () => refund(1_000)));
    const made = answers.filter((answer) => answer.status === 201);
    expect(made).toHaveLength(6);
    for (const refused of answers.filter((answer) => answer.status !== 201)) {
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('refund_exceeds_captured');
    }
    const atPaypal = paypal.refunds.filter((item) => item.captureId === captureId);
    expect(atPaypal.reduce((sum, item) => sum + Number(item.amount.value), 0)).toBe(60);
    expect(atPaypal.map((item) => item.requestId).sort()).toEqual(
      made.map((answer) => answer.body.id as string).sort(),
    );
    expect(made.map((answer) => answer.body.provider as string)).toEqual(made.map(() => 'paypal'));
    expect(made.map((answer) => answer.body.providerRefundId as string).sort()).toEqual(
      atPaypal.map((item) => item.id).sort(),
    );
    const refundCalls = paypal.requests.filter((req) => req.path === `/v2/payments/captures/${captureId}/refund`);
    expect(refundCalls.map((req) => req.body)).toContainEqual({
      amount: { value: '10.00', currency_code: 'USD' },
      custom_id: order.id,
    });

    // PayPal's webhook for one of Emporium's own refunds adds nothing.
    const { captureId: _c, requestId: _r, ...resource } = atPaypal[0]!;
    expect((await deliver(paypal.event('PAYMENT.CAPTURE.REFUNDED', resource))).body.outcome).toBe('processed');
    const money = await moneyOf(order.id);
    expect(money.refunded.amount).toBe(6_000);
    expect(money.balance.amount).toBe(order.total.amount - 6_000);

    const rest = await refund(order.total.amount - 6_000);
    expect(rest.status).toBe(201);
    expect(rest.body.orderStatus).toBe('refunded');
    expect(paypal.captures.get(captureId)!.status).toBe('REFUNDED');
    expect((await refund(1)).status).toBe(409);
  });
});
