/**
 * Statements of the orders aggregate that the unit of work would spread over several round trips: a placed order is
 * written in one. The columns come from the entities' metadata, so a property added to an entity is written here too.
 */
import { ReferenceKind, type EntityClass } from '@mikro-orm/core';
import type { Ctx } from '../../platform/context';
import { Order, OrderHistory, OrderLine, OrderPart } from './orders.entities';

/** The table and mapped columns of an entity, and its rows as JSON objects keyed by column. */
function asColumns<T extends object>(ctx: Ctx, entity: EntityClass<T>, rows: readonly T[]) {
  const meta = ctx.em.getMetadata().get(entity);
  const props = meta.props.filter(
    (prop) => prop.kind === ReferenceKind.SCALAR && prop.persist !== false && prop.fieldNames.length === 1,
  );
  const json = rows.map((row) =>
    Object.fromEntries(props.map((prop) => [prop.fieldNames[0]!, (row as Record<string, unknown>)[prop.name] ?? null])),
  );
  return { table: meta.tableName, columns: props.map((prop) => `"${prop.fieldNames[0]!}"`).join(', '), json };
}

/**
 * Inserts an order, its parts, lines and first history row in one statement (entities made with `persist: false`, ids
 * and timestamps set). The foreign keys between them are deferred to the commit.
 */
export async function insertPlacedOrder(
  ctx: Ctx,
  placed: { order: Order; parts: OrderPart[]; lines: OrderLine[]; history: OrderHistory[] },
): Promise<void> {
  const sets = [
    asColumns(ctx, Order, [placed.order]),
    asColumns(ctx, OrderPart, placed.parts),
    asColumns(ctx, OrderLine, placed.lines),
    asColumns(ctx, OrderHistory, placed.history),
  ];
  const inserts = sets.map(
    (set, index) =>
      `i${index} as (insert into ${set.table} (${set.columns})
         select ${set.columns} from json_populate_recordset(null::${set.table}, ?::json))`,
  );
  await ctx.em.execute(
    `with ${inserts.join(',\n')} select 1`,
    sets.map((set) => JSON.stringify(set.json)),
  );
}
