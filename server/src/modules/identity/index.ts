/** The identity module's one face: its definition for the composition root, and what other modules may use. */
import { ConflictError } from '../../platform/errors';
import type { ModuleDefinition } from '../../platform/module';
import { ensureBootstrapAdmin } from './admin-users.service';
import { identityAudit } from './identity.audit';
import { identityEntities } from './identity.entities';
import { identityTasks } from './identity.jobs';
import { identityRateLimits } from './identity.rate-limits';
import { createIdentityRouters } from './identity.router';

export const identityModule: ModuleDefinition = {
  name: 'identity',
  entities: identityEntities,
  routers: (deps) => ({ api: createIdentityRouters(deps) }),
  tasks: identityTasks,
  auditActions: identityAudit.actions,
  rateLimits: identityRateLimits,
  constraints: {
    users_email_key: () => new ConflictError('email_taken', 'That email is taken.'),
  },
  onStart: async (ctx) => {
    const { BOOTSTRAP_ADMIN_EMAIL: email, BOOTSTRAP_ADMIN_PASSWORD: password } = ctx.deps.config;
    if (!email || !password) return;
    if (await ensureBootstrapAdmin(ctx, { email, password }))
      ctx.deps.logger.info({ email }, 'created the bootstrap admin');
  },
};

export { importVerifiedUsers, type ImportedUser } from './admin-users.service';
export { activeUserRole, resolveSession, startSessionFor } from './sessions';
export { addressOf, contactsOf, userIdByEmail, type Contact, type PostalAddress } from './people';
export { displayNames } from './users.service';
export { IdentityMail, renderIdentityMail } from './mail-templates';
