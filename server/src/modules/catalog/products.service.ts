/**
 * Products: a vendor's drafts, their variants, the approval workflow and the reads of one product.
 *
 * Visibility: the public sees published products only; a vendor manages its own products (another vendor's are a 404,
 * as if they did not exist); an admin manages any. Archived products are gone for everyone but orders.
 */
import type { z } from 'zod';
import type { Product as ProductDto, ProductInput, ProductStatus, ProductUpdate } from '@emporium/contract';
import { newId } from '../../platform/columns';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { inTransaction } from '../../platform/unit-of-work';
import { catalogAudit } from './catalog.audit';
import { cacheFamilies, catalogChanged, catalogCurrency } from './catalog.cache';
import { Category, Product, ProductImage, Variant } from './catalog.entities';
import { toProductDto } from './catalog.mapper';
import { changeStock } from './inventory.service';
import { findManageableProduct, reviewAgainAfterVendorEdit } from './product-access';
import { assertVariantSet, freeSlug } from './product-rules';
import { lockProduct, refreshProductAggregates } from './products.sql';

type NewProduct = z.infer<typeof ProductInput>;
type ProductChanges = z.infer<typeof ProductUpdate>;

/**
 * Builds the full DTO from a fresh EntityManager (raw stock updates bypass the unit of work's copies); inside a
 * transaction it reads what the transaction wrote, so a write answers from its own transaction.
 */
async function loadProductDto(
  ctx: Ctx,
  id: string,
  visible: (product: Product) => boolean,
): Promise<ProductDto | undefined> {
  const em = ctx.em.fork({ keepTransactionContext: true });
  const product = await em.findOne(Product, { id });
  if (!product || !visible(product)) return undefined;
  const [variants, images] = await Promise.all([
    em.find(Variant, { productId: id, retiredAt: null }, { orderBy: { position: 'asc' } }),
    em.find(ProductImage, { productId: id }, { orderBy: { position: 'asc' } }),
  ]);
  return toProductDto(product, variants, images, ctx.deps.storage);
}

/** The public product: published only, served from the cache. */
export async function getPublishedProduct(ctx: Ctx, id: string): Promise<ProductDto> {
  const ttlSeconds = ctx.deps.config.CATALOG_CACHE_TTL_SECONDS;
  const product = await ctx.deps.cache.readThrough('product', cacheFamilies.product(id), 'detail', ttlSeconds, () =>
    loadProductDto(ctx, id, (candidate) => candidate.status === 'published'),
  );
  if (!product) throw new NotFoundError('product');
  return product;
}

/** The product as its vendor or an admin sees it: any status but archived. */
export async function getManageableProduct(ctx: AuthenticatedCtx, id: string): Promise<ProductDto> {
  const product = await loadProductDto(
    ctx,
    id,
    (candidate) =>
      candidate.status !== 'archived' && (ctx.actor.role === 'admin' || candidate.vendorId === ctx.actor.userId),
  );
  if (!product) throw new NotFoundError('product');
  return product;
}

async function assertCategoryExists(ctx: Ctx, categoryId: string): Promise<void> {
  if ((await ctx.em.count(Category, { id: categoryId })) === 0) {
    throw new ValidationError([{ path: 'body.categoryId', message: 'is not a category', code: 'invalid_reference' }]);
  }
}

/**
 * A vendor creates a draft with its variants; opening stock is recorded as `initial` movements. A taken slug or SKU is
 * a 409 (`slug_taken`, `sku_taken`: the catalog's constraints).
 */
export async function createProduct(ctx: AuthenticatedCtx, input: NewProduct): Promise<ProductDto> {
  const currency = catalogCurrency(ctx);
  assertVariantSet(input.options, input.variants, currency);
  await assertCategoryExists(ctx, input.categoryId);
  const slug =
    input.slug ??
    (await freeSlug(
      input.name,
      'product',
      async (candidate) => (await ctx.em.count(Product, { slug: candidate })) > 0,
    ));
  const productId = newId();
  return inTransaction(ctx, async (tx) => {
    tx.em.create(Product, {
      id: productId,
      vendorId: ctx.actor.userId,
      categoryId: input.categoryId,
      name: input.name,
      slug,
      description: input.description,
      status: 'draft',
      options: input.options,
      optionValues: [],
      currency,
    });
    const variants = input.variants.map((variant, position) =>
      tx.em.create(Variant, {
        id: newId(),
        productId,
        sku: variant.sku,
        options: variant.options,
        price: variant.price.amount,
        stock: 0,
        position,
      }),
    );
    await tx.em.flush();
    for (const [index, variant] of variants.entries()) {
      const stock = input.variants[index]?.stock ?? 0;
      if (stock > 0)
        await changeStock(tx, {
          productId,
          variantId: variant.id,
          delta: stock,
          reason: 'initial',
          actorId: ctx.actor.userId,
        });
    }
    await refreshProductAggregates(tx, productId);
    return getManageableProduct(tx, productId);
  });
}

/** What a vendor's edit to a published product must not change without a new review: everything but prices. */
function reviewedContent(product: Product, variants: Variant[]): string {
  // Option keys sorted: jsonb hands them back in its own order, a client sends them in any.
  const live = variants
    .filter((variant) => !variant.retiredAt)
    .map((variant) => [variant.sku, Object.entries(variant.options).sort(([a], [b]) => a.localeCompare(b))] as const);
  live.sort(([a], [b]) => a.localeCompare(b));
  const { name, slug, description, categoryId, options } = product;
  return JSON.stringify({ name, slug, description, categoryId, options, live });
}

/** Replaces a product's content and variants (matched by SKU); see the contract for the re-review rule. */
export async function updateProduct(ctx: AuthenticatedCtx, id: string, input: ProductChanges): Promise<ProductDto> {
  assertVariantSet(input.options, input.variants, catalogCurrency(ctx));
  await assertCategoryExists(ctx, input.categoryId);
  return inTransaction(ctx, async (tx) => {
    // Lock before reading: the status decided below must be the one this write commits over.
    await lockProduct(tx, id);
    const product = await findManageableProduct(tx, id);
    const variants = await tx.em.find(Variant, { productId: id });
    const before = reviewedContent(product, variants);
    const bySku = new Map(variants.map((variant) => [variant.sku, variant]));
    const kept = new Set<Variant>();
    for (const [position, wanted] of input.variants.entries()) {
      const existing = bySku.get(wanted.sku);
      if (existing) {
        Object.assign(existing, { options: wanted.options, price: wanted.price.amount, position, retiredAt: null });
        kept.add(existing);
      } else {
        kept.add(
          tx.em.create(Variant, {
            id: newId(),
            productId: id,
            sku: wanted.sku,
            options: wanted.options,
            price: wanted.price.amount,
            stock: 0,
            position,
          }),
        );
      }
    }
    const now = new Date();
    for (const variant of variants) if (!kept.has(variant) && !variant.retiredAt) variant.retiredAt = now;
    Object.assign(product, {
      name: input.name,
      slug: input.slug ?? product.slug,
      description: input.description,
      categoryId: input.categoryId,
      options: input.options,
    });
    await tx.em.flush();
    if (reviewedContent(product, [...kept]) !== before) await reviewAgainAfterVendorEdit(tx, id);
    await refreshProductAggregates(tx, id);
    catalogChanged(tx, id);
    return getManageableProduct(tx, id);
  });
}

/**
 * Moves a product between statuses with one conditional UPDATE, so two racing transitions cannot both win, and
 * audits it in the same transaction; answers the product as the transaction left it. The product is looked up (and
 * the actor's right to act on it checked) inside the transaction.
 */
async function transition(
  ctx: AuthenticatedCtx,
  id: string,
  from: readonly ProductStatus[],
  changes: (product: Product) => Partial<Pick<Product, 'rejectionReason' | 'submittedAt' | 'publishedAt'>> & {
    status: Exclude<ProductStatus, 'draft'>;
  },
): Promise<ProductDto | undefined> {
  return inTransaction(ctx, async (tx) => {
    const product = await findManageableProduct(tx, id);
    const change = changes(product);
    const updated = await tx.em.nativeUpdate(
      Product,
      { id, status: { $in: [...from] } },
      { ...change, updatedAt: new Date() },
    );
    if (updated === 0) {
      throw new ConflictError(
        'invalid_status_transition',
        `A ${product.status} product cannot become ${change.status}.`,
      );
    }
    const details = change.rejectionReason
      ? { from: product.status, reason: change.rejectionReason }
      : { from: product.status };
    catalogAudit.record(tx, { action: `product.${change.status}`, targetId: id, details });
    await tx.em.flush();
    catalogChanged(tx, id);
    return change.status === 'archived' ? undefined : getManageableProduct(tx, id);
  });
}

/** The product as the transaction left it: every transition but archiving answers it. */
function answered(product: ProductDto | undefined): ProductDto {
  if (!product) throw new NotFoundError('product');
  return product;
}

export async function submitProduct(ctx: AuthenticatedCtx, id: string): Promise<ProductDto> {
  return answered(
    await transition(ctx, id, ['draft', 'rejected'], () => ({ status: 'pending_review', submittedAt: new Date() })),
  );
}

export async function approveProduct(ctx: AuthenticatedCtx, id: string): Promise<ProductDto> {
  return answered(
    await transition(ctx, id, ['pending_review'], (product) => ({
      status: 'published',
      rejectionReason: null,
      publishedAt: product.publishedAt ?? new Date(),
    })),
  );
}

export async function rejectProduct(ctx: AuthenticatedCtx, id: string, reason: string): Promise<ProductDto> {
  return answered(
    await transition(ctx, id, ['pending_review'], () => ({ status: 'rejected', rejectionReason: reason })),
  );
}

/** Archives: the product leaves the catalog; its variants stay for the orders that name them. */
export async function archiveProduct(ctx: AuthenticatedCtx, id: string): Promise<void> {
  await transition(ctx, id, ['draft', 'pending_review', 'published', 'rejected'], () => ({ status: 'archived' }));
}
