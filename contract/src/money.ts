/**
 * What the wire's minor units are: every Money `amount` counts the currency's minor unit by ISO 4217 (USD cents, JPY
 * yen, KWD fils). How many decimals that is, and money written for people (mails, invoices, the CLI). A subpath of
 * its own (`@emporium/contract/money`), so tools that only write money do not load the contract.
 */

/**
 * Currencies whose minor unit is not a hundredth, by ISO 4217: money is stored in these units everywhere. Written out
 * rather than read from Intl, whose digits are CLDR's display habits (it gives HUF none).
 */
const MINOR_UNIT_DIGITS = new Map<string, number>([
  ...'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ').map((code) => [code, 0] as const),
  ...'BHD IQD JOD KWD LYD OMR TND'.split(' ').map((code) => [code, 3] as const),
  ...'CLF UYW'.split(' ').map((code) => [code, 4] as const),
]);

/** Digits after the decimal point of the currency's minor unit: USD 2, JPY 0, KWD 3. */
export function minorUnitDigits(currency: string): number {
  return MINOR_UNIT_DIGITS.get(currency.toUpperCase()) ?? 2;
}

/** An integer amount as a decimal string with `digits` decimals, by string arithmetic: (4818, 2) -> "48.18". */
export function decimalString(amount: number, digits: number): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`${amount} is not an integer amount`);
  const sign = amount < 0 ? '-' : '';
  if (digits === 0) return `${sign}${Math.abs(amount)}`;
  const padded = String(Math.abs(amount)).padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** 4818 USD -> "48.18 USD"; 500 JPY -> "500 JPY"; 1234 KWD -> "1.234 KWD". */
export function formatMoney(minor: number, currency: string): string {
  return `${decimalString(minor, minorUnitDigits(currency))} ${currency}`;
}
