/**
 * Carts. A signed-in caller has one cart (made on first use); a guest's cart is found by the SHA-256 of its token.
 * A signed-in call that carries a guest token merges that cart into the caller's once, in one transaction (the guest
 * cart is locked, its lines summed into the customer's, then deleted: the token stops working). Nothing in a cart
 * reserves stock; prices are always the current ones.
 */
import { LockMode } from '@mikro-orm/core';
import type { z } from 'zod';
import { MAX_CART_LINES, MAX_LINE_QUANTITY, type Cart as CartDto } from '@emporium/contract';
import { newId } from '../../platform/columns';
import type { Ctx } from '../../platform/context';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../../platform/errors';
import { randomToken, sha256 } from '../../platform/secrets';
import { inTransaction, type TxCtx } from '../../platform/unit-of-work';
import type { VariantForSale } from '../catalog';
import { enqueueGuestCartExpiry } from './orders.queue';
import { Cart, CartLine } from './orders.entities';
import { money } from './orders.mapper';
import {
  chooseShipping,
  discountProblem,
  findDiscount,
  priceLines,
  shippingMethods,
  SHIPPING_OPTIONS_JSON,
  toTotalsShipping,
  variantsForSale,
  type ShippingOption,
} from './pricing';

type CartView = z.infer<typeof CartDto>;

/** Also the answer when a guest cart goes (merged, expired) between an add's read and its write (`cart_lines_cart_gone`). */
export const invalidToken = () => new NotFoundError('cart', 'invalid_cart_token');
/** Also the answer to the database's own count of a cart's lines (`cart_lines_limit`), which settles races. */
export const cartFull = () => new ConflictError('cart_full', `A cart holds at most ${MAX_CART_LINES} lines.`);

function guestExpiry(ctx: Ctx): Date {
  return new Date(Date.now() + ctx.deps.config.GUEST_CART_TTL_DAYS * 86_400_000);
}

/** Merges the guest cart of `token` into the user's cart, once; a token already merged or unknown does nothing. */
async function mergeGuestCart(tx: TxCtx, userCart: Cart, token: string): Promise<void> {
  const [guest] = await tx.em.execute<{ id: string; discount_code: string | null }[]>(
    'select id, discount_code from carts where token_hash = ? and user_id is null for update',
    [sha256(token)],
  );
  if (!guest) return;
  // The guest's lines of variants the customer already has are summed into them; its other lines fill the room left
  // under the line limit, oldest first (the customer's cart is locked, so the count is exact).
  await tx.em.execute(
    `with guest as (
       select g.*, exists (select 1 from cart_lines u where u.cart_id = ? and u.variant_id = g.variant_id) as known
         from cart_lines g where g.cart_id = ?),
     merged as (
       select * from guest where known
       union all
       (select * from guest where not known order by created_at, id
         limit greatest(0, ${MAX_CART_LINES} - (select count(*) from cart_lines where cart_id = ?))))
     insert into cart_lines (id, cart_id, variant_id, quantity, seen_unit_price, created_at, updated_at)
     select gen_random_uuid(), ?, variant_id, quantity, seen_unit_price, created_at, now() from merged
     on conflict (cart_id, variant_id)
       do update set quantity = least(${MAX_LINE_QUANTITY}, cart_lines.quantity + excluded.quantity), updated_at = now()`,
    [userCart.id, guest.id, userCart.id, userCart.id],
  );
  // Bounded by stock (never below 1: an unavailable line is flagged, not dropped).
  const lines = await tx.em.find(CartLine, { cartId: userCart.id });
  const variants = await variantsForSale(
    tx,
    lines.map((line) => line.variantId),
  );
  for (const line of lines) {
    const stock = variants.get(line.variantId)?.stock ?? 0;
    if (stock > 0 && line.quantity > stock) line.quantity = stock;
  }
  await tx.em.execute('delete from carts where id = ?', [guest.id]);
  userCart.discountCode ??= guest.discount_code;
  userCart.mergedAt = new Date();
}

/**
 * The user's cart read with its row lock, in one plain statement (every cart call of a signed-in user starts here):
 * writes to one cart run one at a time.
 */
async function lockUserCart(tx: TxCtx, userId: string): Promise<Cart | undefined> {
  const [row] = await tx.em.execute<Record<string, unknown>[]>('select * from carts where user_id = ? for update', [
    userId,
  ]);
  return row ? tx.em.map(Cart, row) : undefined;
}

/**
 * The caller's cart: the signed-in user's (merging a guest token's cart into it), or the guest cart of the token.
 * With `create`, a missing cart is made (a guest's with a new token, answered once).
 */
async function resolveCart(
  tx: TxCtx,
  token: string | undefined,
  create: boolean,
): Promise<{ cart: Cart | undefined; newToken?: string }> {
  if (tx.actor) {
    const userId = tx.actor.userId;
    let cart = await lockUserCart(tx, userId);
    if (!cart && (create || token)) {
      await tx.em.execute(
        `insert into carts (id, user_id, created_at, updated_at) values (?, ?, now(), now()) on conflict (user_id) do nothing`,
        [newId(), userId],
      );
      cart = await lockUserCart(tx, userId);
      if (!cart) throw new Error('the cart just made is gone');
    }
    if (cart && token) await mergeGuestCart(tx, cart, token);
    return { cart };
  }
  if (token) {
    const cart = await tx.em.findOne(
      Cart,
      { tokenHash: sha256(token), userId: null },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!cart) throw invalidToken();
    cart.expiresAt = guestExpiry(tx);
    return { cart };
  }
  if (!create) return { cart: undefined };
  const newToken = randomToken();
  const cart = tx.em.create(Cart, {
    userId: null,
    tokenHash: sha256(newToken),
    discountCode: null,
    mergedAt: null,
    expiresAt: guestExpiry(tx),
  });
  tx.em.persist(cart);
  await tx.em.flush();
  await enqueueGuestCartExpiry(tx, cart.id, cart.expiresAt!);
  return { cart, newToken };
}

function emptyCart(ctx: Ctx): CartView {
  const zero = money(0, ctx.deps.config.CATALOG_CURRENCY);
  return {
    id: '00000000-0000-7000-8000-000000000000',
    lines: [],
    groups: [],
    discountCode: null,
    discountProblem: null,
    subtotal: zero,
    discountTotal: zero,
    shippingTotal: zero,
    taxTotal: zero,
    total: zero,
    taxNote: TAX_NOTE,
    updatedAt: new Date().toISOString(),
  };
}

const TAX_NOTE = 'Tax is exclusive and depends on the shipping address: it is added at checkout.';

/** A cart line as carts price and answer it. */
type LineRow = Pick<CartLine, 'id' | 'variantId' | 'quantity' | 'seenUnitPrice'>;

/** A cart's lines in the order they were added (a plain statement: every cart answer reads them). */
async function linesOf(ctx: Ctx, cartId: string): Promise<LineRow[]> {
  const rows = await ctx.em.execute<{ id: string; variant_id: string; quantity: number; seen_unit_price: number }[]>(
    'select id, variant_id, quantity, seen_unit_price from cart_lines where cart_id = ? order by created_at, id',
    [cartId],
  );
  return rows.map((row) => ({
    id: row.id,
    variantId: row.variant_id,
    quantity: row.quantity,
    seenUnitPrice: row.seen_unit_price,
  }));
}

/** An existing cart as an add reads it: the cart, its lines in order and the currency's active shipping methods. */
interface CartForAdd {
  cart: Pick<Cart, 'id' | 'discountCode'>;
  lines: LineRow[];
  methods: ShippingOption[];
}

/**
 * The caller's existing cart for an add, in one statement and without a lock: the add's write is one guarded statement
 * of its own (see `addCartItem`). The shipping methods come along because the answer needs them anyway. A guest's read
 * extends its cart's life, as every guest call does. Undefined when the caller has no cart (or the token none).
 */
async function readCartForAdd(ctx: Ctx, token: string | undefined): Promise<CartForAdd | undefined> {
  if (!ctx.actor && !token) return undefined;
  const [cartSql, cartParams] = ctx.actor
    ? ['select id, discount_code from carts where user_id = ?', [ctx.actor.userId]]
    : [
        'update carts set expires_at = ? where token_hash = ? and user_id is null returning id, discount_code',
        [guestExpiry(ctx), sha256(token!)],
      ];
  const [row] = await ctx.em.execute<
    { id: string; discount_code: string | null; lines: LineRow[]; methods: ShippingOption[] }[]
  >(
    `with cart as (${cartSql})
     select cart.id, cart.discount_code,
            coalesce((select json_agg(json_build_object('id', id, 'variantId', variant_id, 'quantity', quantity,
                                                        'seenUnitPrice', seen_unit_price) order by created_at, id)
                        from cart_lines where cart_id = cart.id), '[]') as lines,
            ${SHIPPING_OPTIONS_JSON} as methods
       from cart`,
    [...cartParams, ctx.deps.config.CATALOG_CURRENCY],
  );
  return row && { cart: { id: row.id, discountCode: row.discount_code }, lines: row.lines, methods: row.methods };
}

/**
 * The cart as the client sees it, priced now. A write that has just read the lines (in order) and their variants passes
 * them, so they are not read twice.
 */
export async function viewCart(
  ctx: Ctx,
  cart: Pick<Cart, 'id' | 'discountCode' | 'updatedAt'>,
  loaded?: { lines: LineRow[]; variants: Map<string, VariantForSale>; methods?: ShippingOption[] },
): Promise<CartView> {
  const currency = ctx.deps.config.CATALOG_CURRENCY;
  const lines = loaded?.lines ?? (await linesOf(ctx, cart.id));
  const variants =
    loaded?.variants ??
    (await variantsForSale(
      ctx,
      lines.map((line) => line.variantId),
    ));
  const sellable = lines.flatMap((line) => {
    const variant = variants.get(line.variantId);
    return variant && variant.live && variant.stock >= line.quantity ? [{ line, variant }] : [];
  });
  const subtotal = sellable.reduce((sum, { line, variant }) => sum + variant.price * line.quantity, 0);
  const discount = cart.discountCode ? await findDiscount(ctx, cart.discountCode) : null;
  const problem = cart.discountCode
    ? discount
      ? discountProblem(discount, subtotal, currency)?.detail
      : 'The code does not exist.'
    : undefined;
  const vendorIds = [...new Set(sellable.map(({ variant }) => variant.vendorId))];
  const methods = loaded?.methods ?? (await shippingMethods(ctx, currency));
  const shipping =
    methods.length > 0 ? chooseShipping(methods, vendorIds, new Map()) : new Map<string, ShippingOption>();
  const totals = priceLines(
    sellable.map(({ line, variant }) => ({ variant, quantity: line.quantity })),
    problem ? undefined : discount,
    toTotalsShipping(shipping),
    0,
  );
  const figuresOf = new Map(sellable.map(({ line }, index) => [line.id, totals.lines[index]!]));
  const dtoLines = lines.flatMap((line) => {
    const variant = variants.get(line.variantId);
    if (!variant) return [];
    const figures = figuresOf.get(line.id);
    return [
      {
        id: line.id,
        variantId: variant.variantId,
        productId: variant.productId,
        vendorId: variant.vendorId,
        name: variant.productName,
        sku: variant.sku,
        options: variant.options,
        quantity: line.quantity,
        unitPrice: money(variant.price, currency),
        lineTotal: money(variant.price * line.quantity, currency),
        discount: money(figures?.discount ?? 0, currency),
        tax: money(figures?.tax ?? 0, currency),
        available: figures !== undefined,
        priceChanged: variant.price !== line.seenUnitPrice,
      },
    ];
  });
  const groupVendors = [...new Set(dtoLines.map((line) => line.vendorId))];
  return {
    id: cart.id,
    lines: dtoLines,
    groups: groupVendors.map((vendorId) => {
      const figures = totals.packages.get(vendorId);
      return {
        vendorId,
        lineIds: dtoLines.filter((line) => line.vendorId === vendorId).map((line) => line.id),
        subtotal: money(figures?.subtotal ?? 0, currency),
        shipping: money(figures?.shippingTotal ?? 0, currency),
        shippingMethodId: (figures && shipping.get(vendorId)?.id) ?? null,
      };
    }),
    discountCode: cart.discountCode ?? null,
    discountProblem: problem ?? null,
    subtotal: money(totals.subtotal, currency),
    discountTotal: money(totals.discountTotal, currency),
    shippingTotal: money(totals.shippingTotal, currency),
    taxTotal: money(totals.taxTotal, currency),
    total: money(totals.total, currency),
    taxNote: TAX_NOTE,
    updatedAt: cart.updatedAt.toISOString(),
  };
}

export async function getCart(ctx: Ctx, token: string | undefined): Promise<CartView> {
  return inTransaction(ctx, async (tx) => {
    const { cart } = await resolveCart(tx, token, false);
    await tx.em.flush();
    return cart ? viewCart(tx, cart) : emptyCart(tx);
  });
}

/**
 * The cart an add goes to. A first add makes the cart, and a signed-in add carrying a guest token merges that cart
 * first: both in a transaction of their own, once `check` has passed (an add that will be refused makes nothing, not
 * even a guest cart whose token would never be answered). Any other add finds its cart with one read.
 */
async function cartForAdd(
  ctx: Ctx,
  token: string | undefined,
  check: () => Promise<void>,
): Promise<CartForAdd & { newToken?: string }> {
  const existing = ctx.actor && token ? undefined : await readCartForAdd(ctx, token);
  if (existing) return existing;
  await check();
  const { newToken } = await inTransaction(ctx, async (tx) => {
    const resolved = await resolveCart(tx, token, true);
    await tx.em.flush();
    return resolved;
  });
  const made = await readCartForAdd(ctx, newToken ?? token);
  if (!made) throw new Error('the cart just made or merged is gone');
  return { ...made, newToken };
}

/** The refusal of more units in one line than its variant allows. */
function tooManyUnits(variant: VariantForSale): Error {
  return variant.stock < MAX_LINE_QUANTITY
    ? new ConflictError('insufficient_stock', 'Not enough stock for this quantity.')
    : new ValidationError([
        { path: 'body.quantity', message: `a line holds at most ${MAX_LINE_QUANTITY} units`, code: 'too_big' },
      ]);
}

/** The variant, when a line of `quantity` units of it may be in a cart; otherwise throws why not. */
function fitLine(variant: VariantForSale | undefined, quantity: number): VariantForSale {
  if (!variant) throw new NotFoundError('variant');
  if (!variant.live) throw new UnprocessableError('variant_unavailable', 'The variant is not for sale.');
  if (quantity > Math.min(MAX_LINE_QUANTITY, variant.stock)) throw tooManyUnits(variant);
  return variant;
}

/**
 * Adds units of a variant; answers the cart and, for a new guest cart, its token (201).
 *
 * Outside a transaction: the cart and the variants are read, the request is checked against what was read, and one
 * upsert writes the line. The write holds on its own whatever ran in between: the quantity is added to the stored one
 * (never a computed total written back), bounded in the statement itself, and the line limit is counted by the
 * database under the cart's row lock (`cart_lines_limit`). A race can only turn a success into a refusal. The answer
 * is the cart as read with this add applied: another change the same caller makes at the same moment (a second tab)
 * shows from the next read on.
 */
export async function addCartItem(
  ctx: Ctx,
  token: string | undefined,
  input: { variantId: string; quantity: number },
): Promise<{ cart: CartView; created: boolean }> {
  const { cart, lines, methods, newToken } = await cartForAdd(ctx, token, async () => {
    fitLine((await variantsForSale(ctx, [input.variantId])).get(input.variantId), input.quantity);
  });
  const variants = await variantsForSale(ctx, [...new Set([input.variantId, ...lines.map((line) => line.variantId)])]);
  const existing = lines.findIndex((line) => line.variantId === input.variantId);
  const variant = fitLine(variants.get(input.variantId), (lines[existing]?.quantity ?? 0) + input.quantity);
  if (existing < 0 && lines.length >= MAX_CART_LINES) throw cartFull();
  // The trigger sets the line's updated_at to the cart's new time (excluded.updated_at carries it to an existing line).
  const [written] = await ctx.em.execute<{ id: string; quantity: number; updated_at: string | Date }[]>(
    `insert into cart_lines (id, cart_id, variant_id, quantity, seen_unit_price, created_at, updated_at)
     values (?, ?, ?, ?, ?, now(), now())
     on conflict (cart_id, variant_id) do update
       set quantity = cart_lines.quantity + excluded.quantity, seen_unit_price = excluded.seen_unit_price,
           updated_at = excluded.updated_at
       where cart_lines.quantity + excluded.quantity <= ?
     returning id, quantity, updated_at`,
    [newId(), cart.id, variant.variantId, input.quantity, variant.price, Math.min(MAX_LINE_QUANTITY, variant.stock)],
  );
  if (!written) throw tooManyUnits(variant); // another add to this line came first, and both do not fit
  const line = {
    id: written.id,
    variantId: variant.variantId,
    quantity: written.quantity,
    seenUnitPrice: variant.price,
  };
  if (existing < 0) lines.push(line);
  else lines[existing] = line;
  const view = await viewCart(
    ctx,
    { id: cart.id, discountCode: cart.discountCode, updatedAt: new Date(written.updated_at) },
    { lines, variants, methods },
  );
  return { cart: newToken ? { ...view, cartToken: newToken } : view, created: newToken !== undefined };
}

async function ownLine(tx: TxCtx, token: string | undefined, lineId: string) {
  const { cart } = await resolveCart(tx, token, false);
  const line = cart ? await tx.em.findOne(CartLine, { id: lineId, cartId: cart.id }) : null;
  if (!cart || !line) throw new NotFoundError('cart line');
  return { cart, line };
}

export async function updateCartItem(ctx: Ctx, token: string | undefined, lineId: string, quantity: number) {
  return inTransaction(ctx, async (tx) => {
    const { cart, line } = await ownLine(tx, token, lineId);
    const variant = (await variantsForSale(tx, [line.variantId])).get(line.variantId);
    if (variant && quantity > line.quantity && quantity > variant.stock) {
      throw new ConflictError('insufficient_stock', 'Not enough stock for this quantity.');
    }
    line.quantity = quantity;
    if (variant) line.seenUnitPrice = variant.price;
    cart.updatedAt = new Date();
    await tx.em.flush();
    return viewCart(tx, cart);
  });
}

export async function removeCartItem(ctx: Ctx, token: string | undefined, lineId: string) {
  return inTransaction(ctx, async (tx) => {
    const { cart, line } = await ownLine(tx, token, lineId);
    tx.em.remove(line);
    cart.updatedAt = new Date();
    await tx.em.flush();
    return viewCart(tx, cart);
  });
}

export async function applyDiscount(ctx: Ctx, token: string | undefined, code: string) {
  return inTransaction(ctx, async (tx) => {
    const { cart } = await resolveCart(tx, token, true);
    if (!cart) throw new Error('resolveCart with create answers a cart');
    const discount = await findDiscount(tx, code);
    if (!discount) throw new UnprocessableError('discount_invalid', 'The code does not exist.');
    // The minimum subtotal is checked against the cart as it is priced (and again at checkout), not here.
    const problem = discountProblem(discount, Number.MAX_SAFE_INTEGER, tx.deps.config.CATALOG_CURRENCY);
    if (problem) throw new UnprocessableError(problem.code, problem.detail);
    cart.discountCode = discount.code;
    cart.updatedAt = new Date();
    await tx.em.flush();
    return viewCart(tx, cart);
  });
}

export async function removeDiscount(ctx: Ctx, token: string | undefined) {
  return inTransaction(ctx, async (tx) => {
    const { cart } = await resolveCart(tx, token, false);
    if (!cart) return emptyCart(tx);
    cart.discountCode = null;
    cart.updatedAt = new Date();
    await tx.em.flush();
    return viewCart(tx, cart);
  });
}

/** The signed-in customer's cart lines for checkout (after merging a guest token), and the cart to empty after. */
export async function cartForCheckout(tx: TxCtx, token: string | undefined) {
  const { cart } = await resolveCart(tx, token, false);
  const lines = cart ? await linesOf(tx, cart.id) : [];
  return { cart, lines: lines.map((line) => ({ variantId: line.variantId, quantity: line.quantity })) };
}

export async function emptyCartAfterCheckout(tx: TxCtx, cartId: string): Promise<void> {
  await tx.em.execute('delete from cart_lines where cart_id = ?', [cartId]);
  await tx.em.execute('update carts set discount_code = null, updated_at = now() where id = ?', [cartId]);
}

/** Removes a guest cart whose time is up (a job); a cart touched since is rescheduled. */
export async function expireGuestCart(tx: TxCtx, cartId: string): Promise<void> {
  const cart = await tx.em.findOne(Cart, { id: cartId, userId: null });
  if (!cart?.expiresAt) return;
  if (cart.expiresAt > new Date()) {
    await enqueueGuestCartExpiry(tx, cart.id, cart.expiresAt);
    return;
  }
  // Unless an add extended it since the read above (adds take no transaction).
  await tx.em.execute('delete from carts where id = ? and expires_at <= now()', [cart.id]);
}
