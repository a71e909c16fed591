/**
 * orders list | show | status | cancel | invoice | refund | payments, and discounts create | list | disable: order administration and
 * discount codes (admins only). Amounts are shown in major units with their currency; --json prints the API's data.
 */
import {
  createDiscount,
  disableDiscount,
  getAnyOrder,
  getOrderInvoice,
  getOrderPayments,
  listAllOrders,
  listDiscounts,
  refundOrder,
  setOrderStatus,
  type CreateDiscountData,
  type Discount,
  type ListAllOrdersData,
  type Order,
  type OrderPayments,
  type OrderSummary,
  type Refund,
} from '@emporium/sdk';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import { resolveContext } from '../context';
import { ApiError, CliError, ExitCode } from '../errors';
import { parseId } from '../ids';
import { formatDetails, formatMoney, formatTable, notice, printJson, printLine, yesNo, type Column } from '../output';
import { listCommand } from '../list-command';
import type { PageOptions } from '../paging';
import { openSession } from '../session';
import { ledgerColumns } from './payments';

const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'processing',
  'shipped',
  'delivered',
  'cancelled',
  'expired',
  'partially_refunded',
  'refunded',
] as const;
const SETTABLE = ['paid', 'processing', 'shipped', 'delivered', 'cancelled'] as const;
type Settable = (typeof SETTABLE)[number];

const orderColumns: readonly Column<OrderSummary>[] = [
  { header: 'NUMBER', value: (order) => order.number },
  { header: 'STATUS', value: (order) => order.status },
  { header: 'TOTAL', value: (order) => formatMoney(order.total) },
  { header: 'ITEMS', value: (order) => String(order.itemCount) },
  { header: 'PLACED', value: (order) => order.createdAt },
  { header: 'ID', value: (order) => order.id },
];

function printOrder(order: Order, json: boolean): void {
  if (json) return printJson(order);
  printLine(
    formatDetails([
      ['Number', order.number],
      ['Status', order.status],
      ['Customer', order.customerId],
      ['Payment', `${order.paymentMethod}${order.paymentDeadline ? ` (due ${order.paymentDeadline})` : ''}`],
      ['Subtotal', formatMoney(order.subtotal)],
      ['Discount', `${formatMoney(order.discountTotal)}${order.discountCode ? ` (${order.discountCode})` : ''}`],
      ['Shipping', formatMoney(order.shippingTotal)],
      ['Tax', formatMoney(order.taxTotal)],
      ['Total', formatMoney(order.total)],
      ['Ship to', `${order.shippingAddress.fullName}, ${order.shippingAddress.city}, ${order.shippingAddress.country}`],
      ['Placed', order.createdAt],
    ]),
  );
  for (const part of order.parts) {
    printLine(
      `\nVendor ${part.vendorId}: ${part.status}${part.trackingNumber ? `, tracking ${part.trackingNumber}` : ''}`,
    );
    printLine(
      formatTable(
        [
          { header: 'SKU', value: (line: (typeof part.lines)[number]) => line.sku },
          { header: 'NAME', value: (line) => line.name },
          { header: 'QTY', value: (line) => String(line.quantity) },
          { header: 'UNIT', value: (line) => formatMoney(line.unitPrice) },
          { header: 'TOTAL', value: (line) => formatMoney(line.lineTotal) },
        ],
        part.lines,
      ),
    );
  }
  printLine('\nHistory');
  for (const entry of order.history) {
    printLine(
      `  ${entry.at}  ${entry.from ?? '-'} -> ${entry.to}  (${entry.actorRole})${entry.note ? `  ${entry.note}` : ''}`,
    );
  }
}

const discountColumns: readonly Column<Discount>[] = [
  { header: 'CODE', value: (discount) => discount.code },
  {
    header: 'OFF',
    value: (discount) => (discount.percentOff !== null ? `${discount.percentOff} %` : formatMoney(discount.amountOff!)),
  },
  {
    header: 'USES',
    value: (discount) => `${discount.uses}${discount.usageLimit !== null ? `/${discount.usageLimit}` : ''}`,
  },
  { header: 'DISABLED', value: (discount) => (discount.disabled ? 'yes' : 'no') },
  { header: 'ID', value: (discount) => discount.id },
];

function printDiscount(discount: Discount, json: boolean): void {
  if (json) return printJson(discount);
  printLine(formatTable(discountColumns, [discount]));
}

function printRefund(refund: Refund, json: boolean): void {
  if (json) return printJson(refund);
  printLine(
    formatDetails([
      ['Refund', refund.id],
      ['Order', `${refund.orderId} (now ${refund.orderStatus})`],
      ['Amount', formatMoney(refund.amount)],
      ['Status', refund.status],
      ['Provider', `${refund.provider}${refund.providerRefundId ? ` (${refund.providerRefundId})` : ''}`],
      ['Restocked', yesNo(refund.restocked)],
      ['Reason', refund.reason],
      ['Created', refund.createdAt],
    ]),
  );
}

function printOrderPayments(money: OrderPayments, json: boolean): void {
  if (json) return printJson(money);
  printLine(
    formatDetails([
      ['Order', money.orderId],
      ['Captured', formatMoney(money.captured)],
      ['Refunded', formatMoney(money.refunded)],
      ['Disputed', formatMoney(money.disputed)],
      ['Balance', formatMoney(money.balance)],
    ]),
  );
  printLine(`\n${money.transactions.length ? formatTable(ledgerColumns, money.transactions) : 'No transactions.'}`);
}

/** A lost answer or a server failure may hide a refund that was made: the same key retries it without a second one. */
function isWorthRetrying(error: unknown): boolean {
  if (error instanceof ApiError) return error.status >= 500;
  return error instanceof CliError && error.exitCode === ExitCode.unreachable;
}

function parseMinor(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Use a whole number of minor units (1999 = 19.99).');
  return Number(value);
}

function parsePositive(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('Use a whole number from 1.');
  return Number(value);
}

interface RefundOptions {
  amount: number;
  reason: string;
  restock?: boolean;
  currency: string;
  idempotencyKey?: string;
}

interface ListOptions extends PageOptions {
  status?: (typeof ORDER_STATUSES)[number];
  vendor?: string;
  customer?: string;
  q?: string;
}

interface CreateOptions {
  percent?: number;
  amount?: number;
  currency: string;
  minSubtotal?: number;
  limit?: number;
  perCustomer?: number;
  endsAt?: string;
}

export function registerOrderCommands(program: Command): void {
  const orders = program.command('orders').description('find and move orders (admins only)');

  listCommand<OrderSummary, ListOptions>(orders, {
    name: 'list',
    description: 'list orders, newest first',
    noun: 'orders',
    empty: 'No orders found.',
    columns: orderColumns,
    fetch: (session, paging, options) => {
      const query: NonNullable<ListAllOrdersData['query']> = {
        ...(options.status ? { status: options.status } : {}),
        ...(options.vendor ? { vendorId: options.vendor } : {}),
        ...(options.customer ? { customerId: options.customer } : {}),
        ...(options.q ? { q: options.q } : {}),
        ...paging,
      };
      return session.call((client) => listAllOrders({ client, query }));
    },
  })
    .addOption(new Option('--status <status>', 'only orders in this status').choices(ORDER_STATUSES))
    .option('--vendor <id>', 'only orders with a part of this vendor', parseId)
    .option('--customer <id>', "only this customer's orders", parseId)
    .option('--q <text>', "an order number (EMP-000123) or the customer's email");

  orders
    .command('show')
    .description('show an order with its parts, lines and history')
    .argument('<id>', 'order id', parseId)
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      printOrder(await session.call((client) => getAnyOrder({ client, path: { id } })), context.json);
    });

  orders
    .command('status')
    .description('move an order through the state machine (paid marks a manual order paid)')
    .argument('<id>', 'order id', parseId)
    .addArgument(new Argument('<status>', 'the new status').choices(SETTABLE))
    .option('--note <text>', 'recorded in the order history')
    .action(async (id: string, status: Settable, options: { note?: string }, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const body = { status, ...(options.note ? { note: options.note } : {}) };
      printOrder(await session.call((client) => setOrderStatus({ client, path: { id }, body })), context.json);
    });

  orders
    .command('cancel')
    .description('cancel an order before it ships (stock and an unpaid order discount use come back)')
    .argument('<id>', 'order id', parseId)
    .option('--note <text>', 'recorded in the order history')
    .action(async (id: string, options: { note?: string }, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const body = { status: 'cancelled' as const, ...(options.note ? { note: options.note } : {}) };
      printOrder(await session.call((client) => setOrderStatus({ client, path: { id }, body })), context.json);
    });

  orders
    .command('invoice')
    .description("download a paid order's PDF invoice, waiting while it is being made")
    .argument('<id>', 'order id', parseId)
    .requiredOption('--out <file>', 'where to write the PDF')
    .option('--wait <seconds>', 'longest wait for a PDF being made', parsePositive, 30)
    .action(async (id: string, options: { out: string; wait: number }, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const until = Date.now() + options.wait * 1000;
      for (;;) {
        // The PDF arrives as a Blob (200); a JSON body is the 202 "being made" answer.
        const answer = await session.call((client) => getOrderInvoice({ client, path: { id } }));
        if (answer instanceof Blob) {
          const pdf = Buffer.from(await answer.arrayBuffer());
          await writeFile(options.out, pdf);
          if (context.json) return printJson({ file: options.out, bytes: pdf.length });
          return printLine(`Wrote ${options.out} (${pdf.length} bytes).`);
        }
        const delay = answer.retryAfterSeconds * 1000;
        if (Date.now() + delay > until) {
          throw new CliError(
            `Invoice ${answer.invoiceNumber} is still being made; try again shortly.`,
            ExitCode.failure,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    });

  orders
    .command('refund')
    .description('refund an order, fully or partly, through the provider that took the payment')
    .argument('<id>', 'order id', parseId)
    .requiredOption('--amount <minor>', 'amount to refund, in minor units (1999 = 19.99)', parsePositive)
    .requiredOption('--reason <text>', 'why (1-500 characters, kept with the refund)')
    .option('--restock', "return the order's units to stock")
    .option('--currency <code>', "currency of --amount (the order's)", 'USD')
    .option('--idempotency-key <key>', 'retry a refund safely: the same key never refunds twice (default: a new UUID)')
    .action(async (id: string, options: RefundOptions, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const key = options.idempotencyKey ?? randomUUID();
      const body = {
        amount: { amount: options.amount, currency: options.currency.toUpperCase() },
        reason: options.reason,
        restock: options.restock === true,
      };
      try {
        const refund = await session.call((client) =>
          refundOrder({ client, path: { id }, headers: { 'idempotency-key': key }, body }),
        );
        printRefund(refund, context.json);
      } catch (error) {
        if (isWorthRetrying(error)) notice(`To retry this refund without refunding twice: --idempotency-key ${key}`);
        throw error;
      }
    });

  orders
    .command('payments')
    .description("an order's money: captured, refunded, disputed, balance and its transactions")
    .argument('<id>', 'order id', parseId)
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      printOrderPayments(await session.call((client) => getOrderPayments({ client, path: { id } })), context.json);
    });

  const discounts = program.command('discounts').description('manage discount codes (admins only)');

  discounts
    .command('create')
    .description('create a percentage (--percent) or fixed (--amount) discount code')
    .argument('<code>', 'the code customers type (stored upper-case)')
    .option('--percent <n>', 'whole percent off each eligible line', parsePositive)
    .option('--amount <minor>', 'fixed amount off, in minor units', parseMinor)
    .option('--currency <code>', 'currency of --amount and --min-subtotal', 'USD')
    .option('--min-subtotal <minor>', 'minimum subtotal, in minor units', parseMinor)
    .option('--limit <n>', 'total uses', parsePositive)
    .option('--per-customer <n>', 'uses per customer', parsePositive)
    .option('--ends-at <iso>', 'when the code stops working (ISO 8601)')
    .action(async (code: string, options: CreateOptions, command: Command) => {
      if ((options.percent === undefined) === (options.amount === undefined)) {
        command.error('error: give exactly one of --percent and --amount');
      }
      const context = await resolveContext(command);
      const session = await openSession(context);
      const money = (value: number) => ({ amount: value, currency: options.currency });
      const body: CreateDiscountData['body'] = {
        code,
        kind: options.percent !== undefined ? 'percentage' : 'fixed',
        ...(options.percent !== undefined ? { percentOff: options.percent } : {}),
        ...(options.amount !== undefined ? { amountOff: money(options.amount) } : {}),
        ...(options.minSubtotal !== undefined ? { minSubtotal: money(options.minSubtotal) } : {}),
        ...(options.limit !== undefined ? { usageLimit: options.limit } : {}),
        ...(options.perCustomer !== undefined ? { perCustomerLimit: options.perCustomer } : {}),
        ...(options.endsAt ? { endsAt: options.endsAt } : {}),
      };
      printDiscount(await session.call((client) => createDiscount({ client, body })), context.json);
    });

  listCommand<Discount, PageOptions>(discounts, {
    name: 'list',
    description: 'list discount codes, newest first, with their uses',
    noun: 'discount codes',
    empty: 'No discount codes.',
    columns: discountColumns,
    fetch: (session, paging) => session.call((client) => listDiscounts({ client, query: paging })),
  });

  discounts
    .command('disable')
    .description('disable a discount code at once (placed orders keep their discount)')
    .argument('<id>', 'discount id', parseId)
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      printDiscount(await session.call((client) => disableDiscount({ client, path: { id }, body: {} })), context.json);
    });
}
