/**
 * Products: a vendor's drafts, their variants, the approval workflow and the reads of one product.
 *
 * Visibility: the public sees published products only; a vendor manages its own products (another vendor's are a 404,
 * as if they did not exist); an admin manages any. Archived products are gone for everyone but orders.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { z } from 'zod';
import type { Product as ProductDto, ProductInput, ProductStatus, ProductUpdate } from '@emporium/contract';
import { newId } from '../../platform/columns';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import type { EntityManager } from '../../platform/database';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordAudit } from '../identity';
import { Category, Product, ProductImage, Variant } from './catalog.entities';
import { cacheFamilies, catalogChanged, type CatalogEnv } from './catalog.env';
import { toProductDto } from './catalog.mapper';
import { findManageableProduct, lockProduct, reviewAgainAfterVendorEdit } from './product-access';
import { changeStock } from './inventory.service';
import { assertVariantSet, freeSlug } from './product-rules';

type NewProduct = z.infer<typeof ProductInput>;
type ProductChanges = z.infer<typeof ProductUpdate>;

/** Builds the full DTO from a fresh EntityManager (raw stock updates bypass the unit of work's copies). */
async function loadProductDto(
  ctx: Ctx,
  env: CatalogEnv,
  id: string,
  visible: (product: Product) => boolean,
): Promise<ProductDto | undefined> {
  const em = ctx.em.fork();
  const product = await em.findOne(Product, { id });
  if (!product || !visible(product)) return undefined;
  const [variants, images] = await Promise.all([
    em.find(Variant, { productId: id, retiredAt: null }, { orderBy: { position: 'asc' } }),
    em.find(ProductImage, { productId: id }, { orderBy: { position: 'asc' } }),
  ]);
  return toProductDto(product, variants, images, env.storage);
}

/** The public product: published only, served from the cache. */
export async function getPublishedProduct(ctx: Ctx, env: CatalogEnv, id: string): Promise<ProductDto> {
  const product = await env.cache.readThrough('product', cacheFamilies.product(id), 'detail', env.cacheTtlSeconds, () =>
    loadProductDto(ctx, env, id, (candidate) => candidate.status === 'published'),
  );
  if (!product) throw new NotFoundError('product');
  return product;
}

/** The product as its vendor or an admin sees it: any status but archived. */
export async function getManageableProduct(ctx: AuthenticatedCtx, env: CatalogEnv, id: string): Promise<ProductDto> {
  const product = await loadProductDto(
    ctx,
    env,
    id,
    (candidate) =>
      candidate.status !== 'archived' && (ctx.actor.role === 'admin' || candidate.vendorId === ctx.actor.userId),
  );
  if (!product) throw new NotFoundError('product');
  return product;
}

async function assertCategoryExists(em: EntityManager, categoryId: string): Promise<void> {
  if ((await em.count(Category, { id: categoryId })) === 0) {
    throw new ValidationError([{ path: 'body.categoryId', message: 'is not a category', code: 'invalid_reference' }]);
  }
}

/** Unique violations on slug or SKU are the client's conflicts; anything else stays an error. */
function uniqueConflict(error: unknown): unknown {
  if (!(error instanceof UniqueConstraintViolationException)) return error;
  if (error.message.includes('products_slug_key'))
    return new ConflictError('slug_taken', 'Another product has this slug.');
  if (error.message.includes('product_variants_sku_key'))
    return new ConflictError('sku_taken', 'Another variant has one of these SKUs.');
  return error;
}

/** Recomputes the product's read fields from its live variants: price range, total stock, option values. */
async function refreshProductAggregates(em: EntityManager, productId: string): Promise<void> {
  await em.execute(
    `update products p set
        min_price = coalesce(a.min_price, 0),
        max_price = coalesce(a.max_price, 0),
        total_stock = coalesce(a.total_stock, 0),
        option_values = array(
          select distinct e.key || ':' || e.value
            from product_variants v, jsonb_each_text(v.options) e
           where v.product_id = p.id and v.retired_at is null
           order by 1)
      from (select min(price) as min_price, max(price) as max_price, sum(stock)::int as total_stock
              from product_variants where product_id = ? and retired_at is null) a
      where p.id = ?`,
    [productId, productId],
  );
}

/** A vendor creates a draft with its variants; opening stock is recorded as `initial` movements. */
export async function createProduct(ctx: AuthenticatedCtx, env: CatalogEnv, input: NewProduct): Promise<ProductDto> {
  assertVariantSet(input.options, input.variants, env.currency);
  await assertCategoryExists(ctx.em, input.categoryId);
  const slug =
    input.slug ??
    (await freeSlug(
      input.name,
      'product',
      async (candidate) => (await ctx.em.count(Product, { slug: candidate })) > 0,
    ));
  const productId = newId();
  try {
    await ctx.em.transactional(async (em) => {
      em.create(Product, {
        id: productId,
        vendorId: ctx.actor.userId,
        categoryId: input.categoryId,
        name: input.name,
        slug,
        description: input.description,
        status: 'draft',
        options: input.options,
        optionValues: [],
        currency: env.currency,
      });
      const variants = input.variants.map((variant, position) =>
        em.create(Variant, {
          id: newId(),
          productId,
          sku: variant.sku,
          options: variant.options,
          price: variant.price.amount,
          stock: 0,
          position,
        }),
      );
      await em.flush();
      for (const [index, variant] of variants.entries()) {
        const stock = input.variants[index]?.stock ?? 0;
        if (stock > 0)
          await changeStock(em, {
            productId,
            variantId: variant.id,
            delta: stock,
            reason: 'initial',
            actorId: ctx.actor.userId,
          });
      }
      await refreshProductAggregates(em, productId);
    });
  } catch (error) {
    throw uniqueConflict(error);
  }
  return getManageableProduct(ctx, env, productId);
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
export async function updateProduct(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  id: string,
  input: ProductChanges,
): Promise<ProductDto> {
  assertVariantSet(input.options, input.variants, env.currency);
  await assertCategoryExists(ctx.em, input.categoryId);
  try {
    await ctx.em.transactional(async (em) => {
      // Lock before reading: the status decided below must be the one this write commits over.
      await lockProduct(em, id);
      const product = await findManageableProduct({ ...ctx, em }, id);
      const variants = await em.find(Variant, { productId: id });
      const before = reviewedContent(product, variants);
      const bySku = new Map(variants.map((variant) => [variant.sku, variant]));
      const kept = new Set<Variant>();
      for (const [position, input_] of input.variants.entries()) {
        const existing = bySku.get(input_.sku);
        if (existing) {
          Object.assign(existing, { options: input_.options, price: input_.price.amount, position, retiredAt: null });
          kept.add(existing);
        } else {
          kept.add(
            em.create(Variant, {
              id: newId(),
              productId: id,
              sku: input_.sku,
              options: input_.options,
              price: input_.price.amount,
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
      await em.flush();
      if (reviewedContent(product, [...kept]) !== before) await reviewAgainAfterVendorEdit(em, ctx, id);
      await refreshProductAggregates(em, id);
    });
  } catch (error) {
    throw uniqueConflict(error);
  }
  await catalogChanged(env, id);
  return getManageableProduct(ctx, env, id);
}

/**
 * Moves a product between statuses with one conditional UPDATE, so two racing transitions cannot both win, and
 * audits it in the same transaction. The caller has already checked that the actor may act on the product.
 */
async function transition(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  product: Product,
  from: readonly ProductStatus[],
  changes: Partial<Pick<Product, 'rejectionReason' | 'submittedAt' | 'publishedAt'>> & {
    status: Exclude<ProductStatus, 'draft'>;
  },
): Promise<void> {
  await ctx.em.transactional(async (em) => {
    const updated = await em.nativeUpdate(
      Product,
      { id: product.id, status: { $in: [...from] } },
      { ...changes, updatedAt: new Date() },
    );
    if (updated === 0) {
      throw new ConflictError(
        'invalid_status_transition',
        `A ${product.status} product cannot become ${changes.status}.`,
      );
    }
    const details = changes.rejectionReason
      ? { from: product.status, reason: changes.rejectionReason }
      : { from: product.status };
    recordAudit(em, ctx, { action: `product.${changes.status}`, targetId: product.id, details });
    await em.flush();
  });
  await catalogChanged(env, product.id);
}

export async function submitProduct(ctx: AuthenticatedCtx, env: CatalogEnv, id: string): Promise<ProductDto> {
  const product = await findManageableProduct(ctx, id);
  await transition(ctx, env, product, ['draft', 'rejected'], { status: 'pending_review', submittedAt: new Date() });
  return getManageableProduct(ctx, env, id);
}

export async function approveProduct(ctx: AuthenticatedCtx, env: CatalogEnv, id: string): Promise<ProductDto> {
  const product = await findManageableProduct(ctx, id);
  await transition(ctx, env, product, ['pending_review'], {
    status: 'published',
    rejectionReason: null,
    publishedAt: product.publishedAt ?? new Date(),
  });
  return getManageableProduct(ctx, env, id);
}

export async function rejectProduct(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  id: string,
  reason: string,
): Promise<ProductDto> {
  const product = await findManageableProduct(ctx, id);
  await transition(ctx, env, product, ['pending_review'], { status: 'rejected', rejectionReason: reason });
  return getManageableProduct(ctx, env, id);
}

/** Archives: the product leaves the catalog; its variants stay for the orders that name them. */
export async function archiveProduct(ctx: AuthenticatedCtx, env: CatalogEnv, id: string): Promise<void> {
  const product = await findManageableProduct(ctx, id);
  await transition(ctx, env, product, ['draft', 'pending_review', 'published', 'rejected'], { status: 'archived' });
}
