/**
 * Catalog data. As in identity, relations are plain id columns; reads that span tables are explicit queries.
 * Generated columns (`rating_avg`, `search_vector`) are the database's business and are not mapped.
 */
import { defineEntity, p } from '@mikro-orm/core';
import { INVENTORY_REASONS, PRODUCT_STATUSES } from '@emporium/contract';
import { createdAtColumn, idColumn, updatedAtColumn } from '../../platform/columns';

export interface ProductOptionDefinition {
  name: string;
  values: string[];
}

export const CategorySchema = defineEntity({
  name: 'Category',
  tableName: 'categories',
  properties: {
    id: idColumn(),
    parentId: p.uuid().nullable(),
    name: p.string().length(80),
    slug: p.string().length(120).unique(),
    position: p.integer().default(0),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class Category extends CategorySchema.class {}
CategorySchema.setClass(Category);

export const ProductSchema = defineEntity({
  name: 'Product',
  tableName: 'products',
  properties: {
    id: idColumn(),
    vendorId: p.uuid(),
    categoryId: p.uuid(),
    name: p.string().length(200),
    slug: p.string().length(120).unique(),
    description: p.text().default(''),
    status: p.enum(PRODUCT_STATUSES).default('draft'),
    rejectionReason: p.text().nullable(),
    options: p.json<ProductOptionDefinition[]>(),
    /** `name:value` of every option value a live variant has: the GIN-indexed option filter and facet source. */
    optionValues: p.array(),
    currency: p.string().length(3),
    minPrice: p.integer().default(0),
    maxPrice: p.integer().default(0),
    totalStock: p.integer().default(0),
    ratingSum: p.integer().default(0),
    ratingCount: p.integer().default(0),
    submittedAt: p.datetime().nullable(),
    publishedAt: p.datetime().nullable(),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class Product extends ProductSchema.class {}
ProductSchema.setClass(Product);

export const VariantSchema = defineEntity({
  name: 'Variant',
  tableName: 'product_variants',
  properties: {
    id: idColumn(),
    productId: p.uuid(),
    sku: p.string().length(64).unique(),
    options: p.json<Record<string, string>>(),
    price: p.integer(),
    stock: p.integer().default(0),
    position: p.integer().default(0),
    /** A variant dropped from its product is retired, never deleted: orders keep naming it. */
    retiredAt: p.datetime().nullable(),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class Variant extends VariantSchema.class {}
VariantSchema.setClass(Variant);

export type InventoryReason = (typeof INVENTORY_REASONS)[number];

export const InventoryMovementSchema = defineEntity({
  name: 'InventoryMovement',
  tableName: 'inventory_movements',
  properties: {
    id: idColumn(),
    variantId: p.uuid(),
    productId: p.uuid(),
    delta: p.integer(),
    stockAfter: p.integer(),
    reason: p.enum(INVENTORY_REASONS),
    note: p.string().length(500).nullable(),
    actorId: p.uuid().nullable(),
    createdAt: createdAtColumn(),
  },
});
export class InventoryMovement extends InventoryMovementSchema.class {}
InventoryMovementSchema.setClass(InventoryMovement);

export const ProductImageSchema = defineEntity({
  name: 'ProductImage',
  tableName: 'product_images',
  properties: {
    id: idColumn(),
    productId: p.uuid(),
    position: p.integer(),
    imageKey: p.text(),
    thumbnailKey: p.text(),
    width: p.integer(),
    height: p.integer(),
    bytes: p.integer(),
    createdAt: createdAtColumn(),
  },
});
export class ProductImage extends ProductImageSchema.class {}
ProductImageSchema.setClass(ProductImage);

export const ReviewSchema = defineEntity({
  name: 'Review',
  tableName: 'reviews',
  properties: {
    id: idColumn(),
    productId: p.uuid(),
    authorId: p.uuid(),
    rating: p.smallint(),
    title: p.string().length(120).nullable(),
    body: p.text().default(''),
    hiddenAt: p.datetime().nullable(),
    /** Kept up to date by purchases.ts as the author's orders of the product are paid or cancelled. */
    verifiedPurchase: p.boolean().default(false),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export class Review extends ReviewSchema.class {}
ReviewSchema.setClass(Review);

export const catalogEntities = [Category, Product, Variant, InventoryMovement, ProductImage, Review];
