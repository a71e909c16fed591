/** What payments records in the audit log: refunds (asked by an admin or made automatically) and commission rates. */
import { auditLog } from '../../platform/audit';

export const paymentsAudit = auditLog(['refund.requested', 'refund.automatic', 'commission.set']);
