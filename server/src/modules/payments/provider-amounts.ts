/**
 * Amounts as each payment provider counts them. Emporium stores ISO 4217 minor units; a provider may count a
 * currency with other decimals (Stripe: ISK in hundredths, MGA in whole ariary; PayPal: HUF, JPY and TWD in whole
 * units) or take only some amounts (Stripe: three-decimal currencies in steps of ten). Every amount sent to or read
 * from a provider goes through these, in integers: no floating point touches money.
 */
import { decimalString, formatMoney, minorUnitDigits } from '@emporium/contract';

export type AmountProvider = 'stripe' | 'paypal';

interface ProviderCounting {
  /** Decimals the provider gives the currency: its `amount` counts units of 10^-digits. */
  digits: (currency: string) => number;
  /** The amounts it takes are multiples of this many of its units. */
  step: (currency: string) => number;
}

/** https://docs.stripe.com/currencies: zero-decimal currencies, ISK kept two-decimal (whole krónur only), and
 * three-decimal currencies whose last digit must be 0. */
const STRIPE_ZERO_DECIMAL = new Set('BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF'.split(' '));
const STRIPE_TWO_DECIMAL = new Set(['ISK']);
const STRIPE_STEP_OF_TEN = new Set('BHD JOD KWD OMR TND'.split(' '));

/** PayPal takes these in whole units, though ISO 4217 gives HUF and TWD two decimals. */
const PAYPAL_WHOLE_UNITS = new Set(['HUF', 'JPY', 'TWD']);

const COUNTING: Record<AmountProvider, ProviderCounting> = {
  stripe: {
    digits: (currency) =>
      STRIPE_ZERO_DECIMAL.has(currency) ? 0 : STRIPE_TWO_DECIMAL.has(currency) ? 2 : minorUnitDigits(currency),
    step: (currency) => (STRIPE_STEP_OF_TEN.has(currency) ? 10 : 1),
  },
  paypal: {
    digits: (currency) => (PAYPAL_WHOLE_UNITS.has(currency) ? 0 : minorUnitDigits(currency)),
    step: () => 1,
  },
};

const NAMES: Record<AmountProvider, string> = { stripe: 'Stripe', paypal: 'PayPal' };

/** Decimals the provider gives the currency. */
export function providerDigits(provider: AmountProvider, currency: string): number {
  return COUNTING[provider].digits(currency.toUpperCase());
}

/** The power of ten between our minor units and the provider's: positive where the provider counts coarser (HUF at
 * PayPal: 2), negative where it counts finer (ISK at Stripe: -2). */
const shift = (provider: AmountProvider, currency: string) =>
  minorUnitDigits(currency) - providerDigits(provider, currency);

/** Why the provider cannot take this amount (a fraction of what it counts, or off its steps); undefined when it can. */
export function providerAmountProblem(
  provider: AmountProvider,
  minorUnits: number,
  currency: string,
): string | undefined {
  const code = currency.toUpperCase();
  const places = shift(provider, code);
  if (places > 0 && minorUnits % 10 ** places !== 0) {
    return `${NAMES[provider]} takes whole ${code} only, and ${formatMoney(minorUnits, code)} is not.`;
  }
  const step = COUNTING[provider].step(code);
  const amount = places >= 0 ? minorUnits / 10 ** places : minorUnits * 10 ** -places;
  if (amount % step !== 0) {
    // Steps are only declared where the provider counts like ISO 4217 (places 0), so a step is whole minor units.
    const stepMoney = formatMoney(step * 10 ** Math.max(places, 0), code);
    return `${NAMES[provider]} takes ${code} in steps of ${stepMoney}, and ${formatMoney(minorUnits, code)} is not one.`;
  }
  return undefined;
}

/** Minor units -> the provider's integer amount: 500 ISK -> 50000 at Stripe, 1234500 HUF -> 12345 at PayPal. Callers
 * check `providerAmountProblem` first (it throws on an amount the provider cannot take). */
export function toProviderAmount(provider: AmountProvider, minorUnits: number, currency: string): number {
  const problem = providerAmountProblem(provider, minorUnits, currency);
  if (problem) throw new Error(problem);
  const places = shift(provider, currency);
  return places >= 0 ? minorUnits / 10 ** places : minorUnits * 10 ** -places;
}

/** The provider's integer amount -> minor units: 50000 ISK at Stripe -> 500. A fraction of a minor unit is an error. */
export function fromProviderAmount(provider: AmountProvider, amount: number, currency: string): number {
  const places = shift(provider, currency);
  if (places < 0 && amount % 10 ** -places !== 0) {
    throw new Error(`${NAMES[provider]} amount ${amount} ${currency} is a fraction of a minor unit`);
  }
  return places >= 0 ? amount * 10 ** places : amount / 10 ** -places;
}

/** 4818 USD -> "48.18"; 500 JPY -> "500"; 1234500 HUF (fillér) -> "12345": PayPal's decimal strings. */
export function toPaypalValue(minorUnits: number, currency: string): string {
  return decimalString(toProviderAmount('paypal', minorUnits, currency), providerDigits('paypal', currency));
}

/** "48.18" USD -> 4818, "48.1" -> 4810, "48" -> 4800, "12345" HUF -> 1234500; more decimals than PayPal gives the
 * currency is an error. */
export function fromPaypalValue(value: string, currency: string): number {
  const decimals = providerDigits('paypal', currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match || (match[2]?.length ?? 0) > decimals) {
    throw new Error(`PayPal amount ${value} ${currency} is not a valid amount of that currency`);
  }
  const units = Number(match[1]) * 10 ** decimals + Number((match[2] ?? '').padEnd(decimals, '0') || 0);
  return fromProviderAmount('paypal', units, currency);
}
