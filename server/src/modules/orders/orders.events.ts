/** What orders tells other modules, in the transaction of the change (platform/events.ts). */
import { defineEvent } from '../../platform/events';

export interface OrderPaid {
  orderId: string;
  orderNumber: string;
  customerId: string;
  paymentMethod: 'manual' | 'stripe' | 'paypal';
  total: number;
  currency: string;
  /** Each vendor's part and what it costs the buyer. */
  parts: { partId: string; vendorId: string; total: number }[];
}

/** An order was paid (by an admin for a manual order, or settled from a provider). */
export const orderPaid = defineEvent<OrderPaid>('orders.paid');

export interface OrderCancelled {
  orderId: string;
  orderNumber: string;
  paymentMethod: 'manual' | 'stripe' | 'paypal';
  /** A paid order's money must go back. */
  wasPaid: boolean;
}

/** An order was cancelled, or expired unpaid at its payment deadline: either way it will never be paid. */
export const orderCancelled = defineEvent<OrderCancelled>('orders.cancelled');
