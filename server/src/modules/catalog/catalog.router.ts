/** Thin routers for the catalog: products, categories, a vendor's own products, and admin moderation. */
import { contract } from '@emporium/contract';
import { initServer } from '@ts-rest/express';
import type { Deps } from '../../deps';
import { authenticatedCtxFrom, ctxFrom } from '../../platform/context';
import * as categories from './categories.service';
import { catalogEnv } from './catalog.env';
import { createImageRoutes } from './images.router';
import * as inventory from './inventory.service';
import * as queries from './product-queries';
import * as products from './products.service';
import * as reviews from './reviews.service';

const s = initServer();
const api = contract.api;

export function createCatalogRouters(deps: Deps) {
  const env = catalogEnv(deps);

  const productsRouter = s.router(api.products, {
    listProducts: async ({ req, query }) => ({
      status: 200,
      body: await queries.listPublishedProducts(ctxFrom(req), env, query),
    }),
    searchProducts: async ({ req, query }) => ({
      status: 200,
      body: await queries.searchProducts(ctxFrom(req), env, query),
    }),
    getProduct: async ({ req, params }) => ({
      status: 200,
      body: await products.getPublishedProduct(ctxFrom(req), env, params.id),
    }),
    createProduct: async ({ req, body }) => ({
      status: 201,
      body: await products.createProduct(authenticatedCtxFrom(req), env, body),
    }),
    updateProduct: async ({ req, params, body }) => ({
      status: 200,
      body: await products.updateProduct(authenticatedCtxFrom(req), env, params.id, body),
    }),
    deleteProduct: async ({ req, params }) => {
      await products.archiveProduct(authenticatedCtxFrom(req), env, params.id);
      return { status: 204, body: undefined };
    },
    submitProduct: async ({ req, params }) => ({
      status: 200,
      body: await products.submitProduct(authenticatedCtxFrom(req), env, params.id),
    }),
    adjustInventory: async ({ req, params, body }) => ({
      status: 200,
      body: await inventory.adjustInventory(authenticatedCtxFrom(req), env, params.id, params.variantId, body),
    }),
    listInventoryMovements: async ({ req, params, query }) => ({
      status: 200,
      body: await inventory.listInventoryMovements(authenticatedCtxFrom(req), params.id, query),
    }),
    ...createImageRoutes(env),
    listReviews: async ({ req, params, query }) => ({
      status: 200,
      body: await reviews.listReviews(ctxFrom(req), params.id, query),
    }),
    createReview: async ({ req, params, body }) => ({
      status: 201,
      body: await reviews.createReview(authenticatedCtxFrom(req), env, params.id, body),
    }),
  });

  const categoriesRouter = s.router(api.categories, {
    listCategories: async ({ req }) => ({
      status: 200,
      body: { data: await categories.getCategoryTree(ctxFrom(req), env) },
    }),
    listCategoryProducts: async ({ req, params, query }) => ({
      status: 200,
      body: await queries.listCategoryProducts(ctxFrom(req), env, params.id, query),
    }),
  });

  const vendorRouter = s.router(api.vendor, {
    listMyProducts: async ({ req, query }) => ({
      status: 200,
      body: await queries.listVendorProducts(authenticatedCtxFrom(req), env, query),
    }),
    getMyProduct: async ({ req, params }) => ({
      status: 200,
      body: await products.getManageableProduct(authenticatedCtxFrom(req), env, params.id),
    }),
  });

  const adminCatalogRouter = s.router(api.adminCatalog, {
    listProductsForReview: async ({ req, query }) => ({
      status: 200,
      body: await queries.listProductsByStatus(authenticatedCtxFrom(req), env, query),
    }),
    getProductForReview: async ({ req, params }) => ({
      status: 200,
      body: await products.getManageableProduct(authenticatedCtxFrom(req), env, params.id),
    }),
    approveProduct: async ({ req, params }) => ({
      status: 200,
      body: await products.approveProduct(authenticatedCtxFrom(req), env, params.id),
    }),
    rejectProduct: async ({ req, params, body }) => ({
      status: 200,
      body: await products.rejectProduct(authenticatedCtxFrom(req), env, params.id, body.reason),
    }),
    createCategory: async ({ req, body }) => ({
      status: 201,
      body: await categories.createCategory(authenticatedCtxFrom(req), env, body),
    }),
    updateCategory: async ({ req, params, body }) => ({
      status: 200,
      body: await categories.updateCategory(authenticatedCtxFrom(req), env, params.id, body),
    }),
    deleteCategory: async ({ req, params }) => {
      await categories.deleteCategory(authenticatedCtxFrom(req), env, params.id);
      return { status: 204, body: undefined };
    },
    setReviewVisibility: async ({ req, params, body }) => ({
      status: 200,
      body: await reviews.setReviewVisibility(authenticatedCtxFrom(req), env, params.id, body.hidden),
    }),
  });

  return {
    products: productsRouter,
    categories: categoriesRouter,
    vendor: vendorRouter,
    adminCatalog: adminCatalogRouter,
  };
}
