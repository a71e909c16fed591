import type { AppRoute, AppRouter } from '@ts-rest/core';
import { generateOpenApi } from '@ts-rest/open-api';
import { isRouteMetadata } from './common';

type OpenApiDocument = ReturnType<typeof generateOpenApi>;
type Operation = Parameters<NonNullable<NonNullable<Parameters<typeof generateOpenApi>[2]>['operationMapper']>>[0];

/**
 * Completes what ts-rest leaves out of an operation: bodies are required, the auth policy becomes `security`
 * (plus `x-roles`), and the rate-limit policy is named in `x-rate-limit`.
 */
function mapOperation(operation: Operation, route: AppRoute): Operation {
  const mapped: Operation & Record<string, unknown> = { ...operation };
  if (mapped.requestBody && 'content' in mapped.requestBody) {
    mapped.requestBody = { ...mapped.requestBody, required: true };
  }
  const metadata = isRouteMetadata(route.metadata) ? route.metadata : undefined;
  if (metadata?.auth === 'optional') mapped.security = [{}, { bearerAuth: [] }];
  else if (metadata && metadata.auth !== 'public') {
    mapped.security = [{ bearerAuth: [] }];
    if (Array.isArray(metadata.auth)) mapped['x-roles'] = metadata.auth;
  }
  if (metadata?.rateLimit) mapped['x-rate-limit'] = metadata.rateLimit;
  return mapped;
}

/** The OpenAPI 3.0 document of a router: the server serves it and `gen` writes it to docs/openapi.json. */
export function buildOpenApiDocument(router: AppRouter, version: string): OpenApiDocument {
  const document = generateOpenApi(
    router,
    {
      info: {
        title: 'Emporium API',
        version,
        description:
          'Contract-first REST API of the Emporium marketplace. JSON bodies in camelCase; money in integer minor ' +
          'units; UUID ids; ISO 8601 UTC timestamps; cursor pagination (`limit`, `cursor` -> `nextCursor`); errors ' +
          'are RFC 9457 problem details (`application/problem+json`) with a stable `code` and the `requestId`.',
      },
      servers: [{ url: '/' }],
    },
    { setOperationId: true, operationMapper: mapOperation },
  );
  return {
    ...document,
    components: {
      ...document.components,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
