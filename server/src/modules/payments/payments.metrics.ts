/** Payments' Prometheus metrics, on the app's registry (one set per registry: tests build several apps). */
import client from 'prom-client';
import type { Deps } from '../../platform/deps';
import type { Metrics } from '../../platform/metrics';

export interface PaymentMetrics {
  payments: client.Counter<'provider' | 'outcome'>;
  webhookVerificationFailures: client.Counter<'provider'>;
  refundedMinorUnits: client.Counter<'provider' | 'currency'>;
  reconciliationDifferencesFound: client.Counter<'provider' | 'kind'>;
}

const byRegistry = new WeakMap<client.Registry, PaymentMetrics>();

export function paymentMetrics(metrics: Metrics): PaymentMetrics {
  let found = byRegistry.get(metrics.registry);
  if (!found) {
    const registers = [metrics.registry];
    found = {
      payments: new client.Counter({
        name: 'payments_total',
        help: 'Captured payments by provider and what became of them (settled, already_paid, too_late, mismatch)',
        labelNames: ['provider', 'outcome'],
        registers,
      }),
      webhookVerificationFailures: new client.Counter({
        name: 'payment_webhook_verification_failures_total',
        help: 'Provider webhooks refused for a bad or stale signature',
        labelNames: ['provider'],
        registers,
      }),
      refundedMinorUnits: new client.Counter({
        name: 'payment_refunds_minor_units_total',
        help: 'Money refunded, in minor units of its currency',
        labelNames: ['provider', 'currency'],
        registers,
      }),
      reconciliationDifferencesFound: new client.Counter({
        name: 'payment_reconciliation_differences_found_total',
        help: 'Differences between the ledger and a provider found by reconciliation runs of this process, by kind',
        labelNames: ['provider', 'kind'],
        registers,
      }),
    };
    byRegistry.set(metrics.registry, found);
  }
  return found;
}

const reportGauges = new WeakSet<client.Registry>();

/**
 * Gauges of the latest stored reconciliation report per provider, read from the database when scraped: the run
 * happens in whichever process runs the worker, while /metrics is served by the API.
 */
export function registerReconciliationGauges(deps: Deps): void {
  const { registry } = deps.metrics;
  if (reportGauges.has(registry)) return;
  reportGauges.add(registry);
  const readLatest = () =>
    deps.orm.em
      .fork()
      .execute<{ provider: string; differences: number; finished: number }[]>(
        `select distinct on (provider) provider, jsonb_array_length(differences) as differences,
                extract(epoch from finished_at)::float8 as finished
           from reconciliation_runs order by provider, id desc`,
      )
      .catch((error: unknown) => {
        deps.logger.warn({ err: error }, 'metrics: could not read the latest reconciliation reports');
        return [];
      });
  new client.Gauge({
    name: 'payment_reconciliation_differences',
    help: 'Differences between the ledger and the provider in the latest reconciliation report',
    labelNames: ['provider'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await readLatest()) this.set({ provider: row.provider }, Number(row.differences));
    },
  });
  new client.Gauge({
    name: 'payment_reconciliation_last_run_timestamp_seconds',
    help: 'When the latest reconciliation report of the provider was finished (Unix time)',
    labelNames: ['provider'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await readLatest()) this.set({ provider: row.provider }, Number(row.finished));
    },
  });
}
