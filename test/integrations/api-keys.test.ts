/**
 * API keys end to end: admins create, list and revoke them; a key calls only routes open to one of its scopes, acting
 * for its creator; revoked, expired and orphaned keys get 401; the secret is stored only as a hash; the key's life is
 * audited.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKey,
  createCategory,
  getProfile,
  listApiKeys,
  listProductsForReview,
  listUsers,
  revokeApiKey,
  updateUser,
  type CreateApiKeyData,
} from '@emporium/sdk';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let server: TestServer;
let admin: SignedInUser;

beforeAll(async () => {
  // A small per-key budget, tighter than the routes' own, so the headers report the key's.
  server = await startTestServer({ env: { ...ADMIN_ENV, RATE_LIMIT_API_KEY: '50/60' } });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
});
afterAll(async () => server.close());

const sql = <Row>(query: string, params: unknown[] = []) => server.deps.orm.em.fork().execute<Row[]>(query, params);

type ApiKeyScope = CreateApiKeyData['body']['scopes'][number];

async function makeKey(scopes: ApiKeyScope[], by: SignedInUser = admin, expiresAt?: string) {
  const { data, error, response } = await createApiKey({
    client: server.clientFor(by.accessToken),
    body: { name: `test ${scopes.join(' ')}`, scopes, ...(expiresAt ? { expiresAt } : {}) },
  });
  if (!data) throw new Error(`createApiKey answered ${response?.status}: ${JSON.stringify(error)}`);
  return data;
}

describe('POST /api/admin/api-keys', () => {
  it('answers 201 with the secret once, a recognisable prefix, and lists the key without it', async () => {
    const key = await makeKey(['catalog:read', 'catalog:read', 'admin:read']);
    expect(key.secret).toMatch(/^emp_live_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({
      prefix: key.secret.slice(0, 13),
      scopes: ['catalog:read', 'admin:read'],
      createdBy: admin.id,
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    const listed = await listApiKeys({ client: server.clientFor(admin.accessToken), query: { limit: 100 } });
    const entry = listed.data!.data.find((item) => item.id === key.id);
    expect(entry).toMatchObject({ prefix: key.prefix, scopes: key.scopes });
    expect(JSON.stringify(listed.data)).not.toContain(key.secret.slice(13));
  });

  it('stores only the SHA-256 of the secret, never the secret', async () => {
    const key = await makeKey(['catalog:read']);
    const rows = await sql<Record<string, unknown>>('select * from api_keys where id = ?', [key.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.secret_hash).toBe(createHash('sha256').update(key.secret).digest('hex'));
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(key.secret);
    expect(stored).not.toContain(key.secret.slice(13));
  });

  it('answers 403 to customers and vendors, and to API keys (a key cannot mint keys)', async () => {
    for (const user of [await makeUser(server, 'customer'), await makeUser(server, 'vendor')]) {
      const response = await createApiKey({
        client: server.clientFor(user.accessToken),
        body: { name: 'mine', scopes: ['catalog:read'] },
      });
      expect(response.response!.status).toBe(403);
    }
    const key = await makeKey(['catalog:write', 'admin:read']);
    const byKey = await createApiKey({
      client: server.clientFor(key.secret),
      body: { name: 'x', scopes: ['catalog:read'] },
    });
    expect(byKey.response!.status).toBe(403);
    expect(byKey.error).toMatchObject({ code: 'forbidden' });
  });

  it('refuses an expiry in the past with 400', async () => {
    const response = await createApiKey({
      client: server.clientFor(admin.accessToken),
      body: { name: 'stale', scopes: ['catalog:read'], expiresAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(response.response!.status).toBe(400);
  });
});

describe('Authorization: Bearer <API key>', () => {
  it('lets a catalog:read key read the catalog but answers 403 on a write and on routes outside its scopes', async () => {
    const key = await makeKey(['catalog:read']);
    const client = server.clientFor(key.secret);
    const read = await listProductsForReview({ client });
    expect(read.response!.status).toBe(200);
    expect(read.response!.headers.get('ratelimit-limit')).toBe('50');

    const write = await createCategory({ client, body: { name: 'Keyed', slug: 'keyed-by-read-key' } });
    expect(write.response!.status).toBe(403);
    expect(write.error).toMatchObject({ code: 'forbidden' });
    expect((await listUsers({ client })).response!.status).toBe(403);
    // Routes without scopes are for users only.
    expect((await getProfile({ client })).response!.status).toBe(403);
  });

  it('lets a catalog:write key write, on behalf of its creator, and audits the key it went through', async () => {
    const key = await makeKey(['catalog:write']);
    const created = await createCategory({
      client: server.clientFor(key.secret),
      body: { name: 'Keyed', slug: 'keyed-by-write-key' },
    });
    expect(created.response!.status).toBe(201);
    const audit = await sql<{ actor_id: string; details: { apiKeyId?: string } | null }>(
      'select actor_id, details from audit_log where target_id = ?',
      [created.data!.id],
    );
    expect(audit.length).toBeGreaterThan(0);
    for (const entry of audit) expect(entry).toMatchObject({ actor_id: admin.id, details: { apiKeyId: key.id } });
  });

  it('records the last use, at most once a minute', async () => {
    const key = await makeKey(['catalog:read']);
    await listProductsForReview({ client: server.clientFor(key.secret) });
    const lastUsed = async () =>
      (await sql<{ at: string | null }>('select last_used_at::text as at from api_keys where id = ?', [key.id]))[0]!.at;
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await listProductsForReview({ client: server.clientFor(key.secret) });
    expect(await lastUsed()).toBe(first);
  });

  it('answers 401 to a revoked key, and audits creation, revocation and use of the revoked key', async () => {
    const key = await makeKey(['catalog:read']);
    const client = server.clientFor(key.secret);
    expect((await listProductsForReview({ client })).response!.status).toBe(200);

    const revoked = await revokeApiKey({ client: server.clientFor(admin.accessToken), path: { id: key.id } });
    expect(revoked.data!.revokedAt).toEqual(expect.any(String));
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const refused = await listProductsForReview({ client });
      expect(refused.response!.status).toBe(401);
      expect(refused.error).toMatchObject({ code: 'invalid_token' });
    }
    // Revoking again changes nothing.
    await revokeApiKey({ client: server.clientFor(admin.accessToken), path: { id: key.id } });

    const audit = await sql<{ action: string; actor_id: string | null }>(
      'select action, actor_id from audit_log where target_id = ? order by id',
      [key.id],
    );
    // Use of the revoked key is audited once a minute, not on every request.
    expect(audit.map((entry) => [entry.action, entry.actor_id])).toEqual([
      ['api_key.created', admin.id],
      ['api_key.revoked', admin.id],
      ['api_key.used_revoked', null],
    ]);
  });

  it('answers 401 to an expired key', async () => {
    const key = await makeKey(['catalog:read'], admin, new Date(Date.now() + 60_000).toISOString());
    expect((await listProductsForReview({ client: server.clientFor(key.secret) })).response!.status).toBe(200);
    await sql(`update api_keys set expires_at = now() - interval '1 second' where id = ?`, [key.id]);
    const refused = await listProductsForReview({ client: server.clientFor(key.secret) });
    expect(refused.response!.status).toBe(401);
    expect(refused.error).toMatchObject({ code: 'invalid_token', detail: 'The API key has expired.' });
  });

  it('answers 401 to an unknown key and to a key whose creator is no longer an admin', async () => {
    const unknown = await request(server.app)
      .get('/api/admin/products')
      .set('Authorization', `Bearer emp_live_${'x'.repeat(43)}`);
    expect(unknown.status).toBe(401);

    const otherAdmin = await makeUser(server, 'admin');
    const key = await makeKey(['catalog:read'], otherAdmin);
    expect((await listProductsForReview({ client: server.clientFor(key.secret) })).response!.status).toBe(200);
    await updateUser({
      client: server.clientFor(admin.accessToken),
      path: { id: otherAdmin.id },
      body: { role: 'vendor' },
    });
    expect((await listProductsForReview({ client: server.clientFor(key.secret) })).response!.status).toBe(401);
  });

  it('does not let a customer list or revoke keys', async () => {
    const customer = await makeUser(server, 'customer');
    const key = await makeKey(['catalog:read']);
    expect((await listApiKeys({ client: server.clientFor(customer.accessToken) })).response!.status).toBe(403);
    expect(
      (await revokeApiKey({ client: server.clientFor(customer.accessToken), path: { id: key.id } })).response!.status,
    ).toBe(403);
  });
});

describe('API keys and the shared machinery', () => {
  it('keeps two keys of one admin apart: the same Idempotency-Key runs once for each', async () => {
    const [first, second] = await Promise.all([makeKey(['catalog:write']), makeKey(['catalog:write'])]);
    const create = (secret: string, name: string) =>
      request(server.app)
        .post('/api/admin/categories')
        .set('Authorization', `Bearer ${secret}`)
        .set('Idempotency-Key', 'order-42')
        .send({ name });
    const one = await create(first.secret, 'Keyed by one');
    const two = await create(second.secret, 'Keyed by two');
    expect(one.status).toBe(201);
    expect(two.status, JSON.stringify(two.body)).toBe(201);
    expect(two.headers['idempotency-replayed']).toBeUndefined();
    expect(two.body.id).not.toBe(one.body.id);
  });

  it('refuses a flood of bad tokens on a signed-in route per IP, before any token is looked up', async () => {
    const flood = await startTestServer({ env: { RATE_LIMIT_ACCOUNT_IP: '3/60' } });
    try {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        const response = await request(flood.app)
          .get('/api/users/profile')
          .set('Authorization', 'Bearer emp_live_nope');
        statuses.push(response.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await flood.close();
    }
  });
});
