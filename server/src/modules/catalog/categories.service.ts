/**
 * The category tree: small, read on every category filter, so it is read whole, cached, and walked in memory.
 * Writes take one advisory lock, so two concurrent moves cannot build a cycle between them.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { z } from 'zod';
import type { Category as CategoryDto, CategoryInput, CategoryUpdate } from '@emporium/contract';
import { newId } from '../../platform/columns';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import type { EntityManager } from '../../platform/database';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors';
import { recordAudit } from '../identity';
import { Category, Product } from './catalog.entities';
import { cacheFamilies, categoriesChanged, type CatalogEnv } from './catalog.env';
import { toCategoryDto } from './catalog.mapper';
import { freeSlug } from './product-rules';

/** Categories nest at most this many levels. */
const MAX_CATEGORY_DEPTH = 5;
const tooDeep = () => new ConflictError('category_too_deep', `Categories nest at most ${MAX_CATEGORY_DEPTH} levels.`);

/** Pre-order: each parent directly before its subtree, siblings by position then name. */
function preOrder(categories: Category[]): CategoryDto[] {
  const children = new Map<string | null, Category[]>();
  for (const category of categories) {
    const siblings = children.get(category.parentId ?? null) ?? [];
    siblings.push(category);
    children.set(category.parentId ?? null, siblings);
  }
  const ordered: CategoryDto[] = [];
  const visit = (parentId: string | null, depth: number) => {
    const siblings = (children.get(parentId) ?? []).sort(
      (a, b) => a.position - b.position || a.name.localeCompare(b.name),
    );
    for (const category of siblings) {
      ordered.push(toCategoryDto(category, depth));
      visit(category.id, depth + 1);
    }
  };
  visit(null, 0);
  return ordered;
}

export async function getCategoryTree(ctx: Ctx, env: CatalogEnv): Promise<CategoryDto[]> {
  return env.cache.readThrough('categories', cacheFamilies.categoryTree, 'tree', env.cacheTtlSeconds, async () =>
    preOrder(await ctx.em.fork().find(Category, {})),
  );
}

/** The category and all its descendants' ids; undefined when there is no such category. */
export function subtreeIds(tree: CategoryDto[], categoryId: string): string[] | undefined {
  const start = tree.findIndex((category) => category.id === categoryId);
  const root = tree[start];
  if (!root) return undefined;
  const ids = [root.id];
  // In pre-order a subtree is the run of deeper entries right after its root.
  for (const category of tree.slice(start + 1)) {
    if (category.depth <= root.depth) break;
    ids.push(category.id);
  }
  return ids;
}

async function lockTree(em: EntityManager): Promise<CategoryDto[]> {
  await em.execute(`select pg_advisory_xact_lock(hashtext('emporium.categories'))`);
  return preOrder(await em.find(Category, {}));
}

function slugConflict(error: unknown): unknown {
  return error instanceof UniqueConstraintViolationException
    ? new ConflictError('slug_taken', 'Another category has this slug.')
    : error;
}

function parentOrFail(tree: CategoryDto[], parentId: string): CategoryDto {
  const parent = tree.find((category) => category.id === parentId);
  if (!parent)
    throw new ValidationError([{ path: 'body.parentId', message: 'is not a category', code: 'invalid_reference' }]);
  return parent;
}

export async function createCategory(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  input: z.infer<typeof CategoryInput>,
): Promise<CategoryDto> {
  try {
    const created = await ctx.em.transactional(async (em) => {
      const tree = await lockTree(em);
      const parent = input.parentId ? parentOrFail(tree, input.parentId) : undefined;
      const depth = parent ? parent.depth + 1 : 0;
      if (depth >= MAX_CATEGORY_DEPTH) throw tooDeep();
      const slug =
        input.slug ??
        (await freeSlug(
          input.name,
          'category',
          async (candidate) => (await em.count(Category, { slug: candidate })) > 0,
        ));
      const category = em.create(Category, {
        id: newId(),
        name: input.name,
        slug,
        parentId: parent?.id ?? null,
        position: input.position ?? 0,
      });
      recordAudit(em, ctx, {
        action: 'category.created',
        targetId: category.id,
        details: { name: input.name, parentId: parent?.id ?? null },
      });
      await em.flush();
      return toCategoryDto(category, depth);
    });
    await categoriesChanged(env);
    return created;
  } catch (error) {
    throw slugConflict(error);
  }
}

export async function updateCategory(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  id: string,
  input: z.infer<typeof CategoryUpdate>,
): Promise<CategoryDto> {
  try {
    const updated = await ctx.em.transactional(async (em) => {
      const tree = await lockTree(em);
      const category = await em.findOne(Category, { id });
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
      recordAudit(em, ctx, { action: 'category.updated', targetId: id, details: { ...input } });
      await em.flush();
      return toCategoryDto(category, depth);
    });
    await categoriesChanged(env);
    return updated;
  } catch (error) {
    throw slugConflict(error);
  }
}

export async function deleteCategory(ctx: AuthenticatedCtx, env: CatalogEnv, id: string): Promise<void> {
  await ctx.em.transactional(async (em) => {
    await lockTree(em);
    const category = await em.findOne(Category, { id });
    if (!category) throw new NotFoundError('category');
    const children = await em.count(Category, { parentId: id });
    const products = await em.count(Product, { categoryId: id });
    if (children > 0 || products > 0)
      throw new ConflictError('category_not_empty', 'The category still has subcategories or products.');
    em.remove(category);
    recordAudit(em, ctx, { action: 'category.deleted', targetId: id, details: { name: category.name } });
    await em.flush();
  });
  await categoriesChanged(env);
}
