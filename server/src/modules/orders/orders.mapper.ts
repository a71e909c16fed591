/** The only way commerce rows leave the module: as contract DTOs. */
import type { z } from 'zod';
import type {
  Order as OrderDto,
  OrderSummary as OrderSummaryDto,
  VendorOrder as VendorOrderDto,
} from '@emporium/contract';
import type { Order, OrderHistory, OrderLine, OrderPart } from './orders.entities';

export const money = (amount: number, currency: string) => ({ amount, currency });

type PartDto = z.infer<typeof OrderDto>['parts'][number];

function toLineDto(line: OrderLine, currency: string) {
  return {
    variantId: line.variantId,
    productId: line.productId,
    vendorId: line.vendorId,
    name: line.productName,
    sku: line.sku,
    options: line.options,
    quantity: line.quantity,
    unitPrice: money(line.unitPrice, currency),
    lineTotal: money(line.lineSubtotal, currency),
    discount: money(line.discount, currency),
    tax: money(line.tax, currency),
  };
}

function figures(
  row: { subtotal: number; discountTotal: number; shippingTotal: number; taxTotal: number; total: number },
  currency: string,
) {
  return {
    subtotal: money(row.subtotal, currency),
    discountTotal: money(row.discountTotal, currency),
    shippingTotal: money(row.shippingTotal, currency),
    taxTotal: money(row.taxTotal, currency),
    total: money(row.total, currency),
  };
}

export function toPartDto(part: OrderPart, lines: readonly OrderLine[], currency: string): PartDto {
  return {
    id: part.id,
    vendorId: part.vendorId,
    status: part.status,
    lines: lines.filter((line) => line.partId === part.id).map((line) => toLineDto(line, currency)),
    shippingMethodId: part.shippingMethodId ?? null,
    shippingMethodName: part.shippingMethodName,
    carrier: part.carrier ?? null,
    trackingNumber: part.trackingNumber ?? null,
    ...figures(part, currency),
  };
}

export function toOrderDto(
  order: Order,
  parts: readonly OrderPart[],
  lines: readonly OrderLine[],
  history: readonly OrderHistory[],
  invoiceNumber: string | null,
): z.infer<typeof OrderDto> {
  return {
    id: order.id,
    number: order.number,
    customerId: order.customerId,
    status: order.status,
    currency: order.currency,
    paymentMethod: order.paymentMethod,
    paymentDeadline: order.paymentDeadline?.toISOString() ?? null,
    shippingAddress: order.shippingAddress,
    discountCode: order.discountCode ?? null,
    parts: parts.map((part) => toPartDto(part, lines, order.currency)),
    ...figures(order, order.currency),
    history: history.map((entry) => ({
      at: entry.createdAt.toISOString(),
      from: entry.fromStatus ?? null,
      to: entry.toStatus,
      partId: entry.partId ?? null,
      actorId: entry.actorId ?? null,
      actorRole: entry.actorRole,
      note: entry.note ?? null,
    })),
    paidAt: order.paidAt?.toISOString() ?? null,
    invoiceNumber,
    flagReason: order.flagReason ?? null,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export interface OrderSummaryRow {
  id: string;
  number: string;
  customer_id: string;
  status: z.infer<typeof OrderSummaryDto>['status'];
  total: number;
  currency: string;
  item_count: number;
  vendor_ids: string[];
  created_at: Date | string;
}

export function toOrderSummaryDto(row: OrderSummaryRow): z.infer<typeof OrderSummaryDto> {
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    status: row.status,
    total: money(row.total, row.currency),
    itemCount: Number(row.item_count),
    vendorIds: row.vendor_ids,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function toVendorOrderDto(
  order: Order,
  part: OrderPart,
  lines: readonly OrderLine[],
): z.infer<typeof VendorOrderDto> {
  return {
    orderId: order.id,
    number: order.number,
    status: order.status,
    shippingAddress: order.shippingAddress,
    part: toPartDto(part, lines, order.currency),
    createdAt: order.createdAt.toISOString(),
  };
}
