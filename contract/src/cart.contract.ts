import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { denied, Id, meta } from './common';
import {
  Cart,
  CartHeaders,
  CartItemInput,
  CartItemUpdate,
  CheckoutInput,
  DiscountCodeInput,
  Order,
  ordersProblem as problem,
} from './orders.schemas';

const c = initContract();
const read = meta({ auth: 'optional', rateLimit: 'cart_read' });
const write = meta({ auth: 'optional', rateLimit: 'cart_write' });
const notFound = problem('not_found', 'invalid_cart_token');
const badInput = problem('validation_failed', 'malformed_json');
const unauthorized = problem('unauthorized', 'invalid_token');

export const cartContract = c.router(
  {
    getCart: {
      method: 'GET',
      path: '',
      summary: 'Get my cart',
      description:
        "A signed-in caller's cart, or the guest cart of `X-Cart-Token`; an empty cart when there is none. Prices are " +
        'the current ones; lines flag `priceChanged` and `available`. A signed-in call carrying a guest token merges ' +
        'that cart into the customer cart once (quantities summed, at most 99 per line), and the token stops working.',
      metadata: read,
      headers: CartHeaders,
      responses: { 200: Cart, 400: badInput, 401: unauthorized, 404: notFound },
    },
    addCartItem: {
      method: 'POST',
      path: '/items',
      summary: 'Add a variant to my cart',
      description:
        'Without a cart token, a guest gets a new cart and its `cartToken` (only in this answer). The variant must be ' +
        'published and in stock; a line holds at most 99 units and a cart at most 100 lines. Nothing is reserved.',
      metadata: write,
      headers: CartHeaders,
      body: CartItemInput,
      responses: {
        200: Cart,
        201: Cart,
        400: badInput,
        401: unauthorized,
        404: notFound,
        409: problem('cart_full', 'currency_mismatch', 'insufficient_stock'),
        422: problem('variant_unavailable'),
      },
    },
    updateCartItem: {
      method: 'PUT',
      path: '/items/:id',
      summary: 'Change the quantity of a line',
      description: "Sets the quantity (1-99). Another cart's line is a 404.",
      metadata: write,
      headers: CartHeaders,
      pathParams: z.object({ id: Id }),
      body: CartItemUpdate,
      responses: {
        200: Cart,
        400: badInput,
        401: unauthorized,
        404: notFound,
        409: problem('insufficient_stock'),
      },
    },
    removeCartItem: {
      method: 'DELETE',
      path: '/items/:id',
      summary: 'Remove a line',
      description: "Another cart's line is a 404.",
      metadata: write,
      headers: CartHeaders,
      pathParams: z.object({ id: Id }),
      responses: { 200: Cart, 400: badInput, 401: unauthorized, 404: notFound },
    },
    applyDiscount: {
      method: 'POST',
      path: '/discount',
      summary: 'Apply a discount code',
      description:
        'Replaces any code already applied. A code that does not exist, is disabled, not started, ended or used up is ' +
        '422 `discount_invalid`; its usage is counted when an order is placed, not here.',
      metadata: write,
      headers: CartHeaders,
      body: DiscountCodeInput,
      responses: {
        200: Cart,
        400: badInput,
        401: unauthorized,
        404: notFound,
        422: problem('discount_invalid', 'discount_exhausted'),
      },
    },
    removeDiscount: {
      method: 'DELETE',
      path: '/discount',
      summary: 'Remove the discount code',
      description: 'Idempotent.',
      metadata: write,
      headers: CartHeaders,
      responses: { 200: Cart, 400: badInput, 401: unauthorized, 404: notFound },
    },
    checkout: {
      method: 'POST',
      path: '/checkout',
      summary: 'Place an order from my cart',
      description:
        'In one transaction: re-prices the lines, counts the discount use, reserves the stock (409 `insufficient_stock` ' +
        'otherwise, nothing changed), creates the order in `pending_payment` with a `paymentDeadline`, and empties the ' +
        'cart. Nothing in the body can set a price, total, status or vendor.',
      metadata: meta({ auth: ['customer'], rateLimit: 'checkout', idempotent: 'required' }),
      body: CheckoutInput,
      responses: {
        201: Order,
        400: problem('validation_failed', 'malformed_json', 'cart_empty'),
        ...denied,
        404: problem('not_found'),
        409: problem('insufficient_stock', 'idempotency_key_in_progress', 'currency_mismatch'),
        422: problem(
          'idempotency_key_reused',
          'variant_unavailable',
          'discount_invalid',
          'discount_exhausted',
          'shipping_unavailable',
          'payment_method_unavailable',
        ),
      },
    },
  },
  { pathPrefix: '/cart' },
);
