/**
 * Names for the API's objects. The OpenAPI document names its schemas, so `Product`, `ProductSummary`, `Variant`,
 * `Category`, `Review`, `User`, `Address`, `TokenPair`, `Money`, `Problem`, `SearchResult`... come straight from the
 * generated types (exported by the package entry). This file adds the few names the document has no schema for.
 */
import type { LoginResponse, ProblemFieldError, ProductSummary } from './gen/types.gen.js';

/** One hit of a search: a product summary. */
export type SearchHit = ProductSummary;

/** What `login` answers: the token pair and the signed-in user. */
export type LoginResult = LoginResponse;

/** Every list answers this envelope: pass `nextCursor` as `query.cursor` to get the next page; `null` is the end. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** One field error of a `validation_failed` problem. */
export type FieldError = ProblemFieldError;
