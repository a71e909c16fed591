/**
 * vendors earnings | commission: vendors' earnings balances and commission rates (admins only). --json prints the
 * API's data.
 */
import { listVendorBalances, setVendorCommission, type VendorBalance } from '@emporium/sdk';
import { InvalidArgumentError, type Command } from 'commander';
import { resolveContext } from '../context';
import { parseId } from '../ids';
import { formatMoney, formatTable, printJson, printLine, type Column } from '../output';
import { listCommand } from '../list-command';
import type { PageOptions } from '../paging';
import { openSession } from '../session';

const percent = (bps: number) => `${(bps / 100).toFixed(2)} %`;

const balanceColumns: readonly Column<VendorBalance>[] = [
  { header: 'VENDOR', value: (row) => row.vendorName },
  { header: 'COMMISSION', value: (row) => percent(row.commissionRateBps) },
  { header: 'BALANCE', value: (row) => formatMoney(row.balance) },
  { header: 'ID', value: (row) => row.vendorId },
];

function parseRate(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 10_000) {
    throw new InvalidArgumentError('Use basis points from 0 to 10000 (1000 = 10 %).');
  }
  return Number(value);
}

export function registerVendorCommands(program: Command): void {
  const vendors = program.command('vendors').description("vendors' earnings and commission (admins only)");

  listCommand<VendorBalance, PageOptions>(vendors, {
    name: 'earnings',
    description: "every vendor's earnings balance, by vendor id",
    noun: 'vendors',
    empty: 'No vendor earnings yet.',
    columns: balanceColumns,
    fetch: (session, paging) => session.call((client) => listVendorBalances({ client, query: paging })),
  });

  vendors
    .command('commission')
    .description("set a vendor's commission rate for payments captured from now on")
    .argument('<vendorId>', 'vendor id', parseId)
    .argument('<rateBps>', 'basis points, 0-10000 (1000 = 10 %)', parseRate)
    .action(async (vendorId: string, rateBps: number, _options: unknown, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const balance = await session.call((client) =>
        setVendorCommission({ client, path: { id: vendorId }, body: { rateBps } }),
      );
      if (context.json) return printJson(balance);
      printLine(formatTable(balanceColumns, [balance]));
    });
}
