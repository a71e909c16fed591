/** The server's public entry: what scripts and the end-to-end tests may use (never deep paths). */
export { createApp } from './app';
export { ConfigError, loadConfig, type Config } from './config';
export type { Deps } from './platform/deps';
export { openRuntime, startJobWorker, startRuntime, type Runtime } from './runtime';
export { createLogger } from './platform/logger';
export { ipRateLimitKey } from './platform/rate-limit';
export { openDatabase } from './platform/database';
export { systemCtx, type Ctx } from './platform/context';
export { inTransaction, type AfterCommitEffect, type TxCtx } from './platform/unit-of-work';
export { canonicalJson, createIdempotency } from './platform/idempotency';
export {
  enqueueJob,
  enqueueJobs,
  defineTask,
  job,
  startWorker,
  type RegisteredTask,
  type TaskDefinition,
} from './platform/jobs';
export { constraintProblems, entities, tasks } from './modules';
export {
  assertVariantSet,
  categoriesChanged,
  changeStock,
  freeSlug,
  preOrder,
  reserveStock,
  slugify,
  subtreeIds,
  type StockLine,
  type TreeNode,
} from './modules/catalog';
export { IdentityMail, renderIdentityMail } from './modules/identity';
export { AppError, ConflictError, ValidationError, type FieldError } from './platform/errors';
export { toAppError, type ConstraintProblems } from './platform/error-handler';
export {
  afterCursor,
  decodeCursor,
  encodeCursor,
  idColumn,
  keysetOrder,
  toPage,
  type KeyColumn,
  type Keyset,
  type Page,
} from './platform/pagination';
export {
  DEMO_CATALOG_PRODUCTS,
  DEMO_PASSWORD,
  generateCatalog,
  seedDemoCatalog,
  type CatalogSeedResult,
} from './dev/demo-catalog';
export { migrations } from '../migrations';
export { importVerifiedUsers, startSessionFor } from './modules/identity';
export { computeTotals, roundHalfUp, type TotalsInput } from './modules/orders';
export {
  fromPaypalValue,
  fromProviderAmount,
  providerAmountProblem,
  toPaypalValue,
  toProviderAmount,
} from './modules/payments';
