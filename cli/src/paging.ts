/**
 * The API's cursor pages (`{ data, nextCursor }`) as list commands expose them: --limit, --cursor and --all, the
 * same on every list.
 */
import { InvalidArgumentError, Option } from 'commander';
import { notice } from './output';

export const MAX_PAGE_SIZE = 100;

export interface PageOptions {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

export interface Page<Row> {
  data: Row[];
  nextCursor: string | null;
}

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError(`Use a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return limit;
}

export const limitOption = () =>
  new Option('--limit <n>', `page size, 1-${MAX_PAGE_SIZE} (default 20)`).argParser(parseLimit);
export const cursorOption = () =>
  new Option('--cursor <cursor>', 'start at this page (the nextCursor of a previous --json answer)');
export const allOption = () => new Option('--all', 'follow nextCursor through every page');

/** One page, or with --all every page from --cursor on; nextCursor is the one after the last page read. */
export async function collectPages<Row>(
  options: PageOptions,
  fetchPage: (query: PageQuery) => Promise<Page<Row>>,
): Promise<Page<Row>> {
  // Fewer round trips when walking every page.
  const limit = options.limit ?? (options.all ? MAX_PAGE_SIZE : undefined);
  const collected: Row[] = [];
  let cursor = options.cursor;
  let nextCursor: string | null;
  do {
    const page = await fetchPage({ ...(limit !== undefined ? { limit } : {}), ...(cursor ? { cursor } : {}) });
    collected.push(...page.data);
    nextCursor = page.nextCursor;
    cursor = nextCursor ?? undefined;
  } while (options.all && cursor);
  return { data: collected, nextCursor };
}

/** On stderr, so that a table piped elsewhere stays clean. */
export function noticeMore(what: string, nextCursor: string | null): void {
  if (nextCursor) notice(`More ${what}: add --all, or --cursor ${nextCursor}`);
}
