/**
 * A scripted day of payments: manual and Stripe payments, partial and full refunds, a cancellation after payment, a
 * dispute, a payment that arrives after its order expired; then the ledger and the vendors' earnings must agree with
 * the orders. Plus the payment mails, and vendors seeing only their own earnings.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, makeProduct, publish, uniqueSku, usd } from '../support/catalog';
import { auth, eventually } from '../support/commerce';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { startTestServer, type TestServer } from '../support/server';
import { deliverStripeEvent, startFakeStripe, type FakeStripe } from '../support/stripe-server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let stripe: FakeStripe;
let mailbox: Mailbox;
let server: TestServer;
let admin: SignedInUser;
let vendorA: SignedInUser;
let vendorB: SignedInUser;
let buyer: SignedInUser;
const variants: Record<'a' | 'b', string> = { a: '', b: '' };
const products: Record<'a' | 'b', string> = { a: '', b: '' };

const address = { fullName: 'Dee Day', line1: '5 Ledger Row', city: 'Springfield', postalCode: '12345', country: 'US' };
/** A 4-second payment deadline: the late payment below waits it out. */
const DEADLINE_SECONDS = 4;

interface PlacedOrder {
  id: string;
  number: string;
  total: { amount: number };
}

async function place(lines: ['a' | 'b', number][], paymentMethod: 'manual' | 'stripe'): Promise<PlacedOrder> {
  const placed = await request(server.app)
    .post('/api/orders')
    .set(auth(buyer.accessToken))
    .set('Idempotency-Key', randomUUID())
    .send({
      lines: lines.map(([which, quantity]) => ({ variantId: variants[which], quantity })),
      shippingAddress: address,
      paymentMethod,
    });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  return placed.body as PlacedOrder;
}

async function payWithStripe(order: PlacedOrder): Promise<string> {
  const intent = await request(server.app)
    .post('/api/payments/create-intent')
    .set(auth(buyer.accessToken))
    .send({ orderId: order.id });
  expect(intent.status).toBe(200);
  const succeeded = stripe.succeed(intent.body.paymentIntentId as string);
  const event = stripe.event('payment_intent.succeeded', succeeded);
  const delivered = await deliverStripeEvent(server.app, event);
  expect(delivered.status).toBe(200);
  return succeeded.id;
}

const markPaid = async (order: PlacedOrder) =>
  expect(
    (
      await request(server.app)
        .put(`/api/admin/orders/${order.id}/status`)
        .set(auth(admin.accessToken))
        .send({ status: 'paid' })
    ).status,
  ).toBe(200);

const refund = async (order: PlacedOrder, amount: number, restock = false) => {
  const answer = await request(server.app)
    .post(`/api/admin/orders/${order.id}/refunds`)
    .set(auth(admin.accessToken))
    .set('Idempotency-Key', randomUUID())
    .send({ amount: usd(amount), reason: 'scripted', restock });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { orderStatus: string };
};

interface AdminOrder {
  id: string;
  status: string;
  paidAt: string | null;
  total: { amount: number };
  parts: { id: string; vendorId: string; total: { amount: number } }[];
}

const adminOrder = async (id: string) =>
  (await request(server.app).get(`/api/admin/orders/${id}`).set(auth(admin.accessToken))).body as AdminOrder;
const moneyOf = async (id: string) =>
  (await request(server.app).get(`/api/admin/orders/${id}/payments`).set(auth(admin.accessToken))).body as {
    captured: { amount: number };
    refunded: { amount: number };
    disputed: { amount: number };
    balance: { amount: number };
  };
const earningsOf = async (vendor: SignedInUser) =>
  (await request(server.app).get('/api/vendor/earnings').query({ limit: 100 }).set(auth(vendor.accessToken))).body as {
    vendorId: string;
    commissionRateBps: number;
    balance: { amount: number };
    data: {
      vendorId: string;
      orderId: string;
      kind: string;
      gross: { amount: number };
      commission: { amount: number };
      net: { amount: number };
    }[];
  };

beforeAll(async () => {
  [stripe, mailbox] = await Promise.all([startFakeStripe(), startMailbox()]);
  server = await startTestServer({
    worker: true,
    env: {
      ...ADMIN_ENV,
      SMTP_URL: mailbox.url,
      ...stripe.env,
      ORDER_PAYMENT_TIMEOUT_MINUTES: String(DEADLINE_SECONDS / 60),
      PLATFORM_COMMISSION_BPS: '1000',
    },
  });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  [vendorA, vendorB, buyer] = await Promise.all([
    makeUser(server, 'vendor'),
    makeUser(server, 'vendor'),
    makeUser(server, 'customer'),
  ]);
  const categoryId = await makeCategory(server, admin, 'Ledger');
  for (const [which, vendor, price] of [
    ['a', vendorA, 1_999],
    ['b', vendorB, 3_333],
  ] as const) {
    const product = await makeProduct(server, vendor, {
      categoryId,
      name: `Ledger ${which} ${uniqueSku()}`,
      variants: [{ sku: uniqueSku('LED'), price: usd(price), stock: 500 }],
    });
    await publish(server, vendor, admin, product.id);
    variants[which] = product.variants[0]!.id;
    products[which] = product.id;
  }
  const shipping = await request(server.app)
    .post('/api/admin/shipping-methods')
    .set(auth(admin.accessToken))
    .send({ name: 'Post', rate: usd(450) });
  expect(shipping.status).toBe(201);
  const tax = await request(server.app)
    .put('/api/admin/tax-rates/US')
    .set(auth(admin.accessToken))
    .send({ rateBps: 725 });
  expect(tax.status).toBe(200);
  // Vendor B negotiated 12 %; vendor A pays the default 10 %.
  const commission = await request(server.app)
    .put(`/api/admin/vendors/${vendorB.id}/commission`)
    .set(auth(admin.accessToken))
    .send({ rateBps: 1200 });
  expect(commission.status).toBe(200);
});

afterAll(async () => {
  await server?.close();
  await Promise.all([stripe?.close(), mailbox?.close()]);
});

describe('a day of payments', () => {
  it('leaves the ledger and the vendors’ earnings in agreement with the orders', { timeout: 90_000 }, async () => {
    const orders: PlacedOrder[] = [];
    const keep = (order: PlacedOrder) => {
      orders.push(order);
      return order;
    };

    // 1. Paid by hand, both vendors.
    await markPaid(
      keep(
        await place(
          [
            ['a', 2],
            ['b', 1],
          ],
          'manual',
        ),
      ),
    );
    // 2. Paid with Stripe, then partly refunded (with restock), then the rest.
    const partly = keep(
      await place(
        [
          ['a', 1],
          ['b', 3],
        ],
        'stripe',
      ),
    );
    await payWithStripe(partly);
    expect((await refund(partly, 1_234, true)).orderStatus).toBe('partially_refunded');
    expect((await refund(partly, partly.total.amount - 1_234)).orderStatus).toBe('refunded');
    // 3. Paid with Stripe, cancelled by the buyer: refunded automatically in full.
    const cancelled = keep(await place([['b', 2]], 'stripe'));
    await payWithStripe(cancelled);
    const cancel = await request(server.app)
      .put(`/api/orders/${cancelled.id}/cancel`)
      .set(auth(buyer.accessToken))
      .send({ reason: 'changed my mind' });
    expect(cancel.status).toBe(200);
    // 4. Paid with Stripe, then disputed by the card holder.
    const disputed = keep(await place([['a', 3]], 'stripe'));
    const disputedIntent = await payWithStripe(disputed);
    const dispute = stripe.event('charge.dispute.created', {
      id: `dp_${randomUUID()}`,
      object: 'dispute',
      amount: 2_000,
      currency: 'usd',
      payment_intent: disputedIntent,
      reason: 'product_not_received',
    });
    await deliverStripeEvent(server.app, dispute);
    // 5. A payment that arrives after its order expired.
    const late = keep(await place([['a', 1]], 'stripe'));
    const lateIntent = await request(server.app)
      .post('/api/payments/create-intent')
      .set(auth(buyer.accessToken))
      .send({ orderId: late.id });
    await eventually(
      () => adminOrder(late.id),
      (order) => order.status === 'expired',
    );
    stripe.succeed(lateIntent.body.paymentIntentId as string);
    const lateConfirm = await request(server.app)
      .post('/api/payments/confirm')
      .set(auth(buyer.accessToken))
      .send({ orderId: late.id });
    expect(lateConfirm.body.orderStatus).toBe('expired');
    // 6. An unpaid order that just expires: no money at all.
    const unpaid = keep(await place([['b', 1]], 'manual'));

    // Automatic refunds run as jobs: wait until nothing is pending.
    await eventually(
      async () => Promise.all([cancelled, late].map((order) => moneyOf(order.id))),
      (figures) => figures.every((money) => money.captured.amount > 0 && money.balance.amount === 0),
    );

    // Ledger against orders, one by one.
    const expected: Record<string, { captured: number; refunded: number; disputed: number; status: string }> = {
      [orders[0]!.id]: { captured: orders[0]!.total.amount, refunded: 0, disputed: 0, status: 'paid' },
      [partly.id]: { captured: partly.total.amount, refunded: partly.total.amount, disputed: 0, status: 'refunded' },
      [cancelled.id]: {
        captured: cancelled.total.amount,
        refunded: cancelled.total.amount,
        disputed: 0,
        status: 'cancelled',
      },
      [disputed.id]: { captured: disputed.total.amount, refunded: 0, disputed: 2_000, status: 'paid' },
      [late.id]: { captured: late.total.amount, refunded: late.total.amount, disputed: 0, status: 'expired' },
      [unpaid.id]: { captured: 0, refunded: 0, disputed: 0, status: 'expired' },
    };
    await eventually(
      () => adminOrder(unpaid.id),
      (order) => order.status === 'expired',
    );
    for (const order of orders) {
      const money = await moneyOf(order.id);
      const want = expected[order.id]!;
      expect({
        captured: money.captured.amount,
        refunded: money.refunded.amount,
        disputed: money.disputed.amount,
        status: (await adminOrder(order.id)).status,
      }).toEqual(want);
      expect(money.balance.amount).toBe(want.captured - want.refunded - want.disputed);
    }

    // Every ledger row of the day, summed by kind, equals the orders' figures.
    const ledger = await request(server.app)
      .get('/api/admin/payments')
      .query({ limit: 100 })
      .set(auth(admin.accessToken));
    const mine = (ledger.body.data as { orderId: string; kind: string; amount: { amount: number } }[]).filter((row) =>
      orders.some((order) => order.id === row.orderId),
    );
    const sum = (kind: string) =>
      mine.filter((row) => row.kind === kind).reduce((total, row) => total + row.amount.amount, 0);
    const wanted = (key: 'captured' | 'refunded' | 'disputed') =>
      Object.values(expected).reduce((total, order) => total + order[key], 0);
    expect([sum('capture'), sum('refund'), sum('dispute')]).toEqual([
      wanted('captured'),
      wanted('refunded'),
      wanted('disputed'),
    ]);

    // Earnings: each paid order's parts credited at the vendor's rate; refunds take gross and commission back.
    const paidOrders = await Promise.all(
      [orders[0]!, partly, cancelled, disputed].map((order) => adminOrder(order.id)),
    );
    for (const [vendor, rate] of [
      [vendorA, 1000],
      [vendorB, 1200],
    ] as const) {
      const earnings = await earningsOf(vendor);
      expect(earnings.commissionRateBps).toBe(rate);
      const parts = paidOrders.flatMap((order) => order.parts).filter((part) => part.vendorId === vendor.id);
      const sales = earnings.data.filter((entry) => entry.kind === 'sale');
      expect(sales.map((entry) => entry.gross.amount).sort()).toEqual(parts.map((part) => part.total.amount).sort());
      for (const sale of sales) {
        expect(sale.commission.amount).toBe(Math.floor((sale.gross.amount * rate + 5_000) / 10_000));
        expect(sale.net.amount).toBe(sale.gross.amount - sale.commission.amount);
      }
      // Fully refunded orders leave nothing; the rest keep their part's net.
      const kept = paidOrders.filter((order) => order.id === orders[0]!.id || order.id === disputed.id);
      const keptNet = sales
        .filter((sale) => kept.some((order) => order.id === sale.orderId))
        .reduce((total, sale) => total + sale.net.amount, 0);
      expect(earnings.balance.amount).toBe(keptNet);
      expect(earnings.data.every((entry) => entry.net.amount === entry.gross.amount - entry.commission.amount)).toBe(
        true,
      );
    }
    const balances = await request(server.app).get('/api/admin/vendors/earnings').set(auth(admin.accessToken));
    const listed = balances.body.data as { vendorId: string; balance: { amount: number } }[];
    for (const vendor of [vendorA, vendorB]) {
      expect(listed.find((row) => row.vendorId === vendor.id)?.balance.amount).toBe(
        (await earningsOf(vendor)).balance.amount,
      );
    }

    // The restock returned order 2's units once; cancelled and expired orders returned theirs.
    const stock = async (which: 'a' | 'b', vendor: SignedInUser) =>
      (await request(server.app).get(`/api/vendor/products/${products[which]}`).set(auth(vendor.accessToken))).body
        .variants[0].stock as number;
    expect(await stock('a', vendorA)).toBe(500 - 2 - 3); // orders 1 and 4 keep theirs
    expect(await stock('b', vendorB)).toBe(500 - 1); // order 1 keeps its unit

    // The buyer heard of each refund.
    await mailbox.waitFor(buyer.email, new RegExp(`Refund for ${partly.number}`));
    await mailbox.waitFor(buyer.email, new RegExp(`Refund for ${cancelled.number}`));
  });

  it('tells the buyer when a card payment fails, and shows vendors only their own earnings', async () => {
    const order = await place([['a', 1]], 'stripe');
    const intent = await request(server.app)
      .post('/api/payments/create-intent')
      .set(auth(buyer.accessToken))
      .send({ orderId: order.id });
    const failed = stripe.fail(intent.body.paymentIntentId as string);
    const event = stripe.event('payment_intent.payment_failed', failed);
    const delivered = await deliverStripeEvent(server.app, event);
    expect(delivered.body.outcome).toBe('processed');
    await mailbox.waitFor(buyer.email, new RegExp(`Payment for ${order.number} did not go through`));

    const mine = await earningsOf(vendorA);
    expect(mine.data.length).toBeGreaterThan(0);
    expect(new Set(mine.data.map((entry) => entry.vendorId))).toEqual(new Set([vendorA.id]));
    expect((await request(server.app).get('/api/vendor/earnings').set(auth(buyer.accessToken))).status).toBe(403);
    expect((await request(server.app).get('/api/admin/payments').set(auth(vendorA.accessToken))).status).toBe(403);
  });
});
