/** What commerce may know of variants: plain rows for pricing, availability and order snapshots. */
import type { Ctx } from '../../platform/context';

export interface VariantForSale {
  variantId: string;
  productId: string;
  vendorId: string;
  categoryId: string;
  productName: string;
  sku: string;
  options: Record<string, string>;
  /** Minor units of the catalog currency. */
  price: number;
  currency: string;
  stock: number;
  /** Published and not retired: it may be sold. */
  live: boolean;
}

interface Row {
  variant_id: string;
  product_id: string;
  vendor_id: string;
  category_id: string;
  product_name: string;
  sku: string;
  options: Record<string, string>;
  price: number;
  currency: string;
  stock: number;
  live: boolean;
}

/** The variants with these ids (unknown ids are simply absent), in one statement. */
export async function variantsForSale(ctx: Ctx, variantIds: readonly string[]): Promise<Map<string, VariantForSale>> {
  if (variantIds.length === 0) return new Map();
  const rows = await ctx.em.execute<Row[]>(
    `select v.id as variant_id, v.product_id, p.vendor_id, p.category_id, p.name as product_name, v.sku, v.options,
            v.price, p.currency, v.stock, (p.status = 'published' and v.retired_at is null) as live
       from product_variants v join products p on p.id = v.product_id
      where v.id = any(array[?]::uuid[])`,
    [[...variantIds]],
  );
  return new Map(
    rows.map((row) => [
      row.variant_id,
      {
        variantId: row.variant_id,
        productId: row.product_id,
        vendorId: row.vendor_id,
        categoryId: row.category_id,
        productName: row.product_name,
        sku: row.sku,
        options: row.options,
        price: row.price,
        currency: row.currency,
        stock: row.stock,
        live: row.live,
      },
    ]),
  );
}
