/** The payments module's one face: Stripe and PayPal payments and webhooks, refunds, the ledger and vendors' earnings. */
import type { ModuleDefinition } from '../../platform/module';
import { paymentsAudit } from './payments.audit';
import { paymentsEntities } from './payments.entities';
import { paymentsTasks } from './payments.jobs';
import { paymentsRateLimits } from './payments.rate-limits';
import { createPaymentsRouters } from './payments.router';
import { paymentsSubscriptions } from './subscriptions';

export const paymentsModule: ModuleDefinition = {
  name: 'payments',
  entities: paymentsEntities,
  routers: (deps) => ({ api: createPaymentsRouters(deps) }),
  tasks: paymentsTasks,
  auditActions: paymentsAudit.actions,
  rateLimits: paymentsRateLimits,
  subscriptions: paymentsSubscriptions,
};

export {
  fromPaypalValue,
  fromProviderAmount,
  providerAmountProblem,
  toPaypalValue,
  toProviderAmount,
} from './provider-amounts';
