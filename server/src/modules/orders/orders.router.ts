/** Thin routers for carts, checkout, orders (customer, vendor, admin) and commerce settings. */
import { contract } from '@emporium/contract';
import { initServer } from '@ts-rest/express';
import { authenticatedCtxFrom, ctxFrom } from '../../platform/context';
import type { Deps } from '../../platform/deps';
import { requiredIdempotencyKey } from '../../platform/idempotency';
import * as cart from './cart.service';
import { INVOICE_RETRY_AFTER_SECONDS, invoiceFor } from './invoices';
import { checkoutCart, createOrder, type PlacedOrder } from './checkout';
import * as orders from './orders.service';
import * as settings from './settings.service';

const s = initServer();
const api = contract.api;

function placed(res: { setHeader(name: string, value: string): unknown }, result: PlacedOrder) {
  if (result.replayed) res.setHeader('Idempotency-Replayed', 'true');
  return { status: 201 as const, body: result.order };
}

export function createOrdersRouters(deps: Deps) {
  const cartRouter = s.router(api.cart, {
    getCart: async ({ req, headers }) => ({
      status: 200,
      body: await cart.getCart(ctxFrom(deps, req), headers['x-cart-token']),
    }),
    addCartItem: async ({ req, headers, body }) => {
      const result = await cart.addCartItem(ctxFrom(deps, req), headers['x-cart-token'], body);
      return result.created ? { status: 201, body: result.cart } : { status: 200, body: result.cart };
    },
    updateCartItem: async ({ req, headers, params, body }) => ({
      status: 200,
      body: await cart.updateCartItem(ctxFrom(deps, req), headers['x-cart-token'], params.id, body.quantity),
    }),
    removeCartItem: async ({ req, headers, params }) => ({
      status: 200,
      body: await cart.removeCartItem(ctxFrom(deps, req), headers['x-cart-token'], params.id),
    }),
    applyDiscount: async ({ req, headers, body }) => ({
      status: 200,
      body: await cart.applyDiscount(ctxFrom(deps, req), headers['x-cart-token'], body.code),
    }),
    removeDiscount: async ({ req, headers }) => ({
      status: 200,
      body: await cart.removeDiscount(ctxFrom(deps, req), headers['x-cart-token']),
    }),
    checkout: async ({ req, res, body }) =>
      placed(
        res,
        await checkoutCart(
          authenticatedCtxFrom(deps, req),
          requiredIdempotencyKey(req),
          typeof req.headers['x-cart-token'] === 'string' ? req.headers['x-cart-token'] : undefined,
          body,
        ),
      ),
  });

  const ordersRouter = s.router(api.orders, {
    createOrder: async ({ req, res, body }) =>
      placed(res, await createOrder(authenticatedCtxFrom(deps, req), requiredIdempotencyKey(req), body)),
    listMyOrders: async ({ req, query }) => ({
      status: 200,
      body: await orders.listMyOrders(authenticatedCtxFrom(deps, req), query),
    }),
    listUserOrders: async ({ req, query }) => ({
      status: 200,
      body: await orders.listMyOrders(authenticatedCtxFrom(deps, req), query),
    }),
    getMyOrder: async ({ req, params }) => ({
      status: 200,
      body: await orders.getMyOrder(authenticatedCtxFrom(deps, req), params.id),
    }),
    getOrderInvoice: async ({ req, res, params }) => {
      const invoice = await invoiceFor(authenticatedCtxFrom(deps, req), params.id);
      if (!invoice.ready) {
        res.setHeader('Retry-After', String(INVOICE_RETRY_AFTER_SECONDS));
        return {
          status: 202,
          body: { invoiceNumber: invoice.number, status: 'generating', retryAfterSeconds: INVOICE_RETRY_AFTER_SECONDS },
        };
      }
      res.setHeader('Content-Disposition', `attachment; filename="${invoice.number}.pdf"`);
      res.setHeader('Cache-Control', 'private, no-cache');
      return { status: 200, body: invoice.pdf };
    },
    cancelMyOrder: async ({ req, params, body }) => ({
      status: 200,
      body: await orders.cancelMyOrder(authenticatedCtxFrom(deps, req), params.id, body.reason),
    }),
  });

  const vendorOrdersRouter = s.router(api.vendorOrders, {
    listVendorOrders: async ({ req, query }) => ({
      status: 200,
      body: await orders.listVendorOrders(authenticatedCtxFrom(deps, req), query),
    }),
    getVendorOrder: async ({ req, params }) => ({
      status: 200,
      body: await orders.getVendorOrder(authenticatedCtxFrom(deps, req), params.id),
    }),
    updateVendorOrderStatus: async ({ req, params, body }) => ({
      status: 200,
      body: await orders.updateVendorOrderStatus(authenticatedCtxFrom(deps, req), params.id, body),
    }),
  });

  const adminOrdersRouter = s.router(api.adminOrders, {
    listAllOrders: async ({ req, query }) => ({
      status: 200,
      body: await orders.listAllOrders(authenticatedCtxFrom(deps, req), query),
    }),
    getAnyOrder: async ({ req, params }) => ({
      status: 200,
      body: await orders.getAnyOrder(authenticatedCtxFrom(deps, req), params.id),
    }),
    setOrderStatus: async ({ req, params, body }) => ({
      status: 200,
      body: await orders.setOrderStatus(authenticatedCtxFrom(deps, req), params.id, body),
    }),
    createDiscount: async ({ req, body }) => ({
      status: 201,
      body: await settings.createDiscount(authenticatedCtxFrom(deps, req), body),
    }),
    listDiscounts: async ({ req, query }) => ({
      status: 200,
      body: await settings.listDiscounts(authenticatedCtxFrom(deps, req), query),
    }),
    disableDiscount: async ({ req, params }) => ({
      status: 200,
      body: await settings.disableDiscount(authenticatedCtxFrom(deps, req), params.id),
    }),
    createShippingMethod: async ({ req, body }) => ({
      status: 201,
      body: await settings.createShippingMethod(authenticatedCtxFrom(deps, req), body),
    }),
    listShippingMethods: async ({ req }) => ({
      status: 200,
      body: await settings.listShippingMethods(authenticatedCtxFrom(deps, req)),
    }),
    setTaxRate: async ({ req, params, body }) => ({
      status: 200,
      body: await settings.setTaxRate(authenticatedCtxFrom(deps, req), params.country, body.rateBps),
    }),
    listTaxRates: async ({ req }) => ({
      status: 200,
      body: await settings.listTaxRates(authenticatedCtxFrom(deps, req)),
    }),
  });

  return { cart: cartRouter, orders: ordersRouter, vendorOrders: vendorOrdersRouter, adminOrders: adminOrdersRouter };
}
