/** How commerce writes money for people (mails, invoices): minor units as a decimal amount and the currency code. */
export function formatMoney(minor: number, currency: string): string {
  const sign = minor < 0 ? '-' : '';
  const absolute = Math.abs(minor);
  return `${sign}${Math.trunc(absolute / 100)}.${String(absolute % 100).padStart(2, '0')} ${currency}`;
}
