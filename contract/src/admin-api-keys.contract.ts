/**
 * API keys for server-to-server integrations: admins create, list and revoke them. A key is sent like an access
 * token (`Authorization: Bearer emp_live_...`) and may call only routes whose metadata lists one of its scopes.
 */
import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import {
  API_KEY_PREFIX,
  API_KEY_SCOPES,
  ApiKeyScope,
  denied,
  Id,
  invalidBody,
  meta,
  page,
  PageQuery,
  problem,
  Timestamp,
} from './common';
import { EXAMPLE_IDS } from './examples';
import { named } from './named';

const c = initContract();

const API_KEY_EXAMPLE = {
  id: '0190a6f2-9a8b-7c6d-8e5f-4a3b2c1d0e9f',
  name: 'ERP sync',
  prefix: `${API_KEY_PREFIX}Zm9v`,
  scopes: ['catalog:read' as const, 'catalog:write' as const],
  createdBy: EXAMPLE_IDS.admin,
  createdAt: '2026-03-01T12:00:00.000Z',
  expiresAt: '2027-03-01T00:00:00.000Z',
  lastUsedAt: '2026-03-02T09:30:00.000Z',
  revokedAt: null,
};
/** Rate-limit policies of the integrations routes (budgets: server/src/modules/integrations). */
export const INTEGRATIONS_RATE_LIMIT_POLICIES = ['api_key_admin'] as const;

const adminsOnly = meta({ auth: ['admin'], rateLimit: 'api_key_admin' });

export const ApiKey = named(
  'ApiKey',
  z.object({
    id: Id,
    name: z.string(),
    prefix: z
      .string()
      .describe(`The first characters of the secret (\`${API_KEY_PREFIX}\` and 4 more), to recognise it`),
    scopes: z.array(ApiKeyScope),
    createdBy: Id.describe('The admin who created the key; the key acts on their behalf'),
    createdAt: Timestamp,
    expiresAt: Timestamp.nullable(),
    lastUsedAt: Timestamp.nullable().describe('Updated at most once a minute'),
    revokedAt: Timestamp.nullable(),
  }),
  API_KEY_EXAMPLE,
);
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = named(
  'CreatedApiKey',
  ApiKey.extend({
    secret: z
      .string()
      .describe('The key itself: send as `Authorization: Bearer <secret>`. Shown only in this answer; store it now.'),
  }),
  { ...API_KEY_EXAMPLE, lastUsedAt: null, secret: `${API_KEY_PREFIX}Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5` },
);

export const adminApiKeysContract = c.router(
  {
    createApiKey: {
      method: 'POST',
      path: '/api-keys',
      summary: 'Create an API key',
      description:
        'Creates a key for an integration, acting on behalf of the creating admin but only on routes open to one of ' +
        'its scopes. The secret is in this answer only (it is stored hashed). A key stops working when it expires, ' +
        'is revoked, or its creator is no longer an active admin.',
      metadata: adminsOnly,
      body: named(
        'ApiKeyInput',
        z
          .object({
            name: z.string().trim().min(1).max(100).describe('What the key is for, e.g. "ERP sync"'),
            scopes: z.array(ApiKeyScope).min(1).max(API_KEY_SCOPES.length),
            expiresAt: Timestamp.optional().describe('When the key stops working; never when omitted'),
          })
          .strict(),
        { name: 'ERP sync', scopes: ['catalog:read', 'catalog:write'], expiresAt: '2027-03-01T00:00:00.000Z' },
      ),
      responses: { 201: CreatedApiKey, 400: invalidBody, ...denied },
    },
    listApiKeys: {
      method: 'GET',
      path: '/api-keys',
      summary: 'List API keys',
      description: 'Every key, newest first, revoked and expired ones included. Secrets are never shown again.',
      metadata: adminsOnly,
      query: PageQuery,
      responses: { 200: page(ApiKey), 400: problem('validation_failed'), ...denied },
    },
    revokeApiKey: {
      method: 'POST',
      path: '/api-keys/:id/revoke',
      summary: 'Revoke an API key',
      description:
        'The key stops working at once (401 `invalid_token`); later use of it is audited. Revoking a revoked key ' +
        'changes nothing.',
      metadata: adminsOnly,
      pathParams: z.object({ id: Id }),
      body: c.noBody(),
      responses: { 200: ApiKey, 400: problem('validation_failed'), ...denied, 404: problem('not_found') },
    },
  },
  { pathPrefix: '/admin' },
);
