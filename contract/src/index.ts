import { initContract } from '@ts-rest/core';
import { commonResponses } from './common';
import { adminUsersContract } from './admin-users.contract';
import { authContract } from './auth.contract';
import { healthContract } from './health.contract';
import { usersContract } from './users.contract';

export * from './common';
export * from './identity.schemas';
export { buildOpenApiDocument } from './openapi';

const c = initContract();

/** The whole API. Route keys become operationIds, and so the SDK's function names: keep them unique verbs. */
export const contract = c.router(
  {
    health: healthContract,
    api: c.router(
      { auth: authContract, users: usersContract, adminUsers: adminUsersContract },
      { pathPrefix: '/api' },
    ),
  },
  { commonResponses, strictStatusCodes: true },
);

export type Contract = typeof contract;
