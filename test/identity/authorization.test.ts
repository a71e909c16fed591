import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, isRouteMetadata } from '@emporium/contract';
import {
  createAddress,
  createUser,
  deleteAddress,
  getProfile,
  listAddresses,
  listUsers,
  login,
  updateAddress,
  updateUser,
} from '@emporium/sdk';
import { isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

let server: TestServer;
let admin: SignedInUser;
let customer: SignedInUser;
let vendor: SignedInUser;

beforeAll(async () => {
  server = await startTestServer({ env: { ...ADMIN_ENV, RATE_LIMIT_LOGIN_ACCOUNT: '10/900' } });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  customer = await makeUser(server, 'customer');
  vendor = await makeUser(server, 'vendor');
});
afterAll(async () => server.close());

function routesOf(router: AppRouter): AppRoute[] {
  return Object.values(router).flatMap((entry) => (isAppRoute(entry) ? [entry] : routesOf(entry)));
}
const allRoutes = routesOf(contract);
const concretePath = (path: string) =>
  path.replace(/:id\b/g, '0190a4c5-0000-7000-8000-000000000000').replace(/:provider\b/g, 'nobody');

describe('route policies', () => {
  it('gives every route of the contract an auth policy, and every body schema rejects unknown properties', () => {
    for (const route of allRoutes) {
      expect(isRouteMetadata(route.metadata), `${route.method} ${route.path} has no auth policy`).toBe(true);
      // A provider's webhook takes the provider's envelope as it comes (Stripe adds fields): its signature over the
      // raw body is what is checked, not its shape.
      const providerCallback = route.path.startsWith('/api/webhooks/');
      if (
        !providerCallback &&
        'body' in route &&
        route.body &&
        typeof route.body === 'object' &&
        '_def' in route.body
      ) {
        const def = (route.body as { _def: { unknownKeys?: string; schema?: { _def: { unknownKeys?: string } } } })
          ._def;
        const unknownKeys = def.unknownKeys ?? def.schema?._def.unknownKeys;
        expect(unknownKeys, `${route.method} ${route.path} accepts unknown properties`).toBe('strict');
      }
    }
  });

  it.each(
    allRoutes
      .filter(
        (route) =>
          isRouteMetadata(route.metadata) && route.metadata.auth !== 'public' && route.metadata.auth !== 'optional',
      )
      .map((route) => [route.method, route.path] as const),
  )('%s %s answers 401 without a token', async (method, path) => {
    const response = await request(server.app)[method.toLowerCase() as 'get'](concretePath(path)).send({});
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  const adminOnly = allRoutes.filter(
    (route) =>
      isRouteMetadata(route.metadata) &&
      Array.isArray(route.metadata.auth) &&
      route.metadata.auth.includes('admin') &&
      route.metadata.auth.length === 1,
  );
  it.each(adminOnly.map((route) => [route.method, route.path] as const))(
    '%s %s answers 403 to customers and vendors',
    async (method, path) => {
      for (const user of [customer, vendor]) {
        const agent = request(server.app);
        const response = await agent[method.toLowerCase() as 'get'](concretePath(path))
          .set('Authorization', `Bearer ${user.accessToken}`)
          .send({});
        expect(response.status).toBe(403);
        expect(response.body.code).toBe('forbidden');
      }
    },
  );
});

describe('addresses', () => {
  const home = {
    fullName: 'Test Customer',
    line1: '1 Main St',
    city: 'Springfield',
    postalCode: '12345',
    country: 'US',
  };

  it("keeps one user from reading or changing another's addresses (404)", async () => {
    const mine = await createAddress({ client: server.clientFor(customer.accessToken), body: home });
    expect(mine.response!.status).toBe(201);
    expect(mine.data!.isDefault).toBe(true);
    const id = mine.data!.id;
    const thief = server.clientFor(vendor.accessToken);

    expect((await updateAddress({ client: thief, path: { id }, body: { city: 'Elsewhere' } })).response!.status).toBe(
      404,
    );
    expect((await deleteAddress({ client: thief, path: { id } })).response!.status).toBe(404);
    expect((await listAddresses({ client: thief })).data!.data).toEqual([]);
    const stillMine = await listAddresses({ client: server.clientFor(customer.accessToken) });
    expect(stillMine.data!.data.map((address) => [address.id, address.city])).toEqual([[id, 'Springfield']]);
  });

  it('moves the default, keeps exactly one, and pages with a cursor', async () => {
    const client = server.clientFor(vendor.accessToken);
    const created = [];
    for (let index = 0; index < 3; index += 1) {
      created.push((await createAddress({ client, body: { ...home, line1: `${index} Side St` } })).data!);
    }
    await updateAddress({ client, path: { id: created[2]!.id }, body: { isDefault: true } });
    const first = await listAddresses({ client, query: { limit: 2 } });
    expect(first.data!.data[0]!.id).toBe(created[2]!.id);
    const second = await listAddresses({ client, query: { limit: 2, cursor: first.data!.nextCursor! } });
    const all = [...first.data!.data, ...second.data!.data];
    expect(all.map((address) => address.id).sort()).toEqual(created.map((address) => address.id).sort());
    expect(all.filter((address) => address.isDefault)).toHaveLength(1);
    expect(second.data!.nextCursor).toBeNull();
  });

  it('refuses a forged cursor and a page size above 100 with 400', async () => {
    const client = server.clientFor(vendor.accessToken);
    expect((await listAddresses({ client, query: { cursor: 'garbage' } })).response!.status).toBe(400);
    expect((await listAddresses({ client, query: { limit: 101 } })).response!.status).toBe(400);
  });
});

describe('admin user management', () => {
  it('refuses mass-assigned role or isActive on the profile', async () => {
    const response = await request(server.app)
      .put('/api/users/profile')
      .set('Authorization', `Bearer ${customer.accessToken}`)
      .send({ fullName: 'Sneaky', role: 'admin', isActive: true });
    expect(response.status).toBe(400);
    const errors = response.body.errors as { path: string }[];
    expect(errors.map((error) => error.path).sort()).toEqual(['body.isActive', 'body.role']);
    expect((await getProfile({ client: server.clientFor(customer.accessToken) })).data).toMatchObject({
      role: 'customer',
      fullName: 'Test customer',
    });
  });

  it('searches and filters users', async () => {
    const vendors = await listUsers({ client: server.clientFor(admin.accessToken), query: { role: 'vendor' } });
    expect(vendors.data!.data.map((user) => user.email)).toEqual([vendor.email]);
    const found = await listUsers({
      client: server.clientFor(admin.accessToken),
      query: { q: customer.email.slice(0, 12).toUpperCase() },
    });
    expect(found.data!.data.map((user) => user.email)).toContain(customer.email);
  });

  it('makes a role change and a deactivation take effect at once', async () => {
    const target = await makeUser(server, 'customer');
    const promoted = await updateUser({
      client: server.clientFor(admin.accessToken),
      path: { id: target.id },
      body: { role: 'admin' },
    });
    expect(promoted.data!.role).toBe('admin');
    // The same access token now carries admin rights: the guard reads the role live.
    expect((await listUsers({ client: server.clientFor(target.accessToken) })).response!.status).toBe(200);

    await updateUser({
      client: server.clientFor(admin.accessToken),
      path: { id: target.id },
      body: { isActive: false },
    });
    expect((await getProfile({ client: server.clientFor(target.accessToken) })).response!.status).toBe(401);
    const relogin = await login({ client: server.client, body: { email: target.email, password: target.password } });
    expect(relogin.error).toMatchObject({ code: 'account_disabled' });
  });

  it('answers 409 email_taken when an admin creates a user with a taken email', async () => {
    const response = await createUser({
      client: server.clientFor(admin.accessToken),
      body: { email: customer.email, password: 'another-password-1', fullName: 'Twin', role: 'customer' },
    });
    expect(response.response!.status).toBe(409);
    expect(response.error).toMatchObject({ code: 'email_taken' });
  });

  it('does not let an admin demote themselves', async () => {
    const response = await updateUser({
      client: server.clientFor(admin.accessToken),
      path: { id: admin.id },
      body: { role: 'customer' },
    });
    expect(response.response!.status).toBe(409);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After after too many logins for one account', async () => {
    const attempts = [];
    for (let index = 0; index < 11; index += 1) {
      attempts.push(
        await request(server.app)
          .post('/api/auth/login')
          .send({ email: 'victim@example.com', password: `guess-${index}` }),
      );
    }
    expect(attempts.slice(0, 10).every((response) => response.status === 401)).toBe(true);
    const limited = attempts[10]!;
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-limit']).toBe('10');
  });
});
