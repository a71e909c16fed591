import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { denied, Id, idempotencyReused, invalidBody, meta, page, PageQuery, Role } from './common';
import { Email, FullName, Password, User, identityProblem as problem } from './identity.schemas';
import { named } from './named';

const c = initContract();
const adminsOnly = meta({ auth: ['admin'], rateLimit: 'user_admin' });
const adminsReading = meta({ auth: ['admin'], rateLimit: 'user_admin', scopes: ['admin:read'] });

const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

export const adminUsersContract = c.router(
  {
    listUsers: {
      method: 'GET',
      path: '/users',
      summary: 'List users',
      description: '`q` searches email and name (case-insensitive substring); newest first.',
      metadata: adminsReading,
      query: PageQuery.extend({
        q: z.string().trim().min(1).max(100).optional(),
        role: Role.optional(),
        isActive: booleanQuery.optional(),
      }).strict(),
      responses: { 200: page(User), 400: problem('validation_failed'), ...denied },
    },
    getUser: {
      method: 'GET',
      path: '/users/:id',
      summary: 'Get a user',
      description: 'Any user, by id.',
      metadata: adminsReading,
      pathParams: z.object({ id: Id }),
      responses: { 200: User, 400: problem('validation_failed'), ...denied, 404: problem('not_found') },
    },
    createUser: {
      method: 'POST',
      path: '/users',
      summary: 'Create a user',
      description:
        'Creates a verified user with the given role (how admins and vendors are made without a mail round trip).',
      metadata: meta({ auth: ['admin'], rateLimit: 'user_admin', idempotent: true }),
      body: named(
        'UserInput',
        z.object({ email: Email, password: Password, fullName: FullName, role: Role }).strict(),
        {
          email: 'grace@example.com',
          password: 'correct horse battery staple',
          fullName: 'Grace Hopper',
          role: 'vendor',
        },
      ),
      responses: {
        201: User,
        400: invalidBody,
        ...denied,
        409: problem('email_taken', 'idempotency_key_in_progress'),
        422: idempotencyReused,
      },
    },
    updateUser: {
      method: 'PUT',
      path: '/users/:id',
      summary: "Change a user's role or status",
      description:
        "Takes effect at once: the user's sessions end and their access tokens stop working. An admin cannot " +
        'demote or deactivate themselves (409), so the last admin cannot lock everyone out.',
      metadata: adminsOnly,
      pathParams: z.object({ id: Id }),
      body: named(
        'UserUpdate',
        z
          .object({ role: Role.optional(), isActive: z.boolean().optional() })
          .strict()
          .refine((value) => value.role !== undefined || value.isActive !== undefined, 'give role or isActive'),
        { role: 'vendor', isActive: true },
      ),
      responses: {
        200: User,
        400: invalidBody,
        ...denied,
        404: problem('not_found'),
        409: problem('conflict'),
      },
    },
  },
  { pathPrefix: '/admin' },
);
