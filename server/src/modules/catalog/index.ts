/** What other modules and the app may use of the catalog. */
export { catalogEntities } from './catalog.entities';
export { createCatalogRouters } from './catalog.router';
export { changeStock, stockChanged, type StockChange, type StockChanged } from './inventory.service';
export {
  DEMO_CATALOG_PRODUCTS,
  DEMO_PASSWORD,
  generateCatalog,
  seedDemoCatalog,
  type CatalogSeedResult,
} from './catalog.seed';
