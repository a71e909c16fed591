/** The server's public entry: what scripts and the end-to-end tests may use (never deep paths). */
export { createApp } from './app';
export { loadConfig, type Config } from './config';
export type { Deps } from './platform/deps';
export { openRuntime, startJobWorker, startRuntime, type Runtime } from './runtime';
export { createLogger } from './platform/logger';
export { openDatabase } from './platform/database';
export { systemCtx, type Ctx } from './platform/context';
export { inTransaction, type TxCtx } from './platform/unit-of-work';
export { enqueueJob, defineTask, startWorker, type RegisteredTask, type TaskDefinition } from './platform/jobs';
export { entities, tasks } from './modules';
export { categoriesChanged, changeStock, reserveStock, type StockLine } from './modules/catalog';
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
