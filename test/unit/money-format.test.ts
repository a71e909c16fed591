import { describe, expect, it } from 'vitest';
import { formatMoney } from '@emporium/contract';
import {
  fromPaypalValue,
  fromProviderAmount,
  providerAmountProblem,
  toPaypalValue,
  toProviderAmount,
} from '@emporium/server';

describe('formatMoney', () => {
  it('writes minor units with the decimals of the currency (ISO 4217)', () => {
    expect(formatMoney(4818, 'USD')).toBe('48.18 USD');
    expect(formatMoney(5, 'EUR')).toBe('0.05 EUR');
    expect(formatMoney(-1250, 'GBP')).toBe('-12.50 GBP');
    expect(formatMoney(1234, 'JPY')).toBe('1234 JPY');
    expect(formatMoney(1234, 'KWD')).toBe('1.234 KWD');
    expect(formatMoney(1234500, 'HUF')).toBe('12345.00 HUF');
  });
});

describe('PayPal amounts', () => {
  it('converts minor units to PayPal values and back, without floating point', () => {
    const cases: [number, string, string][] = [
      [4818, 'USD', '48.18'],
      [7, 'USD', '0.07'],
      [500, 'JPY', '500'],
      [1234, 'KWD', '1.234'],
      // PayPal takes HUF and TWD in whole units; they are stored in hundredths like any two-decimal currency.
      [1234500, 'HUF', '12345'],
      [900, 'TWD', '9'],
      [9_007_199_254_740_900, 'USD', '90071992547409.00'],
    ];
    for (const [minor, currency, value] of cases) {
      expect(toPaypalValue(minor, currency), `${minor} ${currency}`).toBe(value);
      expect(fromPaypalValue(value, currency), `${value} ${currency}`).toBe(minor);
    }
    expect(fromPaypalValue('48.1', 'USD')).toBe(4810);
    expect(fromPaypalValue('48', 'USD')).toBe(4800);
  });

  it('refuses amounts PayPal cannot represent', () => {
    expect(providerAmountProblem('paypal', 1234550, 'HUF')).toBe(
      'PayPal takes whole HUF only, and 12345.50 HUF is not.',
    );
    expect(providerAmountProblem('paypal', 1234500, 'HUF')).toBeUndefined();
    expect(providerAmountProblem('paypal', 4818, 'USD')).toBeUndefined();
    expect(() => toPaypalValue(1234550, 'HUF')).toThrow(/whole HUF only/);
    expect(() => fromPaypalValue('12.5', 'JPY')).toThrow(/not a valid amount/);
    expect(() => fromPaypalValue('1.234', 'USD')).toThrow(/not a valid amount/);
    expect(() => fromPaypalValue('-5', 'USD')).toThrow(/not a valid amount/);
  });
});

describe('Stripe amounts', () => {
  it('sends and reads amounts in the units Stripe counts each currency in', () => {
    const cases: [number, string, number][] = [
      [4818, 'USD', 4818],
      [500, 'JPY', 500],
      // ISO 4217 gives ISK no decimals; Stripe keeps it two-decimal (whole krónur only).
      [500, 'ISK', 50_000],
      [10_480, 'isk', 1_048_000],
      // ISO 4217 gives MGA two decimals; Stripe takes it zero-decimal.
      [1_200, 'MGA', 12],
      [1_230, 'KWD', 1_230],
      [999, 'UGX', 999],
    ];
    for (const [minor, currency, atStripe] of cases) {
      expect(toProviderAmount('stripe', minor, currency), `${minor} ${currency}`).toBe(atStripe);
      expect(fromProviderAmount('stripe', atStripe, currency), `${atStripe} ${currency} at Stripe`).toBe(minor);
    }
  });

  it('refuses amounts Stripe cannot take, before any call', () => {
    expect(providerAmountProblem('stripe', 1_250, 'MGA')).toBe('Stripe takes whole MGA only, and 12.50 MGA is not.');
    expect(providerAmountProblem('stripe', 1_234, 'KWD')).toBe(
      'Stripe takes KWD in steps of 0.010 KWD, and 1.234 KWD is not one.',
    );
    expect(providerAmountProblem('stripe', 1_230, 'KWD')).toBeUndefined();
    expect(providerAmountProblem('stripe', 7, 'ISK')).toBeUndefined();
    expect(() => toProviderAmount('stripe', 1_234, 'KWD')).toThrow(/steps of 0.010 KWD/);
    // A krónur amount from Stripe that is not whole krónur cannot be stored in ISO minor units.
    expect(() => fromProviderAmount('stripe', 1_050, 'ISK')).toThrow(/fraction of a minor unit/);
  });
});
