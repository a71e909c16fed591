/**
 * Names for the API's objects. The generated types are named after operations (`GetProductResponse`) because the
 * OpenAPI document does not name its schemas yet; once it does, each alias here points at the generated component
 * instead (`export type Product = components.Product`), and nothing that imports these names changes.
 */
import type {
  CreateAddressResponse,
  CreateDiscountResponse,
  GetCartResponse,
  GetMyOrderResponse,
  GetVendorOrderResponse,
  ListMyOrdersResponse,
  GetProductErrors,
  GetProductResponse,
  GetProfileResponse,
  ListCategoriesResponse,
  ListProductsResponse,
  ListReviewsResponse,
  LoginResponse,
  RefreshTokensResponse,
  SearchProductsResponse,
} from './gen/types.gen.js';

/** A product with its variants, images, price range and rating. */
export type Product = GetProductResponse;
export type ProductSummary = ListProductsResponse['data'][number];
export type Variant = Product['variants'][number];
export type ProductImage = Product['images'][number];
export type ProductStatus = Product['status'];
export type SearchResult = SearchProductsResponse;
export type SearchHit = SearchProductsResponse['data'][number];
export type Category = ListCategoriesResponse['data'][number];
export type Review = ListReviewsResponse['data'][number];

export type User = GetProfileResponse;
export type Role = User['role'];
export type Address = CreateAddressResponse;

/** What `login` answers: the token pair and the signed-in user. */
export type LoginResult = LoginResponse;
/** What `refreshTokens` answers: a new pair (the refresh token rotates on every use). */
export type TokenPair = Omit<RefreshTokensResponse, 'user'>;

/** An amount in minor units (`1999` is 19.99) and its ISO 4217 currency. Never a float. */
export type Money = Variant['price'];

/** Every list answers this envelope: pass `nextCursor` as `query.cursor` to get the next page; `null` is the end. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * RFC 9457 problem details as every error answer carries them (`application/problem+json`). Each operation's
 * own error type narrows `code` to the codes that operation declares; this is the widest form.
 */
export type Problem = Omit<GetProductErrors[404], 'code'> & { code: string };
export type FieldError = NonNullable<Problem['errors']>[number];

/** A cart, priced now: lines, per-vendor groups and totals. */
export type Cart = GetCartResponse;
export type CartLine = Cart['lines'][number];
/** An order with its vendor parts, snapshot lines and history. */
export type Order = GetMyOrderResponse;
export type OrderPart = Order['parts'][number];
export type OrderStatus = Order['status'];
export type OrderSummary = ListMyOrdersResponse['data'][number];
/** A vendor's view of an order: its own part only. */
export type VendorOrder = GetVendorOrderResponse;
export type Discount = CreateDiscountResponse;
