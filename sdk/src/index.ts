/**
 * @emporium/sdk: the typed client for the Emporium API. Everything under ./gen is generated from docs/openapi.json
 * (`pnpm gen` at the repository root); this file only adds a convenient constructor.
 */
import { createClient, createConfig, type Client } from './gen/client/index.js';

export * from './gen/sdk.gen.js';
export type * from './gen/types.gen.js';
export type { Client } from './gen/client/index.js';
import type {
  GetProductResponse,
  ListCategoriesResponse,
  ListProductsResponse,
  ListReviewsResponse,
  SearchProductsResponse,
} from './gen/types.gen.js';

/** Names for the catalog's main objects (the generated types name operations, not schemas). */
export type Product = GetProductResponse;
export type ProductSummary = ListProductsResponse['data'][number];
export type SearchResult = SearchProductsResponse;
export type Category = ListCategoriesResponse['data'][number];
export type Review = ListReviewsResponse['data'][number];

export interface EmporiumClientOptions {
  /** The server's origin, e.g. `https://api.example.com` (the paths already start with /api or /health). */
  baseUrl: string;
  /** The access token, or a function returning the current one (called before each authenticated request). */
  accessToken?: string | (() => string | undefined | Promise<string | undefined>);
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

/** Creates a client; pass it as `client` to any SDK function: `getProfile({ client })`. */
export function createEmporiumClient(options: EmporiumClientOptions): Client {
  return createClient(
    createConfig({
      baseUrl: options.baseUrl.replace(/\/$/, ''),
      auth: options.accessToken,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    }),
  );
}
