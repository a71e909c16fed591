/**
 * Reviews: one per customer per product (a unique index decides), rating 1-5. The product's rating sum and count
 * move by atomic increments in the review's own transaction, so concurrent reviews and moderation keep them exact.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { type z } from 'zod';
import type { Review as ReviewDto, ReviewInput } from '@emporium/contract';
import { newId } from '../../platform/columns';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import type { EntityManager } from '../../platform/database';
import { ConflictError, NotFoundError } from '../../platform/errors';
import { decodeCursor, IdCursor, toPage } from '../../platform/pagination';
import { recordAudit } from '../identity';
import { Product, Review } from './catalog.entities';
import { catalogChanged, type CatalogEnv } from './catalog.env';
import { toReviewDto, type ReviewRow } from './catalog.mapper';

const REVIEW_COLUMNS = `r.id, r.product_id, u.full_name as author_name, r.rating, r.title, r.body, r.hidden_at, r.created_at`;

async function assertPublished(em: EntityManager, productId: string): Promise<void> {
  if ((await em.count(Product, { id: productId, status: 'published' })) === 0) throw new NotFoundError('product');
}

async function reviewDto(em: EntityManager, id: string): Promise<ReviewDto> {
  const [row] = await em.execute<ReviewRow[]>(
    `select ${REVIEW_COLUMNS} from reviews r join users u on u.id = r.author_id where r.id = ?`,
    [id],
  );
  if (!row) throw new NotFoundError('review');
  return toReviewDto(row);
}

async function moveRating(em: EntityManager, productId: string, rating: number, direction: 1 | -1): Promise<void> {
  await em.execute('update products set rating_sum = rating_sum + ?, rating_count = rating_count + ? where id = ?', [
    rating * direction,
    direction,
    productId,
  ]);
}

export async function createReview(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  productId: string,
  input: z.infer<typeof ReviewInput>,
): Promise<ReviewDto> {
  const id = newId();
  try {
    await ctx.em.transactional(async (em) => {
      await assertPublished(em, productId);
      await em.insert(Review, {
        id,
        productId,
        authorId: ctx.actor.userId,
        rating: input.rating,
        title: input.title || null,
        body: input.body,
        hiddenAt: null,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      await moveRating(em, productId, input.rating, 1);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException)
      throw new ConflictError('already_reviewed', 'You have already reviewed this product.');
    throw error;
  }
  await catalogChanged(env, productId);
  return reviewDto(ctx.em, id);
}

export async function listReviews(ctx: Ctx, productId: string, query: { limit: number; cursor?: string | undefined }) {
  await assertPublished(ctx.em, productId);
  const after = decodeCursor(query.cursor, IdCursor);
  const rows = await ctx.em.execute<ReviewRow[]>(
    `select ${REVIEW_COLUMNS} from reviews r join users u on u.id = r.author_id
      where r.product_id = ? and r.hidden_at is null ${after ? 'and r.id < ?' : ''}
      order by r.id desc limit ?`,
    [productId, ...(after ? [after[0]] : []), query.limit + 1],
  );
  return toPage(rows, query.limit, toReviewDto, (row) => [row.id]);
}

/** Hides or restores a review; the conditional UPDATE makes a repeated call a no-op for the rating. */
export async function setReviewVisibility(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  id: string,
  hidden: boolean,
): Promise<ReviewDto> {
  const productId = await ctx.em.transactional(async (em) => {
    const [changed] = await em.execute<{ product_id: string; rating: number }[]>(
      `update reviews set hidden_at = ${hidden ? 'now()' : 'null'}, updated_at = now()
        where id = ? and hidden_at is ${hidden ? 'null' : 'not null'} returning product_id, rating`,
      [id],
    );
    if (changed) {
      await moveRating(em, changed.product_id, changed.rating, hidden ? -1 : 1);
      recordAudit(em, ctx, {
        action: hidden ? 'review.hidden' : 'review.restored',
        targetId: id,
        details: { productId: changed.product_id },
      });
      await em.flush();
      return changed.product_id;
    }
    if ((await em.count(Review, { id })) === 0) throw new NotFoundError('review');
    return undefined;
  });
  if (productId) await catalogChanged(env, productId);
  return reviewDto(ctx.em, id);
}
