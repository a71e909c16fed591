/** The ordered list of migrations; a new one is appended here (see the README, "Adding a module"). */
import { Migration20261127000000_platform } from './Migration20261127000000_platform';
import { Migration20261127010000_identity } from './Migration20261127010000_identity';
import { Migration20261127020000_catalog } from './Migration20261127020000_catalog';
import { Migration20261128000000_idempotency_keys } from './Migration20261128000000_idempotency_keys';
import { Migration20261128010000_integrations } from './Migration20261128010000_integrations';
import { Migration20261130000000_orders } from './Migration20261130000000_orders';
import { Migration20261130100000_invoices } from './Migration20261130100000_invoices';
import { Migration20261130110000_verified_purchases } from './Migration20261130110000_verified_purchases';
import { Migration20261130120000_payments } from './Migration20261130120000_payments';
import { Migration20261201000000_reconciliation_runs } from './Migration20261201000000_reconciliation_runs';
import { Migration20261202000000_products_in_stock } from './Migration20261202000000_products_in_stock';
import { Migration20261203000000_cart_lines_limit } from './Migration20261203000000_cart_lines_limit';

export const migrations = [
  { name: 'Migration20261127000000_platform', class: Migration20261127000000_platform },
  { name: 'Migration20261127010000_identity', class: Migration20261127010000_identity },
  { name: 'Migration20261127020000_catalog', class: Migration20261127020000_catalog },
  { name: 'Migration20261128000000_idempotency_keys', class: Migration20261128000000_idempotency_keys },
  { name: 'Migration20261128010000_integrations', class: Migration20261128010000_integrations },
  { name: 'Migration20261130000000_orders', class: Migration20261130000000_orders },
  { name: 'Migration20261130100000_invoices', class: Migration20261130100000_invoices },
  { name: 'Migration20261130110000_verified_purchases', class: Migration20261130110000_verified_purchases },
  { name: 'Migration20261130120000_payments', class: Migration20261130120000_payments },
  { name: 'Migration20261201000000_reconciliation_runs', class: Migration20261201000000_reconciliation_runs },
  { name: 'Migration20261202000000_products_in_stock', class: Migration20261202000000_products_in_stock },
  { name: 'Migration20261203000000_cart_lines_limit', class: Migration20261203000000_cart_lines_limit },
];
