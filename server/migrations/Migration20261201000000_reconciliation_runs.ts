import { Migration } from '@mikro-orm/migrations';

/**
 * Reports of the daily payments reconciliation: one row per provider and run, with how many of the provider's
 * payments were compared with the ledger and each difference found (`differences`, a JSON array, empty when all
 * agreed). Rows are only ever inserted.
 */
export class Migration20261201000000_reconciliation_runs extends Migration {
  override up(): void {
    this.addSql(`
      create table reconciliation_runs (
        id uuid primary key,
        provider varchar(10) not null check (provider in ('manual', 'stripe', 'paypal')),
        started_at timestamptz not null,
        finished_at timestamptz not null,
        window_days integer not null check (window_days > 0),
        checked integer not null check (checked >= 0),
        differences jsonb not null default '[]'::jsonb check (jsonb_typeof(differences) = 'array')
      );`);
    this.addSql(`create index reconciliation_runs_provider_idx on reconciliation_runs (provider, id desc);`);
    // The job reads the provider's payments touched in its window.
    this.addSql(`create index payments_provider_updated_idx on payments (provider, updated_at);`);
  }

  override down(): void {
    this.addSql('drop index if exists payments_provider_updated_idx;');
    this.addSql('drop table reconciliation_runs;');
  }
}
