/**
 * The demo catalog: one deterministic generator (a seeded PRNG) for the 300-product catalog a development database
 * starts with and for the 100,000-product one the benchmark reads. Vendors, customers, a three-level category tree,
 * products with options and variants, opening stock and reviews, written in bulk (`insert ... select from unnest`,
 * a few thousand rows a statement) inside one transaction: either the whole catalog is there or none of it.
 *
 * Every derived field is what the services would have written: price range, total stock and option values from the
 * live variants (option values sorted by the database, as `refreshProductAggregates` sorts them), rating sum and count
 * from the visible reviews, `submitted_at`/`published_at` as submit and approve set them, one `initial` movement per
 * stocked variant, v7 ids whose time is the row's creation time.
 *
 * A development tool, not part of a module: the accounts are created through identity's `importVerifiedUsers`; the
 * catalog's rows go in bulk straight into its tables (this is the catalog's data loader, kept in step with its
 * migrations by the seed test), and the catalog's caches are retired through its own `categoriesChanged`.
 */
import { v7 as uuidv7 } from 'uuid';
import { systemCtx, type Ctx } from '../platform/context';
import type { Deps } from '../platform/deps';
import type { EntityManager } from '../platform/database';
import { hashPassword, randomToken } from '../platform/secrets';
import { inTransaction } from '../platform/unit-of-work';
import { categoriesChanged, slugify } from '../modules/catalog';
import { importVerifiedUsers } from '../modules/identity';
import {
  CATALOG,
  ADJECTIVES,
  TRAITS,
  CLOSINGS,
  REJECTIONS,
  REVIEW_TITLES,
  REVIEW_BODIES,
  VENDORS,
  CUSTOMERS,
  type OptionPool,
  type LeafSpec,
  type TopSpec,
} from './demo-catalog-data';

/** The shared password of the demo accounts outside production (printed in the development log). */
export const DEMO_PASSWORD = 'emporium-demo-password';
/** The size of the catalog a fresh development database gets. */
export const DEMO_CATALOG_PRODUCTS = 300;

export interface GenerateCatalogOptions {
  products: number;
  /** Same seed, same `now`: same catalog. */
  seed?: number;
  currency?: string;
  /** The password of the demo accounts created now (existing accounts are left as they are). */
  password?: string;
  /** Creation times spread over the year before this instant. */
  now?: Date;
  /** Products per statement (their variants, movements and reviews follow in statements of their own). */
  batchSize?: number;
  onProgress?: (written: number, total: number) => void;
}

export type CatalogSeedResult =
  | { created: false }
  | {
      created: true;
      products: number;
      variants: number;
      reviews: number;
      categories: number;
      vendorEmails: string[];
      customerEmails: string[];
      password: string;
    };

// ------------------------------------------------------------------------------------------- seeded randomness

/** sfc32, seeded through splitmix32: small, fast, and the same sequence on every machine. */
class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let x = seed >>> 0;
    const split = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    [this.a, this.b, this.c, this.d] = [split(), split(), split(), split()];
    for (let i = 0; i < 12; i++) this.uint32();
  }
  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (((this.c << 21) | (this.c >>> 11)) + t) >>> 0;
    return t;
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 0x1_0000_0000;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** `count` distinct items, in their original order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const indexes = items.map((_, index) => index);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(this.next() * (indexes.length - i));
      [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
    }
    return indexes
      .slice(0, count)
      .sort((a, b) => a - b)
      .map((index) => items[index]!);
  }
  /** A v7 id for that instant, its random bits from this sequence. */
  id(at: number): string {
    const random = new Uint8Array(16);
    const view = new DataView(random.buffer);
    for (let i = 0; i < 16; i += 4) view.setUint32(i, this.uint32());
    return uuidv7({ msecs: at, random });
  }
}

// ------------------------------------------------------------------------------------------------ vocabulary

type Cell = string | number | boolean | null;
interface Column {
  name: string;
  type: string;
  /** The expression inserted, over the unnested row `u`; `u.<name>` by default. */
  select?: string;
}

/** A PostgreSQL array literal: every element quoted, so commas, braces, quotes and spaces survive. */
function arrayLiteral(values: Cell[]): string {
  const element = (value: Cell) => (value === null ? 'NULL' : `"${String(value).replace(/[\\"]/g, '\\$&')}"`);
  return `{${values.map(element).join(',')}}`;
}

/** An escape-string literal, correct whatever `standard_conforming_strings` says. */
function sqlString(text: string): string {
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * One `insert ... select from unnest(...)` for all rows: one array literal per column, inlined (the ORM inlines
 * parameters anyway, and one literal per column is far smaller than one per cell).
 */
async function insertRows(
  em: EntityManager,
  table: string,
  columns: readonly Column[],
  rows: readonly Cell[][],
  suffix = '',
): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map(
    (column, index) => `${sqlString(arrayLiteral(rows.map((row) => row[index] ?? null)))}::${column.type}[]`,
  );
  const names = columns.map((column) => column.name).join(', ');
  const selected = columns.map((column) => column.select ?? `u.${column.name}`).join(', ');
  await em.execute(
    `insert into ${table} (${names}) select ${selected} from unnest(${arrays.join(', ')}) as u(${names}) ${suffix}`,
  );
}

/** `name:type` pairs, separated by spaces; `select` overrides the inserted expression of some. */
const columns = (spec: string, select: Record<string, string> = {}): Column[] =>
  spec.split(/\s+/).map((pair) => {
    const [name = '', type = ''] = pair.split(':');
    return { name, type, ...(select[name] ? { select: select[name] } : {}) };
  });
const PRODUCT_COLUMNS = columns(
  `id:uuid vendor_id:uuid category_id:uuid name:text slug:text description:text status:text rejection_reason:text options:jsonb
   option_values:jsonb currency:text min_price:int max_price:int total_stock:int rating_sum:int rating_count:int
   submitted_at:timestamptz published_at:timestamptz created_at:timestamptz updated_at:timestamptz`,
  // Sorted and de-duplicated by the database, exactly as refreshProductAggregates does.
  { option_values: 'array(select distinct v from jsonb_array_elements_text(u.option_values) as v order by 1)' },
);
const VARIANT_COLUMNS = columns(
  'id:uuid product_id:uuid sku:text options:jsonb price:int stock:int position:int created_at:timestamptz updated_at:timestamptz',
);
const MOVEMENT_COLUMNS = columns(
  'id:uuid variant_id:uuid product_id:uuid delta:int stock_after:int reason:text actor_id:uuid created_at:timestamptz',
);
const REVIEW_COLUMNS = columns(
  'id:uuid product_id:uuid author_id:uuid rating:smallint title:text body:text hidden_at:timestamptz created_at:timestamptz updated_at:timestamptz',
);
const CATEGORY_COLUMNS = columns(
  'id:uuid parent_id:uuid name:text slug:text position:int created_at:timestamptz updated_at:timestamptz',
);

// ------------------------------------------------------------------------------------------------ generation

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface Leaf {
  id: string;
  spec: LeafSpec;
  vendorIds: string[];
}

interface Batch {
  products: Cell[][];
  variants: Cell[][];
  movements: Cell[][];
  reviews: Cell[][];
}

/** A whole-unit price in minor units, or one cent under it (.99) as most shops price. */
function shopPrice(units: number, ninetyNine: boolean): number {
  return Math.max(1, Math.round(units)) * 100 - (ninetyNine ? 1 : 0);
}

/** "Boots", "Chinos", "Headphones" are plural; "Dress" is not. */
const isPlural = (noun: string) => /[^s]s$/.test(noun);
const article = (word: string) => (/^[aeiou]/i.test(word) ? 'An' : 'A');

interface ChosenOption {
  name: string;
  values: string[];
  pool: OptionPool;
}
interface ProductWords {
  adjective: string;
  material: string;
  noun: string;
}

/** The product's options: none (one default variant), one, or two of its category's pools; 1-6 variants. */
function chooseOptions(random: Random, spec: LeafSpec): ChosenOption[] {
  const roll = random.next();
  if (roll < 0.2) return [];
  const two = roll >= 0.65 && spec.options.length > 1;
  const shapes = two
    ? random.pick([
        [2, 2],
        [2, 2],
        [2, 3],
        [3, 2],
      ] as const)
    : [random.int(2, 4)];
  return shapes.map((wanted, index) => {
    const pool = spec.options[index]!;
    const count = Math.min(wanted, pool.values.length);
    // Ordered pools take a run of neighbours (M, L, XL); unordered ones any few (Navy, Olive, Sand).
    const start = random.int(0, pool.values.length - count);
    const values = pool.ordered ? pool.values.slice(start, start + count) : random.sample(pool.values, count);
    return { name: pool.name, values, pool };
  });
}

/** Every combination of the options' values, first option slowest: the variants in their positions. */
function combinations(options: { name: string; values: string[] }[]): Record<string, string>[] {
  return options.reduce<Record<string, string>[]>(
    (combos, option) => combos.flatMap((combo) => option.values.map((value) => ({ ...combo, [option.name]: value }))),
    [{}],
  );
}

function fill(template: string, words: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => words[key] ?? '');
}

class CatalogWriter {
  private readonly slugs = new Map<string, number>();
  constructor(
    private readonly random: Random,
    private readonly leaves: Leaf[],
    private readonly leafWeights: number[],
    private readonly customerIds: string[],
    private readonly vendors: Map<string, { name: string; code: string }>,
    private readonly currency: string,
    private readonly now: number,
    private readonly total: number,
  ) {}

  /** A leaf category, the popular ones (weight 2) twice as often. */
  private leaf(): Leaf {
    const roll = this.random.next() * this.leafWeights.at(-1)!;
    return this.leaves[this.leafWeights.findIndex((bound) => roll < bound)]!;
  }

  private slug(name: string): string {
    const base = slugify(name, 'product');
    const seen = (this.slugs.get(base) ?? 0) + 1;
    this.slugs.set(base, seen);
    return seen === 1 ? base : `${base}-${seen}`;
  }

  /** Product number `index` (0-based) with its variants, movements and reviews, appended to the batch. */
  product(index: number, batch: Batch): void {
    const { random } = this;
    const leaf = this.leaf();
    const vendorId = random.pick(leaf.vendorIds);
    const words: ProductWords = {
      adjective: random.pick(ADJECTIVES),
      material: random.pick(leaf.spec.materials),
      noun: random.pick(leaf.spec.nouns),
    };
    const name = `${words.adjective} ${words.material} ${words.noun}`;
    const description = this.describe(leaf.spec, words, vendorId);

    // Spread over the past year in id order, so "newest" and the v7 ids agree; the last approval is a day ago.
    const span = 365 * DAY;
    const createdAt = this.now - span - 6 * DAY + Math.floor(((index + random.next()) / this.total) * span);
    const roll = random.next();
    const status = roll < 0.9 ? 'published' : roll < 0.95 ? 'draft' : roll < 0.98 ? 'pending_review' : 'rejected';
    const submittedAt = status === 'draft' ? null : createdAt + random.int(10, 72 * 60) * 60_000;
    const publishedAt = status === 'published' ? submittedAt! + random.int(30, 48 * 60) * 60_000 : null;
    const productId = random.id(createdAt);
    const code = `${this.vendors.get(vendorId)?.code ?? 'EM'}-${index.toString(36).toUpperCase().padStart(5, '0')}`;

    const options = chooseOptions(random, leaf.spec);
    const variants = this.variants(batch, { productId, vendorId, code, createdAt, spec: leaf.spec, options });
    const rating = publishedAt === null ? { sum: 0, count: 0 } : this.reviews(batch, productId, publishedAt, words);
    batch.products.push([
      productId,
      vendorId,
      leaf.id,
      name,
      this.slug(name),
      description,
      status,
      status === 'rejected' ? random.pick(REJECTIONS) : null,
      JSON.stringify(options.map((option) => ({ name: option.name, values: option.values }))),
      JSON.stringify(variants.optionValues),
      this.currency,
      variants.minPrice,
      variants.maxPrice,
      variants.totalStock,
      rating.sum,
      rating.count,
      submittedAt === null ? null : iso(submittedAt),
      publishedAt === null ? null : iso(publishedAt),
      iso(createdAt),
      iso(publishedAt ?? submittedAt ?? createdAt),
    ]);
  }

  /** A sentence or two from the same words as the name, and often one of the shop's stock phrases. */
  private describe(spec: LeafSpec, { adjective, material, noun }: ProductWords, vendorId: string): string {
    const { random } = this;
    const [lowNoun, lowMaterial, plural] = [noun.toLowerCase(), material.toLowerCase(), isPlural(noun)];
    const opening = random.chance(0.5)
      ? `${plural ? adjective : `${article(adjective)} ${adjective.toLowerCase()}`} ${lowNoun} in ${lowMaterial}, ${random.pick(spec.features)}.`
      : `Made from ${lowMaterial}, ${plural ? 'these' : 'this'} ${lowNoun} ${plural ? 'are' : 'is'} ${random.pick(TRAITS)}, ${random.pick(spec.features)}.`;
    if (!random.chance(0.6)) return opening;
    return `${opening} ${fill(random.pick(CLOSINGS), { vendor: this.vendors.get(vendorId)?.name ?? 'us', adjective })}`;
  }

  /** Every combination of the options as a variant with its price and stock; opening stock as movements. */
  private variants(
    batch: Batch,
    product: {
      productId: string;
      vendorId: string;
      code: string;
      createdAt: number;
      spec: LeafSpec;
      options: ChosenOption[];
    },
  ): { minPrice: number; maxPrice: number; totalStock: number; optionValues: string[] } {
    const { random } = this;
    const { productId, vendorId, createdAt, spec, options } = product;
    const base = spec.price[0] * Math.pow(spec.price[1] / spec.price[0], random.next());
    const ninetyNine = random.chance(0.75);
    const totals = { minPrice: Infinity, maxPrice: 0, totalStock: 0, optionValues: new Set<string>() };
    combinations(options).forEach((combo, position) => {
      const step = options.reduce(
        (sum, option) => sum + (option.pool.priceStep ?? 0) * option.pool.values.indexOf(combo[option.name]!),
        0,
      );
      const price = shopPrice(base * (1 + step), ninetyNine);
      const stock = random.chance(0.1) ? 0 : Math.floor(Math.exp(random.next() * Math.log(250)));
      const variantId = random.id(createdAt);
      totals.minPrice = Math.min(totals.minPrice, price);
      totals.maxPrice = Math.max(totals.maxPrice, price);
      totals.totalStock += stock;
      for (const [key, value] of Object.entries(combo)) totals.optionValues.add(`${key}:${value}`);
      batch.variants.push([
        variantId,
        productId,
        `${product.code}-${position + 1}`,
        JSON.stringify(combo),
        price,
        stock,
        position,
        iso(createdAt),
        iso(createdAt),
      ]);
      if (stock > 0)
        batch.movements.push([
          random.id(createdAt),
          variantId,
          productId,
          stock,
          stock,
          'initial',
          vendorId,
          iso(createdAt),
        ]);
    });
    return { ...totals, optionValues: [...totals.optionValues] };
  }

  /** Reviews for about half the published products, a few hidden by moderation; answers the visible ones' totals. */
  private reviews(
    batch: Batch,
    productId: string,
    publishedAt: number,
    { material, noun }: ProductWords,
  ): { sum: number; count: number } {
    const { random } = this;
    const rating = { sum: 0, count: 0 };
    if (!random.chance(0.55)) return rating;
    const quality = 2.2 + 2.8 * Math.sqrt(random.next());
    const count = Math.min(this.customerIds.length, 12, 1 + Math.floor(-Math.log(1 - random.next()) * 2.2));
    for (const authorId of random.sample(this.customerIds, count)) {
      const stars = Math.min(5, Math.max(1, Math.round(quality + (random.next() - 0.5) * 2.2)));
      const tone = stars >= 4 ? 'good' : stars === 3 ? 'fair' : 'poor';
      const at = publishedAt + Math.floor(random.next() * Math.max(60_000, this.now - publishedAt));
      const hiddenAt = random.chance(0.03) ? at + Math.floor(random.next() * (this.now - at)) : null;
      const body = fill(random.pick(REVIEW_BODIES[tone]), {
        noun: noun.toLowerCase(),
        material: material.toLowerCase(),
      });
      const title = random.pick(REVIEW_TITLES[tone]);
      batch.reviews.push([
        random.id(at),
        productId,
        authorId,
        stars,
        title,
        body,
        hiddenAt === null ? null : iso(hiddenAt),
        iso(at),
        iso(hiddenAt ?? at),
      ]);
      if (hiddenAt === null) {
        rating.sum += stars;
        rating.count += 1;
      }
    }
    return rating;
  }
}

/** Creates the demo accounts that do not exist yet (through identity); answers the ids of those with the role. */
async function ensureUsers(
  ctx: Ctx,
  random: Random,
  people: { name: string; email: string }[],
  role: 'vendor' | 'customer',
  passwordHash: string,
  at: number,
): Promise<Map<string, string>> {
  const accounts = people.map((person) => ({
    id: random.id(at),
    email: person.email,
    fullName: person.name,
    createdAt: new Date(at),
  }));
  return importVerifiedUsers(ctx, role, accounts, passwordHash);
}

interface LeafPlacement {
  slug: string;
  spec: LeafSpec;
  top: TopSpec;
}

/**
 * The category tree, one level a statement so each level can name its parents' real ids; a category whose slug
 * already exists is reused as it is. Answers the leaves and the id of every slug.
 */
async function ensureCategories(
  em: EntityManager,
  random: Random,
  at: number,
): Promise<{ leaves: LeafPlacement[]; ids: Map<string, string> }> {
  type Node = { name: string; slug: string; parentSlug: string | null; position: number };
  const levels: Node[][] = [[], [], []];
  const leaves: LeafPlacement[] = [];
  CATALOG.forEach((top, topIndex) => {
    const topSlug = slugify(top.name, 'category');
    levels[0]!.push({ name: top.name, slug: topSlug, parentSlug: null, position: topIndex });
    top.groups.forEach((group, groupIndex) => {
      const groupSlug = `${topSlug}-${slugify(group.name, 'category')}`;
      levels[1]!.push({ name: group.name, slug: groupSlug, parentSlug: topSlug, position: groupIndex });
      group.leaves.forEach((spec, leafIndex) => {
        const slug = `${groupSlug}-${slugify(spec.name, 'category')}`;
        levels[2]!.push({ name: spec.name, slug, parentSlug: groupSlug, position: leafIndex });
        leaves.push({ slug, spec, top });
      });
    });
  });
  const ids = new Map<string, string>();
  for (const level of levels) {
    const rows = level.map((node) => [
      random.id(at),
      node.parentSlug ? ids.get(node.parentSlug)! : null,
      node.name,
      node.slug,
      node.position,
      iso(at),
      iso(at),
    ]);
    await insertRows(em, 'categories', CATEGORY_COLUMNS, rows, 'on conflict (slug) do nothing');
    const found = await em.execute<{ id: string; slug: string }[]>(
      `select id, slug from categories where slug = any(${sqlString(arrayLiteral(level.map((node) => node.slug)))}::text[])`,
    );
    for (const row of found) ids.set(row.slug, row.id);
  }
  return { leaves, ids };
}

async function hasProducts(ctx: Ctx): Promise<boolean> {
  const [row] = await ctx.em.execute<{ present: boolean }[]>('select exists (select 1 from products) as present');
  return row?.present ?? false;
}

/**
 * Writes a demo catalog of `products` products, or does nothing when the catalog already has products (any status):
 * an advisory lock and that check in the same transaction make concurrent or repeated runs safe.
 */
export async function generateCatalog(ctx: Ctx, options: GenerateCatalogOptions): Promise<CatalogSeedResult> {
  if (!Number.isInteger(options.products) || options.products < 1)
    throw new RangeError('products must be a positive integer');
  if (await hasProducts(ctx)) return { created: false };
  const password = options.password ?? DEMO_PASSWORD;
  const passwordHash = await hashPassword(password); // once: every demo account shares it
  const random = new Random(options.seed ?? 1);
  const now = (options.now ?? new Date()).getTime();
  const batchSize = options.batchSize ?? 2000;

  return inTransaction(ctx, async (tx) => {
    await tx.em.execute(`select pg_advisory_xact_lock(hashtext('emporium.catalog.seed'))`);
    if (await hasProducts(tx)) return { created: false } as const;
    const accountsAt = now - 400 * DAY;
    const vendors = await ensureUsers(tx, random, VENDORS, 'vendor', passwordHash, accountsAt);
    const customers = await ensureUsers(tx, random, CUSTOMERS, 'customer', passwordHash, accountsAt);
    if (vendors.size === 0) throw new Error('none of the demo vendor accounts is an active vendor');
    const vendorById = new Map(
      VENDORS.filter((vendor) => vendors.has(vendor.email)).map((vendor) => [vendors.get(vendor.email)!, vendor]),
    );
    const allVendorIds = [...vendors.values()];

    const tree = await ensureCategories(tx.em, random, accountsAt);
    const leaves: Leaf[] = tree.leaves.map(({ slug, spec, top }) => {
      const own = top.vendors
        .map((index) => vendors.get(VENDORS[index]!.email))
        .filter((id): id is string => id !== undefined);
      return { id: tree.ids.get(slug)!, spec, vendorIds: own.length > 0 ? own : allVendorIds };
    });
    let cumulative = 0;
    const weights = leaves.map((leaf) => (cumulative += leaf.spec.weight ?? 1));
    const writer = new CatalogWriter(
      random,
      leaves,
      weights,
      [...customers.values()],
      vendorById,
      options.currency ?? 'USD',
      now,
      options.products,
    );

    const totals = { variants: 0, reviews: 0 };
    for (let start = 0; start < options.products; start += batchSize) {
      const batch: Batch = { products: [], variants: [], movements: [], reviews: [] };
      for (let index = start; index < Math.min(options.products, start + batchSize); index++)
        writer.product(index, batch);
      await insertRows(tx.em, 'products', PRODUCT_COLUMNS, batch.products);
      await insertRows(tx.em, 'product_variants', VARIANT_COLUMNS, batch.variants);
      await insertRows(tx.em, 'inventory_movements', MOVEMENT_COLUMNS, batch.movements);
      await insertRows(tx.em, 'reviews', REVIEW_COLUMNS, batch.reviews);
      totals.variants += batch.variants.length;
      totals.reviews += batch.reviews.length;
      options.onProgress?.(start + batch.products.length, options.products);
    }
    // Lists and the category tree may have been cached while the catalog was empty.
    categoriesChanged(tx);
    return {
      created: true,
      products: options.products,
      variants: totals.variants,
      reviews: totals.reviews,
      categories: tree.ids.size,
      vendorEmails: VENDORS.map((vendor) => vendor.email).filter((email) => vendors.has(email)),
      customerEmails: CUSTOMERS.map((customer) => customer.email).filter((email) => customers.has(email)),
      password,
    } as const;
  });
}

/**
 * Seeds the demo catalog when the database has no products, and says so in the log. Outside production the log names
 * the demo logins and their shared password; in production (only ever on explicit request) the accounts get a random
 * password that is never shown, so nobody can sign in with a published one.
 */
export async function seedDemoCatalog(
  deps: Deps,
  options: { products?: number; seed?: number } = {},
): Promise<CatalogSeedResult> {
  const { config, logger } = deps;
  const products = options.products ?? DEMO_CATALOG_PRODUCTS;
  const started = performance.now();
  const result = await generateCatalog(systemCtx(deps, 'seed'), {
    products,
    seed: options.seed ?? 1,
    currency: config.CATALOG_CURRENCY,
    password: config.isProduction ? randomToken() : DEMO_PASSWORD,
    onProgress: (written, total) => {
      if (total >= 10_000 && (written % 10_000 === 0 || written === total))
        logger.info({ written, total }, 'seeding the demo catalog');
    },
  });
  if (!result.created) {
    logger.info('the catalog already has products: no demo catalog seeded');
    return result;
  }
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const { products: written, variants, reviews, categories, vendorEmails, customerEmails, password } = result;
  logger.info(
    { products: written, variants, reviews, categories, seconds },
    `seeded a demo catalog of ${written} products in ${seconds} s`,
  );
  if (config.isProduction) {
    logger.warn('the demo accounts have a random password that is not shown; reset it by email to use one');
  } else {
    const customers =
      customerEmails.length > 3 ? `${customerEmails[0]!} ... ${customerEmails.at(-1)!}` : customerEmails.join(', ');
    logger.info(
      `demo logins (development only), password "${password}" for all: vendors ${vendorEmails.join(', ')}; customers ${customers}`,
    );
  }
  return result;
}
