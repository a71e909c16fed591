/**
 * The unit of work around stock: `reserveStock` inside `inTransaction`. A rolled-back write changes no stock and retires
 * no cache entry (its after-commit effects never run); a committed one does both; reservations that list the same
 * products in opposite orders never deadlock, because reserveStock orders its locks itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMyProduct, getProduct, listInventoryMovements, type Product } from '@emporium/sdk';
import { inTransaction, reserveStock, systemCtx, type StockLine } from '@emporium/server';
import { makeCategory, makeProduct, publish, uniqueSku, usd } from '../support/catalog';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let server: TestServer;
let vendor: SignedInUser;
let admin: SignedInUser;
let categoryId: string;

beforeAll(async () => {
  server = await startTestServer({ env: ADMIN_ENV });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  vendor = await makeUser(server, 'vendor');
  categoryId = await makeCategory(server, admin, 'Lamps');
});
afterAll(async () => server.close());

async function publishedWithStock(stock: number): Promise<Product> {
  const draft = await makeProduct(server, vendor, {
    categoryId,
    variants: [{ sku: uniqueSku(), price: usd(2500), stock }],
  });
  return publish(server, vendor, admin, draft.id);
}

const lineOf = (product: Product, quantity: number): StockLine => ({
  productId: product.id,
  variantId: product.variants[0]!.id,
  quantity,
});

/** The stock as the database has it (the vendor's view is never cached). */
async function stockOf(product: Product): Promise<number> {
  const { data } = await getMyProduct({ client: server.clientFor(vendor.accessToken), path: { id: product.id } });
  return data!.variants[0]!.stock;
}

/** The generation of a cache family: a retirement moves it. */
const generation = (family: string) => server.deps.store.get(`${family}:generation`);

async function saleMovements(product: Product): Promise<number> {
  const { data } = await listInventoryMovements({
    client: server.clientFor(vendor.accessToken),
    path: { id: product.id },
  });
  return data!.data.filter((movement) => movement.reason === 'sale').length;
}

const sale = { reason: 'sale', actorId: null } as const;

describe('reserveStock in a transaction', () => {
  it('changes no stock and retires no cache entry when the transaction rolls back', async () => {
    const product = await publishedWithStock(5);
    await getProduct({ client: server.client, path: { id: product.id } }); // cache the public detail
    const detailBefore = await generation(`catalog:product:${product.id}`);
    const listsBefore = await generation('catalog:lists');

    await expect(
      inTransaction(systemCtx(server.deps, 'test'), async (tx) => {
        await reserveStock(tx, [lineOf(product, 5)], sale); // sells out: would retire the detail and the lists
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');

    expect(await stockOf(product)).toBe(5);
    expect(await saleMovements(product)).toBe(0);
    expect(await generation(`catalog:product:${product.id}`)).toBe(detailBefore);
    expect(await generation('catalog:lists')).toBe(listsBefore);
  });

  it('takes all lines or none: a line that cannot be served undoes the others', async () => {
    const [plenty, scarce] = await Promise.all([publishedWithStock(10), publishedWithStock(1)]);
    await expect(
      inTransaction(systemCtx(server.deps, 'test'), (tx) =>
        reserveStock(tx, [lineOf(plenty, 3), lineOf(scarce, 2)], sale),
      ),
    ).rejects.toMatchObject({ code: 'insufficient_stock' });
    expect(await stockOf(plenty)).toBe(10);
    expect(await stockOf(scarce)).toBe(1);
  });

  it('retires the product detail after the commit, and the lists when the product sells out', async () => {
    const product = await publishedWithStock(3);
    const detailBefore = Number((await generation(`catalog:product:${product.id}`)) ?? 0);
    const listsBefore = Number((await generation('catalog:lists')) ?? 0);

    await inTransaction(systemCtx(server.deps, 'test'), (tx) => reserveStock(tx, [lineOf(product, 1)], sale));
    expect(await stockOf(product)).toBe(2);
    expect(Number(await generation(`catalog:product:${product.id}`))).toBe(detailBefore + 1);
    expect(Number((await generation('catalog:lists')) ?? 0)).toBe(listsBefore); // still in stock: lists stand

    await inTransaction(systemCtx(server.deps, 'test'), (tx) => reserveStock(tx, [lineOf(product, 2)], sale));
    expect(await stockOf(product)).toBe(0);
    expect(Number(await generation('catalog:lists'))).toBe(listsBefore + 1); // out of stock: lists retired
    const { data: publicDetail } = await getProduct({ client: server.client, path: { id: product.id } });
    expect(publicDetail!.variants[0]!.stock).toBe(0);
  });

  it('never deadlocks when reservations list the same products in opposite orders', async () => {
    const [first, second] = await Promise.all([publishedWithStock(20), publishedWithStock(20)]);
    const reservations = Array.from({ length: 12 }, (_, index) => {
      const lines = [lineOf(first, 1), lineOf(second, 1)];
      return inTransaction(systemCtx(server.deps, `test-${index}`), (tx) =>
        reserveStock(tx, index % 2 === 0 ? lines : lines.reverse(), sale),
      );
    });
    const outcomes = await Promise.allSettled(reservations);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    expect(await stockOf(first)).toBe(8);
    expect(await stockOf(second)).toBe(8);
  });
});
