import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { denied, Id, idempotencyReused, invalidBody, meta, page } from './common';
import {
  Category,
  CategoryInput,
  CategoryUpdate,
  Product,
  ProductSummary,
  Review,
  ReviewQueueQuery,
  catalogProblem as problem,
} from './catalog.schemas';
import { named } from './named';

const c = initContract();
const adminsReading = meta({ auth: ['admin'], rateLimit: 'catalog_admin', scopes: ['catalog:read'] });
const adminsWriting = meta({ auth: ['admin'], rateLimit: 'catalog_admin', scopes: ['catalog:write'] });
const idempotentAdminsWriting = meta({
  auth: ['admin'],
  rateLimit: 'catalog_admin',
  scopes: ['catalog:write'],
  idempotent: true,
});
const byId = z.object({ id: Id });
const notFound = problem('not_found');

export const adminCatalogContract = c.router(
  {
    listProductsForReview: {
      method: 'GET',
      path: '/products',
      summary: 'List products by status (the review queue)',
      description: '`pending_review` by default, oldest submission first, so the queue is worked in order.',
      metadata: adminsReading,
      query: ReviewQueueQuery,
      responses: { 200: page(ProductSummary), 400: problem('validation_failed'), ...denied },
    },
    getProductForReview: {
      method: 'GET',
      path: '/products/:id',
      summary: 'Get any product',
      description: 'In any status.',
      metadata: adminsReading,
      pathParams: byId,
      responses: { 200: Product, 400: problem('validation_failed'), ...denied, 404: notFound },
    },
    approveProduct: {
      method: 'POST',
      path: '/products/:id/approve',
      summary: 'Approve a product',
      description: 'Publishes a product that is pending review.',
      metadata: idempotentAdminsWriting,
      pathParams: byId,
      body: c.noBody(),
      responses: {
        200: Product,
        400: problem('validation_failed'),
        ...denied,
        404: notFound,
        409: problem('invalid_status_transition', 'idempotency_key_in_progress'),
        422: idempotencyReused,
      },
    },
    rejectProduct: {
      method: 'POST',
      path: '/products/:id/reject',
      summary: 'Reject a product',
      description: 'Sends a product pending review back to its vendor with a reason the vendor sees.',
      metadata: idempotentAdminsWriting,
      pathParams: byId,
      body: named('ProductRejection', z.object({ reason: z.string().trim().min(1).max(1000) }).strict(), {
        reason: 'The photos show a different product.',
      }),
      responses: {
        200: Product,
        400: invalidBody,
        ...denied,
        404: notFound,
        409: problem('invalid_status_transition', 'idempotency_key_in_progress'),
        422: idempotencyReused,
      },
    },
    createCategory: {
      method: 'POST',
      path: '/categories',
      summary: 'Create a category',
      description: 'At the top level or under `parentId`; categories nest at most 5 levels.',
      metadata: idempotentAdminsWriting,
      body: CategoryInput,
      responses: {
        201: Category,
        400: invalidBody,
        ...denied,
        409: problem('slug_taken', 'category_too_deep', 'idempotency_key_in_progress'),
        422: idempotencyReused,
      },
    },
    updateCategory: {
      method: 'PUT',
      path: '/categories/:id',
      summary: 'Rename or move a category',
      description:
        'Partial update. `parentId` moves the category with its subtree; a move under its own subtree is refused.',
      metadata: adminsWriting,
      pathParams: byId,
      body: CategoryUpdate,
      responses: {
        200: Category,
        400: invalidBody,
        ...denied,
        404: notFound,
        409: problem('slug_taken', 'category_cycle', 'category_too_deep'),
      },
    },
    deleteCategory: {
      method: 'DELETE',
      path: '/categories/:id',
      summary: 'Delete a category',
      description: 'Only a category without subcategories and products.',
      metadata: adminsWriting,
      pathParams: byId,
      responses: {
        204: c.noBody(),
        400: problem('validation_failed'),
        ...denied,
        404: notFound,
        409: problem('category_not_empty'),
      },
    },
    setReviewVisibility: {
      method: 'PUT',
      path: '/reviews/:id',
      summary: 'Hide or restore a review',
      description: "A hidden review leaves the product's list and its rating at once.",
      metadata: adminsWriting,
      pathParams: byId,
      body: named('ReviewVisibility', z.object({ hidden: z.boolean() }).strict(), { hidden: true }),
      responses: { 200: Review, 400: invalidBody, ...denied, 404: notFound },
    },
  },
  { pathPrefix: '/admin' },
);
