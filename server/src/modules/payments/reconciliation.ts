/**
 * The daily reconciliation: the ledger against each provider's own records. One function per provider compares the
 * provider's payments touched in the last days (`PAYMENTS_RECONCILIATION_DAYS`) and returns the differences; this
 * file runs the providers configured on this server, stores one report per provider and run (`reconciliation_runs`),
 * logs a warning per difference and counts them. Reports only: nothing is corrected, a person decides.
 */
import type { z } from 'zod';
import type { ReconciliationDifference, ReconciliationRun as ReconciliationRunDto } from '@emporium/contract';
import type { Config } from '../../config';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { afterCursor, idColumn, toPage, type Keyset } from '../../platform/pagination';
import { inTransaction } from '../../platform/unit-of-work';
import type { Provider } from './ledger';
import { ReconciliationRun } from './payments.entities';
import { paymentMetrics } from './payments.metrics';
import { reconcileStripe } from './reconcile-stripe';

export type Difference = z.infer<typeof ReconciliationDifference>;

export interface ProviderReport {
  /** How many of the provider's payments were compared. */
  checked: number;
  differences: Difference[];
}

/** Compares the ledger with the provider's records of its payments touched since `since`. */
export type Reconciler = (ctx: Ctx, since: Date) => Promise<ProviderReport>;

interface ProviderReconciliation {
  provider: Provider;
  configured: (config: Readonly<Config>) => boolean;
  reconcile: Reconciler;
}

/** Each provider's reconciliation; a provider without one (manual: the ledger is its only record) is not compared. */
const RECONCILIATIONS: readonly ProviderReconciliation[] = [
  { provider: 'stripe', configured: (config) => Boolean(config.STRIPE_SECRET_KEY), reconcile: reconcileStripe },
];

function toRunDto(run: ReconciliationRun): z.infer<typeof ReconciliationRunDto> {
  return {
    id: run.id,
    provider: run.provider,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    windowDays: run.windowDays,
    checked: run.checked,
    differences: run.differences,
  };
}

/**
 * Reconciles every configured provider over the last `days` (the configured window by default) and stores a report
 * per provider. A provider whose run fails as a whole (its database reads, say) fails the job, which retries.
 */
export async function runReconciliation(
  ctx: Ctx,
  options: { days?: number | undefined } = {},
): Promise<z.infer<typeof ReconciliationRunDto>[]> {
  const days = options.days ?? ctx.deps.config.PAYMENTS_RECONCILIATION_DAYS;
  const metrics = paymentMetrics(ctx.deps.metrics);
  const reports: z.infer<typeof ReconciliationRunDto>[] = [];
  for (const { provider, configured, reconcile } of RECONCILIATIONS) {
    if (!configured(ctx.deps.config)) continue;
    const startedAt = new Date();
    const report = await reconcile(ctx, new Date(startedAt.getTime() - days * 86_400_000));
    for (const difference of report.differences) {
      ctx.deps.logger.warn({ provider, difference }, 'payments reconciliation: the ledger and the provider differ');
      metrics.reconciliationDifferencesFound.inc({ provider, kind: difference.kind });
    }
    const run = await inTransaction(ctx, async (tx) => {
      const row = tx.em.create(ReconciliationRun, {
        provider,
        startedAt,
        finishedAt: new Date(),
        windowDays: days,
        checked: report.checked,
        differences: report.differences,
      });
      await tx.em.flush();
      return row;
    });
    ctx.deps.logger.info(
      { provider, checked: report.checked, differences: report.differences.length, runId: run.id },
      'payments reconciliation finished',
    );
    reports.push(toRunDto(run));
  }
  return reports;
}

const NEWEST: Keyset<ReconciliationRun> = {
  list: 'reconciliations:newest',
  columns: [idColumn('id')],
  direction: 'desc',
};

export async function listReconciliations(
  ctx: AuthenticatedCtx,
  query: { limit: number; cursor?: string | undefined; provider?: Provider | undefined },
) {
  const after = afterCursor(NEWEST, query.cursor);
  const rows = await ctx.em
    .createQueryBuilder(ReconciliationRun)
    .where(query.provider ? { provider: query.provider } : {})
    .andWhere(after.sql, after.params)
    .orderBy({ id: 'desc' })
    .limit(query.limit + 1)
    .getResultList();
  return toPage(NEWEST, rows, query.limit, toRunDto);
}
