/** Pure rules of a product's shape: slugs, and the consistency of options and variants. */
import { randomBytes } from 'node:crypto';
import { ValidationError, type FieldError } from '../../platform/errors';

export function slugify(text: string, fallback: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
  return slug || fallback;
}

/**
 * The slug a name gives, or, when that one is taken, the same with a short random suffix: a client that sent no slug
 * never gets a slug conflict for it.
 */
export async function freeSlug(
  name: string,
  fallback: string,
  isTaken: (slug: string) => Promise<boolean>,
): Promise<string> {
  const base = slugify(name, fallback);
  if (!(await isTaken(base))) return base;
  return `${base.slice(0, 110)}-${randomBytes(4).toString('hex')}`;
}

interface OptionShape {
  name: string;
  values: string[];
}
interface VariantShape {
  sku: string;
  options: Record<string, string>;
  price: { amount: number; currency: string };
}

/**
 * Options have distinct names and values; every variant picks exactly one listed value of every option; no two
 * variants share a combination or a SKU; prices are in the catalog currency. A product without options has exactly
 * one (default) variant. Throws one ValidationError listing every problem.
 */
export function assertVariantSet(options: OptionShape[], variants: VariantShape[], currency: string): void {
  const errors: FieldError[] = [];
  const issue = (path: string, message: string) =>
    errors.push({ path: `body.${path}`, message, code: 'invalid_variants' });
  const names = options.map((option) => option.name);
  if (new Set(names).size !== names.length) issue('options', 'option names must be distinct');
  options.forEach((option, index) => {
    if (new Set(option.values).size !== option.values.length)
      issue(`options.${index}.values`, 'values must be distinct');
  });
  if (options.length === 0 && variants.length !== 1)
    issue('variants', 'a product without options has exactly one variant');
  const skus = new Set<string>();
  const combinations = new Set<string>();
  variants.forEach((variant, index) => {
    const path = `variants.${index}`;
    if (skus.has(variant.sku.toLowerCase())) issue(`${path}.sku`, 'is used by another variant');
    skus.add(variant.sku.toLowerCase());
    if (variant.price.currency !== currency)
      issue(`${path}.price.currency`, `must be ${currency}, the catalog currency`);
    const keys = Object.keys(variant.options);
    const unknown = keys.filter((key) => !names.includes(key));
    if (unknown.length > 0) issue(`${path}.options`, `unknown options: ${unknown.join(', ')}`);
    for (const option of options) {
      const value = variant.options[option.name];
      if (value === undefined) issue(`${path}.options`, `needs a value for "${option.name}"`);
      else if (!option.values.includes(value))
        issue(`${path}.options.${option.name}`, `must be one of: ${option.values.join(', ')}`);
    }
    const combination = JSON.stringify(names.map((name) => variant.options[name]));
    if (combinations.has(combination)) issue(`${path}.options`, 'another variant has the same option values');
    combinations.add(combination);
  });
  if (errors.length > 0) throw new ValidationError(errors);
}
