/** The hand-written statements of reviews. Author names are identity's: the service asks identity for them. */
import type { Ctx } from '../../platform/context';
import { afterCursor, idColumn, keysetOrder, type Keyset } from '../../platform/pagination';

export interface ReviewRow {
  id: string;
  product_id: string;
  author_id: string;
  rating: number;
  title: string | null;
  body: string;
  hidden_at: Date | null;
  verified_purchase: boolean;
  created_at: Date;
}

const REVIEW_COLUMNS = `r.id, r.product_id, r.author_id, r.rating, r.title, r.body, r.hidden_at, r.verified_purchase, r.created_at`;

export async function selectReview(ctx: Ctx, id: string): Promise<ReviewRow | undefined> {
  const [row] = await ctx.em.execute<ReviewRow[]>(`select ${REVIEW_COLUMNS} from reviews r where r.id = ?`, [id]);
  return row;
}

/** A product's visible reviews, newest first. */
export const PRODUCT_REVIEWS: Keyset<ReviewRow> = { list: 'reviews', columns: [idColumn('r.id')], direction: 'desc' };

export async function selectVisibleReviews(
  ctx: Ctx,
  productId: string,
  limit: number,
  cursor: string | undefined,
): Promise<ReviewRow[]> {
  const after = afterCursor(PRODUCT_REVIEWS, cursor);
  return ctx.em.execute<ReviewRow[]>(
    `select ${REVIEW_COLUMNS} from reviews r
      where r.product_id = ? and r.hidden_at is null and ${after.sql}
      order by ${keysetOrder(PRODUCT_REVIEWS)} limit ?`,
    [productId, ...after.params, limit + 1],
  );
}

/**
 * Hides or shows a review when it is not already so: one conditional UPDATE, so a repeated call changes nothing.
 * Answers the review's product and rating when it changed.
 */
export async function setReviewHidden(
  ctx: Ctx,
  id: string,
  hidden: boolean,
): Promise<{ product_id: string; rating: number } | undefined> {
  const [changed] = await ctx.em.execute<{ product_id: string; rating: number }[]>(
    `update reviews set hidden_at = ${hidden ? 'now()' : 'null'}, updated_at = now()
      where id = ? and hidden_at is ${hidden ? 'null' : 'not null'} returning product_id, rating`,
    [id],
  );
  return changed;
}
