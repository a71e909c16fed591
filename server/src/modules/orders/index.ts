/** The orders module's one face: carts, discounts, shipping and tax settings, checkout and orders. */
import { ConflictError } from '../../platform/errors';
import type { ModuleDefinition } from '../../platform/module';
import { cartFull, invalidToken } from './cart.service';
import { ordersAudit } from './orders.audit';
import { ordersEntities } from './orders.entities';
import { ordersTasks } from './orders.jobs';
import { ordersRateLimits } from './orders.rate-limits';
import { createOrdersRouters } from './orders.router';

export const ordersModule: ModuleDefinition = {
  name: 'orders',
  entities: ordersEntities,
  routers: (deps) => ({ api: createOrdersRouters(deps) }),
  tasks: ordersTasks,
  auditActions: ordersAudit.actions,
  rateLimits: ordersRateLimits,
  constraints: {
    discounts_code_key: () => new ConflictError('discount_code_taken', 'Another discount has this code.'),
    cart_lines_cart_gone: invalidToken,
    cart_lines_limit: cartFull,
    orders_customer_id_idempotency_key_key: () =>
      new ConflictError('idempotency_key_in_progress', 'A request with this Idempotency-Key is still running.'),
  },
};

export { computeTotals, roundHalfUp, type TotalsInput, type TotalsResult } from './totals';
export { orderCancelled, orderPaid, type OrderCancelled, type OrderPaid } from './orders.events';
export {
  closedUnpaid,
  flagOrder,
  orderForPayment,
  recordOrderRefund,
  restockOrder,
  settleOrderPayment,
  type CapturedPayment,
  type PayableOrder,
  type SettlementOutcome,
} from './payment-outcomes';
