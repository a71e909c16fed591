/** What other modules and the app may use of the catalog. */
export { catalogEntities } from './catalog.entities';
export { createCatalogRouters } from './catalog.router';
export { changeStock, type StockChange } from './inventory.service';
