/**
 * A tiny S3 on 127.0.0.1 for the real @aws-sdk/client-s3: path-style addressing (`/<bucket>/<key>`), one bucket,
 * objects kept in a Map. It speaks what the storage adapter uses (PutObject, DeleteObject, DeleteObjects) plus GetObject,
 * so the public URL of an object (S3_PUBLIC_URL = `<endpoint>/<bucket>`) can be fetched too. Signatures are recorded,
 * not verified.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredObject {
  body: Buffer;
  contentType: string | undefined;
  cacheControl: string | undefined;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/bucket/products/x.webp?x-id=PutObject`. */
  url: string;
  authorization: string | undefined;
}

export interface FakeS3 {
  /** For S3_ENDPOINT. */
  endpoint: string;
  bucket: string;
  objects: Map<string, StoredObject>;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const XML_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const unescapeXml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function sendXml(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'Content-Type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendXml(res, status, `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`);
}

/** `POST /<bucket>?delete`: the keys of `<Delete><Object><Key>..</Key></Object>..</Delete>`; Quiet lists no successes. */
function deleteObjects(objects: Map<string, StoredObject>, requestXml: string, res: ServerResponse): void {
  const keys = [...requestXml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => unescapeXml(match[1] ?? ''));
  for (const key of keys) objects.delete(key);
  const quiet = /<Quiet>true<\/Quiet>/.test(requestXml);
  const deleted = quiet ? '' : keys.map((key) => `<Deleted><Key>${escapeXml(key)}</Key></Deleted>`).join('');
  sendXml(res, 200, `<DeleteResult xmlns="${XML_NS}">${deleted}</DeleteResult>`);
}

export async function startS3Server(bucket = 'emporium-media'): Promise<FakeS3> {
  const objects = new Map<string, StoredObject>();
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://s3.local');
      requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
      const [, bucketName = '', ...keyParts] = url.pathname.split('/');
      const key = decodeURIComponent(keyParts.join('/'));
      const body = await readBody(req);
      if (bucketName !== bucket) return sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');

      if (req.method === 'POST' && key === '' && url.searchParams.has('delete'))
        return deleteObjects(objects, body.toString('utf8'), res);
      if (key === '') return sendError(res, 501, 'NotImplemented', 'Only object operations are implemented');
      switch (req.method) {
        case 'PUT': {
          objects.set(key, {
            body,
            contentType: req.headers['content-type'],
            cacheControl: req.headers['cache-control'],
          });
          res.writeHead(200, { ETag: `"${createHash('md5').update(body).digest('hex')}"` }).end();
          return;
        }
        case 'DELETE':
          objects.delete(key);
          res.writeHead(204).end();
          return;
        case 'GET': {
          const object = objects.get(key);
          if (!object) return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
          res.writeHead(200, {
            'Content-Type': object.contentType ?? 'binary/octet-stream',
            'Cache-Control': object.cacheControl ?? '',
            'Content-Length': object.body.length,
          });
          res.end(object.body);
          return;
        }
        default:
          return sendError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
      }
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bucket,
    objects,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
