import { assertVariantSet, freeSlug, slugify, ValidationError, type FieldError } from '@emporium/server';
import { describe, expect, it } from 'vitest';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const sizes = [{ name: 'size', values: ['S', 'M'] }];

/** The field errors assertVariantSet throws, or [] when the set is valid. */
function problems(...args: Parameters<typeof assertVariantSet>): FieldError[] {
  try {
    assertVariantSet(...args);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors ?? [];
  }
}

describe('slugify', () => {
  it('lowercases, drops accents and joins words with single hyphens', () => {
    expect(slugify('  Crème Brûlée -- Deluxe!  ', 'x')).toBe('creme-brulee-deluxe');
  });

  it('falls back when nothing of the text is left', () => {
    expect(slugify('日本語', 'product')).toBe('product');
    expect(slugify('!!!', 'category')).toBe('category');
  });

  it('keeps at most 100 characters and never ends on a hyphen', () => {
    const slug = slugify(`${'a'.repeat(99)} b`, 'x');
    expect(slug).toBe('a'.repeat(99));
    expect(slugify('word '.repeat(40), 'x').length).toBeLessThanOrEqual(100);
    expect(slugify('word '.repeat(40), 'x')).not.toMatch(/-$/);
  });
});

describe('freeSlug', () => {
  it('takes the name’s slug when it is free', async () => {
    await expect(freeSlug('Blue Mug', 'product', async () => false)).resolves.toBe('blue-mug');
  });

  it('adds a random suffix when the slug is taken, so a client that sent none never gets a conflict', async () => {
    const asked: string[] = [];
    const slug = await freeSlug('Blue Mug', 'product', async (candidate) => {
      asked.push(candidate);
      return candidate === 'blue-mug';
    });
    expect(asked).toEqual(['blue-mug']);
    expect(slug).toMatch(/^blue-mug-[0-9a-f]{8}$/);
  });
});

describe('assertVariantSet', () => {
  it('accepts one variant per combination of listed values', () => {
    expect(
      problems(
        sizes,
        [
          { sku: 'MUG-S', options: { size: 'S' }, price: usd(900) },
          { sku: 'MUG-M', options: { size: 'M' }, price: usd(1000) },
        ],
        'USD',
      ),
    ).toEqual([]);
  });

  it('accepts a product without options with exactly one variant, and refuses two', () => {
    expect(problems([], [{ sku: 'ONE', options: {}, price: usd(1) }], 'USD')).toEqual([]);
    expect(
      problems(
        [],
        [
          { sku: 'ONE', options: {}, price: usd(1) },
          { sku: 'TWO', options: {}, price: usd(1) },
        ],
        'USD',
      ),
    ).toContainEqual(expect.objectContaining({ path: 'body.variants' }));
  });

  it('refuses SKUs that differ only in case, and two variants with the same values', () => {
    const errors = problems(
      sizes,
      [
        { sku: 'mug-s', options: { size: 'S' }, price: usd(1) },
        { sku: 'MUG-S', options: { size: 'S' }, price: usd(1) },
      ],
      'USD',
    );
    expect(errors.map((error) => error.path)).toEqual(['body.variants.1.sku', 'body.variants.1.options']);
    expect(errors.every((error) => error.code === 'invalid_variants')).toBe(true);
  });

  it('names a missing value, an unlisted value and an unknown option', () => {
    const errors = problems(
      sizes,
      [
        { sku: 'A', options: {}, price: usd(1) },
        { sku: 'B', options: { size: 'XL' }, price: usd(1) },
        { sku: 'C', options: { size: 'S', colour: 'red' }, price: usd(1) },
      ],
      'USD',
    );
    expect(errors).toEqual([
      expect.objectContaining({ path: 'body.variants.0.options', message: 'needs a value for "size"' }),
      expect.objectContaining({ path: 'body.variants.1.options.size', message: 'must be one of: S, M' }),
      expect.objectContaining({ path: 'body.variants.2.options', message: 'unknown options: colour' }),
    ]);
  });

  it('refuses duplicate option names and values, and a price in another currency, all in one error', () => {
    const errors = problems(
      [
        { name: 'size', values: ['S', 'S'] },
        { name: 'size', values: ['M'] },
      ],
      [{ sku: 'A', options: { size: 'S' }, price: { amount: 1, currency: 'EUR' } }],
      'USD',
    );
    expect(errors.map((error) => error.path)).toEqual(
      expect.arrayContaining(['body.options', 'body.options.0.values', 'body.variants.0.price.currency']),
    );
  });
});
