import { inTransaction, type Ctx, type TxCtx } from '@emporium/server';
import { describe, expect, it, vi } from 'vitest';

/**
 * A context whose EntityManager's `transactional` records what happens in order: begin, the work, then commit or
 * rollback (when the work throws), like MikroORM's.
 */
function fakeCtx() {
  const events: string[] = [];
  const txEm = { name: 'transaction em' };
  const em = {
    transactional: async <T>(work: (em: unknown) => Promise<T>): Promise<T> => {
      events.push('begin');
      try {
        const result = await work(txEm);
        events.push('commit');
        return result;
      } catch (error) {
        events.push('rollback');
        throw error;
      }
    },
  };
  const logger = { warn: vi.fn() };
  const ctx = { em, deps: { logger }, requestId: 'req-1', actor: undefined } as unknown as Ctx;
  return { ctx, events, txEm, logger };
}

describe('inTransaction', () => {
  it('runs the work with the transaction’s EntityManager and returns its result', async () => {
    const { ctx, txEm } = fakeCtx();
    const seen = await inTransaction(ctx, async (tx) => ({ em: tx.em, requestId: tx.requestId }));
    expect(seen).toEqual({ em: txEm, requestId: 'req-1' });
  });

  it('runs after-commit effects only once the transaction has committed', async () => {
    const { ctx, events } = fakeCtx();
    await inTransaction(ctx, async (tx) => {
      tx.afterCommit(async () => {
        events.push('effect');
      });
      events.push('work');
    });
    expect(events).toEqual(['begin', 'work', 'commit', 'effect']);
  });

  it('runs effects registered under one key once, the last registration winning', async () => {
    const { ctx } = fakeCtx();
    const runs: string[] = [];
    await inTransaction(ctx, async (tx) => {
      tx.afterCommit(async () => void runs.push('first'), 'retire:product:1');
      tx.afterCommit(async () => void runs.push('second'), 'retire:product:1');
      tx.afterCommit(async () => void runs.push('unkeyed'));
      tx.afterCommit(async () => void runs.push('unkeyed'));
    });
    expect(runs.sort()).toEqual(['second', 'unkeyed', 'unkeyed']);
  });

  it('never runs an effect when the work throws, and rethrows', async () => {
    const { ctx, events } = fakeCtx();
    const effect = vi.fn(async () => undefined);
    const failure = new Error('out of stock');
    await expect(
      inTransaction(ctx, async (tx) => {
        tx.afterCommit(effect, 'retire:lists');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(events).toEqual(['begin', 'rollback']);
    expect(effect).not.toHaveBeenCalled();
  });

  it('joins an open transaction: one begin and commit, and inner effects wait for the outer commit', async () => {
    const { ctx, events } = fakeCtx();
    await inTransaction(ctx, async (outer) => {
      const inner = await inTransaction(outer, async (tx: TxCtx) => {
        tx.afterCommit(async () => void events.push('inner effect'));
        return tx;
      });
      expect(inner).toBe(outer);
      events.push('outer work done');
    });
    expect(events).toEqual(['begin', 'outer work done', 'commit', 'inner effect']);
  });

  it('rolls back inner effects with the outer transaction', async () => {
    const { ctx, events } = fakeCtx();
    await expect(
      inTransaction(ctx, async (outer) => {
        await inTransaction(outer, async (tx) => tx.afterCommit(async () => void events.push('inner effect')));
        throw new Error('later step failed');
      }),
    ).rejects.toThrow('later step failed');
    expect(events).toEqual(['begin', 'rollback']);
  });

  it('logs a failing effect instead of failing the committed write, and still runs the others', async () => {
    const { ctx, logger } = fakeCtx();
    const other = vi.fn(async () => undefined);
    const result = await inTransaction(ctx, async (tx) => {
      tx.afterCommit(async () => {
        throw new Error('redis down');
      });
      tx.afterCommit(other);
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(other).toHaveBeenCalledOnce();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ requestId: 'req-1', err: expect.objectContaining({ message: 'redis down' }) }),
      'an after-commit effect failed',
    );
  });
});
