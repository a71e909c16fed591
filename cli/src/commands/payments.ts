/**
 * payments list: the money ledger (captures, refunds, disputes), newest first (admins only). Amounts are shown in
 * major units with their currency; --json prints the API's page.
 */
import { listPayments, type LedgerEntry, type ListPaymentsData } from '@emporium/sdk';
import { Option, type Command } from 'commander';
import { parseId } from '../ids';
import { listCommand } from '../list-command';
import { formatMoney, type Column } from '../output';
import type { PageOptions } from '../paging';
import { parseTimestamp } from '../times';

const PROVIDERS = ['stripe', 'paypal', 'manual'] as const;
const KINDS = ['capture', 'refund', 'dispute'] as const;

export const ledgerColumns: readonly Column<LedgerEntry>[] = [
  { header: 'WHEN', value: (entry) => entry.createdAt },
  { header: 'KIND', value: (entry) => entry.kind },
  { header: 'PROVIDER', value: (entry) => entry.provider },
  { header: 'AMOUNT', value: (entry) => formatMoney(entry.amount) },
  { header: 'ORDER', value: (entry) => entry.orderId },
  { header: 'REFERENCE', value: (entry) => entry.providerReference },
];

interface ListOptions extends PageOptions {
  order?: string;
  provider?: (typeof PROVIDERS)[number];
  kind?: (typeof KINDS)[number];
  from?: string;
  to?: string;
}

export function registerPaymentCommands(program: Command): void {
  const payments = program.command('payments').description('the money ledger (admins only)');

  listCommand<LedgerEntry, ListOptions>(payments, {
    name: 'list',
    description: 'list money movements (captures, refunds, disputes), newest first',
    noun: 'payments',
    empty: 'No payments found.',
    columns: ledgerColumns,
    fetch: (session, paging, options) => {
      const query: NonNullable<ListPaymentsData['query']> = {
        ...(options.order ? { orderId: options.order } : {}),
        ...(options.provider ? { provider: options.provider } : {}),
        ...(options.kind ? { kind: options.kind } : {}),
        ...(options.from ? { from: options.from } : {}),
        ...(options.to ? { to: options.to } : {}),
        ...paging,
      };
      return session.call((client) => listPayments({ client, query }));
    },
  })
    .option('--order <id>', "only this order's movements", parseId)
    .addOption(new Option('--provider <provider>', 'only this provider').choices(PROVIDERS))
    .addOption(new Option('--kind <kind>', 'only this kind of movement').choices(KINDS))
    .option('--from <iso>', 'recorded at or after this time', parseTimestamp)
    .option('--to <iso>', 'recorded before this time', parseTimestamp);
}
