/**
 * A local server speaking the few endpoints of PayPal's REST API that Emporium uses: the OAuth2 client-credentials
 * token, Orders v2 (create, read, capture), captures (read, refund) with `PayPal-Request-Id` idempotency, and
 * verify-webhook-signature. Plus what a test needs to play the buyer and the dashboard (`approve`, `refundAtPaypal`)
 * and to send events "signed" by PayPal: `event` signs with a secret only this fake knows (an HMAC over the
 * transmission id, time, webhook id and a hash of the body), and verification answers SUCCESS only for those.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Money {
  currency_code: string;
  value: string;
}

export interface FakeCapture {
  id: string;
  status: 'COMPLETED' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'REFUNDED';
  amount: Money;
  custom_id: string | undefined;
  final_capture: true;
  supplementary_data: { related_ids: { order_id: string } };
  links: { href: string; rel: string; method: string }[];
}

export interface FakeOrder {
  id: string;
  intent: string;
  status: 'CREATED' | 'APPROVED' | 'COMPLETED' | 'VOIDED';
  purchase_units: {
    reference_id: string | undefined;
    custom_id: string | undefined;
    amount: Money;
    payments?: { captures: FakeCapture[] };
  }[];
  links: { href: string; rel: string; method: string }[];
  /** The fake's own: what the buyer's approval will let PayPal capture (the order's amount unless a test says). */
  captureAmount?: Money;
}

export interface FakeRefund {
  id: string;
  status: 'COMPLETED';
  amount: Money;
  custom_id: string | undefined;
  captureId: string;
  requestId: string | undefined;
  links: { href: string; rel: string; method: string }[];
}

export interface SignedPaypalEvent {
  payload: string;
  headers: Record<string, string>;
}

export interface FakePaypal {
  /** For PAYPAL_API_BASE. */
  url: string;
  clientId: string;
  clientSecret: string;
  webhookId: string;
  orders: Map<string, FakeOrder>;
  captures: Map<string, FakeCapture>;
  refunds: FakeRefund[];
  /** How many tokens were handed out. */
  tokensIssued(): number;
  /** Requests as received: method, path, the parsed JSON body and the PayPal-Request-Id header. */
  requests: { method: string; path: string; body: unknown; requestId: string | undefined }[];
  /** The buyer approved at PayPal; `captureValue` (e.g. '1.00') makes PayPal capture another amount. */
  approve(paypalOrderId: string, captureValue?: string): FakeOrder;
  /** Captures an approved order at PayPal without Emporium asking (its capture call's answer was lost, say). */
  captureAtPaypal(paypalOrderId: string): FakeCapture;
  /** Capture answers are held this long after the capture happened (to race the webhook). */
  delayCaptureAnswers(ms: number): void;
  /** A refund made in PayPal's dashboard, unknown to Emporium until a webhook says so. */
  refundAtPaypal(captureId: string, value: string): FakeRefund;
  /** An event about `resource`, signed by "PayPal" (or with a secret it does not know). */
  event(type: string, resource: object, options?: { id?: string; secret?: string }): SignedPaypalEvent;
  close(): Promise<void>;
}

const newId = (length = 17) => randomBytes(16).toString('hex').toUpperCase().slice(0, length);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'paypal-debug-id': newId(13).toLowerCase() });
  res.end(JSON.stringify(body));
}

const issue = (res: ServerResponse, status: number, name: string, detail: string) =>
  send(res, status, { name, message: detail, details: [{ issue: detail }] });

const cents = (money: Money) => Math.round(Number(money.value) * 100);
const value = (minor: number) => (minor / 100).toFixed(2);

/** What the fake's signature covers: PayPal's own scheme signs id|time|webhook id|crc32 of the body. */
const signed = (secret: string, id: string, time: string, webhookId: string, body: string) =>
  createHmac('sha256', secret)
    .update(`${id}|${time}|${webhookId}|${createHash('sha256').update(body).digest('hex')}`)
    .digest('base64');

export async function startFakePaypal(): Promise<FakePaypal> {
  const clientId = `client-${newId()}`;
  const clientSecret = `secret-${newId(32)}`;
  const webhookId = `WH-${newId()}`;
  const signingSecret = randomBytes(32).toString('hex');
  const tokens = new Set<string>();
  const orders = new Map<string, FakeOrder>();
  const captures = new Map<string, FakeCapture>();
  const refunds: FakeRefund[] = [];
  const requests: FakePaypal['requests'] = [];
  const answered = new Map<string, { status: number; body: unknown }>();
  let captureDelay = 0;
  let base = '';

  const refundedOf = (captureId: string) =>
    refunds.filter((refund) => refund.captureId === captureId).reduce((sum, refund) => sum + cents(refund.amount), 0);

  function refund(captureId: string, amount: Money | undefined, customId: string | undefined, requestId?: string) {
    const capture = captures.get(captureId);
    if (!capture || capture.status === 'DECLINED' || capture.status === 'REFUNDED') return 'CAPTURE_FULLY_REFUNDED';
    const wanted = amount ? cents(amount) : cents(capture.amount) - refundedOf(captureId);
    if (wanted < 1 || refundedOf(captureId) + wanted > cents(capture.amount)) return 'REFUND_AMOUNT_EXCEEDED';
    const id = newId();
    const made: FakeRefund = {
      id,
      status: 'COMPLETED',
      amount: { currency_code: capture.amount.currency_code, value: value(wanted) },
      custom_id: customId,
      captureId,
      requestId,
      links: [
        { href: `${base}/v2/payments/refunds/${id}`, rel: 'self', method: 'GET' },
        { href: `${base}/v2/payments/captures/${captureId}`, rel: 'up', method: 'GET' },
      ],
    };
    refunds.push(made);
    capture.status = refundedOf(captureId) >= cents(capture.amount) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    return made;
  }

  /** PayPal captures the approved order (what its capture endpoint does). */
  function captureOrder(order: FakeOrder): FakeCapture {
    const unit = order.purchase_units[0]!;
    const captureId = newId();
    const capture: FakeCapture = {
      id: captureId,
      status: 'COMPLETED',
      amount: order.captureAmount ?? unit.amount,
      custom_id: unit.custom_id,
      final_capture: true,
      supplementary_data: { related_ids: { order_id: order.id } },
      links: [
        { href: `${base}/v2/payments/captures/${captureId}`, rel: 'self', method: 'GET' },
        { href: `${base}/v2/payments/captures/${captureId}/refund`, rel: 'refund', method: 'POST' },
        { href: `${base}/v2/checkout/orders/${order.id}`, rel: 'up', method: 'GET' },
      ],
    };
    captures.set(captureId, capture);
    unit.payments = { captures: [capture] };
    order.status = 'COMPLETED';
    return capture;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://paypal.local');
    const raw = await readBody(req);
    if (req.method === 'POST' && url.pathname === '/v1/oauth2/token') {
      const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== basic || new URLSearchParams(raw).get('grant_type') !== 'client_credentials') {
        return send(res, 401, { error: 'invalid_client', error_description: 'Client Authentication failed' });
      }
      const token = `A21AA${randomBytes(24).toString('hex')}`;
      tokens.add(token);
      return send(res, 200, {
        scope: 'https://uri.paypal.com/services/payments/payment',
        access_token: token,
        token_type: 'Bearer',
        app_id: 'APP-80W284485P519543T',
        expires_in: 32_400,
        nonce: newId(),
      });
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !tokens.has(bearer)) {
      return send(res, 401, { error: 'invalid_token', error_description: 'Token signature verification failed' });
    }
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const requestId = req.headers['paypal-request-id'] as string | undefined;
    requests.push({ method: req.method ?? '', path: url.pathname, body, requestId });
    const remembered = requestId ? answered.get(`${url.pathname}:${requestId}`) : undefined;
    if (req.method === 'POST' && remembered) return send(res, remembered.status, remembered.body);
    const answer = (status: number, answerBody: unknown) => {
      if (req.method === 'POST' && requestId && status < 500) {
        answered.set(`${url.pathname}:${requestId}`, { status, body: structuredClone(answerBody) });
      }
      send(res, status, answerBody);
    };
    const view = (order: FakeOrder) => {
      const { captureAmount: _hidden, ...visible } = order;
      return structuredClone(visible);
    };

    if (req.method === 'POST' && url.pathname === '/v2/checkout/orders') {
      const unit = (body.purchase_units as FakeOrder['purchase_units'] | undefined)?.[0];
      if (body.intent !== 'CAPTURE' || !unit?.amount || !/^\d+(\.\d\d)?$/.test(unit.amount.value)) {
        return issue(res, 422, 'UNPROCESSABLE_ENTITY', 'INVALID_PARAMETER_VALUE');
      }
      const id = newId();
      const order: FakeOrder = {
        id,
        intent: 'CAPTURE',
        status: 'CREATED',
        purchase_units: [{ reference_id: unit.reference_id, custom_id: unit.custom_id, amount: unit.amount }],
        links: [
          { href: `${base}/v2/checkout/orders/${id}`, rel: 'self', method: 'GET' },
          { href: `https://www.sandbox.paypal.com/checkoutnow?token=${id}`, rel: 'approve', method: 'GET' },
          { href: `${base}/v2/checkout/orders/${id}/capture`, rel: 'capture', method: 'POST' },
        ],
      };
      orders.set(id, order);
      return answer(201, view(order));
    }
    const orderPath = /^\/v2\/checkout\/orders\/([^/]+)(\/capture)?$/.exec(url.pathname);
    if (orderPath) {
      const order = orders.get(orderPath[1]!);
      if (!order) return issue(res, 404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID');
      if (req.method === 'GET' && !orderPath[2]) return answer(200, view(order));
      if (req.method === 'POST' && orderPath[2]) {
        if (order.status === 'COMPLETED')
          return answer(422, {
            name: 'UNPROCESSABLE_ENTITY',
            message: 'The requested action could not be performed.',
            details: [{ issue: 'ORDER_ALREADY_CAPTURED' }],
          });
        if (order.status !== 'APPROVED')
          return answer(422, {
            name: 'UNPROCESSABLE_ENTITY',
            message: 'The requested action could not be performed.',
            details: [{ issue: 'ORDER_NOT_APPROVED' }],
          });
        captureOrder(order);
        const captured = view(order);
        if (requestId) answered.set(`${url.pathname}:${requestId}`, { status: 201, body: captured });
        if (captureDelay) await sleep(captureDelay);
        return send(res, 201, captured);
      }
    }
    const capturePath = /^\/v2\/payments\/captures\/([^/]+)(\/refund)?$/.exec(url.pathname);
    if (capturePath) {
      const capture = captures.get(capturePath[1]!);
      if (!capture) return issue(res, 404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID');
      if (req.method === 'GET' && !capturePath[2]) return answer(200, capture);
      if (req.method === 'POST' && capturePath[2]) {
        const made = refund(
          capture.id,
          body.amount as Money | undefined,
          body.custom_id as string | undefined,
          requestId,
        );
        if (typeof made === 'string') {
          return answer(422, {
            name: 'UNPROCESSABLE_ENTITY',
            message: 'The requested action could not be performed.',
            details: [{ issue: made }],
          });
        }
        const { captureId: _capture, requestId: _request, ...visible } = made;
        return answer(201, visible);
      }
    }
    if (req.method === 'POST' && url.pathname === '/v1/notifications/verify-webhook-signature') {
      const check = body as Record<string, string> & { webhook_event?: unknown };
      const expected = signed(
        signingSecret,
        String(check.transmission_id),
        String(check.transmission_time),
        String(check.webhook_id),
        JSON.stringify(check.webhook_event),
      );
      const good =
        check.webhook_id === webhookId &&
        check.auth_algo === 'SHA256withRSA' &&
        typeof check.cert_url === 'string' &&
        check.transmission_sig === expected;
      return answer(200, { verification_status: good ? 'SUCCESS' : 'FAILURE' });
    }
    return issue(res, 404, 'RESOURCE_NOT_FOUND', `Unrecognized request URL (${req.method}: ${url.pathname})`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => issue(res, 500, 'INTERNAL_SERVER_ERROR', String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    clientId,
    clientSecret,
    webhookId,
    orders,
    captures,
    refunds,
    requests,
    tokensIssued: () => tokens.size,
    approve(paypalOrderId, captureValue) {
      const order = orders.get(paypalOrderId);
      if (!order) throw new Error(`no PayPal order ${paypalOrderId}`);
      order.status = 'APPROVED';
      if (captureValue) order.captureAmount = { ...order.purchase_units[0]!.amount, value: captureValue };
      return order;
    },
    captureAtPaypal(paypalOrderId) {
      const order = orders.get(paypalOrderId);
      if (order?.status !== 'APPROVED') throw new Error(`PayPal order ${paypalOrderId} is not approved`);
      return captureOrder(order);
    },
    delayCaptureAnswers(ms) {
      captureDelay = ms;
    },
    refundAtPaypal(captureId, refundValue) {
      const made = refund(captureId, { currency_code: 'USD', value: refundValue }, undefined);
      if (typeof made === 'string') throw new Error(made);
      return made;
    },
    event(type, resource, options = {}) {
      const id = options.id ?? `WH-${newId()}-${newId()}`;
      const payload = JSON.stringify({
        id,
        create_time: new Date().toISOString(),
        resource_type: type.startsWith('CUSTOMER.DISPUTE')
          ? 'dispute'
          : type.endsWith('REFUNDED')
            ? 'refund'
            : 'capture',
        event_type: type,
        summary: `${type} event`,
        resource,
      });
      const transmissionId = randomBytes(16).toString('hex');
      const time = new Date().toISOString();
      return {
        payload,
        headers: {
          'paypal-transmission-id': transmissionId,
          'paypal-transmission-time': time,
          'paypal-transmission-sig': signed(options.secret ?? signingSecret, transmissionId, time, webhookId, payload),
          'paypal-cert-url': `${base}/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270`,
          'paypal-auth-algo': 'SHA256withRSA',
        },
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
