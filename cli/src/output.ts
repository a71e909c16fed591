/**
 * Output for humans (aligned tables) and for scripts (--json: the API's data and nothing else on stdout).
 * Notices that are not the command's result go to stderr so piping stdout stays clean in both modes.
 */
import { decimalString, formatMoney as formatMinorUnits, minorUnitDigits } from '@emporium/contract/money';

/** Money as the API sends it: an integer amount of the currency's minor unit (ISO 4217). */
export interface Money {
  amount: number;
  currency: string;
}

/** The amount with the currency's own decimals: 1999 USD -> "19.99", 1999 JPY -> "1999", 1234500 HUF -> "12345.00". */
export function moneyAmount(money: Money): string {
  return decimalString(money.amount, minorUnitDigits(money.currency));
}

/** 1999 USD -> "19.99 USD". */
export function formatMoney(money: Money): string {
  return formatMinorUnits(money.amount, money.currency);
}

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
}

/**
 * Names and other fields are user-supplied: stripping control characters keeps a crafted value from sending
 * escape sequences to an admin's terminal.
 */
export function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\uFFFD');
}

function cell(text: string): string {
  return sanitize(text).replace(/[\t\n]/g, ' ');
}

export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = [
    columns.map((column) => column.header),
    ...rows.map((row) => columns.map((column) => cell(column.value(row)))),
  ];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index]?.length ?? 0)));
  return cells
    .map((line) =>
      line
        .map((text, index) => (index === line.length - 1 ? text : text.padEnd(widths[index] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A single record as label/value lines. */
export function formatDetails(pairs: readonly (readonly [label: string, value: string])[]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${label.padEnd(width)}  ${cell(value)}`).join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function notice(text: string): void {
  process.stderr.write(`${sanitize(text)}\n`);
}

export const yesNo = (value: boolean): string => (value ? 'yes' : 'no');
