/** What other modules and the app may use of identity. */
export { identityEntities } from './identity.entities';
export { identityTasks } from './identity.jobs';
export { createIdentityRouters } from './identity.router';
export { resolveSession } from './sessions';
export { ensureBootstrapAdmin } from './admin-users.service';
export { recordAudit, type AuditAction } from './audit';
