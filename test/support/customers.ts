/**
 * Many signed-in customers fast: users imported in one statement and sessions started through the server's own
 * functions (no password hashing), for races that need hundreds of distinct customers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { importVerifiedUsers, startSessionFor, systemCtx } from '@emporium/server';
import type { TestServer } from './server';

export interface BulkCustomer {
  id: string;
  accessToken: string;
}

export async function bulkCustomers(server: TestServer, count: number): Promise<BulkCustomer[]> {
  const batch = randomBytes(4).toString('hex');
  const people = Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    email: `bulk-${batch}-${index}@example.com`,
    fullName: `Bulk Customer ${index}`,
    createdAt: new Date(),
  }));
  const ids = await importVerifiedUsers(systemCtx(server.deps, 'test:bulk'), 'customer', people, 'not-a-password-hash');
  const customers: BulkCustomer[] = [];
  for (const person of people) {
    const pair = await startSessionFor(systemCtx(server.deps, 'test:bulk'), ids.get(person.email)!);
    if (!pair) throw new Error('startSessionFor failed');
    customers.push({ id: pair.user.id, accessToken: pair.accessToken });
  }
  return customers;
}
