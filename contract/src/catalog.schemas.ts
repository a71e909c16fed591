/** Catalog objects on the wire: categories, products with options and variants, images, reviews, inventory. */
import { z } from 'zod';
import { extendApi } from '@anatine/zod-openapi';
import { Id, Money, PageQuery, problemsOf, Timestamp } from './common';
import {
  CATEGORY_EXAMPLE,
  INVENTORY_MOVEMENT_EXAMPLE,
  MONEY_EXAMPLE,
  PRODUCT_EXAMPLE,
  PRODUCT_IMAGE_EXAMPLE,
  PRODUCT_INPUT_EXAMPLE,
  PRODUCT_SUMMARY_EXAMPLE,
  REVIEW_EXAMPLE,
  SEARCH_RESULT_EXAMPLE,
  VARIANT_EXAMPLE,
} from './examples';
import { named } from './named';

/** Error codes of products, stock, images, reviews and categories (besides the platform's). */
export const CATALOG_ERROR_CODES = [
  'slug_taken',
  'sku_taken',
  'invalid_status_transition',
  'insufficient_stock',
  'stock_limit',
  'too_many_images',
  'image_too_large',
  'already_reviewed',
  'category_too_deep',
  'category_cycle',
  'category_not_empty',
] as const;
export type CatalogErrorCode = (typeof CATALOG_ERROR_CODES)[number];
export const catalogProblem = problemsOf<CatalogErrorCode>();

/** Rate-limit policies of catalog routes (budgets: server/src/modules/catalog/catalog.rate-limits.ts). */
export const CATALOG_RATE_LIMIT_POLICIES = [
  'catalog_read',
  'catalog_search',
  'catalog_manage',
  'catalog_write',
  'catalog_upload',
  'review_write',
  'catalog_admin',
] as const;

const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

export const Slug = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and single dashes')
  .describe('URL-safe identifier, unique among its kind');

// ---------------------------------------------------------------------------------------------------- categories

export const Category = named(
  'Category',
  z.object({
    id: Id,
    name: z.string(),
    slug: Slug,
    parentId: Id.nullable().describe('The parent category; null for a top-level category'),
    depth: z.number().int().describe('0 for a top-level category'),
    position: z.number().int().describe('Order among its siblings'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  CATEGORY_EXAMPLE,
);
export type Category = z.infer<typeof Category>;

export const CategoryTree = named(
  'CategoryTree',
  z
    .object({ data: z.array(Category) })
    .describe('Every category in pre-order (each parent directly before its subtree, siblings by position)'),
  { data: [CATEGORY_EXAMPLE] },
);

const CategoryName = z.string().trim().min(1).max(80);

export const CategoryInput = named(
  'CategoryInput',
  z
    .object({
      name: CategoryName,
      slug: Slug.optional().describe('Derived from the name when omitted'),
      parentId: Id.nullable().optional().describe('Omit or null for a top-level category'),
      position: z.number().int().min(0).max(10_000).optional(),
    })
    .strict(),
  { name: 'T-shirts', parentId: null },
);

export const CategoryUpdate = named(
  'CategoryUpdate',
  z
    .object({
      name: CategoryName.optional(),
      slug: Slug.optional(),
      parentId: Id.nullable().optional().describe('Moves the category (with its subtree); null makes it top-level'),
      position: z.number().int().min(0).max(10_000).optional(),
    })
    .strict(),
  { name: 'Tees', position: 2 },
);

// ---------------------------------------------------------------------------------------------------- products

export const PRODUCT_STATUSES = ['draft', 'pending_review', 'published', 'rejected', 'archived'] as const;
export const ProductStatus = named(
  'ProductStatus',
  z.enum(PRODUCT_STATUSES).describe('draft -> pending_review -> published | rejected; archived when deleted'),
);
export type ProductStatus = z.infer<typeof ProductStatus>;

const OptionName = z.string().trim().min(1).max(40);
const OptionValue = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .regex(/^[^:]+$/, 'must not contain ":"');

export const ProductOption = named(
  'ProductOption',
  z
    .object({ name: OptionName.regex(/^[^:]+$/, 'must not contain ":"'), values: z.array(OptionValue).min(1).max(50) })
    .strict()
    .describe('An option such as size or colour, with the values the variants choose from'),
  { name: 'size', values: ['S', 'M', 'L'] },
);

// A product has at most 3 options, so a variant names at most 3 values.
const VariantOptions = extendApi(
  z
    .record(OptionName, OptionValue)
    .describe(
      'One value per product option, e.g. `{ "size": "M", "colour": "red" }`; `{}` when the product has no options',
    ),
  { maxProperties: 3 },
);

export const Sku = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, '1-64 letters, digits, dots, dashes or underscores')
  .describe('Stock keeping unit, unique across the catalog');

const Price = named(
  'PriceInput',
  Money.extend({
    amount: z.number().int().min(0).max(100_000_000).describe('Integer amount in minor units, at most 1,000,000.00'),
  }).strict(),
  MONEY_EXAMPLE,
);

export const VariantInput = named(
  'VariantInput',
  z.object({ sku: Sku, options: VariantOptions.default({}), price: Price }).strict(),
  { sku: 'TEE-ORG-M', options: { size: 'M' }, price: MONEY_EXAMPLE },
);

export const NewVariantInput = named(
  'NewVariantInput',
  VariantInput.extend({
    stock: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(0)
      .describe('Opening stock, recorded as an `initial` movement'),
  }).strict(),
  { sku: 'TEE-ORG-M', options: { size: 'M' }, price: MONEY_EXAMPLE, stock: 25 },
);

const ProductName = z.string().trim().min(1).max(200);
const ProductDescription = z.string().trim().max(10_000).describe('Plain text; never interpreted as HTML');

export const ProductInput = named(
  'ProductInput',
  z
    .object({
      name: ProductName,
      slug: Slug.optional().describe('Derived from the name when omitted'),
      description: ProductDescription.default(''),
      categoryId: Id,
      options: z.array(ProductOption).max(3).default([]),
      variants: z.array(NewVariantInput).min(1).max(100),
    })
    .strict(),
  PRODUCT_INPUT_EXAMPLE,
);

export const ProductUpdate = named(
  'ProductUpdate',
  z
    .object({
      name: ProductName,
      slug: Slug.optional(),
      description: ProductDescription.default(''),
      categoryId: Id,
      options: z.array(ProductOption).max(3).default([]),
      variants: z
        .array(VariantInput)
        .min(1)
        .max(100)
        .describe(
          'The full variant list, matched by SKU: a known SKU is updated, a new one is added with no stock, a missing ' +
            'one is retired (kept for orders that name it). Stock changes go through inventory adjustments.',
        ),
    })
    .strict(),
  {
    ...PRODUCT_INPUT_EXAMPLE,
    variants: PRODUCT_INPUT_EXAMPLE.variants.map(({ stock: _stock, ...variant }) => variant),
  },
);

export const Variant = named(
  'Variant',
  z.object({
    id: Id,
    sku: Sku,
    options: extendApi(z.record(z.string(), z.string()), { maxProperties: 3 }),
    price: Money,
    stock: z.number().int().describe('Units available now'),
    inStock: z.boolean(),
  }),
  VARIANT_EXAMPLE,
);

export const ProductImage = named(
  'ProductImage',
  z.object({
    id: Id,
    url: z.string().describe('The re-encoded image'),
    thumbnailUrl: z.string().describe('A 320 px thumbnail'),
    width: z.number().int(),
    height: z.number().int(),
    position: z.number().int(),
  }),
  PRODUCT_IMAGE_EXAMPLE,
);

export const PriceRange = named('PriceRange', z.object({ min: Money, max: Money }));
export const Rating = named(
  'Rating',
  z.object({
    average: z.number().nullable().describe('Mean of the visible reviews, 2 decimals; null when there are none'),
    count: z.number().int(),
  }),
);

export const Product = named(
  'Product',
  z.object({
    id: Id,
    slug: Slug,
    name: z.string(),
    description: z.string(),
    status: ProductStatus,
    rejectionReason: z.string().nullable().describe('Why an admin rejected it; shown to its vendor'),
    vendorId: Id,
    categoryId: Id,
    options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
    variants: z.array(Variant),
    images: z.array(ProductImage),
    priceRange: PriceRange,
    totalStock: z.number().int(),
    rating: Rating,
    publishedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  PRODUCT_EXAMPLE,
);
export type Product = z.infer<typeof Product>;

export const ProductSummary = named(
  'ProductSummary',
  z.object({
    id: Id,
    slug: Slug,
    name: z.string(),
    status: ProductStatus,
    vendorId: Id,
    categoryId: Id,
    priceRange: PriceRange,
    totalStock: z.number().int(),
    inStock: z.boolean(),
    rating: Rating,
    thumbnailUrl: z.string().nullable(),
    submittedAt: Timestamp.nullable().describe('When it was last submitted for review'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  PRODUCT_SUMMARY_EXAMPLE,
);
export type ProductSummary = z.infer<typeof ProductSummary>;

export const PRODUCT_SORTS = ['newest', 'price_asc', 'price_desc', 'rating'] as const;

const optionFilter = z
  .preprocess(
    (value) => (value === undefined || Array.isArray(value) ? value : [value]),
    z.array(z.string().regex(/^[^:]{1,40}:[^:]{1,60}$/, 'name:value')).max(10),
  )
  .describe('`name:value`, repeatable (`option=size:M&option=colour:red`); a product must match every one');

/** A number in the query string; coercion would let `null` through, so OpenAPI is told it is not nullable. */
const queryNumber = <T extends z.ZodTypeAny>(schema: T) => extendApi(schema.optional(), { nullable: false });
const priceBound = z.coerce.number().int().min(0).max(1_000_000_000);

/** Filters shared by the product list, search and a category's products. */
export const ProductFilters = PageQuery.extend({
  categoryId: Id.optional().describe('Products of this category or any of its subcategories'),
  vendorId: Id.optional(),
  minPrice: queryNumber(
    priceBound.describe("Minor units: products whose price (their cheapest variant's) is at least this"),
  ),
  maxPrice: queryNumber(
    priceBound.describe("Minor units: products whose price (their cheapest variant's) is at most this"),
  ),
  minRating: queryNumber(z.coerce.number().min(0).max(5)),
  inStock: booleanQuery.optional(),
  option: optionFilter.optional(),
  sort: z
    .enum(PRODUCT_SORTS)
    .default('newest')
    .describe(
      "`price_asc`/`price_desc` order by the product's price (its cheapest variant's); `rating` by the average",
    ),
}).strict();

export const SearchQuery = ProductFilters.extend({
  q: z.string().trim().min(1).max(200).describe('Words to find; a small typo is forgiven'),
  sort: z.enum(['relevance', ...PRODUCT_SORTS]).default('relevance'),
}).strict();

export const SearchResult = named(
  'SearchResult',
  z.object({
    data: z.array(ProductSummary),
    nextCursor: z.string().nullable(),
    total: z.number().int().describe('How many products match'),
    facets: z.object({
      categories: z
        .array(z.object({ categoryId: Id, count: z.number().int() }))
        .describe('Matches per direct category'),
      options: z.array(z.object({ name: z.string(), value: z.string(), count: z.number().int() })),
      price: z
        .object({ min: Money, max: Money })
        .nullable()
        .describe('Cheapest and dearest variant price of the matches'),
    }),
  }),
  SEARCH_RESULT_EXAMPLE,
);

export const VendorProductQuery = PageQuery.extend({
  status: ProductStatus.exclude(['archived']).optional().describe('Archived products are gone, here too'),
}).strict();
export const ReviewQueueQuery = PageQuery.extend({ status: ProductStatus.default('pending_review') }).strict();

// ---------------------------------------------------------------------------------------------------- images

export const ImageUpload = named(
  'ImageUpload',
  z
    .object({
      file: extendApi(
        z.custom<unknown>((value) => value !== undefined && value !== null, 'a file is required'),
        { type: 'string', format: 'binary', description: 'JPEG, PNG or WebP; at most 10 MB and 40 megapixels' },
      ),
    })
    .strict(),
);

export const ImageOrder = named(
  'ImageOrder',
  z.object({ imageIds: z.array(Id).min(1).max(20).describe('Every image of the product, in the new order') }).strict(),
  { imageIds: [PRODUCT_IMAGE_EXAMPLE.id] },
);

// ---------------------------------------------------------------------------------------------------- inventory

export const INVENTORY_REASONS = [
  'initial',
  'restock',
  'correction',
  'damaged',
  'returned',
  'sale',
  'cancellation',
] as const;

export const InventoryAdjustment = named(
  'InventoryAdjustment',
  z
    .object({
      delta: z
        .number()
        .int()
        .min(-1_000_000)
        .max(1_000_000)
        .refine((value) => value !== 0, 'must not be 0')
        .describe('Units to add (positive) or remove (negative); stock never goes below 0'),
      reason: z.enum(['restock', 'correction', 'damaged', 'returned']),
      note: z.string().trim().max(500).optional(),
    })
    .strict(),
  { delta: 20, reason: 'restock', note: 'Spring delivery' },
);

export const InventoryMovement = named(
  'InventoryMovement',
  z.object({
    id: Id,
    variantId: Id,
    sku: Sku,
    delta: z.number().int(),
    stockAfter: z.number().int(),
    reason: z.enum(INVENTORY_REASONS),
    note: z.string().nullable(),
    actorId: Id.nullable().describe('Who made the change; null for the system'),
    createdAt: Timestamp,
  }),
  INVENTORY_MOVEMENT_EXAMPLE,
);

// ---------------------------------------------------------------------------------------------------- reviews

export const ReviewInput = named(
  'ReviewInput',
  z
    .object({
      rating: z.number().int().min(1).max(5),
      title: z.string().trim().max(120).optional(),
      body: z.string().trim().max(4000).default('').describe('Plain text; never interpreted as HTML'),
    })
    .strict(),
  { rating: 5, title: 'Soft and sturdy', body: 'Kept its shape after many washes.' },
);

export const Review = named(
  'Review',
  z.object({
    id: Id,
    productId: Id,
    authorName: z.string(),
    rating: z.number().int(),
    title: z.string().nullable(),
    body: z.string(),
    hidden: z.boolean().describe('Hidden by an admin (only admins see hidden reviews)'),
    verifiedPurchase: z
      .boolean()
      .describe('The author has a paid order of this product that was not cancelled (kept up to date as orders move)'),
    createdAt: Timestamp,
  }),
  REVIEW_EXAMPLE,
);
export type Review = z.infer<typeof Review>;
