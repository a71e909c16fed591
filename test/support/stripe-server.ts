/**
 * A local server speaking the few endpoints of Stripe's API that Emporium's real `stripe` client uses (create, read
 * and cancel PaymentIntents; create and list refunds), with Stripe's idempotency keys and form-encoded bodies, plus
 * what a test needs to play the browser and the dashboard (`succeed`, `fail`, `refundAtStripe`) and to send events
 * signed the way Stripe signs them (`stripe.webhooks.generateTestHeaderString`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';

export interface FakeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: string;
  client_secret: string;
  metadata: Record<string, string>;
  latest_charge: string | null;
  created: number;
}

export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  payment_intent: string;
  status: 'succeeded';
  metadata: Record<string, string>;
  created: number;
}

export interface SignedEvent {
  payload: string;
  signature: string;
}

export interface FakeStripe {
  /** For STRIPE_API_BASE. */
  url: string;
  secretKey: string;
  webhookSecret: string;
  /** The server's environment that points its Stripe client and webhook checks here. */
  env: { STRIPE_SECRET_KEY: string; STRIPE_WEBHOOK_SECRET: string; STRIPE_API_BASE: string };
  intents: Map<string, FakeIntent>;
  refunds: FakeRefund[];
  /** Requests as received: method, path and the parsed form. */
  requests: { method: string; path: string; form: Record<string, unknown>; idempotencyKey: string | undefined }[];
  /** The buyer's card went through (Stripe.js confirmed): `amount` captured, the intent's own by default. */
  succeed(intentId: string, amount?: number): FakeIntent;
  fail(intentId: string): FakeIntent;
  /** A refund made in Stripe's dashboard, unknown to Emporium until a webhook says so. */
  refundAtStripe(intentId: string, amount: number): FakeRefund;
  /** The next refund calls answer this HTTP status (e.g. 500) instead of refunding. */
  failRefunds(status: number | undefined): void;
  /** An event about `object`, signed now (or `ageSeconds` ago) with the webhook secret. */
  event(type: string, object: object, options?: { ageSeconds?: number; id?: string; secret?: string }): SignedEvent;
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

/** Stripe's form encoding, one level of brackets deep: `metadata[orderId]=x` -> `{ metadata: { orderId: 'x' } }`. */
function parseForm(body: string): Record<string, unknown> {
  const form: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const nested = /^([^[]+)\[([^\]]+)\]$/.exec(key);
    if (nested) {
      const parent = (form[nested[1]!] ??= {}) as Record<string, unknown>;
      parent[nested[2]!] = value;
    } else form[key] = value;
  }
  return form;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
  res.end(JSON.stringify(body));
}

const stripeError = (res: ServerResponse, status: number, message: string, code?: string) =>
  send(res, status, { error: { type: status >= 500 ? 'api_error' : 'invalid_request_error', message, code } });

export async function startFakeStripe(): Promise<FakeStripe> {
  const secretKey = `sk_test_${randomBytes(12).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  const intents = new Map<string, FakeIntent>();
  const refunds: FakeRefund[] = [];
  const requests: FakeStripe['requests'] = [];
  const answered = new Map<string, { status: number; body: unknown }>();
  let refundFailure: number | undefined;
  const signer = new Stripe(secretKey);

  const refundedOf = (intentId: string) =>
    refunds.filter((refund) => refund.payment_intent === intentId).reduce((sum, refund) => sum + refund.amount, 0);

  function refund(intentId: string, amount: number, metadata: Record<string, string>): FakeRefund | string {
    const intent = intents.get(intentId);
    if (!intent || intent.status !== 'succeeded') return 'This PaymentIntent has no successful charge to refund.';
    const refusal = amountRefusal(amount, intent.currency);
    if (refusal) return refusal;
    if (amount < 1 || refundedOf(intentId) + amount > intent.amount_received) {
      return `Refund amount (${amount}) is greater than the unrefunded amount on the charge.`;
    }
    const made: FakeRefund = {
      id: id('re'),
      object: 'refund',
      amount,
      currency: intent.currency,
      payment_intent: intentId,
      status: 'succeeded',
      metadata,
      created: now(),
    };
    refunds.push(made);
    return made;
  }

  /** Stripe's own checks of an amount's granularity (https://docs.stripe.com/currencies#special-cases). */
  function amountRefusal(amount: number, currency: string): string | undefined {
    if (currency === 'isk' && amount % 100 !== 0) {
      return 'Invalid amount. Currency ISK has become effectively zero-decimal and charged amounts must be evenly divisible by 100.';
    }
    if (['bhd', 'jod', 'kwd', 'omr', 'tnd'].includes(currency) && amount % 10 !== 0) {
      return `Invalid amount. Amounts in ${currency.toUpperCase()} must end in 0.`;
    }
    return undefined;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      return stripeError(res, 401, 'Invalid API Key provided.');
    }
    const url = new URL(req.url ?? '/', 'http://stripe.local');
    const form = parseForm(await readBody(req));
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    requests.push({ method: req.method ?? '', path: url.pathname, form, idempotencyKey });
    const remembered = idempotencyKey ? answered.get(`${url.pathname}:${idempotencyKey}`) : undefined;
    if (req.method === 'POST' && remembered) return send(res, remembered.status, remembered.body);
    const answer = (status: number, body: unknown) => {
      if (req.method === 'POST' && idempotencyKey && status < 500) {
        answered.set(`${url.pathname}:${idempotencyKey}`, { status, body });
      }
      send(res, status, body);
    };

    const intentPath = /^\/v1\/payment_intents\/([^/]+)(\/cancel)?$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/v1/payment_intents') {
      const refusal = amountRefusal(Number(form.amount), String(form.currency));
      if (refusal) return stripeError(res, 400, refusal, 'invalid_charge_amount_no_decimal_compatible');
      const intentId = id('pi');
      const intent: FakeIntent = {
        id: intentId,
        object: 'payment_intent',
        amount: Number(form.amount),
        amount_received: 0,
        currency: String(form.currency),
        status: 'requires_payment_method',
        client_secret: `${intentId}_secret_${randomBytes(8).toString('hex')}`,
        metadata: (form.metadata as Record<string, string> | undefined) ?? {},
        latest_charge: null,
        created: now(),
      };
      intents.set(intentId, intent);
      return answer(200, intent);
    }
    if (intentPath) {
      const intent = intents.get(intentPath[1]!);
      if (!intent) return stripeError(res, 404, `No such payment_intent: '${intentPath[1]}'`, 'resource_missing');
      if (req.method === 'GET' && !intentPath[2]) return answer(200, intent);
      if (req.method === 'POST' && intentPath[2]) {
        // As Stripe: a charged or already cancelled intent cannot be cancelled.
        if (intent.status === 'succeeded' || intent.status === 'canceled') {
          return stripeError(
            res,
            400,
            `This PaymentIntent's status is ${intent.status}, so it cannot be canceled.`,
            'payment_intent_unexpected_state',
          );
        }
        intent.status = 'canceled';
        return answer(200, intent);
      }
    }
    if (url.pathname === '/v1/refunds' && req.method === 'POST') {
      if (refundFailure) return stripeError(res, refundFailure, 'Something went wrong on our end.');
      const made = refund(
        String(form.payment_intent),
        Number(form.amount),
        (form.metadata as Record<string, string> | undefined) ?? {},
      );
      return typeof made === 'string'
        ? answer(400, { error: { type: 'invalid_request_error', message: made } })
        : answer(200, made);
    }
    if (url.pathname === '/v1/refunds' && req.method === 'GET') {
      const intentId = url.searchParams.get('payment_intent');
      const data = refunds.filter((item) => !intentId || item.payment_intent === intentId).reverse();
      return answer(200, { object: 'list', data, has_more: false, url: '/v1/refunds' });
    }
    return stripeError(res, 404, `Unrecognized request URL (${req.method}: ${url.pathname}).`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => stripeError(res, 500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const mustIntent = (intentId: string) => {
    const intent = intents.get(intentId);
    if (!intent) throw new Error(`no intent ${intentId}`);
    return intent;
  };

  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    secretKey,
    webhookSecret,
    env: { STRIPE_SECRET_KEY: secretKey, STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_API_BASE: url },
    intents,
    refunds,
    requests,
    succeed(intentId, amount) {
      const intent = mustIntent(intentId);
      intent.status = 'succeeded';
      intent.amount_received = amount ?? intent.amount;
      intent.latest_charge = id('ch');
      return intent;
    },
    fail(intentId) {
      const intent = mustIntent(intentId);
      intent.status = 'requires_payment_method';
      return intent;
    },
    refundAtStripe(intentId, amount) {
      const made = refund(intentId, amount, {});
      if (typeof made === 'string') throw new Error(made);
      return made;
    },
    failRefunds(status) {
      refundFailure = status;
    },
    event(type, object, options = {}) {
      const payload = JSON.stringify({
        id: options.id ?? id('evt'),
        object: 'event',
        type,
        created: now(),
        api_version: '2025-01-27.acacia',
        data: { object },
      });
      const signature = signer.webhooks.generateTestHeaderString({
        payload,
        secret: options.secret ?? webhookSecret,
        timestamp: now() - (options.ageSeconds ?? 0),
      });
      return { payload, signature };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Posts a signed event to the app's Stripe webhook, as Stripe delivers it. */
export function deliverStripeEvent(app: Parameters<typeof request>[0], event: SignedEvent) {
  return request(app)
    .post('/api/webhooks/stripe')
    .set('Stripe-Signature', event.signature)
    .set('Content-Type', 'application/json')
    .send(event.payload);
}
