/**
 * `pnpm seed [--products <n>] [--seed <n>]`: writes the demo catalog (300 products by default) into the configured
 * database (DATABASE_URL, or the embedded default), unless it already has products. Migrates first when
 * MIGRATE_ON_START says so (the development default). Refused in production unless SEED_DEMO_CATALOG=true.
 */
import { parseArgs } from 'node:util';
import { DEMO_CATALOG_PRODUCTS, seedDemoCatalog } from './dev/demo-catalog';
import { loadConfigOrExit, openRuntimeOrExit } from './process';

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: String(DEMO_CATALOG_PRODUCTS) },
    seed: { type: 'string', default: '1' },
  },
});
const products = Number(values.products);
const seed = Number(values.seed);
if (!Number.isInteger(products) || products < 1 || !Number.isInteger(seed)) {
  console.error('usage: seed [--products <positive integer>] [--seed <integer>]');
  process.exit(64); // EX_USAGE
}

const { config, logger } = loadConfigOrExit();
if (config.isProduction && config.SEED_DEMO_CATALOG !== true) {
  logger.error('refusing to seed a demo catalog in production: set SEED_DEMO_CATALOG=true to mean it');
  process.exit(78); // EX_CONFIG
}
const runtime = await openRuntimeOrExit(config, logger);
try {
  await seedDemoCatalog(runtime.deps, { products, seed });
} finally {
  await runtime.close();
}
