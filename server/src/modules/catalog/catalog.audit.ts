/** What the catalog records in the audit log: moderation of products and reviews, and category changes. */
import { auditLog } from '../../platform/audit';

export const catalogAudit = auditLog([
  'product.pending_review',
  'product.published',
  'product.rejected',
  'product.archived',
  'review.hidden',
  'review.restored',
  'category.created',
  'category.updated',
  'category.deleted',
]);
