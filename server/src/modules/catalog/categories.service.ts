/**
 * The category tree: small, read on every category filter, so it is read whole, cached, and walked in memory.
 * Writes take one advisory lock, so two concurrent moves cannot build a cycle between them.
 */
import type { z } from 'zod';
import type { Category as CategoryDto, CategoryInput, CategoryUpdate } from '@emporium/contract';
import { newId } from '../../platform/columns';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { inTransaction } from '../../platform/unit-of-work';
import { catalogAudit } from './catalog.audit';
import { cacheFamilies, categoriesChanged } from './catalog.cache';
import { Category, Product } from './catalog.entities';
import { lockCategoryTree } from './categories.sql';
import { preOrder, subtreeIds } from './category-tree';
import { toCategoryDto } from './catalog.mapper';
import { freeSlug } from './product-rules';

/** Categories nest at most this many levels. */
const MAX_CATEGORY_DEPTH = 5;
const tooDeep = () => new ConflictError('category_too_deep', `Categories nest at most ${MAX_CATEGORY_DEPTH} levels.`);

export async function getCategoryTree(ctx: Ctx): Promise<CategoryDto[]> {
  const ttlSeconds = ctx.deps.config.CATALOG_CACHE_TTL_SECONDS;
  return ctx.deps.cache.readThrough('categories', cacheFamilies.categoryTree, 'tree', ttlSeconds, async () =>
    preOrder(await ctx.em.fork({ keepTransactionContext: true }).find(Category, {}), toCategoryDto),
  );
}

/** The tree, read under the tree's lock. */
async function lockTree(tx: Ctx): Promise<CategoryDto[]> {
  await lockCategoryTree(tx);
  return preOrder(await tx.em.find(Category, {}), toCategoryDto);
}

function parentOrFail(tree: CategoryDto[], parentId: string): CategoryDto {
  const parent = tree.find((category) => category.id === parentId);
  if (!parent)
    throw new ValidationError([{ path: 'body.parentId', message: 'is not a category', code: 'invalid_reference' }]);
  return parent;
}

export async function createCategory(
  ctx: AuthenticatedCtx,
  input: z.infer<typeof CategoryInput>,
): Promise<CategoryDto> {
  return inTransaction(ctx, async (tx) => {
    const tree = await lockTree(tx);
    const parent = input.parentId ? parentOrFail(tree, input.parentId) : undefined;
    const depth = parent ? parent.depth + 1 : 0;
    if (depth >= MAX_CATEGORY_DEPTH) throw tooDeep();
    const slug =
      input.slug ??
      (await freeSlug(
        input.name,
        'category',
        async (candidate) => (await tx.em.count(Category, { slug: candidate })) > 0,
      ));
    const category = tx.em.create(Category, {
      id: newId(),
      name: input.name,
      slug,
      parentId: parent?.id ?? null,
      position: input.position ?? 0,
    });
    catalogAudit.record(tx, {
      action: 'category.created',
      targetId: category.id,
      details: { name: input.name, parentId: parent?.id ?? null },
    });
    await tx.em.flush();
    categoriesChanged(tx);
    return toCategoryDto(category, depth);
  });
}

export async function updateCategory(
  ctx: AuthenticatedCtx,
  id: string,
  input: z.infer<typeof CategoryUpdate>,
): Promise<CategoryDto> {
  return inTransaction(ctx, async (tx) => {
    const tree = await lockTree(tx);
    const category = await tx.em.findOne(Category, { id });
    const node = tree.find((entry) => entry.id === id);
    if (!category || !node) throw new NotFoundError('category');
    let depth = node.depth;
    if (input.parentId !== undefined && input.parentId !== (category.parentId ?? null)) {
      const subtree = subtreeIds(tree, id) ?? [id];
      const parent = input.parentId === null ? undefined : parentOrFail(tree, input.parentId);
      if (parent && subtree.includes(parent.id))
        throw new ConflictError('category_cycle', 'A category cannot move under its own subtree.');
      depth = parent ? parent.depth + 1 : 0;
      const height =
        Math.max(...tree.filter((entry) => subtree.includes(entry.id)).map((entry) => entry.depth)) - node.depth;
      if (depth + height >= MAX_CATEGORY_DEPTH) throw tooDeep();
      category.parentId = parent?.id ?? null;
    }
    if (input.name !== undefined) category.name = input.name;
    if (input.slug !== undefined) category.slug = input.slug;
    if (input.position !== undefined) category.position = input.position;
    catalogAudit.record(tx, { action: 'category.updated', targetId: id, details: { ...input } });
    await tx.em.flush();
    categoriesChanged(tx);
    return toCategoryDto(category, depth);
  });
}

export async function deleteCategory(ctx: AuthenticatedCtx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await lockTree(tx);
    const category = await tx.em.findOne(Category, { id });
    if (!category) throw new NotFoundError('category');
    const children = await tx.em.count(Category, { parentId: id });
    const products = await tx.em.count(Product, { categoryId: id });
    if (children > 0 || products > 0)
      throw new ConflictError('category_not_empty', 'The category still has subcategories or products.');
    tx.em.remove(category);
    catalogAudit.record(tx, { action: 'category.deleted', targetId: id, details: { name: category.name } });
    await tx.em.flush();
    categoriesChanged(tx);
  });
}
