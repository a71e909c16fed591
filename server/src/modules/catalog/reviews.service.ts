/**
 * Reviews: one per customer per product (a unique index decides: 409 `already_reviewed`), rating 1-5. The product's
 * rating sum and count move by atomic increments in the review's own transaction, so concurrent reviews and moderation
 * keep them exact. Author names come from identity; the "verified purchase" flag from the catalog's purchase counts
 * (purchases.ts).
 */
import { type z } from 'zod';
import type { Review as ReviewDto, ReviewInput } from '@emporium/contract';
import { newId } from '../../platform/columns';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import { NotFoundError } from '../../platform/errors';
import { toPage } from '../../platform/pagination';
import { inTransaction } from '../../platform/unit-of-work';
import { displayNames } from '../identity';
import { catalogAudit } from './catalog.audit';
import { catalogChanged } from './catalog.cache';
import { Product, Review } from './catalog.entities';
import { toReviewDto } from './catalog.mapper';
import { moveRating } from './products.sql';
import { isPurchased } from './purchases';
import { PRODUCT_REVIEWS, selectReview, selectVisibleReviews, setReviewHidden, type ReviewRow } from './reviews.sql';

async function assertPublished(ctx: Ctx, productId: string): Promise<void> {
  if ((await ctx.em.count(Product, { id: productId, status: 'published' })) === 0) throw new NotFoundError('product');
}

/** The DTOs of some review rows, with one lookup of their authors' names. */
async function withAuthorNames(ctx: Ctx, rows: ReviewRow[]): Promise<(row: ReviewRow) => ReviewDto> {
  const names = await displayNames(ctx, [...new Set(rows.map((row) => row.author_id))]);
  return (row) => toReviewDto(row, names.get(row.author_id) ?? '');
}

async function reviewDto(ctx: Ctx, id: string): Promise<ReviewDto> {
  const row = await selectReview(ctx, id);
  if (!row) throw new NotFoundError('review');
  return (await withAuthorNames(ctx, [row]))(row);
}

export async function createReview(
  ctx: AuthenticatedCtx,
  productId: string,
  input: z.infer<typeof ReviewInput>,
): Promise<ReviewDto> {
  const id = newId();
  return inTransaction(ctx, async (tx) => {
    await assertPublished(tx, productId);
    await tx.em.insert(Review, {
      id,
      productId,
      authorId: ctx.actor.userId,
      rating: input.rating,
      title: input.title || null,
      body: input.body,
      hiddenAt: null,
      verifiedPurchase: await isPurchased(tx, ctx.actor.userId, productId),
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await moveRating(tx, productId, input.rating, 1);
    catalogChanged(tx, productId);
    return reviewDto(tx, id);
  });
}

export async function listReviews(ctx: Ctx, productId: string, query: { limit: number; cursor?: string | undefined }) {
  await assertPublished(ctx, productId);
  const rows = await selectVisibleReviews(ctx, productId, query.limit, query.cursor);
  return toPage(PRODUCT_REVIEWS, rows, query.limit, await withAuthorNames(ctx, rows));
}

/** Hides or restores a review; the conditional UPDATE makes a repeated call a no-op for the rating. */
export async function setReviewVisibility(ctx: AuthenticatedCtx, id: string, hidden: boolean): Promise<ReviewDto> {
  return inTransaction(ctx, async (tx) => {
    const changed = await setReviewHidden(tx, id, hidden);
    if (changed) {
      await moveRating(tx, changed.product_id, changed.rating, hidden ? -1 : 1);
      catalogAudit.record(tx, {
        action: hidden ? 'review.hidden' : 'review.restored',
        targetId: id,
        details: { productId: changed.product_id },
      });
      await tx.em.flush();
      catalogChanged(tx, changed.product_id);
    }
    return reviewDto(tx, id);
  });
}
