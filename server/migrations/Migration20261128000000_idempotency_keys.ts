import { Migration } from '@mikro-orm/migrations';

/**
 * Platform table: idempotency keys (platform/idempotency.ts). One row per caller and key: the request's fingerprint,
 * `in_progress` while the first request runs, then its answer (status, the headers a replay needs, the body as sent).
 */
export class Migration20261128000000_idempotency_keys extends Migration {
  override up(): void {
    this.addSql(`
      create table idempotency_keys (
        caller text not null,
        key text not null,
        fingerprint text not null,
        status text not null default 'in_progress' check (status in ('in_progress', 'done')),
        response_status smallint,
        response_headers jsonb,
        response_body text,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        primary key (caller, key),
        check (status = 'in_progress' or response_status is not null)
      );`);
    this.addSql('create index idempotency_keys_expires_at_idx on idempotency_keys (expires_at);');
  }

  override down(): void {
    this.addSql('drop table idempotency_keys;');
  }
}
