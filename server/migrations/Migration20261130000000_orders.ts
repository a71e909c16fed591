import { Migration } from '@mikro-orm/migrations';

/**
 * Commerce: carts and their lines, discount codes and their redemptions, shipping methods, tax rates, and orders
 * (one per checkout) split into one part per vendor, with line snapshots and a history of every transition.
 *
 * A guest cart is found by the SHA-256 of its token; a customer has at most one cart (unique user_id). Orders keep
 * snapshots of everything they show (names, SKUs, options, prices, tax, the address), so catalog edits never change
 * them. Order numbers come from a sequence (`EMP-000123`); a rolled-back checkout may leave a gap, which is fine for
 * order numbers (invoice numbers, which must be gapless, are a separate counter). A discount's `uses` is moved by one
 * conditional UPDATE (`uses < usage_limit`), so parallel checkouts can never redeem a code past its limit.
 * Foreign keys are checked at commit (the unit of work inserts an order's rows in one flush, in any order).
 */
export class Migration20261130000000_orders extends Migration {
  override up(): void {
    this.addSql(`
      create table carts (
        id uuid primary key,
        user_id uuid null unique references users (id) on delete cascade deferrable initially deferred,
        token_hash char(64) null unique,
        discount_code varchar(40) null,
        merged_at timestamptz null,
        expires_at timestamptz null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        check ((user_id is null) <> (token_hash is null))
      );`);
    this.addSql(`create index carts_guest_expiry_idx on carts (expires_at) where user_id is null;`);
    this.addSql(`
      create table cart_lines (
        id uuid primary key,
        cart_id uuid not null references carts (id) on delete cascade deferrable initially deferred,
        variant_id uuid not null references product_variants (id) deferrable initially deferred,
        quantity integer not null check (quantity between 1 and 99),
        seen_unit_price integer not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (cart_id, variant_id)
      );`);

    this.addSql(`
      create table discounts (
        id uuid primary key,
        code varchar(40) not null unique,
        kind text not null check (kind in ('percentage', 'fixed')),
        percent_off integer null check (percent_off between 1 and 100),
        amount_off integer null check (amount_off >= 0),
        currency char(3) null,
        min_subtotal integer null,
        starts_at timestamptz null,
        ends_at timestamptz null,
        usage_limit integer null check (usage_limit >= 1),
        per_customer_limit integer null check (per_customer_limit >= 1),
        uses integer not null default 0 check (uses >= 0 and (usage_limit is null or uses <= usage_limit)),
        vendor_id uuid null references users (id) deferrable initially deferred,
        category_id uuid null references categories (id) deferrable initially deferred,
        disabled_at timestamptz null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql(`create index discounts_newest_idx on discounts (id desc);`);

    this.addSql(`
      create table shipping_methods (
        id uuid primary key,
        name varchar(80) not null,
        rate integer not null check (rate >= 0),
        free_over integer null check (free_over >= 0),
        currency char(3) not null,
        active boolean not null default true,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql(`create index shipping_methods_currency_idx on shipping_methods (currency, rate, id) where active;`);
    this.addSql(`
      create table tax_rates (
        country char(2) primary key,
        rate_bps integer not null check (rate_bps between 0 and 10000),
        updated_at timestamptz not null
      );`);

    this.addSql(`create sequence order_number_seq;`);
    this.addSql(`
      create table orders (
        id uuid primary key,
        number varchar(20) not null unique,
        customer_id uuid not null references users (id) deferrable initially deferred,
        status text not null check (status in ('pending_payment', 'paid', 'processing', 'shipped', 'delivered',
          'cancelled', 'expired', 'partially_refunded', 'refunded')),
        currency char(3) not null,
        subtotal integer not null,
        discount_total integer not null,
        shipping_total integer not null,
        tax_total integer not null,
        total integer not null,
        discount_id uuid null references discounts (id) deferrable initially deferred,
        discount_code varchar(40) null,
        shipping_address jsonb not null,
        payment_method text not null,
        payment_deadline timestamptz null,
        paid_at timestamptz null,
        idempotency_key varchar(255) not null,
        request_hash char(64) not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (customer_id, idempotency_key)
      );`);
    this.addSql(`create index orders_customer_idx on orders (customer_id, id desc);`);
    this.addSql(`create index orders_status_idx on orders (status, id desc);`);
    this.addSql(`create index orders_created_idx on orders (created_at, id);`);
    this.addSql(`create index orders_total_idx on orders (total, id);`);
    this.addSql(
      `create index orders_unpaid_deadline_idx on orders (payment_deadline) where status = 'pending_payment';`,
    );

    this.addSql(`
      create table order_parts (
        id uuid primary key,
        order_id uuid not null references orders (id) on delete cascade deferrable initially deferred,
        vendor_id uuid not null references users (id) deferrable initially deferred,
        status text not null,
        shipping_method_id uuid null references shipping_methods (id) deferrable initially deferred,
        shipping_method_name varchar(80) not null,
        subtotal integer not null,
        discount_total integer not null,
        shipping_total integer not null,
        tax_total integer not null,
        total integer not null,
        carrier varchar(60) null,
        tracking_number varchar(100) null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (order_id, vendor_id)
      );`);
    this.addSql(`create index order_parts_vendor_idx on order_parts (vendor_id, order_id desc);`);

    this.addSql(`
      create table order_lines (
        id uuid primary key,
        order_id uuid not null references orders (id) on delete cascade deferrable initially deferred,
        part_id uuid not null references order_parts (id) on delete cascade deferrable initially deferred,
        variant_id uuid not null,
        product_id uuid not null,
        vendor_id uuid not null,
        product_name varchar(200) not null,
        sku varchar(64) not null,
        options jsonb not null,
        quantity integer not null check (quantity between 1 and 99),
        unit_price integer not null,
        line_subtotal integer not null,
        discount integer not null,
        tax integer not null,
        position integer not null
      );`);
    this.addSql(`create index order_lines_order_idx on order_lines (order_id, position);`);
    this.addSql(`create index order_lines_product_idx on order_lines (product_id);`);

    this.addSql(`
      create table order_history (
        id uuid primary key,
        order_id uuid not null references orders (id) on delete cascade deferrable initially deferred,
        part_id uuid null references order_parts (id) on delete cascade deferrable initially deferred,
        from_status text null,
        to_status text not null,
        actor_id uuid null,
        actor_role text not null,
        note varchar(500) null,
        created_at timestamptz not null
      );`);
    this.addSql(`create index order_history_order_idx on order_history (order_id, id);`);

    this.addSql(`
      create table discount_redemptions (
        id uuid primary key,
        discount_id uuid not null references discounts (id) deferrable initially deferred,
        customer_id uuid not null references users (id) deferrable initially deferred,
        order_id uuid not null unique references orders (id) on delete cascade deferrable initially deferred,
        released_at timestamptz null,
        created_at timestamptz not null
      );`);
    this.addSql(
      `create index discount_redemptions_customer_idx on discount_redemptions (discount_id, customer_id) where released_at is null;`,
    );
  }
}
