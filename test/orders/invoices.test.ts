import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobWorker } from '@emporium/server';
import { makeCategory, makeProduct, publish, uniqueSku, usd } from '../support/catalog';
import { auth } from '../support/commerce';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let server: TestServer;
let admin: SignedInUser;
let vendor: SignedInUser;
let customer: SignedInUser;
let stranger: SignedInUser;
let categoryId: string;

const address = {
  fullName: 'Ada Invoice',
  line1: '1 Ledger Lane',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};
const standardFonts = join(
  dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')),
  'standard_fonts/',
);

/** The text of every page of a PDF, as a PDF reader extracts it. */
async function pdfText(pdf: Buffer): Promise<string> {
  const document = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl: standardFonts }).promise;
  const pages: string[] = [];
  for (let number = 1; number <= document.numPages; number += 1) {
    const content = await (await document.getPage(number)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await document.cleanup();
  return pages.join('\n');
}

const binary = (res: request.Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

function getInvoice(orderId: string, token: string) {
  return request(server.app).get(`/api/orders/${orderId}/invoice`).set(auth(token)).buffer(true).parse(binary);
}

async function placeOrder(lines: { variantId: string; quantity: number }[]): Promise<{ id: string; number: string }> {
  const placed = await request(server.app)
    .post('/api/orders')
    .set(auth(customer.accessToken))
    .set('Idempotency-Key', randomUUID())
    .send({ lines, shippingAddress: address, paymentMethod: 'manual' });
  expect(placed.status).toBe(201);
  return placed.body as { id: string; number: string };
}

const markPaid = (orderId: string) =>
  request(server.app)
    .put(`/api/admin/orders/${orderId}/status`)
    .set(auth(admin.accessToken))
    .send({ status: 'paid', note: 'bank transfer' });

async function liveProduct(name: string, price: number, options?: Record<string, string>) {
  const product = await makeProduct(server, vendor, {
    categoryId,
    name,
    options: Object.entries(options ?? {}).map(([option, value]) => ({ name: option, values: [value] })),
    variants: [{ sku: uniqueSku('INV'), price: usd(price), stock: 50, ...(options ? { options } : {}) }],
  });
  await publish(server, vendor, admin, product.id);
  return product;
}

beforeAll(async () => {
  // No worker at first: an invoice stays "being made" until the test starts one.
  server = await startTestServer({ env: { ...ADMIN_ENV, INVOICE_SELLER: 'Emporium Test Marketplace Ltd' } });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  [vendor, customer, stranger] = await Promise.all([
    makeUser(server, 'vendor'),
    makeUser(server, 'customer'),
    makeUser(server, 'customer'),
  ]);
  categoryId = await makeCategory(server, admin, 'Invoiced');
  const shipping = await request(server.app)
    .post('/api/admin/shipping-methods')
    .set(auth(admin.accessToken))
    .send({ name: 'Parcel', rate: usd(450) });
  expect(shipping.status).toBe(201);
  const tax = await request(server.app)
    .put('/api/admin/tax-rates/US')
    .set(auth(admin.accessToken))
    .send({ rateBps: 825 });
  expect(tax.status).toBe(200);
});

afterAll(async () => {
  await server?.close();
});

describe('invoice numbers', () => {
  it('are issued on payment, gapless and unique per year, also for payments made at the same moment', async () => {
    const product = await liveProduct(`Counted ${uniqueSku()}`, 500);
    const orders = await Promise.all(
      Array.from({ length: 8 }, () => placeOrder([{ variantId: product.variants[0]!.id, quantity: 1 }])),
    );

    const unpaid = await getInvoice(orders[0]!.id, customer.accessToken);
    expect(unpaid.status).toBe(409);
    expect(unpaid.headers['content-type']).toContain('application/problem+json');

    const paid = await Promise.all(orders.map((order) => markPaid(order.id)));
    expect(paid.map((answer) => answer.status)).toEqual(orders.map(() => 200));
    const numbers = paid.map((answer) => answer.body.invoiceNumber as string);
    const year = new Date().getUTCFullYear();
    for (const number of numbers) expect(number).toMatch(new RegExp(`^INV-${year}-\\d{6}$`));
    const sequences = numbers.map((number) => Number(number.slice(-6))).sort((a, b) => a - b);
    expect(sequences).toEqual(sequences.map((_, index) => sequences[0]! + index));

    // A refused transition (paying a paid order) rolls back and takes no number.
    const again = await markPaid(orders[0]!.id);
    expect(again.status).toBe(409);
    const next = await placeOrder([{ variantId: product.variants[0]!.id, quantity: 1 }]);
    const nextPaid = await markPaid(next.id);
    expect(Number((nextPaid.body.invoiceNumber as string).slice(-6))).toBe(sequences.at(-1)! + 1);

    const shown = await request(server.app).get(`/api/orders/${next.id}`).set(auth(customer.accessToken));
    expect(shown.body.invoiceNumber).toBe(nextPaid.body.invoiceNumber);
  });
});

describe('GET /api/orders/{id}/invoice', () => {
  it('answers 202 while the PDF is made, then the PDF with the number, the lines and the totals', async () => {
    const lamp = await liveProduct('Brass Desk Lamp', 4_999, { colour: 'Brass' });
    const shade = await liveProduct('Linen Lamp Shade', 1_250);
    const order = await placeOrder([
      { variantId: lamp.variants[0]!.id, quantity: 2 },
      { variantId: shade.variants[0]!.id, quantity: 3 },
    ]);
    const paid = await markPaid(order.id);
    expect(paid.status).toBe(200);
    const invoiceNumber = paid.body.invoiceNumber as string;

    const pending = await request(server.app).get(`/api/orders/${order.id}/invoice`).set(auth(customer.accessToken));
    expect(pending.status).toBe(202);
    expect(pending.headers['retry-after']).toMatch(/^\d+$/);
    expect(pending.body).toMatchObject({ invoiceNumber, status: 'generating' });

    // Others: another customer's order is not found; vendors cannot use the route at all.
    expect((await getInvoice(order.id, stranger.accessToken)).status).toBe(404);
    expect((await getInvoice(order.id, vendor.accessToken)).status).toBe(403);
    expect((await getInvoice(randomUUID(), customer.accessToken)).status).toBe(404);

    const worker = await startJobWorker(server.runtime);
    let ready: request.Response | undefined;
    try {
      for (let attempt = 0; attempt < 80 && ready?.status !== 200; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250));
        ready = await getInvoice(order.id, customer.accessToken);
      }
    } finally {
      await worker.stop();
    }
    expect(ready!.status).toBe(200);
    expect(ready!.headers['content-type']).toBe('application/pdf');
    expect(ready!.headers['content-disposition']).toBe(`attachment; filename="${invoiceNumber}.pdf"`);
    const pdf = ready!.body as Buffer;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    const text = await pdfText(pdf);
    const totals = paid.body as { total: { amount: number }; taxTotal: { amount: number } };
    const money = (minor: number) => `${(minor / 100).toFixed(2)} USD`;
    expect(text).toContain(`Invoice ${invoiceNumber}`);
    expect(text).toContain(order.number);
    expect(text).toContain('Emporium Test Marketplace Ltd');
    expect(text).toContain('Ada Invoice');
    expect(text).toContain(customer.email);
    expect(text).toContain('Sold by Test vendor');
    expect(text).toContain('Brass Desk Lamp (colour: Brass)');
    expect(text).toContain(`SKU ${lamp.variants[0]!.sku}`);
    expect(text).toContain('Linen Lamp Shade');
    expect(text).toContain(money(4_999));
    expect(text).toContain(money(totals.taxTotal.amount));
    expect(text).toContain(money(totals.total.amount));

    // Admins get it too, the same bytes.
    const forAdmin = await getInvoice(order.id, admin.accessToken);
    expect(forAdmin.status).toBe(200);
    expect(Buffer.compare(forAdmin.body as Buffer, pdf)).toBe(0);

    // Editing and archiving the products later changes neither the order nor its invoice.
    const edit = await request(server.app)
      .put(`/api/products/${lamp.id}`)
      .set(auth(vendor.accessToken))
      .send({ name: 'Renamed Lamp', categoryId, variants: [{ sku: lamp.variants[0]!.sku, price: usd(1) }] });
    expect(edit.status).toBe(200);
    expect((await request(server.app).delete(`/api/products/${shade.id}`).set(auth(vendor.accessToken))).status).toBe(
      204,
    );
    const afterwards = await getInvoice(order.id, customer.accessToken);
    expect(Buffer.compare(afterwards.body as Buffer, pdf)).toBe(0);
    expect(await pdfText(afterwards.body as Buffer)).not.toContain('Renamed Lamp');

    // The PDF is private: nothing under /media reaches it, whatever the path.
    const year = invoiceNumber.slice(4, 8);
    for (const path of [
      `/media/invoices/${year}/${invoiceNumber.toLowerCase()}.pdf`,
      `/media/products/../invoices/${year}/${invoiceNumber.toLowerCase()}.pdf`,
    ]) {
      expect((await request(server.app).get(path)).status).toBe(404);
    }
  });
});
