/** How products and categories look on a terminal; used by the products and categories commands. */
import type { ApproveProductResponse, CreateCategoryResponse, ListProductsForReviewResponse } from '@emporium/sdk';
import { formatDetails, formatMoney, formatTable, moneyAmount, printJson, printLine, type Column } from './output';
import type { User } from './views';

export type Product = ApproveProductResponse;
export type ProductSummary = ListProductsForReviewResponse['data'][number];
export type ProductStatus = Product['status'];
export type Category = CreateCategoryResponse;

/** Two spaces per level: the tree's shape in the NAME column. */
const INDENT = '  ';

export function formatPriceRange({ min, max }: Product['priceRange']): string {
  if (min.currency !== max.currency) return `${formatMoney(min)} - ${formatMoney(max)}`;
  if (min.amount === max.amount) return formatMoney(min);
  return `${moneyAmount(min)}-${moneyAmount(max)} ${min.currency}`;
}

/** Vendors by id, as looked up for the rows; a vendor that could not be found shows as its id. */
export type Vendors = ReadonlyMap<string, User>;

/**
 * The review queue, oldest submission first (the server's order). The summary carries the vendor's id; the table
 * shows their name; a product never submitted shows its creation date.
 */
const productColumns = (vendors: Vendors): readonly Column<ProductSummary>[] => [
  { header: 'ID', value: (product) => product.id },
  { header: 'NAME', value: (product) => product.name },
  { header: 'VENDOR', value: (product) => vendors.get(product.vendorId)?.fullName ?? product.vendorId },
  { header: 'PRICE', value: (product) => formatPriceRange(product.priceRange) },
  { header: 'SUBMITTED', value: (product) => (product.submittedAt ?? product.createdAt).slice(0, 10) },
];

export function printProductTable(products: readonly ProductSummary[], status: ProductStatus, vendors: Vendors): void {
  const none = status === 'pending_review' ? 'No products are waiting for review.' : `No ${status} products.`;
  printLine(products.length ? formatTable(productColumns(vendors), products) : none);
}

function vendorOf(product: Product, vendors: Vendors): string {
  const vendor = vendors.get(product.vendorId);
  return vendor ? `${vendor.fullName} <${vendor.email}> (${product.vendorId})` : product.vendorId;
}

/** With --json the API's product as it came; otherwise its details, the vendor by name when `vendors` has them. */
export function printProduct(product: Product, json: boolean, vendors: Vendors = new Map()): void {
  if (json) return printJson(product);
  printLine(
    formatDetails([
      ['ID', product.id],
      ['Name', product.name],
      ['Slug', product.slug],
      ['Status', product.status],
      ...(product.rejectionReason !== null ? [['Rejection reason', product.rejectionReason] as const] : []),
      ['Vendor', vendorOf(product, vendors)],
      ['Category', product.categoryId],
      ['Price', formatPriceRange(product.priceRange)],
      ['Variants', String(product.variants.length)],
      ['Stock', String(product.totalStock)],
      ['Published', product.publishedAt ?? '-'],
      ['Created', product.createdAt],
      ['Updated', product.updatedAt],
    ]),
  );
}

const categoryColumns: readonly Column<Category>[] = [
  { header: 'NAME', value: (category) => INDENT.repeat(category.depth) + category.name },
  { header: 'SLUG', value: (category) => category.slug },
  { header: 'POSITION', value: (category) => String(category.position) },
  { header: 'ID', value: (category) => category.id },
];

/** `categories` arrive in pre-order, so indenting each by its depth draws the tree. */
export function printCategoryTree(categories: readonly Category[]): void {
  printLine(categories.length ? formatTable(categoryColumns, categories) : 'No categories yet.');
}

export function printCategory(category: Category, json: boolean): void {
  if (json) return printJson(category);
  printLine(
    formatDetails([
      ['ID', category.id],
      ['Name', category.name],
      ['Slug', category.slug],
      ['Parent', category.parentId ?? '- (top level)'],
      ['Depth', String(category.depth)],
      ['Position', String(category.position)],
      ['Created', category.createdAt],
      ['Updated', category.updatedAt],
    ]),
  );
}
