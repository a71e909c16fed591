/** What commerce tests share: a published variant to sell, a "buy now" order, and waiting for background work. */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { expect } from 'vitest';
import { makeCategory, makeProduct, publish, uniqueSku } from './catalog';
import type { TestServer } from './server';
import { ADMIN, makeUser, signIn, type SignedInUser } from './users';

export const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

export const TEST_ADDRESS = {
  fullName: 'Pat Payer',
  line1: '3 Coin St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
} as const;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads until `done` holds (a job's effect) or the time is up, and answers the last value read. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await sleep(150);
  }
}

/** A published product with one variant, made by `vendor` and approved by `admin`. */
export async function liveVariant(
  server: TestServer,
  people: { vendor: SignedInUser; admin: SignedInUser },
  options: { categoryId: string; stock?: number; price?: number; name?: string; currency?: string },
) {
  const product = await makeProduct(server, people.vendor, {
    categoryId: options.categoryId,
    name: options.name ?? `Thing ${uniqueSku()}`,
    variants: [
      {
        sku: uniqueSku(),
        price: { amount: options.price ?? 2_000, currency: options.currency ?? 'USD' },
        stock: options.stock ?? 50,
      },
    ],
  });
  await publish(server, people.vendor, people.admin, product.id);
  return { productId: product.id, variantId: product.variants[0]!.id };
}

export interface PlacedOrder {
  id: string;
  number: string;
  status: string;
  total: { amount: number };
}

/** `POST /api/orders` ("buy now") with a fresh Idempotency-Key; the test fails unless it is placed. */
export async function buyNow(
  server: TestServer,
  buyer: SignedInUser,
  lines: { variantId: string; quantity: number }[],
  paymentMethod: 'manual' | 'stripe' | 'paypal',
): Promise<PlacedOrder> {
  const placed = await request(server.app)
    .post('/api/orders')
    .set(auth(buyer.accessToken))
    .set('Idempotency-Key', randomUUID())
    .send({ lines, shippingAddress: TEST_ADDRESS, paymentMethod });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  return placed.body as PlacedOrder;
}

export interface Shop {
  admin: SignedInUser;
  vendor: SignedInUser;
  customer: SignedInUser;
  /** Another customer, for isolation checks. */
  stranger: SignedInUser;
  categoryId: string;
}

/** The bootstrap admin (the server needs ADMIN_ENV), a vendor, two customers, a category and a shipping method in the
 * server's CATALOG_CURRENCY (`currency`, USD unless told). */
export async function openShop(
  server: TestServer,
  options: { category: string; shippingRate: number; currency?: string },
): Promise<Shop> {
  const admin = await signIn(server, ADMIN.email, ADMIN.password);
  const [vendor, customer, stranger] = await Promise.all([
    makeUser(server, 'vendor'),
    makeUser(server, 'customer'),
    makeUser(server, 'customer'),
  ]);
  const categoryId = await makeCategory(server, admin, options.category);
  const shipping = await request(server.app)
    .post('/api/admin/shipping-methods')
    .set(auth(admin.accessToken))
    .send({ name: 'Courier', rate: { amount: options.shippingRate, currency: options.currency ?? 'USD' } });
  expect(shipping.status).toBe(201);
  return { admin, vendor, customer, stranger, categoryId };
}
