/**
 * Keyset pagination, one way for every list. A list declares its keyset: the columns it is ordered by (the last one
 * always the unique id, so the order is stable) and a direction. The page query fetches `limit + 1` rows after the
 * cursor's position; the cursor is the last row's key, in one format for every list: base64url JSON
 * `[list, ...values]`, where `list` names the list and its order, so a cursor of another list or sort is refused.
 * A cursor that does not decode is the client's mistake: a 400 on `query.cursor`.
 */
import { z, type ZodTypeAny } from 'zod';
import { ValidationError } from './errors';

export interface KeyColumn<Row> {
  /** The column as the page query names it, e.g. `p.min_price`. */
  sql: string;
  /** The SQL type the cursor's value is cast to in the comparison. */
  cast: 'uuid' | 'int' | 'numeric' | 'timestamptz' | 'boolean';
  /** What a cursor may carry for this column. */
  value: ZodTypeAny;
  /** The row's value of this column, as it goes into the next cursor. */
  of: (row: Row) => unknown;
}

export interface Keyset<Row> {
  /** Names the list and its order in every cursor (`products:price_asc`). */
  list: string;
  /** The order's columns, the unique id last. */
  columns: readonly [...KeyColumn<Row>[], KeyColumn<Row>];
  direction: 'asc' | 'desc';
}

/** The id column of a keyset: v7 ids are time-ordered, so ordering by id alone is newest or oldest first. */
export function idColumn<Row extends { id: string }>(sql: string): KeyColumn<Row> {
  return { sql, cast: 'uuid', value: z.string().uuid(), of: (row) => row.id };
}

const invalidCursor = () =>
  new ValidationError([{ path: 'query.cursor', message: 'is not a cursor of this list', code: 'invalid_cursor' }]);

export function encodeCursor(list: string, values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify([list, ...values])).toString('base64url');
}

/** The cursor's values, one per key column; a cursor of another list, or malformed values, is a 400. */
export function decodeCursor<Row>(keyset: Keyset<Row>, cursor: string | undefined): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const shape = z.tuple([z.literal(keyset.list), ...keyset.columns.map((column) => column.value)] as [
    ZodTypeAny,
    ...ZodTypeAny[],
  ]);
  const parsed = shape.safeParse(decoded);
  if (!parsed.success) throw invalidCursor();
  return (parsed.data as unknown[]).slice(1);
}

/** A SQL fragment with `?` placeholders and its values. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** The rows after the cursor, as a row comparison on the keyset's columns (`true` without a cursor). */
export function afterCursor<Row>(keyset: Keyset<Row>, cursor: string | undefined): SqlFragment {
  const values = decodeCursor(keyset, cursor);
  if (!values) return { sql: 'true', params: [] };
  const columns = keyset.columns.map((column) => column.sql).join(', ');
  const placeholders = keyset.columns.map((column) => `?::${column.cast}`).join(', ');
  return { sql: `(${columns}) ${keyset.direction === 'asc' ? '>' : '<'} (${placeholders})`, params: values };
}

/** The keyset's ORDER BY list, optionally with the columns qualified by another alias (`page.` for an outer query). */
export function keysetOrder<Row>(keyset: Keyset<Row>, alias?: string): string {
  return keyset.columns
    .map((column) => `${alias ? column.sql.replace(/^\w+\./, `${alias}.`) : column.sql} ${keyset.direction}`)
    .join(', ');
}

export interface Page<Dto> {
  data: Dto[];
  nextCursor: string | null;
}

/** Turns the `limit + 1` rows a page query fetched into a page and its next cursor. */
export function toPage<Row, Dto>(keyset: Keyset<Row>, rows: Row[], limit: number, toDto: (row: Row) => Dto): Page<Dto> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    data: pageRows.map(toDto),
    nextCursor:
      hasMore && last !== undefined
        ? encodeCursor(
            keyset.list,
            keyset.columns.map((column) => column.of(last)),
          )
        : null,
  };
}

/** Escapes LIKE wildcards so user text matches literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
