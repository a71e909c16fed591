/**
 * PayPal's REST API (Orders v2, Payments v2, webhook verification) through fetch, one client per configuration:
 * an OAuth2 client-credentials token, cached until shortly before it expires, and `PayPal-Request-Id` idempotency keys
 * on every write. PAYPAL_API_BASE points it at the sandbox or at another server speaking PayPal's API (the tests'
 * local one); nothing else differs.
 */
import type { Config } from '../../config';
import { AppError } from '../../platform/errors';

/** A token is renewed this long before PayPal says it expires. */
const TOKEN_MARGIN_MS = 60_000;
const TIMEOUT_MS = 10_000;

/** A non-2xx answer from PayPal; `statusCode` and `issue` (e.g. `ORDER_ALREADY_CAPTURED`) say what went wrong. */
export class PaypalApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly issue: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'PaypalApiError';
  }
}

export interface PaypalMoney {
  currency_code: string;
  value: string;
}

export interface PaypalLink {
  href: string;
  rel: string;
  method?: string;
}

export interface PaypalCapture {
  id: string;
  status: string;
  amount: PaypalMoney;
  custom_id?: string;
  supplementary_data?: { related_ids?: { order_id?: string } };
  links?: PaypalLink[];
}

export interface PaypalOrder {
  id: string;
  status: string;
  purchase_units?: {
    reference_id?: string;
    custom_id?: string;
    amount: PaypalMoney;
    payments?: { captures?: PaypalCapture[] };
  }[];
  links?: PaypalLink[];
}

export interface PaypalRefund {
  id: string;
  status: string;
  amount?: PaypalMoney;
  links?: PaypalLink[];
}

export interface PaypalClient {
  /** Calls PayPal with a bearer token; `requestId` becomes `PayPal-Request-Id` (the same key gets the same answer). */
  call<T>(method: 'GET' | 'POST', path: string, options?: { body?: unknown; requestId?: string }): Promise<T>;
}

const clients = new WeakMap<Readonly<Config>, PaypalClient>();

export function paypalFor(config: Readonly<Config>): PaypalClient {
  const { PAYPAL_CLIENT_ID: clientId, PAYPAL_CLIENT_SECRET: secret, PAYPAL_API_BASE: base } = config;
  if (!clientId || !secret) {
    throw new AppError(503, 'payment_provider_unavailable', 'Service unavailable', {
      detail: 'PayPal is not configured on this server.',
    });
  }
  let client = clients.get(config);
  if (!client) {
    client = createClient(base, clientId, secret);
    clients.set(config, client);
  }
  return client;
}

async function failure(response: Response): Promise<PaypalApiError> {
  const text = await response.text().catch(() => '');
  let body: { name?: string; message?: string; error_description?: string; details?: { issue?: string }[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const issue = body.details?.[0]?.issue ?? body.name;
  const message = body.message ?? body.error_description ?? `HTTP ${response.status}`;
  return new PaypalApiError(response.status, issue, issue ? `${issue}: ${message}` : message);
}

function createClient(base: string, clientId: string, secret: string): PaypalClient {
  let cached: { token: string; until: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const response = await fetch(`${base}/v1/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw await failure(response);
    const answer = (await response.json()) as { access_token: string; expires_in: number };
    cached = { token: answer.access_token, until: Date.now() + answer.expires_in * 1000 - TOKEN_MARGIN_MS };
    return answer.access_token;
  }

  /** One token request at a time: parallel calls share it. */
  function token(): Promise<string> {
    if (cached && cached.until > Date.now()) return Promise.resolve(cached.token);
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  async function send(method: string, path: string, bearer: string, body: unknown, requestId: string | undefined) {
    return fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(requestId ? { 'paypal-request-id': requestId } : {}),
        // The whole resource in answers to writes, not only its id and links.
        ...(method === 'POST' ? { prefer: 'return=representation' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  }

  return {
    async call<T>(method: 'GET' | 'POST', path: string, options: { body?: unknown; requestId?: string } = {}) {
      let response = await send(method, path, await token(), options.body, options.requestId);
      if (response.status === 401) {
        // Revoked or expired early: one fresh token, then the same request (its request id keeps it idempotent).
        cached = undefined;
        response = await send(method, path, await token(), options.body, options.requestId);
      }
      if (!response.ok) throw await failure(response);
      return (await response.json()) as T;
    },
  };
}
