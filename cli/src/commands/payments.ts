/**
 * payments list: the money ledger (captures, refunds, disputes), newest first (admins only). Amounts are shown in
 * major units with their currency; --json prints the API's page.
 */
import { listPayments, type LedgerEntry, type ListPaymentsData } from '@emporium/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatMoney } from '../catalog-views';
import { resolveContext } from '../context';
import { parseId } from '../ids';
import { formatTable, printJson, printLine, type Column } from '../output';
import { allOption, collectPages, cursorOption, limitOption, noticeMore, type PageOptions } from '../paging';
import { openSession } from '../session';

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

/** Any date or time Date.parse reads (2026-03-01, 2026-03-01T12:00Z), sent as the API's ISO 8601 timestamp. */
function parseTime(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidArgumentError('Use an ISO 8601 date or time, e.g. 2026-03-01T00:00:00Z.');
  return new Date(time).toISOString();
}

interface ListOptions extends PageOptions {
  order?: string;
  provider?: (typeof PROVIDERS)[number];
  kind?: (typeof KINDS)[number];
  from?: string;
  to?: string;
}

export function registerPaymentCommands(program: Command): void {
  const payments = program.command('payments').description('the money ledger (admins only)');

  payments
    .command('list')
    .description('list money movements (captures, refunds, disputes), newest first')
    .option('--order <id>', "only this order's movements", parseId)
    .addOption(new Option('--provider <provider>', 'only this provider').choices(PROVIDERS))
    .addOption(new Option('--kind <kind>', 'only this kind of movement').choices(KINDS))
    .option('--from <iso>', 'recorded at or after this time', parseTime)
    .option('--to <iso>', 'recorded before this time', parseTime)
    .addOption(limitOption())
    .addOption(cursorOption())
    .addOption(allOption())
    .action(async (options: ListOptions, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const filters: NonNullable<ListPaymentsData['query']> = {
        ...(options.order ? { orderId: options.order } : {}),
        ...(options.provider ? { provider: options.provider } : {}),
        ...(options.kind ? { kind: options.kind } : {}),
        ...(options.from ? { from: options.from } : {}),
        ...(options.to ? { to: options.to } : {}),
      };
      const page = await collectPages(options, (paging) =>
        session.call((client) => listPayments({ client, query: { ...filters, ...paging } })),
      );
      if (context.json) return printJson(page);
      printLine(page.data.length ? formatTable(ledgerColumns, page.data) : 'No payments found.');
      noticeMore('payments', page.nextCursor);
    });
}
