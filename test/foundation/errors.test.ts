import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

describe('problem+json errors', () => {
  it('answers an unknown route with 404 route_not_found, the request id in body and header', async () => {
    const response = await request(server.app).get('/api/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404, code: 'route_not_found', title: 'Not found' });
    expect(response.body.requestId).toBe(response.headers['x-request-id']);
  });

  it('keeps a sane incoming X-Request-Id and replaces an unsafe one', async () => {
    const kept = await request(server.app).get('/health/live').set('X-Request-Id', 'trace-123.abc');
    expect(kept.headers['x-request-id']).toBe('trace-123.abc');
    const replaced = await request(server.app).get('/health/live').set('X-Request-Id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers malformed JSON with 400 malformed_json', async () => {
    const response = await request(server.app)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": ');
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('malformed_json');
  });

  it('answers an invalid body with 400 and one field error per problem, unknown properties included', async () => {
    const response = await request(server.app)
      .post('/api/auth/register')
      .send({ email: 'not-an-email', password: 'short', fullName: 'A', role: 'admin' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
    const paths = (response.body.errors as { path: string }[]).map((error) => error.path).sort();
    expect(paths).toEqual(['body.email', 'body.password', 'body.role']);
  });

  it('answers a body over the size limit with 413 before any work', async () => {
    const response = await request(server.app)
      .post('/api/auth/login')
      .send({ email: 'a@example.com', password: 'x'.repeat(1024 * 1024) });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('payload_too_large');
  });
});

describe('in production', () => {
  it('answers an unexpected failure with a generic 500 that leaks no stack or SQL', async () => {
    const production = await startTestServer({
      env: { NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1', METRICS_TOKEN: 'metrics-token-for-tests' },
    });
    try {
      // With the users table gone, the login query fails in a way no client caused.
      await production.deps.orm.em.fork().execute('drop table users cascade');
      const response = await request(production.app)
        .post('/api/auth/login')
        .send({ email: 'someone@example.com', password: 'whatever-password' });
      expect(response.status).toBe(500);
      expect(response.body).toEqual({
        type: 'https://emporium.dev/problems/internal_error',
        title: 'Internal server error',
        status: 500,
        detail: 'An unexpected error occurred. Quote the requestId when reporting it.',
        code: 'internal_error',
        requestId: response.headers['x-request-id'],
      });
    } finally {
      await production.close().catch(() => undefined);
    }
  });
});
