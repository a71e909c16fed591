/**
 * The money commands end to end (`payments list`, `orders refund`, `orders payments`, `vendors earnings`,
 * `vendors commission`): the CLI as a child process logged in as the bootstrap admin, against a manual order the
 * admin marked paid (a `manual` capture in the ledger, refunded without any provider call).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { LedgerEntry, OrderPayments, Refund, VendorBalance } from '@emporium/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buyNow, liveVariant, openShop } from '../support/commerce';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, type SignedInUser } from '../support/users';
import { CLI_TIMEOUT, parseJson, runCli } from './cli-runner';

describe('emporium CLI: payments, refunds and vendor earnings', () => {
  let server: TestServer;
  let configHome: string;
  let vendor: SignedInUser;
  let orderId: string;
  const cli = (args: string[]) => runCli(['--url', server.baseUrl, ...args], { configHome });

  beforeAll(async () => {
    server = await startTestServer({ env: ADMIN_ENV });
    configHome = await mkdtemp(join(tmpdir(), 'emporium-cli-'));
    const login = await runCli(['--url', server.baseUrl, 'login', '--email', ADMIN.email], {
      configHome,
      env: { EMPORIUM_PASSWORD: ADMIN.password },
    });
    expect(login.code, login.stderr).toBe(0);
    const shop = await openShop(server, { category: 'CLI payments', shippingRate: 500 });
    const { variantId } = await liveVariant(server, shop, { categoryId: shop.categoryId, price: 1500, stock: 3 });
    orderId = (await buyNow(server, shop.customer, [{ variantId, quantity: 1 }], 'manual')).id;
    vendor = shop.vendor;
    const paid = await request(server.app)
      .put(`/api/admin/orders/${orderId}/status`)
      .set('Authorization', `Bearer ${shop.admin.accessToken}`)
      .send({ status: 'paid' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    if (configHome) await rm(configHome, { recursive: true, force: true });
  });

  it(
    'refunds part of a paid order once per idempotency key and shows the ledger and the order money',
    async () => {
      const key = randomUUID();
      const refundArgs = ['orders', 'refund', orderId, '--amount', '700', '--reason', 'Scratched', '--restock'];
      const refunded = await cli([...refundArgs, '--idempotency-key', key, '--json']);
      expect(refunded.code, refunded.stderr).toBe(0);
      const refund = parseJson<Refund>(refunded);
      expect(refund).toMatchObject({
        orderId,
        provider: 'manual',
        amount: { amount: 700, currency: 'USD' },
        status: 'succeeded',
        restocked: true,
        orderStatus: 'partially_refunded',
      });
      // A script retrying with the same key gets the same refund back, not a second one.
      const retried = await cli([...refundArgs, '--idempotency-key', key, '--json']);
      expect(retried.code, retried.stderr).toBe(0);
      expect(parseJson<Refund>(retried).id).toBe(refund.id);
      const tooMuch = await cli(['orders', 'refund', orderId, '--amount', '5000', '--reason', 'All of it']);
      expect(tooMuch.code).toBe(1);
      expect(tooMuch.stderr).toContain('refund_exceeds_captured');
      const noReason = await cli(['orders', 'refund', orderId, '--amount', '100']);
      expect(noReason.code).toBe(2);

      const money = await cli(['orders', 'payments', orderId, '--json']);
      expect(money.code, money.stderr).toBe(0);
      const figures = parseJson<OrderPayments>(money);
      expect(figures).toMatchObject({
        captured: { amount: 2000 },
        refunded: { amount: 700 },
        disputed: { amount: 0 },
        balance: { amount: 1300 },
      });
      expect(figures.transactions.map((entry) => entry.kind)).toEqual(['capture', 'refund']);
      const moneyTable = await cli(['orders', 'payments', orderId]);
      expect(moneyTable.stdout).toMatch(/^Balance\s+13\.00 USD$/m);
      expect(moneyTable.stdout).toMatch(/refund\s+manual\s+7\.00 USD/);

      const list = await cli(['payments', 'list', '--order', orderId, '--kind', 'refund', '--json']);
      expect(list.code, list.stderr).toBe(0);
      const refunds = parseJson<{ data: LedgerEntry[]; nextCursor: string | null }>(list);
      expect(refunds.data.map((entry) => [entry.kind, entry.provider, entry.amount.amount])).toEqual([
        ['refund', 'manual', 700],
      ]);
      const paged = await cli(['payments', 'list', '--provider', 'manual', '--limit', '1', '--json']);
      const first = parseJson<{ data: LedgerEntry[]; nextCursor: string | null }>(paged);
      expect(first.data).toHaveLength(1);
      expect(first.nextCursor).not.toBeNull();
      const all = await cli(['payments', 'list', '--provider', 'manual', '--from', '2020-01-01', '--all', '--json']);
      expect(parseJson<{ data: LedgerEntry[] }>(all).data.map((entry) => entry.kind)).toEqual(['refund', 'capture']);
      const none = await cli(['payments', 'list', '--to', '2020-01-01']);
      expect(none.stdout.trim()).toBe('No payments found.');
      const badTime = await cli(['payments', 'list', '--from', 'yesterday-ish']);
      expect(badTime.code).toBe(2);
    },
    CLI_TIMEOUT * 10,
  );

  it(
    "lists vendors' balances and sets a commission rate",
    async () => {
      const earnings = await cli(['vendors', 'earnings', '--all', '--json']);
      expect(earnings.code, earnings.stderr).toBe(0);
      const balance = parseJson<{ data: VendorBalance[] }>(earnings).data.find((row) => row.vendorId === vendor.id);
      expect(balance?.balance.currency).toBe('USD');
      const set = await cli(['vendors', 'commission', vendor.id, '1250', '--json']);
      expect(set.code, set.stderr).toBe(0);
      expect(parseJson<VendorBalance>(set)).toMatchObject({ vendorId: vendor.id, commissionRateBps: 1250 });
      const table = await cli(['vendors', 'earnings']);
      expect(table.stdout).toMatch(/^VENDOR\s+COMMISSION\s+BALANCE\s+ID/m);
      expect(table.stdout).toMatch(new RegExp(`12\\.50 %\\s+\\S+ USD\\s+${vendor.id}`));
      const outOfRange = await cli(['vendors', 'commission', vendor.id, '10001']);
      expect(outOfRange.code).toBe(2);
      const notVendor = await cli(['vendors', 'commission', randomUUID(), '100']);
      expect(notVendor.code).toBe(1);
      expect(notVendor.stderr).toContain('not_found');
    },
    CLI_TIMEOUT * 6,
  );
});
