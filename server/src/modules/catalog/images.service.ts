/**
 * Product images: an upload is checked from its bytes, re-encoded to WebP with a thumbnail, stored, then recorded;
 * reorder and delete keep positions dense (0..n-1, the first is the cover).
 *
 * Uploaded bytes are untrusted input to an image decoder, so they reach libvips in two steps: the header only (format
 * and dimensions, nothing decoded), and only then a bounded decode. What the client declared (file name, part
 * Content-Type) is never consulted. Storage is remote in production (S3), so it is never called inside a database
 * transaction: the objects are stored first and the row inserted after; an insert that fails deletes the objects.
 */
import sharp from 'sharp';
import type { z } from 'zod';
import type { ProductImage as ProductImageDto } from '@emporium/contract';
import { newId } from '../../platform/columns';
import type { AuthenticatedCtx } from '../../platform/context';
import type { EntityManager } from '../../platform/database';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../platform/errors';
import { ProductImage } from './catalog.entities';
import { catalogChanged, type CatalogEnv } from './catalog.env';
import { toImageDto } from './catalog.mapper';
import { findManageableProduct, lockProduct, reviewAgainAfterVendorEdit } from './product-access';

type ImageDto = z.infer<typeof ProductImageDto>;

/** The limits the contract states for an upload. */
export const IMAGE_LIMITS = {
  /** Bytes of the uploaded file (enforced while the upload streams in, by the router). */
  maxBytes: 10 * 1024 * 1024,
  /** Width x height; a few bytes of PNG can declare billions of pixels, so this is read from the header. */
  maxPixels: 40_000_000,
  maxImagesPerProduct: 20,
} as const;

const STORED_LONGEST_SIDE = 2000;
const THUMBNAIL_LONGEST_SIDE = 320;
const WEBP = 'image/webp';

type AcceptedFormat = 'jpeg' | 'png' | 'webp';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Magic numbers of the accepted formats; anything else never reaches libvips (SVG, PDF, TIFF, HEIF loaders...). */
function sniffFormat(bytes: Buffer): AcceptedFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

const notAnImage = (detail = 'The file is not a JPEG, PNG or WebP image.') => new UnsupportedMediaTypeError(detail);

/** Reads the format and dimensions from the header, decoding no pixels; refuses what must not be decoded. */
async function assertDecodable(bytes: Buffer): Promise<void> {
  const sniffed = sniffFormat(bytes);
  if (!sniffed) throw notAnImage();
  // No pixel limit here: the header is read either way, and the check below can then say what was declared.
  const header = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch(() => {
      throw notAnImage();
    });
  if (header.format !== sniffed) throw notAnImage();
  if (header.width * header.height > IMAGE_LIMITS.maxPixels) {
    throw new UnprocessableError(
      'image_too_large',
      `The image declares ${header.width}x${header.height} pixels; at most ${IMAGE_LIMITS.maxPixels / 1_000_000} megapixels are accepted.`,
    );
  }
}

interface EncodedImage {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * A WebP no larger than `longestSide`, turned upright by its EXIF orientation. sharp writes no metadata (EXIF with
 * GPS, XMP, ICC) unless asked to, and converts to sRGB. The decoder keeps its own pixel limit as a second guard.
 */
async function encodeWebp(bytes: Buffer, longestSide: number, quality: number): Promise<EncodedImage> {
  const { data, info } = await sharp(bytes, { limitInputPixels: IMAGE_LIMITS.maxPixels })
    .autoOrient()
    .resize({ width: longestSide, height: longestSide, fit: 'inside', withoutEnlargement: true })
    .webp({ quality })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

interface ProcessedImage {
  image: EncodedImage;
  thumbnail: EncodedImage;
}

/**
 * Turns untrusted bytes into the image and thumbnail the catalog stores, or refuses them: 415 for anything but a
 * readable JPEG, PNG or WebP, 422 `image_too_large` for too many pixels (decided before any decoding).
 */
async function processImage(bytes: Buffer): Promise<ProcessedImage> {
  await assertDecodable(bytes);
  const image = await withDecodeSlot(() => encodeWebp(bytes, STORED_LONGEST_SIDE, 82)).catch(() => {
    // A valid header over corrupt or truncated pixel data.
    throw notAnImage('The image data could not be decoded.');
  });
  // The thumbnail comes from the stored image (at most 2000 px), so the upload is decoded once.
  return { image, thumbnail: await encodeWebp(image.data, THUMBNAIL_LONGEST_SIDE, 75) };
}

/** At most this many uploads decode at once (a 40-megapixel decode holds about 160 MB); the others wait their turn. */
const MAX_CONCURRENT_DECODES = 2;
let decoding = 0;
const waitingForDecode: (() => void)[] = [];

async function withDecodeSlot<T>(work: () => Promise<T>): Promise<T> {
  if (decoding >= MAX_CONCURRENT_DECODES) await new Promise<void>((resolve) => waitingForDecode.push(resolve));
  decoding++;
  try {
    return await work();
  } finally {
    decoding--;
    waitingForDecode.shift()?.();
  }
}

/** Best effort: a failure leaves unreferenced objects (harmless, only space), and the request's outcome stands. */
async function discardObjects(ctx: AuthenticatedCtx, env: CatalogEnv, keys: string[], why: string): Promise<void> {
  try {
    await env.storage.delete(...keys);
  } catch (error) {
    env.logger.warn(
      { err: error, keys, requestId: ctx.requestId },
      `could not delete stored objects (${why}); they are orphaned`,
    );
  }
}

/** Stores every object or none: when one put fails, the others are deleted again. */
async function storeAll(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  objects: { key: string; data: Buffer }[],
): Promise<void> {
  const results = await Promise.allSettled(objects.map(({ key, data }) => env.storage.put(key, data, WEBP)));
  const failure = results.find((result) => result.status === 'rejected');
  if (!failure) return;
  await discardObjects(
    ctx,
    env,
    objects.map(({ key }) => key),
    'a sibling upload failed',
  );
  throw failure.reason;
}

function tooManyImages(): ConflictError {
  return new ConflictError(
    'too_many_images',
    `A product has at most ${IMAGE_LIMITS.maxImagesPerProduct} images; delete one first.`,
  );
}

async function assertRoomForAnother(em: EntityManager, productId: string): Promise<void> {
  if ((await em.count(ProductImage, { productId })) >= IMAGE_LIMITS.maxImagesPerProduct) throw tooManyImages();
}

interface NewImageRow {
  id: string;
  productId: string;
  imageKey: string;
  thumbnailKey: string;
  width: number;
  height: number;
  /** Size of the stored (re-encoded) image, not of the upload. */
  bytes: number;
}

/** Appends the row under the product's lock, re-checking the cap that was checked before the (slow) processing. */
async function insertImageRow(ctx: AuthenticatedCtx, row: NewImageRow): Promise<ProductImage> {
  return ctx.em.transactional(async (em) => {
    await lockProduct(em, row.productId);
    await assertRoomForAnother(em, row.productId);
    const last = await em.findOne(ProductImage, { productId: row.productId }, { orderBy: { position: 'desc' } });
    await reviewAgainAfterVendorEdit(em, ctx, row.productId);
    return em.create(ProductImage, { ...row, position: (last?.position ?? -1) + 1 });
  });
}

/**
 * Adds an image to a product its vendor (or an admin) manages: 404 for someone else's product, 409 `too_many_images`
 * at the cap, 415/422 for bytes refused by {@link processImage}. Nothing is stored for a refused upload.
 */
export async function uploadProductImage(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  productId: string,
  bytes: Buffer,
): Promise<ImageDto> {
  await findManageableProduct(ctx, productId);
  // Checked first too, so a full product costs no decoding; the insert checks again under the lock.
  await assertRoomForAnother(ctx.em, productId);
  const { image, thumbnail } = await processImage(bytes);
  const id = newId();
  const imageKey = `products/${productId}/${id}.webp`;
  const thumbnailKey = `products/${productId}/${id}-thumb.webp`;
  await storeAll(ctx, env, [
    { key: imageKey, data: image.data },
    { key: thumbnailKey, data: thumbnail.data },
  ]);
  let row: ProductImage;
  try {
    row = await insertImageRow(ctx, {
      id,
      productId,
      imageKey,
      thumbnailKey,
      width: image.width,
      height: image.height,
      bytes: image.data.length,
    });
  } catch (error) {
    await discardObjects(ctx, env, [imageKey, thumbnailKey], 'the row was not inserted');
    throw error;
  }
  await catalogChanged(env, productId);
  return toImageDto(row, env.storage);
}

/** The new order must name each of the product's images exactly once. */
function assertSameImages(images: ProductImage[], imageIds: string[]): void {
  const current = new Set(images.map((image) => image.id));
  const listed = new Set(imageIds);
  const sameSet =
    listed.size === imageIds.length && listed.size === current.size && imageIds.every((id) => current.has(id));
  if (!sameSet) {
    throw new ValidationError([
      {
        path: 'body.imageIds',
        message: 'must list every image id of the product exactly once',
        code: 'image_set_mismatch',
      },
    ]);
  }
}

/**
 * Reorders a managed product's images to `imageIds` (every image id of the product, once each; else 400).
 * Answers the images in their new order.
 */
export async function reorderProductImages(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  productId: string,
  imageIds: string[],
): Promise<ImageDto[]> {
  await findManageableProduct(ctx, productId);
  const ordered = await ctx.em.transactional(async (em) => {
    await lockProduct(em, productId);
    const images = await em.find(ProductImage, { productId });
    assertSameImages(images, imageIds);
    await reviewAgainAfterVendorEdit(em, ctx, productId);
    const byId = new Map(images.map((image) => [image.id, image]));
    return imageIds.flatMap((id, position) => {
      const image = byId.get(id);
      if (image) image.position = position;
      return image ? [image] : [];
    });
  });
  await catalogChanged(env, productId);
  return ordered.map((image) => toImageDto(image, env.storage));
}

/**
 * Removes an image of a managed product (404 if it is not one of the product's) and closes the gap in the positions;
 * then deletes its stored files, after the commit, so a failed transaction never leaves a row without its files.
 */
export async function deleteProductImage(
  ctx: AuthenticatedCtx,
  env: CatalogEnv,
  productId: string,
  imageId: string,
): Promise<void> {
  await findManageableProduct(ctx, productId);
  const removed = await ctx.em.transactional(async (em) => {
    await lockProduct(em, productId);
    const image = await em.findOne(ProductImage, { id: imageId, productId });
    if (!image) throw new NotFoundError('image');
    await reviewAgainAfterVendorEdit(em, ctx, productId);
    await em.nativeDelete(ProductImage, { id: image.id });
    await em.execute('update product_images set position = position - 1 where product_id = ? and position > ?', [
      productId,
      image.position,
    ]);
    return image;
  });
  await catalogChanged(env, productId);
  await discardObjects(ctx, env, [removed.imageKey, removed.thumbnailKey], 'image deleted');
}
