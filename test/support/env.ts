/** Where the tests find PostgreSQL and Redis: the machine's own services unless told otherwise. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export const TEST_DATABASE_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One statement on the admin connection (creating and dropping test databases). */
export async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A database of a test's own: a copy of the migrated template (vitest's global setup makes it). */
export async function copyOfTemplate(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `emporium_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name} template ${inject('templateDatabase')}`);
  return { name, url: databaseUrl(name), drop: () => adminQuery(`drop database if exists ${name} with (force)`) };
}
