/** What identity records in the audit log. */
import { auditLog } from '../../platform/audit';

export const identityAudit = auditLog([
  'login.succeeded',
  'login.failed',
  'password.changed',
  'password.reset',
  'user.role_changed',
  'user.active_changed',
  'user.created_by_admin',
  'oauth.linked',
]);
