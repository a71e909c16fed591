/**
 * Idempotency keys with Stripe's semantics, for routes whose metadata says `idempotent`. A client that sends
 * `Idempotency-Key` may retry a POST safely: the first request's answer is stored once it has run and replayed for the
 * same caller and key (`Idempotency-Replayed: true`, same status and body) without running the handler again.
 *
 * - The key is claimed with one `insert ... on conflict do nothing`: of two racing requests exactly one runs; the
 *   other answers 409 `idempotency_key_in_progress` (or the replay, once the first has finished).
 * - The same key with another request (method, URL and body, as a sha256 of canonical JSON) is 422
 *   `idempotency_key_reused`.
 * - The answer is stored before it is sent (the send is deferred until the row is written), so a client that has seen
 *   an answer always gets it again. Answers the client can fix and retry with the same key are not stored, and the
 *   key is released: 400 (validation), 429 and 5xx. Everything else that ran (2xx, 403/404/409/422 from the service)
 *   is stored, as Stripe does.
 * - Keys are scoped per caller (the signed-in user) and expire after 24 h; an expired key is claimed anew, and expired
 *   rows are swept lazily.
 *
 * The claim cannot share the handler's transaction (the middleware does not know it), so a process that dies between
 * the handler's commit and the storing of its answer leaves the key `in_progress` until it expires: retries with it
 * answer 409 rather than running twice. See the README's design notes.
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { isRouteMetadata, type RouteMetadata } from '@emporium/contract';
import type { Orm } from './database';
import { BadRequestError, ConflictError, UnprocessableError, ValidationError } from './errors';
import type { Logger } from './logger';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'Idempotency-Replayed';
export const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60;

/** 1-255 visible ASCII characters, no spaces, as the document's pattern says (a UUID is the usual choice). */
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;
/** The response headers a replay repeats; the rest (request id, rate-limit counters) belong to each request. */
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'] as const;
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

export type IdempotencyMode = NonNullable<RouteMetadata['idempotent']>;

/** The idempotency mode of a route (its metadata), or undefined when it takes no key. */
export function idempotencyOf(metadata: unknown): 'optional' | 'required' | undefined {
  if (!isRouteMetadata(metadata) || !metadata.idempotent) return undefined;
  return metadata.idempotent === 'required' ? 'required' : 'optional';
}

/**
 * The key of a request to a route whose metadata says `idempotent: 'required'`, for a use case that also writes it
 * into its own transaction (checkout: see the README's design notes); the middleware has refused requests without one.
 */
export function requiredIdempotencyKey(req: Pick<Request, 'headers'>): string {
  const key = req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  if (typeof key !== 'string') {
    throw new BadRequestError('idempotency_key_required', `This route requires an ${IDEMPOTENCY_KEY_HEADER} header.`);
  }
  return key;
}

/** JSON with object keys sorted at every level, so two equal bodies fingerprint alike whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function requestFingerprint(req: Pick<Request, 'method' | 'originalUrl' | 'body'>): string {
  const request = { method: req.method, url: req.originalUrl, body: (req.body as unknown) ?? null };
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/** Whether an answer is kept for replays: not when the client may fix the request and retry with the same key. */
function isStoredOutcome(status: number): boolean {
  return status < 500 && status !== 400 && status !== 429;
}

interface StoredKey {
  fingerprint: string;
  status: 'in_progress' | 'done';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
}

export interface IdempotencyOptions {
  orm: Orm;
  logger: Logger;
  ttlSeconds?: number;
}

function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return undefined;
}

/**
 * ts-rest global middleware, after the auth guard (keys are scoped per caller). Public routes cannot be idempotent:
 * `assertIdempotentRoutesSignedIn` refuses such a contract at start.
 */
export function createIdempotency(options: IdempotencyOptions): RequestHandler {
  const { orm, logger } = options;
  const ttlSeconds = options.ttlSeconds ?? IDEMPOTENCY_KEY_TTL_SECONDS;
  const sql = <T extends object>(query: string, params: unknown[]) => orm.em.fork().execute<T[]>(query, params);
  let lastSweep = 0;

  const sweepExpired = () => {
    if (Date.now() - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = Date.now();
    sql('delete from idempotency_keys where expires_at <= now()', []).catch((error: unknown) =>
      logger.warn({ err: error }, 'sweeping expired idempotency keys failed'),
    );
  };

  /** Claims the key for this request, or answers the row that holds it. An expired row is replaced. */
  const claim = async (caller: string, key: string, fingerprint: string): Promise<StoredKey | 'claimed'> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const inserted = await sql(
        `insert into idempotency_keys (caller, key, fingerprint, expires_at)
         values (?, ?, ?, now() + make_interval(secs => ?))
         on conflict (caller, key) do nothing
         returning 1 as claimed`,
        [caller, key, fingerprint, ttlSeconds],
      );
      if (inserted.length > 0) return 'claimed';
      const [existing] = await sql<StoredKey>(
        `select fingerprint, status, response_status, response_headers, response_body
         from idempotency_keys where caller = ? and key = ? and expires_at > now()`,
        [caller, key],
      );
      if (existing) return existing;
      await sql('delete from idempotency_keys where caller = ? and key = ? and expires_at <= now()', [caller, key]);
    }
    // Expired and re-claimed by a concurrent request between our two attempts: it is that request's now.
    throw new ConflictError('idempotency_key_in_progress', 'A request with this Idempotency-Key is still running.');
  };

  const release = (caller: string, key: string) =>
    sql(`delete from idempotency_keys where caller = ? and key = ? and status = 'in_progress'`, [caller, key]);

  const complete = (caller: string, key: string, res: Response, body: string | undefined) => {
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = res.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    return sql(
      `update idempotency_keys
       set status = 'done', response_status = ?, response_headers = ?::jsonb, response_body = ?
       where caller = ? and key = ?`,
      [res.statusCode, JSON.stringify(headers), body ?? null, caller, key],
    );
  };

  /**
   * Defers the first `res.send` (res.json and the error handler go through it) until the answer is stored or the key
   * released; a response that ends without a send (a stream, an aborted request) releases the key.
   */
  const settleOnAnswer = (res: Response, caller: string, key: string) => {
    let settled = false;
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (settled) return send(body);
      const text = bodyText(body);
      // An object: express turns it into JSON and comes back through res.send with the text.
      if (text === undefined && body !== undefined && body !== null) return send(body);
      settled = true;
      res.send = send;
      const status = res.statusCode;
      const work = isStoredOutcome(status) ? complete(caller, key, res, text) : release(caller, key);
      work.then(
        () => send(body),
        (error: unknown) => {
          logger.error({ err: error, status }, 'storing the idempotent answer failed');
          send(body);
        },
      );
      return res;
    };
    res.on('close', () => {
      if (settled) return;
      settled = true;
      release(caller, key).catch((error: unknown) =>
        logger.warn({ err: error }, 'releasing an idempotency key failed'),
      );
    });
  };

  return async (req, res, next) => {
    const mode = idempotencyOf((req as { tsRestRoute?: { metadata?: unknown } }).tsRestRoute?.metadata);
    if (!mode) return next();
    const key = req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
    if (key === undefined) {
      if (mode === 'required') {
        throw new BadRequestError(
          'idempotency_key_required',
          `This route requires an ${IDEMPOTENCY_KEY_HEADER} header.`,
        );
      }
      return next();
    }
    if (typeof key !== 'string' || !VALID_KEY.test(key)) {
      throw new ValidationError([
        {
          path: 'headers.idempotency-key',
          message: 'Must be 1-255 visible ASCII characters (no spaces).',
          code: 'invalid_string',
        },
      ]);
    }
    if (!req.actor) throw new Error(`idempotent route ${req.method} ${req.path} reached without a caller`);
    // Per API key or per user: two integrations of one admin never share (or replay) each other's keys.
    const caller = req.actor.apiKey ? `key:${req.actor.apiKey.id}` : `user:${req.actor.userId}`;
    sweepExpired();
    const fingerprint = requestFingerprint(req);
    const held = await claim(caller, key, fingerprint);
    if (held === 'claimed') {
      settleOnAnswer(res, caller, key);
      return next();
    }
    if (held.fingerprint !== fingerprint) {
      throw new UnprocessableError(
        'idempotency_key_reused',
        `This ${IDEMPOTENCY_KEY_HEADER} was used for another request (method, path or body differ); use a new key.`,
      );
    }
    if (held.status === 'in_progress' || held.response_status === null) {
      throw new ConflictError(
        'idempotency_key_in_progress',
        `A request with this ${IDEMPOTENCY_KEY_HEADER} is still running; retry once it has finished.`,
      );
    }
    res.status(held.response_status).set(held.response_headers ?? {});
    res.setHeader(IDEMPOTENCY_REPLAYED_HEADER, 'true');
    if (held.response_body === null) res.end();
    else res.send(held.response_body);
  };
}
