/**
 * The category tree as the category commands consult it: naming a category by id or slug, and finding a sibling
 * with the same name before a create, rename or move makes a second one. The API's public tree (`listCategories`)
 * holds every category, so one request answers all of these.
 */
import { listCategories } from '@emporium/sdk';
import { InvalidArgumentError } from 'commander';
import { createClient, unwrap } from './api';
import type { Category } from './catalog-views';
import type { Context } from './context';
import { CliError, ExitCode } from './errors';
import { isId } from './ids';

/** The contract's slug shape. */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A commander argument/option parser for `<id|slug>`: a value that can be neither is a usage error (exit 2). */
export function parseCategoryRef(value: string): string {
  if (!isId(value) && !SLUG.test(value)) {
    throw new InvalidArgumentError('Not a category id (a UUID) or slug (lowercase letters, digits, single dashes).');
  }
  return value;
}

export async function fetchCategoryTree(context: Context): Promise<Category[]> {
  return (await unwrap(listCategories({ client: createClient(context.baseUrl) }), context.baseUrl)).data;
}

/**
 * The category an `<id|slug>` names. A slug nobody has is an error here; an id is the server's to judge (it is
 * sent as given, and an unknown one comes back as the API's own not_found), so the answer may be undefined.
 */
export function findCategory(tree: readonly Category[], ref: string): Category | undefined {
  if (isId(ref)) return tree.find((category) => category.id === ref);
  const found = tree.find((category) => category.slug === ref);
  if (!found) throw new CliError(`no category has the slug "${ref}" (not_found)`, ExitCode.failure);
  return found;
}

/** The id to send for an `<id|slug>`. */
export function categoryIdOf(tree: readonly Category[], ref: string): string {
  return findCategory(tree, ref)?.id ?? ref;
}

/** Names compare as people read them: surrounding spaces and letter case do not make a different category. */
function sameName(a: string, b: string): boolean {
  const normal = (name: string) => name.trim().normalize('NFC').toLowerCase();
  return normal(a) === normal(b);
}

/** A category under `parentId` (null: the top level) already called `name`, other than `except`. */
export function siblingNamed(
  tree: readonly Category[],
  parentId: string | null,
  name: string,
  except?: string,
): Category | undefined {
  return tree.find(
    (category) => category.parentId === parentId && category.id !== except && sameName(category.name, name),
  );
}

/**
 * Refuses a change that would leave two siblings with the same name. Exit 1, as for the API's own conflicts
 * (slug_taken, category_cycle); `--allow-duplicate`, named in the message, makes the change anyway.
 */
export function refuseDuplicateName(
  tree: readonly Category[],
  parentId: string | null,
  name: string,
  except?: string,
): void {
  const twin = siblingNamed(tree, parentId, name, except);
  if (!twin) return;
  const parent = parentId === null ? undefined : tree.find((category) => category.id === parentId);
  const where = parent ? `under "${parent.name}" (${parent.slug})` : 'at the top level';
  throw new CliError(`a category named "${twin.name}" already exists ${where} (duplicate_name)`, ExitCode.failure, [
    `the existing one: slug ${twin.slug}, id ${twin.id}`,
    'add --allow-duplicate to go ahead anyway',
  ]);
}
