/**
 * The checkout use case: one story across cart, catalog (stock), discounts and orders, in one transaction.
 *
 * 1. Idempotency: the route requires an `Idempotency-Key`, which the platform middleware claims (a concurrent
 *    duplicate is 409, a finished one replayed). The key is also written on the order in this transaction
 *    (`unique (customer_id, idempotency_key)`), so even when the middleware's record is gone (expired after 24 h, or
 *    lost to a crash between this commit and its write) a placed order with the key is replayed (the same body) or
 *    refused (422 `idempotency_key_reused`), never placed twice.
 * 2. The lines are re-priced from the catalog; one not for sale is 422 `variant_unavailable`.
 * 3. The address (a saved one through identity: another customer's id is 404), shipping per vendor, the tax rate.
 * 4. The discount: valid now for these lines and within the customer's own limit (under an advisory lock per code and
 *    customer).
 * 5. The order, its parts, snapshot lines and first history row (one flush); the expiry job at the payment deadline
 *    and the confirmation mail, enqueued in the same transaction; the cart emptied.
 * 6. Last, the contended rows: the discount's total limit by one conditional UPDATE (`uses < usage_limit`: parallel
 *    checkouts can never redeem a code past its limit), then stock through the catalog's `reserveStock` (ordered
 *    locks, all or nothing, 409 `insufficient_stock`). Done last, a hot variant's row is locked only from its
 *    one-statement reservation to the commit; a refusal rolls back everything before it.
 * 7. The answer is built from the rows just written, not read back.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { CheckoutInput, CreateOrderInput, Order as OrderDto } from '@emporium/contract';
import type { Config } from '../../config';
import { newId } from '../../platform/columns';
import type { AuthenticatedCtx } from '../../platform/context';
import { BadRequestError, NotFoundError, UnprocessableError } from '../../platform/errors';
import { inTransaction, type TxCtx } from '../../platform/unit-of-work';
import { reserveStock } from '../catalog';
import { addressOf } from '../identity';
import { cartForCheckout, emptyCartAfterCheckout } from './cart.service';
import { enqueuePlacedOrderJobs } from './orders.queue';
import { Order, OrderHistory, OrderLine, OrderPart, type OrderAddressSnapshot } from './orders.entities';
import { toOrderDto } from './orders.mapper';
import { insertPlacedOrder } from './orders.sql';
import { loadOrderDto } from './orders.service';
import {
  chooseShipping,
  discountable,
  discountProblem,
  findDiscount,
  priceLines,
  shippingAndTax,
  toTotalsShipping,
  variantsForSale,
} from './pricing';

type Checkout = z.infer<typeof CheckoutInput>;
type ExplicitOrder = z.infer<typeof CreateOrderInput>;
type OrderView = z.infer<typeof OrderDto>;

export interface PlacedOrder {
  order: OrderView;
  replayed: boolean;
}

function requestHash(kind: string, body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([kind, body]))
    .digest('hex');
}

/** A provider is offered only when this server has its keys; `manual` always. */
function paymentMethodAvailable(config: Readonly<Config>, method: Checkout['paymentMethod']): boolean {
  if (method === 'stripe') return Boolean(config.STRIPE_SECRET_KEY);
  if (method === 'paypal') return Boolean(config.PAYPAL_CLIENT_ID && config.PAYPAL_CLIENT_SECRET);
  return true;
}

async function lockKey(tx: TxCtx, ...parts: string[]): Promise<void> {
  await tx.em.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [parts.join(':')]);
}

async function shippingAddress(tx: TxCtx, input: Checkout): Promise<OrderAddressSnapshot> {
  if (input.shippingAddressId) {
    const saved = await addressOf(tx, tx.actor!.userId, input.shippingAddressId);
    if (!saved) throw new NotFoundError('address');
    return saved;
  }
  const address = input.shippingAddress!;
  return {
    fullName: address.fullName,
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city,
    region: address.region ?? null,
    postalCode: address.postalCode,
    country: address.country,
    phone: address.phone ?? null,
  };
}

async function placeOrder(
  ctx: AuthenticatedCtx,
  idempotencyKey: string,
  kind: 'cart' | 'lines',
  input: Checkout,
  explicit: { lines: ExplicitOrder['lines']; discountCode: string | undefined } | undefined,
  cartToken: string | undefined,
): Promise<PlacedOrder> {
  const customerId = ctx.actor.userId;
  const hash = requestHash(kind, explicit ? { ...input, ...explicit } : input);
  return inTransaction(ctx, async (tx) => {
    // The replay check and a new order's number in one round trip: the number is drawn only when no order has the
    // key (a refusal below leaves a gap in the numbers, as any rollback does).
    const [first] = await tx.em.execute<{ id: string | null; request_hash: string | null; number: string | null }[]>(
      `select o.id, o.request_hash,
              case when o.id is null then 'EMP-' || lpad(nextval('order_number_seq')::text, 6, '0') end as number
         from (select 1) as one
         left join orders o on o.customer_id = ? and o.idempotency_key = ?`,
      [customerId, idempotencyKey],
    );
    const previous = first?.id ? { id: first.id, request_hash: first.request_hash } : undefined;
    if (previous) {
      if (previous.request_hash !== hash) {
        throw new UnprocessableError(
          'idempotency_key_reused',
          'This Idempotency-Key was used with another request; use a new key for a new order.',
        );
      }
      return { order: await loadOrderDto(tx, previous.id), replayed: true };
    }

    if (!paymentMethodAvailable(tx.deps.config, input.paymentMethod)) {
      throw new UnprocessableError(
        'payment_method_unavailable',
        `This marketplace does not take ${input.paymentMethod} payments.`,
      );
    }
    const fromCart = kind === 'cart' ? await cartForCheckout(tx, cartToken) : undefined;
    const wanted = explicit?.lines ?? fromCart?.lines ?? [];
    if (wanted.length === 0) throw new BadRequestError('cart_empty', 'The cart is empty.');
    const discountCode = explicit ? explicit.discountCode : (fromCart?.cart?.discountCode ?? undefined);

    const variants = await variantsForSale(
      tx,
      wanted.map((line) => line.variantId),
    );
    const currency = tx.deps.config.CATALOG_CURRENCY;
    const lines = wanted.map((line) => {
      const variant = variants.get(line.variantId);
      if (!variant?.live || variant.currency !== currency) {
        throw new UnprocessableError('variant_unavailable', `The variant ${line.variantId} is not for sale.`);
      }
      return { variant, quantity: line.quantity };
    });

    const address = await shippingAddress(tx, input);
    const vendorIds = [...new Set(lines.map(({ variant }) => variant.vendorId))];
    const chosen = new Map((input.shippingMethods ?? []).map((choice) => [choice.vendorId, choice.shippingMethodId]));
    const settings = await shippingAndTax(tx, currency, address.country);
    const shipping = chooseShipping(settings.methods, vendorIds, chosen);
    const taxBps = settings.taxBps;

    const discount = discountCode ? await findDiscount(tx, discountCode) : null;
    if (discountCode && !discount) throw new UnprocessableError('discount_invalid', 'The code does not exist.');
    if (discount) {
      const subtotal = lines.reduce((sum, { variant, quantity }) => sum + variant.price * quantity, 0);
      const problem = discountProblem(discount, subtotal, currency);
      if (problem) throw new UnprocessableError(problem.code, problem.detail);
      if (!lines.some(({ variant }) => discountable(discount, variant))) {
        throw new UnprocessableError('discount_invalid', 'The code applies to none of these products.');
      }
      if (discount.perCustomerLimit) {
        await lockKey(tx, 'discount', discount.id, customerId);
        const [row] = await tx.em.execute<{ count: string }[]>(
          'select count(*) from discount_redemptions where discount_id = ? and customer_id = ? and released_at is null',
          [discount.id, customerId],
        );
        if (Number(row?.count ?? 0) >= discount.perCustomerLimit) {
          throw new UnprocessableError('discount_exhausted', 'You have used this code as often as it allows.');
        }
      }
    }

    const totals = priceLines(lines, discount, toTotalsShipping(shipping), taxBps);
    const orderId = newId();
    const number = first!.number!;

    // Rows made here and written in one statement (not by the unit of work), so ids and timestamps are set here.
    const at = new Date();
    const unmanaged = { persist: false } as const;
    const deadline = new Date(at.getTime() + tx.deps.config.ORDER_PAYMENT_TIMEOUT_MINUTES * 60_000);
    const order = tx.em.create(
      Order,
      {
        id: orderId,
        number,
        customerId,
        status: 'pending_payment',
        currency,
        subtotal: totals.subtotal,
        discountTotal: totals.discountTotal,
        shippingTotal: totals.shippingTotal,
        taxTotal: totals.taxTotal,
        total: totals.total,
        discountId: discount?.id ?? null,
        discountCode: discount?.code ?? null,
        shippingAddress: address,
        paymentMethod: input.paymentMethod,
        paymentDeadline: deadline,
        paidAt: null,
        flagReason: null,
        restockedAt: null,
        idempotencyKey,
        requestHash: hash,
        createdAt: at,
        updatedAt: at,
      },
      unmanaged,
    );
    const parts = vendorIds.map((vendorId) => {
      const figures = totals.packages.get(vendorId)!;
      const method = shipping.get(vendorId)!;
      return tx.em.create(
        OrderPart,
        {
          id: newId(),
          orderId,
          vendorId,
          status: 'pending_payment',
          shippingMethodId: method.id,
          shippingMethodName: method.name,
          ...figures,
          carrier: null,
          trackingNumber: null,
          createdAt: at,
          updatedAt: at,
        },
        unmanaged,
      );
    });
    const partIds = new Map(parts.map((part) => [part.vendorId, part.id]));
    const orderLines = lines.map(({ variant, quantity }, index) => {
      const figures = totals.lines[index]!;
      return tx.em.create(
        OrderLine,
        {
          id: newId(),
          orderId,
          partId: partIds.get(variant.vendorId)!,
          variantId: variant.variantId,
          productId: variant.productId,
          vendorId: variant.vendorId,
          productName: variant.productName,
          sku: variant.sku,
          options: variant.options,
          quantity,
          unitPrice: variant.price,
          lineSubtotal: figures.subtotal,
          discount: figures.discount,
          tax: figures.tax,
          position: index,
        },
        unmanaged,
      );
    });
    // The history's first row: placed, awaiting payment (from nothing).
    const placed = tx.em.create(
      OrderHistory,
      {
        id: newId(),
        orderId,
        partId: null,
        fromStatus: null,
        toStatus: 'pending_payment',
        actorId: customerId,
        actorRole: 'customer',
        note: 'placed',
        createdAt: at,
      },
      unmanaged,
    );
    await insertPlacedOrder(tx, { order, parts, lines: orderLines, history: [placed] });
    await enqueuePlacedOrderJobs(tx, orderId, deadline);
    if (fromCart?.cart) await emptyCartAfterCheckout(tx, fromCart.cart.id);

    // The contended rows last: a popular code's use count and the variants' stock stay locked only from here to the
    // commit, a few round trips, whatever the order's size. Either refusal rolls back everything above.
    if (discount) {
      const counted = await tx.em.execute<{ uses: number }[]>(
        `update discounts set uses = uses + 1, updated_at = now()
          where id = ? and disabled_at is null and (usage_limit is null or uses < usage_limit) returning uses`,
        [discount.id],
      );
      if (counted.length === 0) throw new UnprocessableError('discount_exhausted', 'The code is used up.');
      await tx.em.execute(
        'insert into discount_redemptions (id, discount_id, customer_id, order_id, created_at) values (?, ?, ?, ?, now())',
        [newId(), discount.id, customerId, orderId],
      );
    }
    await reserveStock(
      tx,
      lines.map(({ variant, quantity }) => ({ productId: variant.productId, variantId: variant.variantId, quantity })),
      { reason: 'sale', actorId: customerId, note: `order ${number}` },
    );
    // Answered from what was written (timestamps included), not read back.
    const sortedParts = [...parts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { order: toOrderDto(order, sortedParts, orderLines, [placed], null), replayed: false };
  });
}

export function checkoutCart(
  ctx: AuthenticatedCtx,
  idempotencyKey: string,
  cartToken: string | undefined,
  input: Checkout,
): Promise<PlacedOrder> {
  return placeOrder(ctx, idempotencyKey, 'cart', input, undefined, cartToken);
}

export function createOrder(ctx: AuthenticatedCtx, idempotencyKey: string, input: ExplicitOrder): Promise<PlacedOrder> {
  const { lines, discountCode, ...checkout } = input;
  return placeOrder(ctx, idempotencyKey, 'lines', checkout, { lines, discountCode }, undefined);
}
