/**
 * Keyset pagination: the cursor is the sort key of the last row, opaque to clients (base64url JSON). A cursor that
 * does not decode is the client's mistake: a 400 on `query.cursor`.
 */
import { z, type ZodType, type ZodTypeDef } from 'zod';
import { ValidationError } from './errors';

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, shape: ZodType<T, ZodTypeDef, unknown>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    return shape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationError([
      { path: 'query.cursor', message: 'is not a cursor of this list', code: 'invalid_cursor' },
    ]);
  }
}

/** The cursor of a list ordered by id alone (v7 ids are time-ordered: newest first). */
export const IdCursor = z.tuple([z.string().uuid()]);

/** Fetch `limit + 1` rows; this turns them into a page and its next cursor. */
export function toPage<Row, Dto>(rows: Row[], limit: number, toDto: (row: Row) => Dto, keyOf: (row: Row) => unknown) {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(toDto),
    nextCursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}

/** Escapes LIKE wildcards so user text matches literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
