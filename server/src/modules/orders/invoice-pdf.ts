/**
 * The invoice as a PDF (pdfkit, its built-in Helvetica: no font files to ship). A pure function of the invoice's facts,
 * which are the order's snapshots, so later catalog edits never show here. One page holds about 25 lines; longer
 * orders continue on further pages with the table's head repeated.
 */
import PDFDocument from 'pdfkit';
import { formatMoney } from '@emporium/contract';
import type { OrderAddressSnapshot } from './orders.entities';

interface Figures {
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  taxTotal: number;
  total: number;
}

export interface InvoiceLine {
  productName: string;
  sku: string;
  options: Record<string, string>;
  quantity: number;
  unitPrice: number;
  lineSubtotal: number;
  discount: number;
  tax: number;
}

export interface InvoiceFacts {
  number: string;
  issuedAt: Date;
  orderNumber: string;
  paymentMethod: string;
  currency: string;
  /** The marketplace as it appears at the head of the invoice (INVOICE_SELLER). */
  seller: string;
  buyer: { email: string; address: OrderAddressSnapshot };
  /** One package per vendor, in the order's part order. */
  packages: (Figures & { vendorName: string; shippingMethodName: string; lines: InvoiceLine[] })[];
  totals: Figures;
}

const MARGIN = 50;
const PAGE_BOTTOM = 842 - MARGIN - 20; // A4 is 595 x 842 points
/** The table's columns: x and width in points. */
const COLUMNS = {
  item: { x: MARGIN, width: 180, align: 'left' },
  quantity: { x: 235, width: 30, align: 'right' },
  unit: { x: 270, width: 65, align: 'right' },
  discount: { x: 340, width: 65, align: 'right' },
  tax: { x: 410, width: 60, align: 'right' },
  amount: { x: 475, width: 70, align: 'right' },
} as const;
type Column = keyof typeof COLUMNS;

const day = (at: Date) => at.toISOString().slice(0, 10);

function addressLines(address: OrderAddressSnapshot): string[] {
  return [
    address.fullName,
    address.line1,
    address.line2,
    [address.postalCode, address.city].join(' '),
    [address.region, address.country].filter(Boolean).join(', '),
  ].filter((line): line is string => Boolean(line));
}

export function renderInvoicePdf(facts: InvoiceFacts): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `Invoice ${facts.number}`, Author: facts.seller, CreationDate: facts.issuedAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const money = (minor: number) => formatMoney(minor, facts.currency);

  const row = (cells: Partial<Record<Column, string>>, options: { bold?: boolean } = {}) => {
    doc.font(options.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    const top = doc.y;
    let bottom = top;
    for (const [column, text] of Object.entries(cells) as [Column, string][]) {
      const { x, width, align } = COLUMNS[column];
      doc.text(text, x, top, { width, align });
      bottom = Math.max(bottom, doc.y);
    }
    doc.x = MARGIN;
    doc.y = bottom + 3;
  };
  const tableHead = () =>
    row(
      { item: 'Item', quantity: 'Qty', unit: 'Unit price', discount: 'Discount', tax: 'Tax', amount: 'Amount' },
      {
        bold: true,
      },
    );
  const makeRoom = (points: number) => {
    if (doc.y + points <= PAGE_BOTTOM) return;
    doc.addPage();
    tableHead();
  };

  doc.font('Helvetica-Bold').fontSize(18).text(`Invoice ${facts.number}`);
  doc.font('Helvetica').fontSize(10).moveDown(0.3);
  doc.text(`Issued ${day(facts.issuedAt)} for order ${facts.orderNumber} (payment: ${facts.paymentMethod})`);
  doc.moveDown();
  const blocksTop = doc.y;
  doc.font('Helvetica-Bold').text('Seller', MARGIN, blocksTop).font('Helvetica').text(facts.seller, { width: 230 });
  doc
    .font('Helvetica-Bold')
    .text('Bill to', 320, blocksTop)
    .font('Helvetica')
    .text([...addressLines(facts.buyer.address), facts.buyer.email].join('\n'), { width: 225 });
  doc.x = MARGIN;
  doc.moveDown(2);

  for (const pack of facts.packages) {
    makeRoom(60);
    doc.font('Helvetica-Bold').fontSize(11).text(`Sold by ${pack.vendorName}`, MARGIN);
    doc.font('Helvetica').fontSize(9).text(`Shipped with ${pack.shippingMethodName}`).moveDown(0.4);
    tableHead();
    for (const line of pack.lines) {
      makeRoom(30);
      const options = Object.entries(line.options).map(([name, value]) => `${name}: ${value}`);
      row({
        item: `${line.productName}${options.length > 0 ? ` (${options.join(', ')})` : ''}\nSKU ${line.sku}`,
        quantity: String(line.quantity),
        unit: money(line.unitPrice),
        discount: line.discount > 0 ? `-${money(line.discount)}` : '',
        tax: money(line.tax),
        amount: money(line.lineSubtotal - line.discount + line.tax),
      });
    }
    makeRoom(20);
    row({ item: `Shipping (${pack.shippingMethodName})`, amount: money(pack.shippingTotal) });
    row({ item: `Package total, ${pack.vendorName}`, amount: money(pack.total) }, { bold: true });
    doc.moveDown();
  }

  makeRoom(90);
  const summary: [string, number][] = [
    ['Subtotal', facts.totals.subtotal],
    ['Discount', -facts.totals.discountTotal],
    ['Shipping', facts.totals.shippingTotal],
    ['Tax', facts.totals.taxTotal],
  ];
  for (const [label, value] of summary) row({ tax: label, amount: money(value) });
  row({ tax: 'Total', amount: money(facts.totals.total) }, { bold: true });
  doc.end();
  return finished;
}
