import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { Id, idempotencyReused, invalidBody, meta, page, PageQuery, unauthorized } from './common';
import {
  Address,
  AddressInput,
  AddressUpdate,
  FullName,
  Password,
  User,
  identityProblem as problem,
} from './identity.schemas';
import { named } from './named';

const c = initContract();
const signedIn = meta({ auth: 'authenticated', rateLimit: 'account' });

export const usersContract = c.router(
  {
    getProfile: {
      method: 'GET',
      path: '/profile',
      summary: 'Get my profile',
      description: 'The signed-in user.',
      metadata: signedIn,
      responses: { 200: User, 401: unauthorized },
    },
    updateProfile: {
      method: 'PUT',
      path: '/profile',
      summary: 'Update my profile',
      description: 'Changes the name. Email, role and status are not changed here.',
      metadata: signedIn,
      body: named('ProfileUpdate', z.object({ fullName: FullName }).strict(), { fullName: 'Ada King' }),
      responses: { 200: User, 400: invalidBody, 401: unauthorized },
    },
    changePassword: {
      method: 'PUT',
      path: '/password',
      summary: 'Change my password',
      description: 'Needs the current password. Ends every other session and mails a notice.',
      metadata: meta({ auth: 'authenticated', rateLimit: 'password_change' }),
      body: named(
        'PasswordChange',
        z.object({ currentPassword: z.string().min(1).max(1024), newPassword: Password }).strict(),
        { currentPassword: 'correct horse battery staple', newPassword: 'a new long passphrase' },
      ),
      responses: {
        204: c.noBody(),
        400: problem('validation_failed', 'malformed_json', 'invalid_current_password'),
        401: unauthorized,
      },
    },
    listAddresses: {
      method: 'GET',
      path: '/addresses',
      summary: 'List my saved addresses',
      description: 'The default address first, then the newest.',
      metadata: signedIn,
      query: PageQuery,
      responses: { 200: page(Address), 400: invalidBody, 401: unauthorized },
    },
    createAddress: {
      method: 'POST',
      path: '/addresses',
      summary: 'Save an address',
      description: 'The first address becomes the default. At most 50 addresses per user.',
      metadata: meta({ auth: 'authenticated', rateLimit: 'account', idempotent: true }),
      body: AddressInput,
      responses: {
        201: Address,
        400: invalidBody,
        401: unauthorized,
        409: problem('conflict', 'idempotency_key_in_progress'),
        422: idempotencyReused,
      },
    },
    updateAddress: {
      method: 'PUT',
      path: '/addresses/:id',
      summary: 'Update one of my addresses',
      description: 'Partial update; `isDefault: true` moves the default here.',
      metadata: signedIn,
      pathParams: z.object({ id: Id }),
      body: AddressUpdate,
      responses: { 200: Address, 400: invalidBody, 401: unauthorized, 404: problem('not_found') },
    },
    deleteAddress: {
      method: 'DELETE',
      path: '/addresses/:id',
      summary: 'Delete one of my addresses',
      description: 'When the default goes, the newest remaining address becomes the default.',
      metadata: signedIn,
      pathParams: z.object({ id: Id }),
      responses: { 204: c.noBody(), 400: invalidBody, 401: unauthorized, 404: problem('not_found') },
    },
  },
  { pathPrefix: '/users' },
);
