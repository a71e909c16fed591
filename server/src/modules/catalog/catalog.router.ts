/** Thin routers for the catalog: products, categories, a vendor's own products, and admin moderation. */
import { contract } from '@emporium/contract';
import { initServer } from '@ts-rest/express';
import type { Deps } from '../../platform/deps';
import { authenticatedCtxFrom, ctxFrom } from '../../platform/context';
import * as categories from './categories.service';
import { createImageRoutes } from './images.router';
import * as inventory from './inventory.service';
import * as queries from './product-lists.service';
import * as products from './products.service';
import * as reviews from './reviews.service';

const s = initServer();
const api = contract.api;

export function createCatalogRouters(deps: Deps) {
  const productsRouter = s.router(api.products, {
    listProducts: async ({ req, query }) => ({
      status: 200,
      body: await queries.listPublishedProducts(ctxFrom(deps, req), query),
    }),
    searchProducts: async ({ req, query }) => ({
      status: 200,
      body: await queries.searchProducts(ctxFrom(deps, req), query),
    }),
    getProduct: async ({ req, params }) => ({
      status: 200,
      body: await products.getPublishedProduct(ctxFrom(deps, req), params.id),
    }),
    createProduct: async ({ req, body }) => ({
      status: 201,
      body: await products.createProduct(authenticatedCtxFrom(deps, req), body),
    }),
    updateProduct: async ({ req, params, body }) => ({
      status: 200,
      body: await products.updateProduct(authenticatedCtxFrom(deps, req), params.id, body),
    }),
    deleteProduct: async ({ req, params }) => {
      await products.archiveProduct(authenticatedCtxFrom(deps, req), params.id);
      return { status: 204, body: undefined };
    },
    submitProduct: async ({ req, params }) => ({
      status: 200,
      body: await products.submitProduct(authenticatedCtxFrom(deps, req), params.id),
    }),
    adjustInventory: async ({ req, params, body }) => ({
      status: 200,
      body: await inventory.adjustInventory(authenticatedCtxFrom(deps, req), params.id, params.variantId, body),
    }),
    listInventoryMovements: async ({ req, params, query }) => ({
      status: 200,
      body: await inventory.listInventoryMovements(authenticatedCtxFrom(deps, req), params.id, query),
    }),
    ...createImageRoutes(deps),
    listReviews: async ({ req, params, query }) => ({
      status: 200,
      body: await reviews.listReviews(ctxFrom(deps, req), params.id, query),
    }),
    createReview: async ({ req, params, body }) => ({
      status: 201,
      body: await reviews.createReview(authenticatedCtxFrom(deps, req), params.id, body),
    }),
  });

  const categoriesRouter = s.router(api.categories, {
    listCategories: async ({ req }) => ({
      status: 200,
      body: { data: await categories.getCategoryTree(ctxFrom(deps, req)) },
    }),
    listCategoryProducts: async ({ req, params, query }) => ({
      status: 200,
      body: await queries.listCategoryProducts(ctxFrom(deps, req), params.id, query),
    }),
  });

  const vendorRouter = s.router(api.vendor, {
    listMyProducts: async ({ req, query }) => ({
      status: 200,
      body: await queries.listVendorProducts(authenticatedCtxFrom(deps, req), query),
    }),
    getMyProduct: async ({ req, params }) => ({
      status: 200,
      body: await products.getManageableProduct(authenticatedCtxFrom(deps, req), params.id),
    }),
  });

  const adminCatalogRouter = s.router(api.adminCatalog, {
    listProductsForReview: async ({ req, query }) => ({
      status: 200,
      body: await queries.listProductsByStatus(authenticatedCtxFrom(deps, req), query),
    }),
    getProductForReview: async ({ req, params }) => ({
      status: 200,
      body: await products.getManageableProduct(authenticatedCtxFrom(deps, req), params.id),
    }),
    approveProduct: async ({ req, params }) => ({
      status: 200,
      body: await products.approveProduct(authenticatedCtxFrom(deps, req), params.id),
    }),
    rejectProduct: async ({ req, params, body }) => ({
      status: 200,
      body: await products.rejectProduct(authenticatedCtxFrom(deps, req), params.id, body.reason),
    }),
    createCategory: async ({ req, body }) => ({
      status: 201,
      body: await categories.createCategory(authenticatedCtxFrom(deps, req), body),
    }),
    updateCategory: async ({ req, params, body }) => ({
      status: 200,
      body: await categories.updateCategory(authenticatedCtxFrom(deps, req), params.id, body),
    }),
    deleteCategory: async ({ req, params }) => {
      await categories.deleteCategory(authenticatedCtxFrom(deps, req), params.id);
      return { status: 204, body: undefined };
    },
    setReviewVisibility: async ({ req, params, body }) => ({
      status: 200,
      body: await reviews.setReviewVisibility(authenticatedCtxFrom(deps, req), params.id, body.hidden),
    }),
  });

  return {
    products: productsRouter,
    categories: categoriesRouter,
    vendor: vendorRouter,
    adminCatalog: adminCatalogRouter,
  };
}
