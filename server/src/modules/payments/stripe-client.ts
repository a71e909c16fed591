/**
 * The real `stripe` client, one per configuration. STRIPE_API_BASE points it at another server speaking Stripe's API
 * (the tests' local one); production leaves it unset. Nothing else differs between the two.
 */
import Stripe from 'stripe';
import type { Config } from '../../config';
import { AppError } from '../../platform/errors';

const clients = new WeakMap<Readonly<Config>, Stripe>();

export function stripeFor(config: Readonly<Config>): Stripe {
  if (!config.STRIPE_SECRET_KEY) {
    throw new AppError(503, 'payment_provider_unavailable', 'Service unavailable', {
      detail: 'Stripe is not configured on this server.',
    });
  }
  let client = clients.get(config);
  if (!client) {
    const base = config.STRIPE_API_BASE ? new URL(config.STRIPE_API_BASE) : undefined;
    client = new Stripe(config.STRIPE_SECRET_KEY, {
      maxNetworkRetries: 2,
      timeout: 10_000,
      ...(base
        ? {
            host: base.hostname,
            port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
            protocol: base.protocol === 'https:' ? 'https' : 'http',
          }
        : {}),
    });
    clients.set(config, client);
  }
  return client;
}

/** A provider call that failed (network, 5xx, a refused request): 502, the client may retry later. */
export function providerError(provider: string, error: unknown): AppError {
  const detail = error instanceof Error ? error.message : String(error);
  return new AppError(502, 'payment_provider_error', 'Bad gateway', {
    detail: `${provider} did not accept the request: ${detail}`,
    cause: error,
  });
}
