/** API keys. The secret is never stored: only its SHA-256 (the secret has 256 bits of entropy, so no slow hash). */
import { defineEntity, p } from '@mikro-orm/core';
import type { ApiKeyScope } from '@emporium/contract';
import { createdAtColumn as createdAt, idColumn as id } from '../../platform/columns';

export const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: id(),
    name: p.string().length(100),
    /** The secret's first characters, shown in lists so an admin can tell which key a leaked secret is. */
    prefix: p.string().length(20),
    secretHash: p.string().unique(),
    scopes: p.array<ApiKeyScope>(),
    /** The admin who created the key; the key acts on their behalf while they are an active admin. */
    createdBy: p.uuid(),
    createdAt: createdAt(),
    expiresAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export class ApiKey extends ApiKeySchema.class {}
ApiKeySchema.setClass(ApiKey);

export const integrationsEntities = [ApiKey];
