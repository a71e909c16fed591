/**
 * A list subcommand as every list of the CLI behaves: --limit, --cursor and --all; one page (or every page) fetched
 * through the admin session; a table, or the API's page with --json; a notice on stderr when more pages remain. The
 * caller adds its own filter options to the returned command and turns them into the query in `fetch`.
 */
import type { Command } from 'commander';
import { resolveContext } from './context';
import { formatTable, printJson, printLine, type Column } from './output';
import {
  allOption,
  collectPages,
  cursorOption,
  limitOption,
  noticeMore,
  type Page,
  type PageOptions,
  type PageQuery,
} from './paging';
import { openSession, type Session } from './session';

export interface ListSpec<Row, Options extends PageOptions> {
  name: string;
  description: string;
  /** The rows in the plural, for the notice of more pages ("discount codes"). */
  noun: string;
  /** What an empty table says. */
  empty: string;
  columns: readonly Column<Row>[];
  fetch(session: Session, paging: PageQuery, options: Options): Promise<Page<Row>>;
}

export function listCommand<Row, Options extends PageOptions>(parent: Command, spec: ListSpec<Row, Options>): Command {
  return parent
    .command(spec.name)
    .description(spec.description)
    .addOption(limitOption())
    .addOption(cursorOption())
    .addOption(allOption())
    .action(async (options: Options, command: Command) => {
      const context = await resolveContext(command);
      const session = await openSession(context);
      const page = await collectPages(options, (paging) => spec.fetch(session, paging, options));
      if (context.json) return printJson(page);
      printLine(page.data.length ? formatTable(spec.columns, page.data) : spec.empty);
      noticeMore(spec.noun, page.nextCursor);
    });
}
