import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { Id, meta, page } from './common';
import { CategoryTree, ProductFilters, ProductSummary, catalogProblem as problem } from './catalog.schemas';

const c = initContract();

export const categoriesContract = c.router(
  {
    listCategories: {
      method: 'GET',
      path: '',
      summary: 'Get the category tree',
      description: 'Every category in pre-order, with `parentId` and `depth` to build the tree from.',
      metadata: meta({ auth: 'public', rateLimit: 'catalog_read' }),
      responses: { 200: CategoryTree },
    },
    listCategoryProducts: {
      method: 'GET',
      path: '/:id/products',
      summary: "List a category's products",
      description: "Published products of the category and all its subcategories; the product list's filters apply.",
      metadata: meta({ auth: 'public', rateLimit: 'catalog_read' }),
      pathParams: z.object({ id: Id }),
      query: ProductFilters.omit({ categoryId: true }).strict(),
      responses: { 200: page(ProductSummary), 400: problem('validation_failed'), 404: problem('not_found') },
    },
  },
  { pathPrefix: '/categories' },
);
