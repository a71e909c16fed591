import { Migration } from '@mikro-orm/migrations';

/**
 * Invoices: one per paid order, numbered gaplessly per calendar year (UTC). The number comes from `invoice_counters`,
 * a row per year moved by `insert ... on conflict do update ... returning` in the transaction that marks the order
 * paid: a rollback takes the number back with it, and concurrent payments queue on the year's row, so the numbers of
 * a year are 1, 2, 3, ... with no gap and no repeat (unlike a sequence, which never gives a number back).
 * `storage_key` and `rendered_at` are set by the job that makes the PDF.
 */
export class Migration20261130100000_invoices extends Migration {
  override up(): void {
    this.addSql(`
      create table invoice_counters (
        year integer primary key,
        last_number integer not null check (last_number > 0)
      );`);
    this.addSql(`
      create table invoices (
        id uuid primary key,
        order_id uuid not null unique references orders (id) on delete restrict,
        number varchar(20) not null unique,
        year integer not null,
        sequence integer not null,
        issued_at timestamptz not null,
        storage_key varchar(200) null,
        rendered_at timestamptz null,
        unique (year, sequence)
      );`);
  }

  override down(): void {
    this.addSql('drop table if exists invoices;');
    this.addSql('drop table if exists invoice_counters;');
  }
}
