import { Migration } from '@mikro-orm/migrations';

/**
 * Verified purchases, catalog's side: `purchases` counts each customer's paid, uncancelled orders of each product
 * (orders moves it through the catalog's face when an order is paid or a paid order is cancelled), and a review's
 * `verified_purchase` follows it: set when the review is written and whenever the count crosses zero.
 */
export class Migration20261130110000_verified_purchases extends Migration {
  override up(): void {
    this.addSql(`
      create table purchases (
        customer_id uuid not null,
        product_id uuid not null references products (id) on delete cascade,
        orders integer not null check (orders >= 0),
        primary key (customer_id, product_id)
      );`);
    this.addSql('alter table reviews add column verified_purchase boolean not null default false;');
  }

  override down(): void {
    this.addSql('alter table reviews drop column verified_purchase;');
    this.addSql('drop table if exists purchases;');
  }
}
