/** products pending | approve | reject: the review queue vendors' products go through (admins only). */
import { approveProduct, listProductsForReview, rejectProduct } from '@emporium/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { printProduct, printProductTable, type Product, type ProductStatus } from '../catalog-views';
import { resolveContext } from '../context';
import { parseId } from '../ids';
import { printJson } from '../output';
import { allOption, collectPages, cursorOption, limitOption, noticeMore, type PageOptions } from '../paging';
import { openSession, type Session } from '../session';
import { createUserDirectory } from '../user-names';

const PRODUCT_STATUSES = [
  'draft',
  'pending_review',
  'published',
  'rejected',
  'archived',
] as const satisfies readonly ProductStatus[];

interface PendingOptions extends PageOptions {
  status: ProductStatus;
}

interface RejectOptions {
  reason: string;
}

/** A blank reason is a usage error here rather than a validation_failed round trip: the vendor must be told why. */
function parseReason(value: string): string {
  if (!value.trim()) throw new InvalidArgumentError('Give the vendor a reason.');
  return value;
}

/** The product's details with its vendor's name (looked up only for people: --json prints the API's answer). */
async function showProduct(session: Session, product: Product, json: boolean): Promise<void> {
  const vendors = json ? new Map() : await createUserDirectory(session).load([product.vendorId]);
  printProduct(product, json, vendors);
}

export function registerProductCommands(program: Command): void {
  const products = program.command('products').description("review vendors' products (admins only)");

  products
    .command('pending')
    .description('list the products waiting for review, oldest submission first')
    .addOption(
      new Option('--status <status>', 'list the products in this status instead')
        .choices(PRODUCT_STATUSES)
        .default('pending_review'),
    )
    .addOption(limitOption())
    .addOption(cursorOption())
    .addOption(allOption())
    .action(async (options: PendingOptions, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const page = await collectPages(options, (paging) =>
        session.call((client) => listProductsForReview({ client, query: { status: options.status, ...paging } })),
      );

      if (context.json) return printJson(page);
      // After the page: its call has settled the session's tokens, so the lookups can run side by side.
      const vendors = await createUserDirectory(session).load(page.data.map((product) => product.vendorId));
      printProductTable(page.data, options.status, vendors);
      noticeMore('products', page.nextCursor);
    });

  products
    .command('approve')
    .description('publish a product that is pending review')
    .argument('<id>', 'product id', parseId)
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      await showProduct(
        session,
        await session.call((client) => approveProduct({ client, path: { id } })),
        context.json,
      );
    });

  products
    .command('reject')
    .description('send a product pending review back to its vendor, with a reason they see')
    .argument('<id>', 'product id', parseId)
    .addOption(
      new Option('--reason <text>', 'why, for the vendor (up to 1000 characters)')
        .makeOptionMandatory()
        .argParser(parseReason),
    )
    .action(async (id: string, options: RejectOptions, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const product = await session.call((client) =>
        rejectProduct({ client, path: { id }, body: { reason: options.reason } }),
      );
      await showProduct(session, product, context.json);
    });
}
