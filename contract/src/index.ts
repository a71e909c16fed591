import { initContract } from '@ts-rest/core';
import { commonResponses, PLATFORM_ERROR_CODES } from './common';
import { IDENTITY_ERROR_CODES } from './identity.schemas';
import { CATALOG_ERROR_CODES } from './catalog.schemas';
import { adminApiKeysContract } from './admin-api-keys.contract';
import { ORDERS_ERROR_CODES } from './orders.schemas';
import { PAYMENTS_ERROR_CODES } from './payments.schemas';
import { adminCatalogContract } from './admin-catalog.contract';
import { adminUsersContract } from './admin-users.contract';
import { authContract } from './auth.contract';
import { categoriesContract } from './categories.contract';
import { healthContract } from './health.contract';
import { productsContract } from './products.contract';
import { usersContract } from './users.contract';
import { vendorContract } from './vendor.contract';
import { cartContract } from './cart.contract';
import { ordersContract } from './orders.contract';
import { adminOrdersContract, vendorOrdersContract } from './order-admin.contract';
import { adminPaymentsContract, paymentsContract, vendorEarningsContract, webhooksContract } from './payments.contract';

export * from './common';
export * from './identity.schemas';
export * from './catalog.schemas';
export { API_VERSION, buildOpenApiDocument, TAGS, type OpenApiOptions } from './openapi';
export { named, namedSchemas, type NamedSchema } from './named';
export { ApiKey, CreatedApiKey, INTEGRATIONS_RATE_LIMIT_POLICIES } from './admin-api-keys.contract';
export { HEALTH_RATE_LIMIT_POLICIES } from './health.contract';
export * from './orders.schemas';
export * from './payments.schemas';
export { decimalString, formatMoney, minorUnitDigits } from './money';

/** Every error code of the API: the platform's and each domain's, composed here and nowhere else. */
export const ERROR_CODES = [
  ...PLATFORM_ERROR_CODES,
  ...IDENTITY_ERROR_CODES,
  ...CATALOG_ERROR_CODES,
  ...ORDERS_ERROR_CODES,
  ...PAYMENTS_ERROR_CODES,
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const c = initContract();

/** The whole API. Route keys become operationIds, and so the SDK's function names: keep them unique verbs. */
export const contract = c.router(
  {
    health: healthContract,
    api: c.router(
      {
        auth: authContract,
        users: usersContract,
        adminUsers: adminUsersContract,
        products: productsContract,
        categories: categoriesContract,
        vendor: vendorContract,
        adminCatalog: adminCatalogContract,
        adminApiKeys: adminApiKeysContract,
        cart: cartContract,
        orders: ordersContract,
        vendorOrders: vendorOrdersContract,
        adminOrders: adminOrdersContract,
        payments: paymentsContract,
        webhooks: webhooksContract,
        vendorEarnings: vendorEarningsContract,
        adminPayments: adminPaymentsContract,
      },
      { pathPrefix: '/api' },
    ),
  },
  { commonResponses, strictStatusCodes: true },
);

export type Contract = typeof contract;
