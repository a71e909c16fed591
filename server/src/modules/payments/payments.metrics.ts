/** Payments' Prometheus counters, on the app's registry (one set per registry: tests build several apps). */
import client from 'prom-client';
import type { Metrics } from '../../platform/metrics';

export interface PaymentMetrics {
  payments: client.Counter<'provider' | 'outcome'>;
  webhookVerificationFailures: client.Counter<'provider'>;
  refundedMinorUnits: client.Counter<'provider' | 'currency'>;
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
    };
    byRegistry.set(metrics.registry, found);
  }
  return found;
}
