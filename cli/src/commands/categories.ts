/** categories list | create | move: the category tree (list needs no login; changes are for admins). */
import {
  createCategory,
  listCategories,
  updateCategory,
  type CreateCategoryData,
  type UpdateCategoryData,
} from '@emporium/sdk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createClient, unwrap } from '../api';
import { printCategory, printCategoryTree } from '../catalog-views';
import { resolveContext } from '../context';
import { printJson } from '../output';
import { openSession } from '../session';

const MAX_POSITION = 10_000;
/** What `move --parent` takes instead of an id to make the category top-level. */
const ROOT = 'root';

interface CreateOptions {
  parent?: string;
  slug?: string;
  position?: number;
}

interface MoveOptions {
  parent: string;
  position?: number;
}

function parsePosition(value: string): number {
  const position = Number(value);
  if (!/^\d+$/.test(value) || position > MAX_POSITION) {
    throw new InvalidArgumentError(`Use a whole number from 0 to ${MAX_POSITION}.`);
  }
  return position;
}

const positionOption = (description: string) => new Option('--position <n>', description).argParser(parsePosition);

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
    .option('--parent <id>', 'the parent category')
    .option('--slug <slug>', 'URL-safe identifier (default: derived from the name)')
    .addOption(positionOption('order among its siblings, 0-10000 (default 0)'))
    .action(async (name: string, options: CreateOptions, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const body: CreateCategoryData['body'] = {
        name,
        ...(options.parent !== undefined ? { parentId: options.parent } : {}),
        ...(options.slug !== undefined ? { slug: options.slug } : {}),
        ...(options.position !== undefined ? { position: options.position } : {}),
      };
      printCategory(await session.call((client) => createCategory({ client, body })), context.json);
    });

  categories
    .command('move')
    .description('move a category, with its subtree, under another one or to the top level')
    .argument('<id>', 'category id')
    .requiredOption('--parent <id|root>', `the new parent, or "${ROOT}" for the top level`)
    .addOption(positionOption('its order among its new siblings, 0-10000 (default: unchanged)'))
    .action(async (id: string, options: MoveOptions, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const body: UpdateCategoryData['body'] = {
        parentId: options.parent === ROOT ? null : options.parent,
        ...(options.position !== undefined ? { position: options.position } : {}),
      };
      printCategory(await session.call((client) => updateCategory({ client, path: { id }, body })), context.json);
    });
}
