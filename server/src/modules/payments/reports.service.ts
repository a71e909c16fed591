/** Reads of the money: the ledger for admins, an order's figures, vendors' earnings and balances, commission rates. */
import type { z } from 'zod';
import type {
  LedgerEntry as LedgerEntryDto,
  PaymentListQuery,
  VendorBalance as VendorBalanceDto,
  VendorEarnings as VendorEarningsDto,
} from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { NotFoundError } from '../../platform/errors';
import { afterCursor, idColumn, toPage, type Keyset } from '../../platform/pagination';
import { inTransaction } from '../../platform/unit-of-work';
import { displayNames, activeUserRole } from '../identity';
import { orderForPayment } from '../orders';
import { orderMoney } from './ledger';
import { paymentsAudit } from './payments.audit';
import { CommissionRate, PaymentTransaction, VendorEarning } from './payments.entities';

const money = (amount: number, currency: string) => ({ amount, currency });

function toLedgerDto(row: PaymentTransaction): z.infer<typeof LedgerEntryDto> {
  return {
    id: row.id,
    orderId: row.orderId,
    kind: row.kind,
    provider: row.provider,
    providerReference: row.providerRef,
    amount: money(row.amount, row.currency),
    createdAt: row.createdAt.toISOString(),
  };
}

const NEWEST: Keyset<PaymentTransaction> = { list: 'payments:newest', columns: [idColumn('id')], direction: 'desc' };

export async function listPayments(ctx: AuthenticatedCtx, query: z.infer<typeof PaymentListQuery>) {
  const after = afterCursor(NEWEST, query.cursor);
  const rows = await ctx.em
    .createQueryBuilder(PaymentTransaction)
    .where({
      ...(query.orderId ? { orderId: query.orderId } : {}),
      ...(query.provider ? { provider: query.provider } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.from || query.to
        ? {
            createdAt: {
              ...(query.from ? { $gte: new Date(query.from) } : {}),
              ...(query.to ? { $lt: new Date(query.to) } : {}),
            },
          }
        : {}),
    })
    .andWhere(after.sql, after.params)
    .orderBy({ id: 'desc' })
    .limit(query.limit + 1)
    .getResultList();
  return toPage(NEWEST, rows, query.limit, toLedgerDto);
}

export async function getOrderPayments(ctx: Ctx, orderId: string) {
  const order = await orderForPayment(ctx, orderId);
  const [figures, rows] = await Promise.all([
    orderMoney(ctx, orderId),
    ctx.em.find(PaymentTransaction, { orderId }, { orderBy: { id: 'asc' } }),
  ]);
  return {
    orderId,
    captured: money(figures.captured, order.currency),
    refunded: money(figures.refunded, order.currency),
    disputed: money(figures.disputed, order.currency),
    balance: money(figures.captured - figures.refunded - figures.disputed, order.currency),
    transactions: rows.map(toLedgerDto),
  };
}

async function commissionOf(ctx: Ctx, vendorId: string): Promise<number> {
  const rate = await ctx.em.findOne(CommissionRate, { vendorId }, { refresh: true });
  return rate?.rateBps ?? ctx.deps.config.PLATFORM_COMMISSION_BPS;
}

async function balanceOf(ctx: Ctx, vendorId: string): Promise<number> {
  const [row] = await ctx.em.execute<{ balance: string }[]>(
    'select coalesce(sum(net), 0) as balance from vendor_earnings where vendor_id = ?',
    [vendorId],
  );
  return Number(row?.balance ?? 0);
}

const EARNINGS: Keyset<VendorEarning> = { list: 'earnings:newest', columns: [idColumn('id')], direction: 'desc' };

export async function getMyEarnings(
  ctx: AuthenticatedCtx,
  query: { limit: number; cursor?: string | undefined },
): Promise<z.infer<typeof VendorEarningsDto>> {
  const vendorId = ctx.actor.userId;
  const currency = ctx.deps.config.CATALOG_CURRENCY;
  const after = afterCursor(EARNINGS, query.cursor);
  const rows = await ctx.em
    .createQueryBuilder(VendorEarning)
    .where({ vendorId })
    .andWhere(after.sql, after.params)
    .orderBy({ id: 'desc' })
    .limit(query.limit + 1)
    .getResultList();
  const page = toPage(EARNINGS, rows, query.limit, (row) => ({
    id: row.id,
    vendorId: row.vendorId,
    orderId: row.orderId,
    kind: row.kind,
    gross: money(row.gross, row.currency),
    commission: money(row.commission, row.currency),
    net: money(row.net, row.currency),
    createdAt: row.createdAt.toISOString(),
  }));
  const [commissionRateBps, balance] = await Promise.all([commissionOf(ctx, vendorId), balanceOf(ctx, vendorId)]);
  return { vendorId, commissionRateBps, balance: money(balance, currency), ...page };
}

const BALANCES: Keyset<{ vendor_id: string }> = {
  list: 'vendor-balances',
  columns: [{ ...idColumn('vendor_id'), of: (row) => row.vendor_id }],
  direction: 'asc',
};

export async function listVendorBalances(ctx: AuthenticatedCtx, query: { limit: number; cursor?: string | undefined }) {
  const after = afterCursor(BALANCES, query.cursor);
  const rows = await ctx.em.execute<{ vendor_id: string; balance: string; rate_bps: number | null }[]>(
    `select e.vendor_id, sum(e.net) as balance, r.rate_bps
       from vendor_earnings e left join commission_rates r on r.vendor_id = e.vendor_id
      where ${after.sql}
      group by e.vendor_id, r.rate_bps order by e.vendor_id asc limit ?`,
    [...after.params, query.limit + 1],
  );
  const names = await displayNames(
    ctx,
    rows.map((row) => row.vendor_id),
  );
  const currency = ctx.deps.config.CATALOG_CURRENCY;
  return toPage(BALANCES, rows, query.limit, (row): z.infer<typeof VendorBalanceDto> => ({
    vendorId: row.vendor_id,
    vendorName: names.get(row.vendor_id) ?? '',
    commissionRateBps: row.rate_bps ?? ctx.deps.config.PLATFORM_COMMISSION_BPS,
    balance: money(Number(row.balance), currency),
  }));
}

export async function setVendorCommission(
  ctx: AuthenticatedCtx,
  vendorId: string,
  rateBps: number,
): Promise<z.infer<typeof VendorBalanceDto>> {
  if ((await activeUserRole(ctx, vendorId)) !== 'vendor') throw new NotFoundError('vendor');
  await inTransaction(ctx, async (tx) => {
    await tx.em.execute(
      `insert into commission_rates (vendor_id, rate_bps, updated_at) values (?, ?, now())
       on conflict (vendor_id) do update set rate_bps = excluded.rate_bps, updated_at = now()`,
      [vendorId, rateBps],
    );
    paymentsAudit.record(tx, { action: 'commission.set', targetId: vendorId, details: { rateBps } });
    await tx.em.flush();
  });
  const names = await displayNames(ctx, [vendorId]);
  return {
    vendorId,
    vendorName: names.get(vendorId) ?? '',
    commissionRateBps: rateBps,
    balance: money(await balanceOf(ctx, vendorId), ctx.deps.config.CATALOG_CURRENCY),
  };
}
