/** What integrations records in the audit log. */
import { auditLog } from '../../platform/audit';

export const integrationsAudit = auditLog(['api_key.created', 'api_key.revoked', 'api_key.used_revoked']);
