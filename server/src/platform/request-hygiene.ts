/**
 * What every request body and query string must be before any route sees it: JSON in UTF-8 (the only charset JSON
 * has, RFC 8259), well-formed, and free of control characters. PostgreSQL refuses NUL in text, and no field of this
 * API has a use for the other C0/C1 controls; refusing them once here, with a 400 naming the field, keeps them out of
 * the database, the logs and the mails, whichever route they were sent to.
 */
import type { RequestHandler } from 'express';
import { AppError, ValidationError, type FieldError } from './errors';

const CHARSET_PARAMETER = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/** A body that declares a charset other than UTF-8 is refused with 415 before it is decoded. */
export const requireUtf8Charset: RequestHandler = (req, _res, next) => {
  const charset = CHARSET_PARAMETER.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return next();
  next(
    new AppError(415, 'unsupported_media_type', 'Unsupported media type', {
      detail: `The request body must be UTF-8; charset "${charset.slice(0, 40)}" is not accepted.`,
    }),
  );
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes of webhook bodies as they arrived: a provider signs those, not the parsed JSON. */
const rawBodies = new WeakMap<object, Buffer>();
const KEEPS_RAW_BODY = /^\/api\/webhooks\//;

/**
 * express.json's `verify`: bytes that are not UTF-8 are refused rather than silently replaced with U+FFFD; the raw
 * body of a webhook is kept for its signature check (`rawBodyOf`).
 */
export function verifyUtf8(req: { url?: string }, _res: unknown, body: Buffer): void {
  try {
    strictUtf8.decode(body);
  } catch {
    throw new AppError(400, 'malformed_json', 'Malformed JSON', { detail: 'The request body is not valid UTF-8.' });
  }
  if (req.url && KEEPS_RAW_BODY.test(req.url)) rawBodies.set(req, body);
}

export function rawBodyOf(req: object): Buffer | undefined {
  return rawBodies.get(req);
}

// C0 controls except tab, line feed and carriage return; DEL; C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const MAX_REPORTED = 20;

function findControlCharacters(value: unknown, path: string, found: FieldError[], depth = 0): void {
  if (found.length >= MAX_REPORTED || depth > 64) return;
  if (typeof value === 'string') {
    if (CONTROL_CHARACTER.test(value)) {
      found.push({ path, message: 'must not contain control characters', code: 'invalid_string' });
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    if (CONTROL_CHARACTER.test(key)) {
      found.push({ path, message: 'property names must not contain control characters', code: 'invalid_string' });
      continue;
    }
    findControlCharacters(item, `${path}.${key}`, found, depth + 1);
  }
}

/** Refuses control characters in any string of the JSON body or the query string: 400 `validation_failed`. */
export const refuseControlCharacters: RequestHandler = (req, _res, next) => {
  const found: FieldError[] = [];
  findControlCharacters(req.query, 'query', found);
  findControlCharacters(req.body, 'body', found);
  if (found.length > 0) return next(new ValidationError(found));
  next();
};
