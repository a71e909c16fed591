/** The hand-written statements of the category tree. */
import type { Ctx } from '../../platform/context';

/** Serialises writes to the tree for the rest of the transaction, so two concurrent moves cannot build a cycle. */
export async function lockCategoryTree(tx: Ctx): Promise<void> {
  await tx.em.execute(`select pg_advisory_xact_lock(hashtext('emporium.categories'))`);
}
