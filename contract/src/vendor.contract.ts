import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { denied, Id, meta, page } from './common';
import { Product, ProductSummary, VendorProductQuery, catalogProblem as problem } from './catalog.schemas';

const c = initContract();
const vendors = meta({ auth: ['vendor'], rateLimit: 'catalog_manage' });

export const vendorContract = c.router(
  {
    listMyProducts: {
      method: 'GET',
      path: '/products',
      summary: 'List my products',
      description: "The signed-in vendor's products in any status (filter with `status`), newest first.",
      metadata: vendors,
      query: VendorProductQuery,
      responses: { 200: page(ProductSummary), 400: problem('validation_failed'), ...denied },
    },
    getMyProduct: {
      method: 'GET',
      path: '/products/:id',
      summary: 'Get one of my products',
      description: 'In any status, with the rejection reason when an admin rejected it.',
      metadata: vendors,
      pathParams: z.object({ id: Id }),
      responses: { 200: Product, 400: problem('validation_failed'), ...denied, 404: problem('not_found') },
    },
  },
  { pathPrefix: '/vendor' },
);
