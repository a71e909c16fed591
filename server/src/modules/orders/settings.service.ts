/** Admin configuration of commerce: discount codes, shipping methods, tax rates. */
import type { z } from 'zod';
import type { DiscountInput, ShippingMethodInput } from '@emporium/contract';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { NotFoundError, ValidationError } from '../../platform/errors';
import { afterCursor, idColumn, toPage, type Keyset } from '../../platform/pagination';
import { inTransaction } from '../../platform/unit-of-work';
import { ordersAudit } from './orders.audit';
import { Discount, ShippingMethod, TaxRate } from './orders.entities';
import { money } from './orders.mapper';

function toDiscountDto(discount: Discount, currency: string) {
  const cur = discount.currency ?? currency;
  return {
    id: discount.id,
    code: discount.code,
    kind: discount.kind,
    percentOff: discount.percentOff ?? null,
    amountOff: discount.amountOff === null || discount.amountOff === undefined ? null : money(discount.amountOff, cur),
    minSubtotal:
      discount.minSubtotal === null || discount.minSubtotal === undefined ? null : money(discount.minSubtotal, cur),
    startsAt: discount.startsAt?.toISOString() ?? null,
    endsAt: discount.endsAt?.toISOString() ?? null,
    usageLimit: discount.usageLimit ?? null,
    perCustomerLimit: discount.perCustomerLimit ?? null,
    uses: discount.uses,
    vendorId: discount.vendorId ?? null,
    categoryId: discount.categoryId ?? null,
    disabled: discount.disabledAt !== null && discount.disabledAt !== undefined,
    createdAt: discount.createdAt.toISOString(),
  };
}

function catalogCurrency(ctx: Ctx, what: string, currency: string | undefined): void {
  if (currency !== undefined && currency !== ctx.deps.config.CATALOG_CURRENCY) {
    throw new ValidationError([
      {
        path: `body.${what}.currency`,
        message: `must be ${ctx.deps.config.CATALOG_CURRENCY}`,
        code: 'invalid_currency',
      },
    ]);
  }
}

export async function createDiscount(ctx: AuthenticatedCtx, input: z.infer<typeof DiscountInput>) {
  catalogCurrency(ctx, 'amountOff', input.amountOff?.currency);
  catalogCurrency(ctx, 'minSubtotal', input.minSubtotal?.currency);
  return inTransaction(ctx, async (tx) => {
    const discount = tx.em.create(Discount, {
      code: input.code,
      kind: input.kind,
      percentOff: input.percentOff ?? null,
      amountOff: input.amountOff?.amount ?? null,
      currency: ctx.deps.config.CATALOG_CURRENCY,
      minSubtotal: input.minSubtotal?.amount ?? null,
      startsAt: input.startsAt ? new Date(input.startsAt) : null,
      endsAt: input.endsAt ? new Date(input.endsAt) : null,
      usageLimit: input.usageLimit ?? null,
      perCustomerLimit: input.perCustomerLimit ?? null,
      uses: 0,
      vendorId: input.vendorId ?? null,
      categoryId: input.categoryId ?? null,
      disabledAt: null,
    });
    tx.em.persist(discount);
    ordersAudit.record(tx, { action: 'discount.created', targetId: discount.id, details: { code: discount.code } });
    await tx.em.flush();
    return toDiscountDto(discount, ctx.deps.config.CATALOG_CURRENCY);
  });
}

const DISCOUNTS: Keyset<Discount> = { list: 'discounts:newest', columns: [idColumn('id')], direction: 'desc' };

export async function listDiscounts(ctx: AuthenticatedCtx, query: { limit: number; cursor?: string | undefined }) {
  const after = afterCursor(DISCOUNTS, query.cursor);
  const rows = await ctx.em
    .createQueryBuilder(Discount)
    .where(after.sql, after.params)
    .orderBy({ id: 'desc' })
    .limit(query.limit + 1)
    .getResultList();
  return toPage(DISCOUNTS, rows, query.limit, (row) => toDiscountDto(row, ctx.deps.config.CATALOG_CURRENCY));
}

export async function disableDiscount(ctx: AuthenticatedCtx, id: string) {
  return inTransaction(ctx, async (tx) => {
    const discount = await tx.em.findOne(Discount, { id });
    if (!discount) throw new NotFoundError('discount');
    if (!discount.disabledAt) {
      discount.disabledAt = new Date();
      ordersAudit.record(tx, { action: 'discount.disabled', targetId: discount.id, details: { code: discount.code } });
    }
    await tx.em.flush();
    return toDiscountDto(discount, ctx.deps.config.CATALOG_CURRENCY);
  });
}

function toShippingMethodDto(method: ShippingMethod) {
  return {
    id: method.id,
    name: method.name,
    rate: money(method.rate, method.currency),
    freeOver:
      method.freeOver === null || method.freeOver === undefined ? null : money(method.freeOver, method.currency),
    active: method.active,
    createdAt: method.createdAt.toISOString(),
  };
}

export async function createShippingMethod(ctx: AuthenticatedCtx, input: z.infer<typeof ShippingMethodInput>) {
  catalogCurrency(ctx, 'rate', input.rate.currency);
  catalogCurrency(ctx, 'freeOver', input.freeOver?.currency);
  return inTransaction(ctx, async (tx) => {
    const method = tx.em.create(ShippingMethod, {
      name: input.name,
      rate: input.rate.amount,
      freeOver: input.freeOver?.amount ?? null,
      currency: input.rate.currency,
      active: true,
    });
    tx.em.persist(method);
    ordersAudit.record(tx, {
      action: 'shipping_method.created',
      targetId: method.id,
      details: { name: method.name, rate: method.rate, freeOver: method.freeOver ?? null },
    });
    await tx.em.flush();
    return toShippingMethodDto(method);
  });
}

export async function listShippingMethods(ctx: AuthenticatedCtx) {
  const methods = await ctx.em.find(ShippingMethod, {}, { orderBy: { rate: 'asc', id: 'asc' } });
  return { data: methods.map(toShippingMethodDto) };
}

const toTaxRateDto = (rate: TaxRate) => ({
  country: rate.country,
  rateBps: rate.rateBps,
  updatedAt: rate.updatedAt.toISOString(),
});

export async function setTaxRate(ctx: AuthenticatedCtx, country: string, rateBps: number) {
  return inTransaction(ctx, async (tx) => {
    await tx.em.execute(
      `insert into tax_rates (country, rate_bps, updated_at) values (?, ?, now())
       on conflict (country) do update set rate_bps = excluded.rate_bps, updated_at = now()`,
      [country, rateBps],
    );
    ordersAudit.record(tx, { action: 'tax_rate.set', details: { country, rateBps } });
    await tx.em.flush();
    return toTaxRateDto(await tx.em.findOneOrFail(TaxRate, { country }, { refresh: true }));
  });
}

export async function listTaxRates(ctx: AuthenticatedCtx) {
  const rates = await ctx.em.find(TaxRate, {}, { orderBy: { country: 'asc' } });
  return { data: rates.map(toTaxRateDto) };
}
