import { Migration } from '@mikro-orm/migrations';

/**
 * Lets a checkout's stock change update its product row in place (a HOT update). Every sale bumps
 * `products.total_stock`, and a column that an index names, even only in its predicate, rules HOT out: each sale then
 * wrote a new version of the row into all fourteen indexes of products, the two GIN ones included. The in-stock
 * listing's index now names a generated `in_stock` flag instead, which changes only when the stock reaches or leaves
 * zero. Pages keep 10 % free (the column's table rewrite applies it), so the new version fits next to the old one.
 */
export class Migration20261202000000_products_in_stock extends Migration {
  override up(): void {
    this.addSql(`alter table products set (fillfactor = 90);`);
    this.addSql(`alter table products add column in_stock boolean generated always as (total_stock > 0) stored;`);
    this.addSql(`drop index products_pub_in_stock_idx;`);
    this.addSql(
      `create index products_pub_in_stock_idx on products (id desc) where status = 'published' and in_stock;`,
    );
  }

  override down(): void {
    this.addSql(`drop index products_pub_in_stock_idx;`);
    this.addSql(`alter table products drop column in_stock;`);
    this.addSql(`alter table products reset (fillfactor);`);
    this.addSql(
      `create index products_pub_in_stock_idx on products (id desc) where status = 'published' and total_stock > 0;`,
    );
  }
}
