/** The only way integrations entities leave the module. */
import type { ApiKey as ApiKeyDto, ApiKeyScope } from '@emporium/contract';
import type { ApiKey } from './integrations.entities';

export function toApiKeyDto(key: ApiKey): ApiKeyDto {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: [...key.scopes] as ApiKeyScope[],
    createdBy: key.createdBy,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
