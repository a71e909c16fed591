/** The only way catalog entities (and catalog rows read by hand-written SQL) leave the module. */
import type { z } from 'zod';
import type {
  Category as CategoryDto,
  InventoryMovement as InventoryMovementDto,
  Product as ProductDto,
  ProductImage as ProductImageDto,
  ProductSummary,
  Review as ReviewDto,
  Variant as VariantDto,
} from '@emporium/contract';
import type { ObjectStorage } from '../../platform/storage';
import type { Category, InventoryMovement, Product, ProductImage, Variant } from './catalog.entities';
import type { ReviewRow } from './reviews.sql';

const money = (amount: number, currency: string) => ({ amount, currency });

/** `rating_sum / rating_count` to two decimals, as the database's `rating_avg` column computes it. */
function rating(sum: number, count: number) {
  return { average: count === 0 ? null : Math.round((sum / count) * 100) / 100, count };
}

export function toCategoryDto(category: Category, depth: number): CategoryDto {
  return {
    id: category.id,
    name: category.name,
    slug: category.slug,
    parentId: category.parentId ?? null,
    depth,
    position: category.position,
    createdAt: category.createdAt.toISOString(),
    updatedAt: category.updatedAt.toISOString(),
  };
}

export function toVariantDto(variant: Variant, currency: string): z.infer<typeof VariantDto> {
  return {
    id: variant.id,
    sku: variant.sku,
    options: variant.options,
    price: money(variant.price, currency),
    stock: variant.stock,
    inStock: variant.stock > 0,
  };
}

export function toImageDto(image: ProductImage, storage: ObjectStorage): z.infer<typeof ProductImageDto> {
  return {
    id: image.id,
    url: storage.publicUrl(image.imageKey),
    thumbnailUrl: storage.publicUrl(image.thumbnailKey),
    width: image.width,
    height: image.height,
    position: image.position,
  };
}

export function toProductDto(
  product: Product,
  variants: Variant[],
  images: ProductImage[],
  storage: ObjectStorage,
): ProductDto {
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    description: product.description,
    status: product.status,
    rejectionReason: product.rejectionReason ?? null,
    vendorId: product.vendorId,
    categoryId: product.categoryId,
    options: product.options,
    variants: variants.map((variant) => toVariantDto(variant, product.currency)),
    images: images.map((image) => toImageDto(image, storage)),
    priceRange: { min: money(product.minPrice, product.currency), max: money(product.maxPrice, product.currency) },
    totalStock: product.totalStock,
    rating: rating(product.ratingSum, product.ratingCount),
    publishedAt: product.publishedAt?.toISOString() ?? null,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}

/** A product row as the list and search queries select it. */
export interface ProductSummaryRow {
  id: string;
  slug: string;
  name: string;
  status: ProductDto['status'];
  vendor_id: string;
  category_id: string;
  currency: string;
  min_price: number;
  max_price: number;
  total_stock: number;
  rating_sum: number;
  rating_count: number;
  thumbnail_key: string | null;
  submitted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toProductSummary(row: ProductSummaryRow, storage: ObjectStorage): ProductSummary {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    vendorId: row.vendor_id,
    categoryId: row.category_id,
    priceRange: { min: money(row.min_price, row.currency), max: money(row.max_price, row.currency) },
    totalStock: row.total_stock,
    inStock: row.total_stock > 0,
    rating: rating(row.rating_sum, row.rating_count),
    thumbnailUrl: row.thumbnail_key === null ? null : storage.publicUrl(row.thumbnail_key),
    submittedAt: row.submitted_at === null ? null : new Date(row.submitted_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** A review row and its author's display name (identity's, looked up by the service). */
export function toReviewDto(row: ReviewRow, authorName: string): ReviewDto {
  return {
    id: row.id,
    productId: row.product_id,
    authorName,
    rating: row.rating,
    title: row.title,
    body: row.body,
    hidden: row.hidden_at !== null,
    verifiedPurchase: row.verified_purchase,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function toInventoryMovementDto(movement: InventoryMovement, sku: string): z.infer<typeof InventoryMovementDto> {
  return {
    id: movement.id,
    variantId: movement.variantId,
    sku,
    delta: movement.delta,
    stockAfter: movement.stockAfter,
    reason: movement.reason,
    note: movement.note ?? null,
    actorId: movement.actorId ?? null,
    createdAt: movement.createdAt.toISOString(),
  };
}
