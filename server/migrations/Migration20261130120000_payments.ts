import { Migration } from '@mikro-orm/migrations';

/**
 * Payments. `payments` holds each provider session of an order (a Stripe PaymentIntent per attempt); the ledger
 * `payment_transactions` is append-only: one row per money movement (capture, refund, dispute), unique per provider
 * movement id, so a webhook and a confirm call racing, or a replayed event, record it once. An order's paid, refunded
 * and balance figures are sums over it. `webhook_events` keeps each provider event id once (a replay is a no-op).
 * `refunds` are reserved (pending) under a per-order lock before the provider is called, so concurrent refunds never
 * sum past the capture. Vendors' earnings are entries too (a sale's part minus commission; refunds take it back).
 * Orders gain a flag for admins (a payment that does not match) and the time their stock was returned by a refund.
 */
export class Migration20261130120000_payments extends Migration {
  override up(): void {
    this.addSql(
      `alter table orders add column flag_reason varchar(300) null, add column restocked_at timestamptz null;`,
    );
    this.addSql(`create index orders_flagged_idx on orders (id desc) where flag_reason is not null;`);
    this.addSql(`
      create table payments (
        id uuid primary key,
        order_id uuid not null references orders (id),
        provider varchar(10) not null check (provider in ('manual', 'stripe', 'paypal')),
        provider_ref varchar(100) not null,
        attempt integer not null,
        amount integer not null check (amount > 0),
        currency char(3) not null,
        status varchar(40) not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (provider, provider_ref),
        unique (order_id, provider, attempt)
      );`);
    this.addSql(`
      create table payment_transactions (
        id uuid primary key,
        order_id uuid not null references orders (id),
        kind varchar(10) not null check (kind in ('capture', 'refund', 'dispute')),
        provider varchar(10) not null check (provider in ('manual', 'stripe', 'paypal')),
        provider_ref varchar(100) not null,
        amount integer not null check (amount > 0),
        currency char(3) not null,
        created_at timestamptz not null,
        unique (provider, kind, provider_ref)
      );`);
    this.addSql(`create index payment_transactions_order_idx on payment_transactions (order_id, id);`);
    this.addSql(`create index payment_transactions_provider_idx on payment_transactions (provider, id desc);`);
    this.addSql(`create index payment_transactions_kind_idx on payment_transactions (kind, id desc);`);
    this.addSql(`create index payment_transactions_created_idx on payment_transactions (created_at, id);`);
    this.addSql(`
      create table webhook_events (
        provider varchar(10) not null,
        event_id varchar(255) not null,
        type varchar(100) not null,
        received_at timestamptz not null,
        primary key (provider, event_id)
      );`);
    this.addSql(`
      create table refunds (
        id uuid primary key,
        order_id uuid not null references orders (id),
        provider varchar(10) not null check (provider in ('manual', 'stripe', 'paypal')),
        capture_ref varchar(100) not null,
        provider_ref varchar(100) null,
        amount integer not null check (amount > 0),
        currency char(3) not null,
        reason varchar(500) not null,
        status varchar(10) not null check (status in ('pending', 'succeeded', 'failed')),
        restock boolean not null,
        requested_by uuid null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql(`create index refunds_order_idx on refunds (order_id);`);
    this.addSql(`
      create table commission_rates (
        vendor_id uuid primary key references users (id) on delete cascade,
        rate_bps integer not null check (rate_bps between 0 and 10000),
        updated_at timestamptz not null
      );`);
    this.addSql(`
      create table vendor_earnings (
        id uuid primary key,
        vendor_id uuid not null,
        order_id uuid not null references orders (id),
        part_id uuid not null references order_parts (id),
        kind varchar(10) not null check (kind in ('sale', 'refund')),
        source_ref varchar(100) not null,
        gross integer not null,
        commission integer not null,
        net integer not null,
        currency char(3) not null,
        created_at timestamptz not null,
        unique (part_id, kind, source_ref)
      );`);
    this.addSql(`create index vendor_earnings_vendor_idx on vendor_earnings (vendor_id, id desc);`);
  }

  override down(): void {
    for (const table of [
      'vendor_earnings',
      'commission_rates',
      'refunds',
      'webhook_events',
      'payment_transactions',
      'payments',
    ])
      this.addSql(`drop table if exists ${table};`);
    this.addSql('alter table orders drop column flag_reason, drop column restocked_at;');
  }
}
