import { Migration } from '@mikro-orm/migrations';

/**
 * Catalog: categories, products with variants, stock movements, images, reviews, and the word list that search
 * corrects typos against.
 *
 * Stock lives on the variant (`stock >= 0` enforced by the database), so checkout can reserve a unit with one
 * conditional UPDATE per variant and can never oversell. Products carry denormalised read fields (price range, total
 * stock, rating sum and count, the option values, the search vector) kept in step by the same transaction that
 * changes their source, so lists, filters and sorts read one row per product.
 */
export class Migration20261127020000_catalog extends Migration {
  override up(): void {
    this.addSql(`
      create table categories (
        id uuid primary key,
        parent_id uuid null references categories (id) deferrable initially deferred,
        name varchar(80) not null,
        slug varchar(120) not null unique,
        position integer not null default 0,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        check (parent_id is null or parent_id <> id)
      );`);
    this.addSql(`create index categories_parent_idx on categories (parent_id, position, name);`);

    this.addSql(`
      create table products (
        id uuid primary key,
        vendor_id uuid not null references users (id) deferrable initially deferred,
        category_id uuid not null references categories (id) deferrable initially deferred,
        name varchar(200) not null,
        slug varchar(120) not null unique,
        description text not null default '',
        status text not null default 'draft'
          check (status in ('draft', 'pending_review', 'published', 'rejected', 'archived')),
        rejection_reason text null,
        options jsonb not null default '[]',
        option_values text[] not null default '{}',
        currency char(3) not null,
        min_price integer not null default 0,
        max_price integer not null default 0,
        total_stock integer not null default 0,
        rating_sum integer not null default 0,
        rating_count integer not null default 0,
        rating_avg numeric(3, 2) generated always as
          (case when rating_count = 0 then 0 else round(rating_sum::numeric / rating_count, 2) end) stored,
        search_vector tsvector generated always as
          (setweight(to_tsvector('simple', name), 'A') || setweight(to_tsvector('simple', description), 'B')) stored,
        submitted_at timestamptz null,
        published_at timestamptz null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    // The public reads only published rows: partial indexes keep every filter and sort on that set small and hot.
    const published = `where status = 'published'`;
    this.addSql(`create index products_pub_newest_idx on products (id desc) ${published};`);
    // A product's price is its cheapest variant's (min_price) for sorting and filtering: one index, read both ways.
    this.addSql(`create index products_pub_price_idx on products (min_price, id) ${published};`);
    this.addSql(`create index products_pub_rating_idx on products (rating_avg desc, id desc) ${published};`);
    // A single category with each sort (a category with subcategories filters by id list, then sorts).
    this.addSql(`create index products_pub_category_idx on products (category_id, id desc) ${published};`);
    this.addSql(`create index products_pub_category_price_idx on products (category_id, min_price, id) ${published};`);
    this.addSql(
      `create index products_pub_category_rating_idx on products (category_id, rating_avg desc, id desc) ${published};`,
    );
    this.addSql(`create index products_pub_vendor_idx on products (vendor_id, id desc) ${published};`);
    this.addSql(`create index products_pub_in_stock_idx on products (id desc) ${published} and total_stock > 0;`);
    this.addSql(`create index products_pub_options_idx on products using gin (option_values) ${published};`);
    this.addSql(`create index products_pub_search_idx on products using gin (search_vector) ${published};`);
    // Vendors list their own products in any status; admins work the queue by status, oldest submission first.
    this.addSql(`create index products_vendor_idx on products (vendor_id, id desc);`);
    this.addSql(
      `create index products_status_queue_idx on products (status, (coalesce(submitted_at, created_at)), id);`,
    );

    this.addSql(`
      create table product_variants (
        id uuid primary key,
        product_id uuid not null references products (id) deferrable initially deferred,
        sku varchar(64) not null unique,
        options jsonb not null default '{}',
        price integer not null check (price >= 0),
        stock integer not null default 0 check (stock between 0 and 10000000),
        position integer not null default 0,
        retired_at timestamptz null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );`);
    this.addSql(
      `create index product_variants_product_idx on product_variants (product_id, position) where retired_at is null;`,
    );

    this.addSql(`
      create table inventory_movements (
        id uuid primary key,
        variant_id uuid not null references product_variants (id) deferrable initially deferred,
        product_id uuid not null references products (id) deferrable initially deferred,
        delta integer not null check (delta <> 0),
        stock_after integer not null check (stock_after >= 0),
        reason text not null
          check (reason in ('initial', 'restock', 'correction', 'damaged', 'returned', 'sale', 'cancellation')),
        note varchar(500) null,
        actor_id uuid null references users (id) deferrable initially deferred,
        created_at timestamptz not null
      );`);
    this.addSql(`create index inventory_movements_product_idx on inventory_movements (product_id, id desc);`);
    this.addSql(`create index inventory_movements_variant_idx on inventory_movements (variant_id, id desc);`);

    this.addSql(`
      create table product_images (
        id uuid primary key,
        product_id uuid not null references products (id) deferrable initially deferred,
        position integer not null,
        image_key text not null,
        thumbnail_key text not null,
        width integer not null,
        height integer not null,
        bytes integer not null,
        created_at timestamptz not null
      );`);
    this.addSql(`create index product_images_product_idx on product_images (product_id, position);`);

    this.addSql(`
      create table reviews (
        id uuid primary key,
        product_id uuid not null references products (id) deferrable initially deferred,
        author_id uuid not null references users (id) deferrable initially deferred,
        rating smallint not null check (rating between 1 and 5),
        title varchar(120) null,
        body text not null default '',
        hidden_at timestamptz null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (product_id, author_id)
      );`);
    this.addSql(`create index reviews_product_visible_idx on reviews (product_id, id desc) where hidden_at is null;`);

    // Words of published products, for typo correction: a query word found nowhere is replaced by its closest
    // neighbour here. Only published products contribute, so drafts can neither steer public searches nor be probed.
    this.addSql(`create table search_words (word text primary key);`);
    this.addSql(`create index search_words_trgm_idx on search_words using gist (word gist_trgm_ops);`);
    this.addSql(`
      create function products_collect_search_words() returns trigger language plpgsql as $$
      begin
        -- In a fixed order, so that concurrent inserts of overlapping words wait for each other instead of deadlocking.
        insert into search_words (word)
          select distinct lexeme from unnest(tsvector_to_array(new.search_vector)) as lexeme
          where length(lexeme) between 3 and 40
          order by lexeme
        on conflict do nothing;
        return null;
      end $$;`);
    this.addSql(`
      create trigger products_search_words after insert or update of name, description, status on products
        for each row when (new.status = 'published') execute function products_collect_search_words();`);
  }
}
