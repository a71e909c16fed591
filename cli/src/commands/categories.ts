/**
 * categories list | create | rename | move | delete: the category tree (list needs no login; changes are for
 * admins). Categories are named by id or slug; a change that would give two siblings the same name is refused
 * unless --allow-duplicate is given.
 */
import {
  createCategory,
  deleteCategory,
  listCategories,
  updateCategory,
  type CreateCategoryData,
  type UpdateCategoryData,
} from '@emporium/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createClient, unwrap } from '../api';
import { printCategory, printCategoryTree } from '../catalog-views';
import { categoryIdOf, fetchCategoryTree, findCategory, parseCategoryRef, refuseDuplicateName } from '../category-tree';
import { resolveContext } from '../context';
import { printJson, printLine, sanitize } from '../output';
import { openSession } from '../session';

const MAX_POSITION = 10_000;
/** The older spelling of `move --root`, still accepted: `--parent root`. */
const ROOT = 'root';

interface CreateOptions {
  parent?: string;
  slug?: string;
  position?: number;
  allowDuplicate?: boolean;
}

interface RenameOptions {
  slug?: string;
  allowDuplicate?: boolean;
}

interface MoveOptions {
  parent?: string;
  root?: boolean;
  position?: number;
  allowDuplicate?: boolean;
}

function parsePosition(value: string): number {
  const position = Number(value);
  if (!/^\d+$/.test(value) || position > MAX_POSITION) {
    throw new InvalidArgumentError(`Use a whole number from 0 to ${MAX_POSITION}.`);
  }
  return position;
}

const positionOption = (description: string) => new Option('--position <n>', description).argParser(parsePosition);
const allowDuplicateOption = () =>
  new Option('--allow-duplicate', 'go ahead even when a sibling already has this name (compared ignoring case)');
const categoryArgument = (command: Command) =>
  command.argument('<id|slug>', 'the category, by id or slug', parseCategoryRef);

export function registerCategoryCommands(program: Command): void {
  const categories = program.command('categories').description('arrange the category tree (changes: admins only)');

  categories
    .command('list')
    .description('print the category tree, each category under its parent (no login needed)')
    .action(async (_options: unknown, command: Command) => {
      const context = await resolveContext(command);
      const tree = await unwrap(listCategories({ client: createClient(context.baseUrl) }), context.baseUrl);
      if (context.json) return printJson(tree);
      printCategoryTree(tree.data);
    });

  categories
    .command('create')
    .description('create a category, top-level unless --parent is given (categories nest at most 5 levels)')
    .argument('<name>', 'display name')
    .addOption(new Option('--parent <id|slug>', 'the parent category').argParser(parseCategoryRef))
    .option('--slug <slug>', 'URL-safe identifier (default: derived from the name)')
    .addOption(positionOption('order among its siblings, 0-10000 (default 0)'))
    .addOption(allowDuplicateOption())
    .action(async (name: string, options: CreateOptions, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const tree = await fetchCategoryTree(context);
      const parentId = options.parent === undefined ? null : categoryIdOf(tree, options.parent);
      if (!options.allowDuplicate) refuseDuplicateName(tree, parentId, name);
      const body: CreateCategoryData['body'] = {
        name,
        ...(parentId !== null ? { parentId } : {}),
        ...(options.slug !== undefined ? { slug: options.slug } : {}),
        ...(options.position !== undefined ? { position: options.position } : {}),
      };
      printCategory(await session.call((client) => createCategory({ client, body })), context.json);
    });

  categoryArgument(categories.command('rename').description('rename a category; its slug stays unless --slug is given'))
    .argument('<name>', 'the new display name')
    .option('--slug <slug>', 'a new URL-safe identifier too (links with the old slug stop working)')
    .addOption(allowDuplicateOption())
    .action(async (ref: string, name: string, options: RenameOptions, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const tree = await fetchCategoryTree(context);
      const category = findCategory(tree, ref);
      if (category && !options.allowDuplicate) refuseDuplicateName(tree, category.parentId, name, category.id);
      const id = category?.id ?? ref;
      const body: UpdateCategoryData['body'] = {
        name,
        ...(options.slug !== undefined ? { slug: options.slug } : {}),
      };
      printCategory(await session.call((client) => updateCategory({ client, path: { id }, body })), context.json);
    });

  categoryArgument(
    categories.command('move').description('move a category, with its subtree, under another one or to the top level'),
  )
    .addOption(
      new Option('--parent <id|slug>', `the new parent ("${ROOT}" also means the top level)`).argParser(
        parseCategoryRef,
      ),
    )
    .addOption(new Option('--root', 'make it a top-level category').conflicts('parent'))
    .addOption(positionOption('its order among its new siblings, 0-10000 (default: unchanged)'))
    .addOption(allowDuplicateOption())
    .action(async (ref: string, options: MoveOptions, command: Command) => {
      if (options.parent === undefined && !options.root) command.error('error: give --parent <id|slug> or --root');
      const context = await resolveContext(command);
      const session = await openSession(context);
      const tree = await fetchCategoryTree(context);
      const category = findCategory(tree, ref);
      const toRoot = options.root === true || options.parent === ROOT;
      const parentId = toRoot || options.parent === undefined ? null : categoryIdOf(tree, options.parent);
      // Only a change of parent can bring two names together; reordering among the same siblings cannot.
      const newParent = category !== undefined && category.parentId !== parentId;
      if (category && newParent && !options.allowDuplicate)
        refuseDuplicateName(tree, parentId, category.name, category.id);
      const id = category?.id ?? ref;
      const body: UpdateCategoryData['body'] = {
        parentId,
        ...(options.position !== undefined ? { position: options.position } : {}),
      };
      printCategory(await session.call((client) => updateCategory({ client, path: { id }, body })), context.json);
    });

  categoryArgument(
    categories.command('delete').description('delete a category that has no subcategories and no products'),
  ).action(async (ref: string, _options: unknown, command: Command) => {
    const context = await resolveContext(command);
    const session = await openSession(context);
    const category = findCategory(await fetchCategoryTree(context), ref);
    const id = category?.id ?? ref;
    await session.call((client) => deleteCategory({ client, path: { id } }));
    if (context.json) return printJson({ id, deleted: true });
    printLine(
      category ? `Deleted category "${sanitize(category.name)}" (${category.slug}, ${id}).` : `Deleted category ${id}.`,
    );
  });
}
