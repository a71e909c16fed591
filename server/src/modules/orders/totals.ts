/**
 * The one pure totals function of carts and orders. Everything is an integer in minor units; the rules:
 *
 * 1. Per line: `subtotal = unitPrice x quantity`.
 * 2. Discount, per eligible line (the code's scope decides eligibility):
 *    - percentage: `round_half_up(subtotal x percent / 100)`, rounded once per line;
 *    - fixed: the amount (capped at the eligible subtotal) is spread over the eligible lines in proportion to their
 *      subtotals, each share rounded down, and the minor units left over go one by one to the lines with the largest
 *      remainders (ties: the earlier line), so the shares add up to the amount exactly.
 * 3. Tax, per line: `round_half_up((subtotal - discount) x rateBps / 10000)` (exclusive, by destination country).
 * 4. Shipping, per vendor package: the method's flat rate, or 0 when the package's subtotal (before discount) is at
 *    least the method's free-shipping threshold. Shipping is not taxed.
 * 5. Totals are the sums of the lines' and the packages' figures; `total = subtotal - discount + shipping + tax`.
 *
 * No figure ever holds a fraction of a minor unit, so sums are exact and an order's parts add up to the order.
 */

export interface TotalsLine {
  vendorId: string;
  unitPrice: number;
  quantity: number;
  /** Whether the discount applies to this line (its scope). */
  discountable: boolean;
}

export type TotalsDiscount =
  { kind: 'percentage'; percentOff: number } | { kind: 'fixed'; amountOff: number } | undefined;

export interface TotalsShipping {
  rate: number;
  /** Free when the package's subtotal is at least this; undefined: never free. */
  freeOver: number | undefined;
}

export interface TotalsInput {
  lines: readonly TotalsLine[];
  discount: TotalsDiscount;
  /** Tax rate of the destination in basis points (2000 = 20 %). */
  taxRateBps: number;
  /** The shipping of each vendor package; a vendor missing here ships for free. */
  shipping: ReadonlyMap<string, TotalsShipping>;
}

export interface LineFigures {
  subtotal: number;
  discount: number;
  tax: number;
}

export interface Figures {
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  taxTotal: number;
  total: number;
}

export interface TotalsResult extends Figures {
  lines: LineFigures[];
  /** Per vendor, in first-seen order. */
  packages: Map<string, Figures>;
}

/** `round(numerator / denominator)`, halves away from zero, for non-negative integers. */
export function roundHalfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

function assertMinorUnits(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer`);
}

function lineDiscounts(lines: readonly TotalsLine[], subtotals: number[], discount: TotalsDiscount): number[] {
  const discounts = lines.map(() => 0);
  if (!discount) return discounts;
  if (discount.kind === 'percentage') {
    lines.forEach((line, index) => {
      if (line.discountable) discounts[index] = roundHalfUp(subtotals[index]! * discount.percentOff, 100);
    });
    return discounts;
  }
  const eligible = lines.flatMap((line, index) => (line.discountable ? [index] : []));
  const base = eligible.reduce((sum, index) => sum + subtotals[index]!, 0);
  const amount = Math.min(discount.amountOff, base);
  if (amount === 0) return discounts;
  const remainders: { index: number; remainder: number }[] = [];
  let given = 0;
  for (const index of eligible) {
    const exact = subtotals[index]! * amount;
    discounts[index] = Math.floor(exact / base);
    given += discounts[index];
    remainders.push({ index, remainder: exact % base });
  }
  remainders.sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let left = amount - given, next = 0; left > 0; left -= 1, next += 1) {
    discounts[remainders[next]!.index]! += 1;
  }
  return discounts;
}

const zero = (): Figures => ({ subtotal: 0, discountTotal: 0, shippingTotal: 0, taxTotal: 0, total: 0 });

export function computeTotals(input: TotalsInput): TotalsResult {
  assertMinorUnits(input.taxRateBps, 'taxRateBps');
  for (const line of input.lines) {
    assertMinorUnits(line.unitPrice, 'unitPrice');
    if (!Number.isInteger(line.quantity) || line.quantity < 1) throw new RangeError('quantity must be >= 1');
  }
  const subtotals = input.lines.map((line) => line.unitPrice * line.quantity);
  const discounts = lineDiscounts(input.lines, subtotals, input.discount);
  const lines = input.lines.map((_, index) => {
    const subtotal = subtotals[index]!;
    const discount = Math.min(discounts[index]!, subtotal);
    return { subtotal, discount, tax: roundHalfUp((subtotal - discount) * input.taxRateBps, 10_000) };
  });

  const packages = new Map<string, Figures>();
  input.lines.forEach((line, index) => {
    const figures = packages.get(line.vendorId) ?? zero();
    figures.subtotal += lines[index]!.subtotal;
    figures.discountTotal += lines[index]!.discount;
    figures.taxTotal += lines[index]!.tax;
    packages.set(line.vendorId, figures);
  });
  const totals = zero();
  for (const [vendorId, figures] of packages) {
    const shipping = input.shipping.get(vendorId);
    const free = !shipping || (shipping.freeOver !== undefined && figures.subtotal >= shipping.freeOver);
    figures.shippingTotal = free ? 0 : shipping.rate;
    figures.total = figures.subtotal - figures.discountTotal + figures.shippingTotal + figures.taxTotal;
    totals.subtotal += figures.subtotal;
    totals.discountTotal += figures.discountTotal;
    totals.shippingTotal += figures.shippingTotal;
    totals.taxTotal += figures.taxTotal;
    totals.total += figures.total;
  }
  return { ...totals, lines, packages };
}
