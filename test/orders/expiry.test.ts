import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, usd } from '../support/catalog';
import { auth, buyNow, eventually, liveVariant } from '../support/commerce';
import { startTestServer, type TestServer } from '../support/server';
import { startFakeStripe, type FakeStripe } from '../support/stripe-server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let stripe: FakeStripe;
let server: TestServer;
let admin: SignedInUser;
let vendor: SignedInUser;
let customer: SignedInUser;

const address = { fullName: 'Ann Buyer', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };

beforeAll(async () => {
  // A 3-second payment deadline, the job worker running, and Stripe (a local server speaking its API).
  stripe = await startFakeStripe();
  server = await startTestServer({
    worker: true,
    env: {
      ...ADMIN_ENV,
      ORDER_PAYMENT_TIMEOUT_MINUTES: '0.05',
      ...stripe.env,
    },
  });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  [vendor, customer] = await Promise.all([makeUser(server, 'vendor'), makeUser(server, 'customer')]);
  const shipping = await request(server.app)
    .post('/api/admin/shipping-methods')
    .set(auth(admin.accessToken))
    .send({ name: 'Standard', rate: usd(500) });
  expect(shipping.status).toBe(201);
});

afterAll(async () => {
  await server?.close();
  await stripe?.close();
});

async function stockOf(productId: string): Promise<number> {
  const product = await request(server.app).get(`/api/vendor/products/${productId}`).set(auth(vendor.accessToken));
  return (product.body as { variants: { stock: number }[] }).variants[0]!.stock;
}

describe('payment deadline', () => {
  it('expires an unpaid order at its deadline and gives back its stock and discount use', async () => {
    const categoryId = await makeCategory(server, admin, 'Expiry');
    const { productId, variantId } = await liveVariant(
      server,
      { vendor, admin },
      { categoryId, price: 2000, stock: 4 },
    );
    const code = `SOON${randomUUID().slice(0, 6)}`;
    const discount = await request(server.app)
      .post('/api/admin/discounts')
      .set(auth(admin.accessToken))
      .send({ code, kind: 'percentage', percentOff: 25, usageLimit: 1 });
    expect(discount.status).toBe(201);

    const placed = await request(server.app)
      .post('/api/orders')
      .set(auth(customer.accessToken))
      .set('Idempotency-Key', randomUUID())
      .send({
        shippingAddress: address,
        paymentMethod: 'manual',
        discountCode: code,
        lines: [{ variantId: variantId, quantity: 3 }],
      });
    expect(placed.status).toBe(201);
    expect(placed.body.discountTotal.amount).toBe(1500);
    expect(await stockOf(productId)).toBe(1);
    const deadline = Date.parse(placed.body.paymentDeadline as string);
    expect(deadline - Date.now()).toBeLessThan(4000);

    const expired = await eventually(
      async () =>
        (await request(server.app).get(`/api/orders/${placed.body.id}`).set(auth(customer.accessToken))).body as {
          status: string;
          history: unknown[];
        },
      (order) => order.status === 'expired',
    );
    expect(expired.status).toBe('expired');
    expect(Date.now()).toBeGreaterThanOrEqual(deadline);
    expect(expired.history.at(-1)).toMatchObject({ from: 'pending_payment', to: 'expired', actorRole: 'system' });
    expect(await stockOf(productId)).toBe(4);
    const discounts = await request(server.app).get('/api/admin/discounts').set(auth(admin.accessToken));
    expect(
      (discounts.body.data as { code: string; uses: number }[]).find((d) => d.code === code.toUpperCase())!.uses,
    ).toBe(0);

    // Paid in time, an order does not expire.
    const paid = await buyNow(server, customer, [{ variantId: variantId, quantity: 1 }], 'manual');
    const marked = await request(server.app)
      .put(`/api/admin/orders/${paid.id}/status`)
      .set(auth(admin.accessToken))
      .send({ status: 'paid', note: 'bank transfer received' });
    expect(marked.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const later = await request(server.app).get(`/api/orders/${paid.id}`).set(auth(customer.accessToken));
    expect(later.body.status).toBe('paid');
    expect(await stockOf(productId)).toBe(3);
  }, 60_000);

  it('cancels the Stripe intent of an order that expired unpaid', async () => {
    const categoryId = await makeCategory(server, admin, 'Expiry by card');
    const { variantId } = await liveVariant(server, { vendor, admin }, { categoryId, price: 1200, stock: 2 });
    const placed = await buyNow(server, customer, [{ variantId: variantId, quantity: 1 }], 'stripe');
    const intent = await request(server.app)
      .post('/api/payments/create-intent')
      .set(auth(customer.accessToken))
      .send({ orderId: placed.id });
    expect(intent.status).toBe(200);
    const intentId = intent.body.paymentIntentId as string;
    expect(stripe.intents.get(intentId)!.status).toBe('requires_payment_method');
    const status = await eventually(
      async () => stripe.intents.get(intentId)!.status,
      (now) => now === 'canceled',
    );
    expect(status).toBe('canceled');
    const order = await request(server.app).get(`/api/orders/${placed.id}`).set(auth(customer.accessToken));
    expect(order.body.status).toBe('expired');
  }, 30_000);
});
