import { Migration } from '@mikro-orm/migrations';

/**
 * Identity: users, sessions with rotating refresh tokens, mailed action tokens, addresses, OAuth links, audit log.
 * Foreign keys are checked at commit (deferred): entities hold plain id columns, so the unit of work does not
 * order inserts by relation, and a parent and its child may be flushed together.
 */
export class Migration20261127010000_identity extends Migration {
  override up(): void {
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`
      create table users (
        id uuid primary key,
        email varchar(254) not null unique,
        password_hash text null,
        full_name varchar(120) not null,
        role text not null default 'customer' check (role in ('customer', 'vendor', 'admin')),
        email_verified_at timestamptz null,
        is_active boolean not null default true,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    // The admin list sorts newest first by id (v7 ids are time-ordered, so the primary key serves the plain list),
    // filters by role or status, and searches email and name by trigram.
    this.addSql(`create index users_role_id_idx on users (role, id desc);`);
    this.addSql(`create index users_active_id_idx on users (is_active, id desc);`);
    this.addSql(
      `create index users_search_trgm_idx on users using gin ((email || ' ' || lower(full_name)) gin_trgm_ops);`,
    );
    this.addSql(`
      create table sessions (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade deferrable initially deferred,
        ip text null,
        user_agent varchar(300) null,
        created_at timestamptz not null,
        revoked_at timestamptz null,
        revoked_reason text null
      );`);
    this.addSql(`create index sessions_user_live_idx on sessions (user_id) where revoked_at is null;`);
    this.addSql(`
      create table refresh_tokens (
        id uuid primary key,
        session_id uuid not null references sessions (id) on delete cascade deferrable initially deferred,
        token_hash text not null unique,
        expires_at timestamptz not null,
        used_at timestamptz null,
        created_at timestamptz not null
      );`);
    this.addSql(`create index refresh_tokens_session_idx on refresh_tokens (session_id);`);
    this.addSql(`
      create table action_tokens (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade deferrable initially deferred,
        purpose text not null check (purpose in ('verify_email', 'reset_password')),
        token_hash text not null unique,
        expires_at timestamptz not null,
        used_at timestamptz null,
        created_at timestamptz not null
      );`);
    this.addSql(
      `create index action_tokens_user_purpose_idx on action_tokens (user_id, purpose) where used_at is null;`,
    );
    this.addSql(`
      create table addresses (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade deferrable initially deferred,
        label varchar(60) null,
        full_name varchar(120) not null,
        line1 varchar(200) not null,
        line2 varchar(200) null,
        city varchar(100) not null,
        region varchar(100) null,
        postal_code varchar(20) not null,
        country char(2) not null,
        phone varchar(32) null,
        is_default boolean not null default false,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql(`create index addresses_user_list_idx on addresses (user_id, is_default desc, id desc);`);
    // At most one default address per user, enforced by the database rather than by hope.
    this.addSql(`create unique index addresses_one_default_idx on addresses (user_id) where is_default;`);
    this.addSql(`
      create table oauth_identities (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade deferrable initially deferred,
        provider varchar(40) not null,
        subject text not null,
        email varchar(254) null,
        created_at timestamptz not null,
        unique (provider, subject)
      );`);
    this.addSql(`create index oauth_identities_user_idx on oauth_identities (user_id);`);
    this.addSql(`
      create table audit_log (
        id uuid primary key,
        action varchar(60) not null,
        actor_id uuid null,
        target_id uuid null,
        ip text null,
        request_id text null,
        details jsonb null,
        created_at timestamptz not null
      );`);
    this.addSql(`create index audit_log_created_idx on audit_log (created_at desc, id desc);`);
    this.addSql(`create index audit_log_target_idx on audit_log (target_id, created_at desc);`);
    this.addSql(`create index audit_log_actor_idx on audit_log (actor_id, created_at desc);`);
  }

  override down(): void {
    this.addSql('drop table audit_log, oauth_identities, addresses, action_tokens, refresh_tokens, sessions, users;');
  }
}
