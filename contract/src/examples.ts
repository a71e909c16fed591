/**
 * Example objects for the OpenAPI document (shown on the docs page). Each one is checked against its schema when the
 * document is emitted, so they stay true to the contract.
 */
const at = '2026-03-01T12:00:00.000Z';
const later = '2026-03-02T09:30:00.000Z';

export const EXAMPLE_IDS = {
  user: '0190a6f2-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
  vendor: '0190a6f2-2b3c-7d4e-9f5a-6b7c8d9e0f1a',
  admin: '0190a6f2-3c4d-7e5f-8a6b-7c8d9e0f1a2b',
  category: '0190a6f2-4d5e-7f6a-9b7c-8d9e0f1a2b3c',
  product: '0190a6f2-5e6f-7a7b-8c8d-9e0f1a2b3c4d',
  variant: '0190a6f2-6f7a-7b8c-9d9e-0f1a2b3c4d5e',
  image: '0190a6f2-7a8b-7c9d-8e0f-1a2b3c4d5e6f',
  review: '0190a6f2-8b9c-7d0e-9f1a-2b3c4d5e6f7a',
  address: '0190a6f2-9c0d-7e1f-8a2b-3c4d5e6f7a8b',
  movement: '0190a6f2-0d1e-7f2a-9b3c-4d5e6f7a8b9c',
} as const;

export const USER_EXAMPLE = {
  id: EXAMPLE_IDS.user,
  email: 'ada@example.com',
  fullName: 'Ada Lovelace',
  role: 'customer' as const,
  emailVerified: true,
  isActive: true,
  createdAt: at,
  updatedAt: later,
};

export const TOKEN_PAIR_EXAMPLE = {
  accessToken: 'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkwYTZmMiJ9.c2lnbmF0dXJl',
  refreshToken: 'rt_Zb0c4b9e2f7a4d8e9a513c6f0e1d2b7a5b0c4b9e2f7a4d8e',
  tokenType: 'Bearer' as const,
  expiresIn: 900,
  user: USER_EXAMPLE,
};

export const ADDRESS_INPUT_EXAMPLE = {
  label: 'Home',
  fullName: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
  phone: '+44 20 7946 0018',
  isDefault: true,
};

export const ADDRESS_EXAMPLE = {
  id: EXAMPLE_IDS.address,
  label: 'Home',
  fullName: 'Ada Lovelace',
  line1: '12 St James Square',
  line2: null,
  city: 'London',
  region: null,
  postalCode: 'SW1Y 4JH',
  country: 'GB',
  phone: '+44 20 7946 0018',
  isDefault: true,
  createdAt: at,
  updatedAt: at,
};

export const CATEGORY_EXAMPLE = {
  id: EXAMPLE_IDS.category,
  name: 'T-shirts',
  slug: 't-shirts',
  parentId: null,
  depth: 0,
  position: 0,
  createdAt: at,
  updatedAt: at,
};

export const MONEY_EXAMPLE = { amount: 1999, currency: 'USD' };

export const VARIANT_EXAMPLE = {
  id: EXAMPLE_IDS.variant,
  sku: 'TEE-ORG-M-RED',
  options: { size: 'M', colour: 'red' },
  price: MONEY_EXAMPLE,
  stock: 42,
  inStock: true,
};

export const PRODUCT_IMAGE_EXAMPLE = {
  id: EXAMPLE_IDS.image,
  url: '/media/products/0190a6f2/7a8b.webp',
  thumbnailUrl: '/media/products/0190a6f2/7a8b-320.webp',
  width: 1600,
  height: 1200,
  position: 0,
};

const RATING_EXAMPLE = { average: 4.5, count: 12 };
const PRICE_RANGE_EXAMPLE = { min: MONEY_EXAMPLE, max: { amount: 2499, currency: 'USD' } };

export const PRODUCT_EXAMPLE = {
  id: EXAMPLE_IDS.product,
  slug: 'organic-cotton-tee',
  name: 'Organic cotton tee',
  description: 'A soft, heavyweight T-shirt of organic cotton.',
  status: 'published' as const,
  rejectionReason: null,
  vendorId: EXAMPLE_IDS.vendor,
  categoryId: EXAMPLE_IDS.category,
  options: [
    { name: 'size', values: ['S', 'M', 'L'] },
    { name: 'colour', values: ['red', 'black'] },
  ],
  variants: [VARIANT_EXAMPLE],
  images: [PRODUCT_IMAGE_EXAMPLE],
  priceRange: PRICE_RANGE_EXAMPLE,
  totalStock: 42,
  rating: RATING_EXAMPLE,
  publishedAt: later,
  createdAt: at,
  updatedAt: later,
};

export const PRODUCT_SUMMARY_EXAMPLE = {
  id: EXAMPLE_IDS.product,
  slug: 'organic-cotton-tee',
  name: 'Organic cotton tee',
  status: 'published' as const,
  vendorId: EXAMPLE_IDS.vendor,
  categoryId: EXAMPLE_IDS.category,
  priceRange: PRICE_RANGE_EXAMPLE,
  totalStock: 42,
  inStock: true,
  rating: RATING_EXAMPLE,
  thumbnailUrl: '/media/products/0190a6f2/7a8b-320.webp',
  submittedAt: at,
  createdAt: at,
  updatedAt: later,
};

export const PRODUCT_INPUT_EXAMPLE = {
  name: 'Organic cotton tee',
  description: 'A soft, heavyweight T-shirt of organic cotton.',
  categoryId: EXAMPLE_IDS.category,
  options: [{ name: 'size', values: ['S', 'M'] }],
  variants: [
    { sku: 'TEE-ORG-S', options: { size: 'S' }, price: MONEY_EXAMPLE, stock: 10 },
    { sku: 'TEE-ORG-M', options: { size: 'M' }, price: MONEY_EXAMPLE, stock: 25 },
  ],
};

export const REVIEW_EXAMPLE = {
  id: EXAMPLE_IDS.review,
  productId: EXAMPLE_IDS.product,
  authorName: 'Ada L.',
  rating: 5,
  title: 'Soft and sturdy',
  body: 'Kept its shape after many washes.',
  hidden: false,
  verifiedPurchase: true,
  createdAt: later,
};

export const INVENTORY_MOVEMENT_EXAMPLE = {
  id: EXAMPLE_IDS.movement,
  variantId: EXAMPLE_IDS.variant,
  sku: 'TEE-ORG-M-RED',
  delta: 20,
  stockAfter: 42,
  reason: 'restock' as const,
  note: 'Spring delivery',
  actorId: EXAMPLE_IDS.vendor,
  createdAt: later,
};

export const SEARCH_RESULT_EXAMPLE = {
  data: [PRODUCT_SUMMARY_EXAMPLE],
  nextCursor: null,
  total: 1,
  facets: {
    categories: [{ categoryId: EXAMPLE_IDS.category, count: 1 }],
    options: [{ name: 'size', value: 'M', count: 1 }],
    price: { min: MONEY_EXAMPLE, max: MONEY_EXAMPLE },
  },
};
