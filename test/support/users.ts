/** Users for tests, made through the SDK like any client would. */
import { randomBytes } from 'node:crypto';
import { createUser, login } from '@emporium/sdk';
import type { TestServer } from './server';

export const ADMIN = { email: 'root@example.com', password: 'correct-horse-battery' };
export const ADMIN_ENV = { BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };

export interface SignedInUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function signIn(server: TestServer, email: string, password: string): Promise<SignedInUser> {
  const { data, error } = await login({ client: server.client, body: { email, password } });
  if (!data) throw new Error(`login failed: ${JSON.stringify(error)}`);
  return { id: data.user.id, email, password, accessToken: data.accessToken, refreshToken: data.refreshToken };
}

// One admin session per server: the login rate limit allows an account 10 logins per 15 minutes.
const adminSessions = new WeakMap<TestServer, Promise<SignedInUser>>();

/** A verified user with the given role, created by the bootstrap admin (the server needs ADMIN_ENV). */
export async function makeUser(
  server: TestServer,
  role: 'customer' | 'vendor' | 'admin' = 'customer',
): Promise<SignedInUser> {
  let session = adminSessions.get(server);
  if (!session) {
    session = signIn(server, ADMIN.email, ADMIN.password);
    adminSessions.set(server, session);
  }
  const admin = await session;
  const email = `${role}-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const { error } = await createUser({
    client: server.clientFor(admin.accessToken),
    body: { email, password, fullName: `Test ${role}`, role },
  });
  if (error) throw new Error(`createUser failed: ${JSON.stringify(error)}`);
  return signIn(server, email, password);
}
