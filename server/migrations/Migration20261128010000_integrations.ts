import { Migration } from '@mikro-orm/migrations';

/**
 * Integrations: API keys. Only the SHA-256 of a secret is stored (unique: the guard's lookup); the key acts on behalf
 * of its creator, who must stay an active admin.
 */
export class Migration20261128010000_integrations extends Migration {
  override up(): void {
    this.addSql(`
      create table api_keys (
        id uuid primary key,
        name varchar(100) not null,
        prefix varchar(20) not null,
        secret_hash text not null unique,
        scopes text[] not null check (cardinality(scopes) > 0 and scopes <@ array[
          'catalog:read', 'catalog:write', 'orders:read', 'orders:write', 'admin:read']::text[]),
        created_by uuid not null references users (id) deferrable initially deferred,
        created_at timestamptz not null,
        expires_at timestamptz null,
        last_used_at timestamptz null,
        revoked_at timestamptz null
      );`);
  }

  override down(): void {
    this.addSql(`drop table api_keys;`);
  }
}
