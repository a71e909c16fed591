import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { denied, Id, idempotencyReused, invalidBody, meta, page, PageQuery } from './common';
import {
  ImageOrder,
  ImageUpload,
  InventoryAdjustment,
  InventoryMovement,
  Product,
  ProductFilters,
  ProductImage,
  ProductInput,
  ProductSummary,
  ProductUpdate,
  Review,
  ReviewInput,
  SearchQuery,
  SearchResult,
  Variant,
  catalogProblem as problem,
} from './catalog.schemas';
import { PRODUCT_IMAGE_EXAMPLE } from './examples';
import { named } from './named';

const c = initContract();
const publicRead = meta({ auth: 'public', rateLimit: 'catalog_read' });
const idempotentVendorWrite = meta({ auth: ['vendor'], rateLimit: 'catalog_write', idempotent: true });
// API keys act with the admin role: catalog:write lets one manage any product, as an admin can.
const ownerRead = meta({ auth: ['vendor', 'admin'], rateLimit: 'catalog_manage', scopes: ['catalog:read'] });
const ownerWrite = meta({ auth: ['vendor', 'admin'], rateLimit: 'catalog_write', scopes: ['catalog:write'] });
const idempotentOwnerWrite = meta({
  auth: ['vendor', 'admin'],
  rateLimit: 'catalog_write',
  scopes: ['catalog:write'],
  idempotent: true,
});
const ownerUpload = meta({ auth: ['vendor', 'admin'], rateLimit: 'catalog_upload', scopes: ['catalog:write'] });
const productId = z.object({ id: Id });
const notFound = problem('not_found');
const conflict = problem('slug_taken', 'sku_taken');

export const productsContract = c.router(
  {
    listProducts: {
      method: 'GET',
      path: '',
      summary: 'List published products',
      description:
        'Published products only, filtered and sorted (`newest` by default). `categoryId` includes the subcategories. ' +
        'Cursor-paginated.',
      metadata: publicRead,
      query: ProductFilters,
      responses: { 200: page(ProductSummary), 400: problem('validation_failed') },
    },
    // Declared before getProduct so that `/products/search` is not taken for an id.
    searchProducts: {
      method: 'GET',
      path: '/search',
      summary: 'Search published products',
      description:
        'Full-text search weighted by name over description; a word that matches nothing is corrected to the closest ' +
        "catalog word (trigram similarity), so a small typo still finds the product. Takes the list's filters and " +
        'answers with facet counts (categories, option values) and the price range of all the matches.',
      metadata: meta({ auth: 'public', rateLimit: 'catalog_search' }),
      query: SearchQuery,
      responses: { 200: SearchResult, 400: problem('validation_failed') },
    },
    getProduct: {
      method: 'GET',
      path: '/:id',
      summary: 'Get a published product',
      description: 'With its variants, images, price range, stock and rating. Anything not published is a 404.',
      metadata: publicRead,
      pathParams: productId,
      responses: { 200: Product, 400: problem('validation_failed'), 404: notFound },
    },
    createProduct: {
      method: 'POST',
      path: '',
      summary: 'Create a product',
      description:
        'A vendor creates a draft with its variants (one per option combination; a product without options has one ' +
        'default variant with `options: {}`). Submit it for review to publish it.',
      metadata: idempotentVendorWrite,
      body: ProductInput,
      responses: {
        201: Product,
        400: invalidBody,
        ...denied,
        409: problem('slug_taken', 'sku_taken', 'idempotency_key_in_progress'),
        422: idempotencyReused,
      },
    },
    updateProduct: {
      method: 'PUT',
      path: '/:id',
      summary: 'Replace a product',
      description:
        'Its vendor or an admin. Variants are matched by SKU. When a vendor changes anything but variant prices of a ' +
        'published product, the product goes back to `pending_review` and leaves the public catalog until approved ' +
        "again; price changes apply at once. An admin's edit never changes the status.",
      metadata: ownerWrite,
      pathParams: productId,
      body: ProductUpdate,
      responses: { 200: Product, 400: invalidBody, ...denied, 404: notFound, 409: conflict },
    },
    deleteProduct: {
      method: 'DELETE',
      path: '/:id',
      summary: 'Archive a product',
      description: 'Its vendor or an admin. The product leaves the catalog for good; orders that name it keep working.',
      metadata: ownerWrite,
      pathParams: productId,
      responses: { 204: c.noBody(), 400: problem('validation_failed'), ...denied, 404: notFound },
    },
    submitProduct: {
      method: 'POST',
      path: '/:id/submit',
      summary: 'Submit a product for review',
      description: 'Its vendor moves a draft or rejected product to `pending_review`.',
      metadata: idempotentVendorWrite,
      pathParams: productId,
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
    adjustInventory: {
      method: 'POST',
      path: '/:id/variants/:variantId/inventory',
      summary: "Adjust a variant's stock",
      description:
        'The one way stock changes by hand: adds `delta` atomically and records a movement (who, why, delta). A ' +
        'negative delta larger than the stock is refused with `insufficient_stock`; a variant holds at most 10,000,000 ' +
        'units (`stock_limit`).',
      metadata: idempotentOwnerWrite,
      pathParams: z.object({ id: Id, variantId: Id }),
      body: InventoryAdjustment,
      responses: {
        200: Variant,
        400: invalidBody,
        ...denied,
        404: notFound,
        409: problem('insufficient_stock', 'stock_limit', 'idempotency_key_in_progress'),
        422: idempotencyReused,
      },
    },
    listInventoryMovements: {
      method: 'GET',
      path: '/:id/inventory-movements',
      summary: "List a product's stock movements",
      description: 'Its vendor or an admin; newest first.',
      metadata: ownerRead,
      pathParams: productId,
      query: PageQuery,
      responses: { 200: page(InventoryMovement), 400: problem('validation_failed'), ...denied, 404: notFound },
    },
    uploadProductImage: {
      method: 'POST',
      path: '/:id/images',
      summary: 'Upload a product image',
      description:
        'Multipart field `file`. The type is read from the bytes (JPEG, PNG or WebP); at most 10 MB and 40 megapixels. ' +
        "The image is re-encoded (metadata stripped) with a thumbnail, and appended to the product's images (at most 20). " +
        "Like any content edit, a vendor's image change sends a published product back to review.",
      metadata: ownerUpload,
      contentType: 'multipart/form-data',
      pathParams: productId,
      body: ImageUpload,
      responses: {
        201: ProductImage,
        400: problem('validation_failed'),
        ...denied,
        404: notFound,
        409: problem('too_many_images'),
        413: problem('payload_too_large'),
        415: problem('unsupported_media_type'),
        422: problem('image_too_large'),
      },
    },
    reorderProductImages: {
      method: 'PUT',
      path: '/:id/images',
      summary: "Reorder a product's images",
      description: 'Lists every image id of the product in the new order; the first is the cover.',
      metadata: ownerWrite,
      pathParams: productId,
      body: ImageOrder,
      responses: {
        200: named('ProductImageList', z.object({ data: z.array(ProductImage) }), { data: [PRODUCT_IMAGE_EXAMPLE] }),
        400: invalidBody,
        ...denied,
        404: notFound,
      },
    },
    deleteProductImage: {
      method: 'DELETE',
      path: '/:id/images/:imageId',
      summary: 'Remove a product image',
      description: 'Its vendor or an admin; the stored files are deleted too.',
      metadata: ownerWrite,
      pathParams: z.object({ id: Id, imageId: Id }),
      responses: { 204: c.noBody(), 400: problem('validation_failed'), ...denied, 404: notFound },
    },
    listReviews: {
      method: 'GET',
      path: '/:id/reviews',
      summary: "List a product's reviews",
      description: 'Visible reviews of a published product, newest first.',
      metadata: publicRead,
      pathParams: productId,
      query: PageQuery,
      responses: { 200: page(Review), 400: problem('validation_failed'), 404: notFound },
    },
    createReview: {
      method: 'POST',
      path: '/:id/reviews',
      summary: 'Review a product',
      description: 'A customer reviews a published product once: rating 1-5 and an optional plain-text title and body.',
      metadata: meta({ auth: ['customer'], rateLimit: 'review_write', idempotent: true }),
      pathParams: productId,
      body: ReviewInput,
      responses: {
        201: Review,
        400: invalidBody,
        ...denied,
        404: notFound,
        409: problem('already_reviewed', 'idempotency_key_in_progress'),
        422: idempotencyReused,
      },
    },
  },
  { pathPrefix: '/products' },
);
