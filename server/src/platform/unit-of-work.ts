/**
 * The one way to open a transaction. `inTransaction(ctx, tx => ...)` runs the work with a context whose EntityManager
 * is the transaction's; the unit of work is flushed and committed when the work returns, rolled back when it throws.
 * Effects that must happen only once the data is committed (cache retirement, search refresh, events) are registered
 * on the transaction with `tx.afterCommit` and run after the commit, never after a rollback: nobody calls them by hand.
 */
import type { Ctx } from './context';

/** Work to do once the transaction has committed; a failure is logged, never turned into an error (it committed). */
export type AfterCommitEffect = () => Promise<void>;

export interface TxCtx extends Ctx {
  /**
   * Runs `effect` after the commit. Effects registered under the same `key` run once (e.g. one retirement of a cache
   * family however many rows of it a transaction changed). Nothing runs when the transaction rolls back.
   */
  afterCommit(effect: AfterCommitEffect, key?: string): void;
}

function isTransaction<C extends Ctx>(ctx: C): ctx is C & TxCtx {
  return 'afterCommit' in ctx;
}

/**
 * Runs `work` in a transaction. Called with a context that is already a transaction, it joins it: the outermost
 * caller decides where the transaction begins and ends, and its after-commit effects gather there.
 */
export async function inTransaction<C extends Ctx, T>(ctx: C, work: (tx: C & TxCtx) => Promise<T>): Promise<T> {
  if (isTransaction(ctx)) return work(ctx);
  const effects = new Map<string | symbol, AfterCommitEffect>();
  const result = await ctx.em.transactional((em) =>
    work({
      ...ctx,
      em,
      afterCommit: (effect, key) => {
        effects.set(key ?? Symbol('effect'), effect);
      },
    }),
  );
  await Promise.all(
    [...effects.values()].map((effect) =>
      effect().catch((error: unknown) =>
        ctx.deps.logger.warn({ err: error, requestId: ctx.requestId }, 'an after-commit effect failed'),
      ),
    ),
  );
  return result;
}
