/** Catalog factories for tests, through the SDK like any client. */
import { randomBytes } from 'node:crypto';
import {
  approveProduct,
  createCategory,
  createProduct,
  submitProduct,
  type CreateProductData,
  type Product,
} from '@emporium/sdk';
import type { TestServer } from './server';
import type { SignedInUser } from './users';

export const usd = (amount: number) => ({ amount, currency: 'USD' });
export const uniqueSku = (prefix = 'SKU') => `${prefix}-${randomBytes(4).toString('hex')}`;

export async function makeCategory(
  server: TestServer,
  admin: SignedInUser,
  name: string,
  parentId?: string,
): Promise<string> {
  const { data, error } = await createCategory({
    client: server.clientFor(admin.accessToken),
    body: {
      name,
      slug: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomBytes(3).toString('hex')}`,
      ...(parentId ? { parentId } : {}),
    },
  });
  if (!data) throw new Error(`createCategory failed: ${JSON.stringify(error)}`);
  return data.id;
}

type ProductBody = CreateProductData['body'];

/** A draft with one default variant unless `body` says otherwise. */
export async function makeProduct(
  server: TestServer,
  vendor: SignedInUser,
  body: Partial<ProductBody> & { categoryId: string },
): Promise<Product> {
  const { data, error } = await createProduct({
    client: server.clientFor(vendor.accessToken),
    body: { name: 'Plain Product', variants: [{ sku: uniqueSku(), price: usd(1000), stock: 5 }], ...body },
  });
  if (!data) throw new Error(`createProduct failed: ${JSON.stringify(error)}`);
  return data;
}

/** Submits and approves: the product is public afterwards. */
export async function publish(
  server: TestServer,
  vendor: SignedInUser,
  admin: SignedInUser,
  productId: string,
): Promise<Product> {
  const submitted = await submitProduct({ client: server.clientFor(vendor.accessToken), path: { id: productId } });
  if (!submitted.data) throw new Error(`submitProduct failed: ${JSON.stringify(submitted.error)}`);
  const { data, error } = await approveProduct({
    client: server.clientFor(admin.accessToken),
    path: { id: productId },
  });
  if (!data) throw new Error(`approveProduct failed: ${JSON.stringify(error)}`);
  return data;
}
