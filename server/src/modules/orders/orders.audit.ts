/**
 * What commerce records in the audit log: the admins' hands on orders and on the money rules (discounts, shipping,
 * tax). Customers' and vendors' moves of an order are in the order's own history.
 */
import { auditLog } from '../../platform/audit';

export const ordersAudit = auditLog([
  'order.status_set',
  'discount.created',
  'discount.disabled',
  'shipping_method.created',
  'tax_rate.set',
]);
