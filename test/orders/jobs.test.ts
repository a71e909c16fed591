/**
 * Commerce's background work through the real job worker: the order mails (to a real SMTP server), the removal of
 * guest carts nobody touched, and the audit trail of the admins' order and discount actions.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCategory, makeProduct, publish, uniqueSku, usd } from '../support/catalog';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { auth } from '../support/commerce';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let mailbox: Mailbox;
let server: TestServer;
let admin: SignedInUser;
let vendor: SignedInUser;
let customer: SignedInUser;
let variantId: string;

const address = {
  fullName: 'Mo Mailer',
  line1: '9 Post Road',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};
/** A guest cart untouched for 3 seconds is removed. */
const GUEST_CART_TTL_SECONDS = 3;

async function placeOrder(): Promise<{ id: string; number: string }> {
  const placed = await request(server.app)
    .post('/api/orders')
    .set(auth(customer.accessToken))
    .set('Idempotency-Key', randomUUID())
    .send({ lines: [{ variantId, quantity: 1 }], shippingAddress: address, paymentMethod: 'manual' });
  expect(placed.status).toBe(201);
  return placed.body as { id: string; number: string };
}

const adminSets = (orderId: string, status: string) =>
  request(server.app).put(`/api/admin/orders/${orderId}/status`).set(auth(admin.accessToken)).send({ status });

async function auditOf(targetId: string): Promise<{ action: string; actor_id: string; details: unknown }[]> {
  return server.deps.orm.em
    .fork()
    .execute('select action, actor_id, details from audit_log where target_id = ? order by id', [targetId]);
}

beforeAll(async () => {
  mailbox = await startMailbox();
  server = await startTestServer({
    worker: true,
    env: { ...ADMIN_ENV, SMTP_URL: mailbox.url, GUEST_CART_TTL_DAYS: String(GUEST_CART_TTL_SECONDS / 86_400) },
  });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  [vendor, customer] = await Promise.all([makeUser(server, 'vendor'), makeUser(server, 'customer')]);
  const categoryId = await makeCategory(server, admin, 'Mailed');
  const product = await makeProduct(server, vendor, {
    categoryId,
    name: 'Postcard Set',
    variants: [{ sku: uniqueSku('MAIL'), price: usd(1500), stock: 20 }],
  });
  await publish(server, vendor, admin, product.id);
  variantId = product.variants[0]!.id;
  const shipping = await request(server.app)
    .post('/api/admin/shipping-methods')
    .set(auth(admin.accessToken))
    .send({ name: 'Letter', rate: usd(200) });
  expect(shipping.status).toBe(201);
});

afterAll(async () => {
  await server?.close();
  await mailbox?.close();
});

describe('order mails', () => {
  it('confirm the order, the payment, each shipment with its tracking number, and a cancellation', async () => {
    const order = await placeOrder();
    const confirmation = await mailbox.waitFor(customer.email, new RegExp(`Your Emporium order ${order.number}`));
    expect(confirmation.text).toContain('17.00 USD');
    expect(confirmation.text).toContain('Please pay by');

    expect((await adminSets(order.id, 'paid')).status).toBe(200);
    await mailbox.waitFor(customer.email, new RegExp(`Payment received for ${order.number}`));

    const processing = await request(server.app)
      .put(`/api/vendor/orders/${order.id}/status`)
      .set(auth(vendor.accessToken))
      .send({ status: 'processing' });
    expect(processing.status).toBe(200);
    const shipped = await request(server.app)
      .put(`/api/vendor/orders/${order.id}/status`)
      .set(auth(vendor.accessToken))
      .send({ status: 'shipped', carrier: 'Parcelforce', trackingNumber: 'PF-77-TRACK' });
    expect(shipped.status).toBe(200);
    const shipment = await mailbox.waitFor(customer.email, new RegExp(`Order ${order.number} has shipped`));
    expect(shipment.text).toContain('with Parcelforce');
    expect(shipment.text).toContain('PF-77-TRACK');

    const cancelled = await placeOrder();
    const cancel = await request(server.app)
      .put(`/api/orders/${cancelled.id}/cancel`)
      .set(auth(customer.accessToken))
      .send({ reason: 'changed my mind' });
    expect(cancel.status).toBe(200);
    await mailbox.waitFor(customer.email, new RegExp(`Order ${cancelled.number} was cancelled`));
    // The mails go to the buyer alone.
    expect(mailbox.mails.filter((mail) => mail.to.includes(vendor.email))).toEqual([]);
  });
});

describe('guest carts', () => {
  it(
    'are removed by the expiry job once nobody touched them for GUEST_CART_TTL_DAYS; customers keep theirs',
    {
      timeout: 60_000,
    },
    async () => {
      const guest = await request(server.app).post('/api/cart/items').send({ variantId, quantity: 2 });
      expect(guest.status).toBe(201);
      const token = guest.body.cartToken as string;
      const mine = await request(server.app)
        .post('/api/cart/items')
        .set(auth(customer.accessToken))
        .send({ variantId, quantity: 1 });
      expect(mine.status).toBe(200);

      const cartRows = () => server.deps.orm.em.fork().execute('select id from carts where id = ?', [guest.body.id]);
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

      // Touched (read) every half second for more than twice its lifetime, it stays.
      const touchUntil = Date.now() + 2.5 * GUEST_CART_TTL_SECONDS * 1000;
      while (Date.now() < touchUntil) {
        expect((await request(server.app).get('/api/cart').set('X-Cart-Token', token)).status).toBe(200);
        await sleep(500);
      }
      // Left alone, the job removes it.
      const until = Date.now() + 25_000;
      while ((await cartRows()).length > 0 && Date.now() < until) await sleep(250);
      expect(await cartRows()).toEqual([]);
      const gone = await request(server.app).get('/api/cart').set('X-Cart-Token', token);
      expect(gone.status).toBe(404);
      expect(gone.body.code).toBe('invalid_cart_token');

      const kept = await request(server.app).get('/api/cart').set(auth(customer.accessToken));
      expect(kept.body.lines).toHaveLength(1);
    },
  );
});

describe('audit log', () => {
  it("records the admins' order status changes and discount management, with the admin as actor", async () => {
    const order = await placeOrder();
    expect((await adminSets(order.id, 'paid')).status).toBe(200);
    expect((await adminSets(order.id, 'paid')).status).toBe(409); // refused: rolled back, nothing recorded
    expect((await adminSets(order.id, 'cancelled')).status).toBe(200);
    const orderTrail = await auditOf(order.id);
    expect(orderTrail.map((entry) => [entry.action, entry.actor_id, entry.details])).toEqual([
      ['order.status_set', admin.id, { number: order.number, from: 'pending_payment', to: 'paid', note: null }],
      ['order.status_set', admin.id, { number: order.number, from: 'paid', to: 'cancelled', note: null }],
    ]);

    const code = `AUDIT${randomUUID().slice(0, 6).toUpperCase()}`;
    const created = await request(server.app)
      .post('/api/admin/discounts')
      .set(auth(admin.accessToken))
      .send({ code, kind: 'percentage', percentOff: 10 });
    expect(created.status).toBe(201);
    for (let time = 0; time < 2; time += 1) {
      const disabled = await request(server.app)
        .put(`/api/admin/discounts/${created.body.id}/disable`)
        .set(auth(admin.accessToken))
        .send({});
      expect(disabled.status).toBe(200);
    }
    const discountTrail = await auditOf(created.body.id as string);
    expect(discountTrail.map((entry) => entry.action)).toEqual(['discount.created', 'discount.disabled']);
  });
});
