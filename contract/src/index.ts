import { initContract } from '@ts-rest/core';
import { commonResponses } from './common';
import { healthContract } from './health.contract';

export * from './common';
export { buildOpenApiDocument } from './openapi';

const c = initContract();

/** The whole API. Route keys become operationIds, and so the SDK's function names: keep them unique verbs. */
export const contract = c.router(
  {
    health: healthContract,
  },
  { commonResponses, strictStatusCodes: true },
);

export type Contract = typeof contract;
