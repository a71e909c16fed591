/** Thin router for admin API key management. */
import { contract } from '@emporium/contract';
import { initServer } from '@ts-rest/express';
import { authenticatedCtxFrom } from '../../platform/context';
import type { Deps } from '../../platform/deps';
import * as apiKeys from './api-keys.service';

const s = initServer();

export function createIntegrationsRouters(deps: Deps) {
  const adminApiKeys = s.router(contract.api.adminApiKeys, {
    createApiKey: async ({ req, body }) => ({
      status: 201,
      body: await apiKeys.createApiKey(authenticatedCtxFrom(deps, req), body),
    }),
    listApiKeys: async ({ req, query }) => ({
      status: 200,
      body: await apiKeys.listApiKeys(authenticatedCtxFrom(deps, req), query),
    }),
    revokeApiKey: async ({ req, params }) => ({
      status: 200,
      body: await apiKeys.revokeApiKey(authenticatedCtxFrom(deps, req), params.id),
    }),
  });
  return { adminApiKeys };
}
