import {
  afterCursor,
  decodeCursor,
  encodeCursor,
  idColumn,
  keysetOrder,
  toPage,
  ValidationError,
  type Keyset,
} from '@emporium/server';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';

interface Row {
  id: string;
  price: number;
}

const byPrice: Keyset<Row> = {
  list: 'products:price_asc',
  columns: [{ sql: 'p.min_price', cast: 'int', value: z.number().int(), of: (row) => row.price }, idColumn('p.id')],
  direction: 'asc',
};
const newestFirst: Keyset<Row> = { list: 'reviews:newest', columns: [idColumn('r.id')], direction: 'desc' };

const ids = ['0190a000-0000-7000-8000-000000000001', '0190a000-0000-7000-8000-000000000002'] as const;
const rows: Row[] = [
  { id: ids[0], price: 100 },
  { id: ids[1], price: 250 },
  { id: '0190a000-0000-7000-8000-000000000003', price: 300 },
];

function invalidCursor(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors;
  }
  throw new Error('expected a ValidationError');
}

describe('afterCursor', () => {
  it('is `true` without a cursor', () => {
    expect(afterCursor(byPrice, undefined)).toEqual({ sql: 'true', params: [] });
  });

  it('compares the keyset columns as a row, cast, with the cursor values as parameters', () => {
    const cursor = encodeCursor('products:price_asc', [250, ids[1]]);
    expect(afterCursor(byPrice, cursor)).toEqual({
      sql: '(p.min_price, p.id) > (?::int, ?::uuid)',
      params: [250, ids[1]],
    });
  });

  it('compares with < for a descending list', () => {
    expect(afterCursor(newestFirst, encodeCursor('reviews:newest', [ids[0]])).sql).toBe('(r.id) < (?::uuid)');
  });
});

describe('decodeCursor', () => {
  it('gives back the values toPage put in', () => {
    const page = toPage(byPrice, rows, 2, (row) => row.id);
    expect(decodeCursor(byPrice, page.nextCursor ?? undefined)).toEqual([250, ids[1]]);
  });

  it.each([
    ['a cursor of another list', encodeCursor('reviews:newest', [ids[0]])],
    ['a cursor of the same list in another sort', encodeCursor('products:price_desc', [250, ids[1]])],
    ['a value of the wrong type', encodeCursor('products:price_asc', ['250', ids[1]])],
    ['an id that is not a uuid', encodeCursor('products:price_asc', [250, "1' or '1'='1"])],
    ['too few values', encodeCursor('products:price_asc', [250])],
    ['too many values', encodeCursor('products:price_asc', [250, ids[1], 'extra'])],
    ['base64 that is not JSON', Buffer.from('not json').toString('base64url')],
    ['JSON that is not an array', Buffer.from('{"list":"products:price_asc"}').toString('base64url')],
  ])('refuses %s with a 400 on query.cursor', (_what, cursor) => {
    const errors = invalidCursor(() => afterCursor(byPrice, cursor));
    expect(errors).toEqual([expect.objectContaining({ path: 'query.cursor', code: 'invalid_cursor' })]);
  });
});

describe('keysetOrder', () => {
  it('orders by every keyset column in the keyset direction', () => {
    expect(keysetOrder(byPrice)).toBe('p.min_price asc, p.id asc');
    expect(keysetOrder(newestFirst)).toBe('r.id desc');
  });

  it('requalifies the columns for an outer query', () => {
    expect(keysetOrder(byPrice, 'page')).toBe('page.min_price asc, page.id asc');
  });
});

describe('toPage', () => {
  it('returns `limit` rows and a cursor at the last one when the query found one more', () => {
    const page = toPage(byPrice, rows, 2, (row) => row.id);
    expect(page.data).toEqual([ids[0], ids[1]]);
    expect(page.nextCursor).toBe(encodeCursor('products:price_asc', [250, ids[1]]));
  });

  it('has no next cursor on the last page, full or not', () => {
    expect(toPage(byPrice, rows, 3, (row) => row.id).nextCursor).toBeNull();
    expect(toPage(byPrice, rows.slice(0, 1), 2, (row) => row.id)).toEqual({ data: [ids[0]], nextCursor: null });
    expect(toPage(byPrice, [], 2, (row) => row.id)).toEqual({ data: [], nextCursor: null });
  });
});
