import { describe, expect, it } from 'vitest';
import { computeTotals, roundHalfUp, type TotalsInput } from '@emporium/server';

const line = (unitPrice: number, quantity: number, vendorId = 'v1', discountable = true) => ({
  vendorId,
  unitPrice,
  quantity,
  discountable,
});
const base: TotalsInput = { lines: [], discount: undefined, taxRateBps: 0, shipping: new Map() };

describe('computeTotals', () => {
  it('rounds halves up, once per line', () => {
    expect(roundHalfUp(5, 10)).toBe(1);
    expect(roundHalfUp(4, 10)).toBe(0);
    expect(roundHalfUp(15, 10)).toBe(2);
    // 3 lines of 0.05 at 10 %: each line's 0.5 cent discount rounds up to 1 cent (3 in all, not round(1.5) = 2).
    const totals = computeTotals({
      ...base,
      lines: [line(5, 1), line(5, 1), line(5, 1)],
      discount: { kind: 'percentage', percentOff: 10 },
    });
    expect(totals.lines.map((l) => l.discount)).toEqual([1, 1, 1]);
    expect(totals.discountTotal).toBe(3);
  });

  it('taxes each line after its discount and sums exactly', () => {
    const totals = computeTotals({
      ...base,
      lines: [line(333, 3), line(199, 1, 'v2')],
      discount: { kind: 'percentage', percentOff: 15 },
      taxRateBps: 1925,
    });
    // 999 - round(149.85)=150 -> 849, tax round(163.4325)=163; 199 - round(29.85)=30 -> 169, tax round(32.5325)=33
    expect(totals.lines).toEqual([
      { subtotal: 999, discount: 150, tax: 163 },
      { subtotal: 199, discount: 30, tax: 33 },
    ]);
    expect(totals.total).toBe(999 + 199 - 180 + 196);
    expect(totals.taxTotal).toBe(196);
  });

  it('spreads a fixed discount by largest remainder so the shares add up, never past the eligible subtotal', () => {
    const totals = computeTotals({
      ...base,
      lines: [line(100, 1), line(100, 1), line(100, 1), line(500, 1, 'v2', false)],
      discount: { kind: 'fixed', amountOff: 100 },
    });
    expect(totals.lines.map((l) => l.discount)).toEqual([34, 33, 33, 0]);
    expect(totals.discountTotal).toBe(100);
    const capped = computeTotals({ ...base, lines: [line(40, 1)], discount: { kind: 'fixed', amountOff: 100 } });
    expect(capped.discountTotal).toBe(40);
    expect(capped.total).toBe(0);
  });

  it('charges flat shipping per vendor package, free at the threshold', () => {
    const shipping = new Map([
      ['v1', { rate: 500, freeOver: 1000 }],
      ['v2', { rate: 500, freeOver: 1000 }],
    ]);
    const totals = computeTotals({ ...base, lines: [line(1000, 1), line(999, 1, 'v2')], shipping });
    expect(totals.packages.get('v1')?.shippingTotal).toBe(0);
    expect(totals.packages.get('v2')?.shippingTotal).toBe(500);
    expect(totals.shippingTotal).toBe(500);
    expect(totals.total).toBe(2499);
  });

  it('refuses fractions and negatives', () => {
    expect(() => computeTotals({ ...base, lines: [line(10.5, 1)] })).toThrow(RangeError);
    expect(() => computeTotals({ ...base, lines: [line(10, 0)] })).toThrow(RangeError);
    expect(() => computeTotals({ ...base, lines: [line(-1, 1)] })).toThrow(RangeError);
  });
});
