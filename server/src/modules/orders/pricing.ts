/**
 * Prices lines with the server's current figures: the variants (asked of the catalog), the discount code, the shipping
 * of each vendor package and the destination's tax rate, through the one totals function.
 */
import type { Ctx } from '../../platform/context';
import { UnprocessableError } from '../../platform/errors';
import { variantsForSale, type VariantForSale } from '../catalog';
import { Discount, type ShippingMethod } from './orders.entities';
import { computeTotals, type TotalsDiscount, type TotalsResult, type TotalsShipping } from './totals';

export interface PricedLineInput {
  variantId: string;
  quantity: number;
}

export interface DiscountProblem {
  code: 'discount_invalid' | 'discount_exhausted';
  detail: string;
}

/** Why a code gives nothing to a subtotal now, or undefined when it applies. */
export function discountProblem(
  discount: Discount,
  subtotal: number,
  currency: string,
  now = new Date(),
): DiscountProblem | undefined {
  const invalid = (detail: string): DiscountProblem => ({ code: 'discount_invalid', detail });
  if (discount.disabledAt) return invalid('The code is disabled.');
  if (discount.startsAt && discount.startsAt > now) return invalid('The code is not valid yet.');
  if (discount.endsAt && discount.endsAt <= now) return invalid('The code has ended.');
  if (discount.usageLimit !== null && discount.usageLimit !== undefined && discount.uses >= discount.usageLimit) {
    return { code: 'discount_exhausted', detail: 'The code is used up.' };
  }
  if (discount.currency && discount.currency !== currency) return invalid('The code is for another currency.');
  if (discount.minSubtotal && subtotal < discount.minSubtotal) {
    return invalid(`The code needs a subtotal of at least ${discount.minSubtotal} minor units.`);
  }
  return undefined;
}

export function findDiscount(ctx: Ctx, code: string): Promise<Discount | null> {
  return ctx.em.findOne(Discount, { code: code.toUpperCase() });
}

export function totalsDiscount(discount: Discount | null | undefined): TotalsDiscount {
  if (!discount) return undefined;
  return discount.kind === 'percentage'
    ? { kind: 'percentage', percentOff: discount.percentOff ?? 0 }
    : { kind: 'fixed', amountOff: discount.amountOff ?? 0 };
}

export function discountable(discount: Discount | null | undefined, variant: VariantForSale): boolean {
  if (!discount) return false;
  if (discount.vendorId && discount.vendorId !== variant.vendorId) return false;
  if (discount.categoryId && discount.categoryId !== variant.categoryId) return false;
  return true;
}

/** What pricing needs of a shipping method. */
export type ShippingOption = Pick<ShippingMethod, 'id' | 'name' | 'rate' | 'freeOver'>;

/**
 * Active methods of the currency, cheapest first. A plain statement, not the query builder: every cart answer and
 * every checkout asks, and the builder costs a few times the statement itself in CPU.
 */
export async function shippingMethods(ctx: Ctx, currency: string): Promise<ShippingOption[]> {
  const rows = await ctx.em.execute<{ id: string; name: string; rate: number; free_over: number | null }[]>(
    'select id, name, rate, free_over from shipping_methods where currency = ? and active order by rate, id',
    [currency],
  );
  return rows.map((row) => ({ id: row.id, name: row.name, rate: row.rate, freeOver: row.free_over }));
}

/**
 * The currency's active shipping methods as one JSON array of `ShippingOption`s, cheapest first (one parameter: the
 * currency), for statements that read them along with something else in one round trip.
 */
export const SHIPPING_OPTIONS_JSON = `coalesce((select json_agg(json_build_object('id', id, 'name', name, 'rate', rate,
                                                            'freeOver', free_over) order by rate, id)
                from shipping_methods where currency = ? and active), '[]')`;

/** Checkout's settings in one round trip: the active shipping methods of the currency and the destination's tax rate. */
export async function shippingAndTax(
  ctx: Ctx,
  currency: string,
  country: string,
): Promise<{ methods: ShippingOption[]; taxBps: number }> {
  const [row] = await ctx.em.execute<{ methods: ShippingOption[]; tax_bps: number }[]>(
    `select ${SHIPPING_OPTIONS_JSON} as methods,
            coalesce((select rate_bps from tax_rates where country = ?), 0) as tax_bps`,
    [currency, country],
  );
  return { methods: row?.methods ?? [], taxBps: row?.tax_bps ?? 0 };
}

/**
 * The method of each vendor package: the chosen one, else the cheapest of the currency. 422 `shipping_unavailable`
 * when none is configured or a chosen one is unknown.
 */
export function chooseShipping(
  methods: ShippingOption[],
  vendorIds: readonly string[],
  chosen: ReadonlyMap<string, string>,
): Map<string, ShippingOption> {
  const byId = new Map(methods.map((method) => [method.id, method]));
  const cheapest = methods[0];
  const result = new Map<string, ShippingOption>();
  for (const vendorId of vendorIds) {
    const wanted = chosen.get(vendorId);
    const method = wanted ? byId.get(wanted) : cheapest;
    if (!method) {
      throw new UnprocessableError(
        'shipping_unavailable',
        wanted ? `The shipping method ${wanted} is not available.` : 'No shipping method is configured.',
      );
    }
    result.set(vendorId, method);
  }
  return result;
}

export function toTotalsShipping(methods: ReadonlyMap<string, ShippingOption>): Map<string, TotalsShipping> {
  return new Map(
    [...methods].map(([vendorId, method]) => [vendorId, { rate: method.rate, freeOver: method.freeOver ?? undefined }]),
  );
}

export interface PricedLines {
  variants: Map<string, VariantForSale>;
  totals: TotalsResult;
}

/** Prices the given (sellable) lines. */
export function priceLines(
  lines: readonly { variant: VariantForSale; quantity: number }[],
  discount: Discount | null | undefined,
  shipping: ReadonlyMap<string, TotalsShipping>,
  taxBps: number,
): TotalsResult {
  return computeTotals({
    lines: lines.map(({ variant, quantity }) => ({
      vendorId: variant.vendorId,
      unitPrice: variant.price,
      quantity,
      discountable: discountable(discount, variant),
    })),
    discount: totalsDiscount(discount),
    taxRateBps: taxBps,
    shipping,
  });
}

export { variantsForSale };
