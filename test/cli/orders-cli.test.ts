/**
 * The commerce commands end to end (`orders`, `discounts`): the CLI as a child process logged in as the bootstrap
 * admin; the order is placed through the API as a storefront would.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Discount, Order, OrderSummary } from '@emporium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyNow, liveVariant, openShop } from '../support/commerce';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV } from '../support/users';
import { CLI_TIMEOUT, parseJson, runCli } from './cli-runner';

describe('emporium CLI: orders and discounts', () => {
  let server: TestServer;
  let configHome: string;
  let orderId: string;
  const cli = (args: string[]) => runCli(['--url', server.baseUrl, ...args], { configHome });

  beforeAll(async () => {
    server = await startTestServer({ worker: true, env: ADMIN_ENV });
    configHome = await mkdtemp(join(tmpdir(), 'emporium-cli-'));
    const login = await runCli(['--url', server.baseUrl, 'login', '--email', ADMIN.email], {
      configHome,
      env: { EMPORIUM_PASSWORD: ADMIN.password },
    });
    expect(login.code, login.stderr).toBe(0);
    const shop = await openShop(server, { category: 'CLI orders', shippingRate: 500 });
    const { variantId } = await liveVariant(server, shop, { categoryId: shop.categoryId, price: 1500, stock: 3 });
    orderId = (await buyNow(server, shop.customer, [{ variantId, quantity: 1 }], 'manual')).id;
  });

  afterAll(async () => {
    await server?.close();
    if (configHome) await rm(configHome, { recursive: true, force: true });
  });

  it(
    'lists, shows, marks paid and cancels an order',
    async () => {
      const list = await cli(['orders', 'list', '--status', 'pending_payment', '--json']);
      expect(list.code, list.stderr).toBe(0);
      expect(parseJson<{ data: OrderSummary[] }>(list).data.map((order) => order.id)).toEqual([orderId]);
      const table = await cli(['orders', 'list']);
      expect(table.stdout).toMatch(/^NUMBER\s+STATUS\s+TOTAL/m);
      expect(table.stdout).toContain('20.00 USD');
      const show = await cli(['orders', 'show', orderId]);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toContain('pending_payment');
      const paid = await cli(['orders', 'status', orderId, 'paid', '--note', 'wire received', '--json']);
      expect(paid.code, paid.stderr).toBe(0);
      expect(parseJson<Order>(paid).status).toBe('paid');
      const pdfFile = join(configHome, 'invoice.pdf');
      const invoice = await cli(['orders', 'invoice', orderId, '--out', pdfFile, '--json']);
      expect(invoice.code, invoice.stderr).toBe(0);
      const written = await readFile(pdfFile);
      expect(parseJson<{ file: string; bytes: number }>(invoice)).toEqual({ file: pdfFile, bytes: written.length });
      expect(written.subarray(0, 5).toString()).toBe('%PDF-');
      const bad = await cli(['orders', 'status', orderId, 'delivered']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('invalid_status_transition');
      const cancelled = await cli(['orders', 'cancel', orderId, '--json']);
      expect(cancelled.code, cancelled.stderr).toBe(0);
      expect(parseJson<Order>(cancelled).status).toBe('cancelled');
    },
    CLI_TIMEOUT * 7,
  );

  it(
    'creates, lists and disables discount codes',
    async () => {
      const created = await cli(['discounts', 'create', 'spring-10', '--percent', '10', '--limit', '5', '--json']);
      expect(created.code, created.stderr).toBe(0);
      const discount = parseJson<Discount>(created);
      expect(discount).toMatchObject({ code: 'SPRING-10', percentOff: 10, usageLimit: 5, disabled: false });
      const both = await cli(['discounts', 'create', 'x-1', '--percent', '10', '--amount', '100']);
      expect(both.code).not.toBe(0);
      const list = await cli(['discounts', 'list']);
      expect(list.stdout).toMatch(/SPRING-10\s+10 %\s+0\/5\s+no/);
      const disabled = await cli(['discounts', 'disable', discount.id, '--json']);
      expect(parseJson<Discount>(disabled).disabled).toBe(true);
    },
    CLI_TIMEOUT * 4,
  );
});
