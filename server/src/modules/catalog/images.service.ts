/**
 * Product images: an upload is checked from its bytes, re-encoded to WebP with a thumbnail, stored, then recorded;
 * reorder and delete keep positions dense (0..n-1, the first is the cover).
 *
 * Uploaded bytes are untrusted input to an image decoder, so they reach libvips in two steps: the header only (format
 * and dimensions, nothing decoded), and only then a bounded decode. What the client declared (file name, part
 * Content-Type) is never consulted. Storage is remote in production (S3), so it is never called inside a database
 * transaction: the objects are stored first and the row inserted after; an insert that fails deletes the objects.
 */
import type SharpModule from 'sharp';
import type { z } from 'zod';
import type { ProductImage as ProductImageDto } from '@emporium/contract';
import { newId } from '../../platform/columns';
import type { AuthenticatedCtx, Ctx } from '../../platform/context';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../platform/errors';
import { PUBLIC_PREFIX } from '../../platform/storage';
import { inTransaction } from '../../platform/unit-of-work';
import { catalogChanged } from './catalog.cache';
import { ProductImage } from './catalog.entities';
import { toImageDto } from './catalog.mapper';
import { findManageableProduct, reviewAgainAfterVendorEdit } from './product-access';
import { closeImageGap, lockProduct } from './products.sql';

type ImageDto = z.infer<typeof ProductImageDto>;

/** libvips is loaded on the first upload only: processes that never decode an image (migrate, seed) skip it. */
type Sharp = typeof SharpModule;
let sharpModule: Promise<{ default: Sharp }> | undefined;
async function sharp(...args: Parameters<Sharp>): Promise<ReturnType<Sharp>> {
  sharpModule ??= import('sharp');
  const { default: create } = await sharpModule;
  return create(...args);
}

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
  const header = await (await sharp(bytes, { limitInputPixels: false })).metadata().catch(() => {
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
  const { data, info } = await (
    await sharp(bytes, { limitInputPixels: IMAGE_LIMITS.maxPixels })
  )
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
async function discardObjects(ctx: AuthenticatedCtx, keys: string[], why: string): Promise<void> {
  try {
    await ctx.deps.storage.delete(...keys);
  } catch (error) {
    ctx.deps.logger.warn(
      { err: error, keys, requestId: ctx.requestId },
      `could not delete stored objects (${why}); they are orphaned`,
    );
  }
}

/** Stores every object or none: when one put fails, the others are deleted again. */
async function storeAll(ctx: AuthenticatedCtx, objects: { key: string; data: Buffer }[]): Promise<void> {
  const results = await Promise.allSettled(objects.map(({ key, data }) => ctx.deps.storage.put(key, data, WEBP)));
  const failure = results.find((result) => result.status === 'rejected');
  if (!failure) return;
  await discardObjects(
    ctx,
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

async function assertRoomForAnother(ctx: Ctx, productId: string): Promise<void> {
  if ((await ctx.em.count(ProductImage, { productId })) >= IMAGE_LIMITS.maxImagesPerProduct) throw tooManyImages();
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
  return inTransaction(ctx, async (tx) => {
    await lockProduct(tx, row.productId);
    await assertRoomForAnother(tx, row.productId);
    const last = await tx.em.findOne(ProductImage, { productId: row.productId }, { orderBy: { position: 'desc' } });
    await reviewAgainAfterVendorEdit(tx, row.productId);
    catalogChanged(tx, row.productId);
    return tx.em.create(ProductImage, { ...row, position: (last?.position ?? -1) + 1 });
  });
}

/**
 * Adds an image to a product its vendor (or an admin) manages: 404 for someone else's product, 409 `too_many_images`
 * at the cap, 415/422 for bytes refused by {@link processImage}. Nothing is stored for a refused upload.
 */
export async function uploadProductImage(ctx: AuthenticatedCtx, productId: string, bytes: Buffer): Promise<ImageDto> {
  await findManageableProduct(ctx, productId);
  // Checked first too, so a full product costs no decoding; the insert checks again under the lock.
  await assertRoomForAnother(ctx, productId);
  const { image, thumbnail } = await processImage(bytes);
  const id = newId();
  const imageKey = `${PUBLIC_PREFIX}/${productId}/${id}.webp`;
  const thumbnailKey = `${PUBLIC_PREFIX}/${productId}/${id}-thumb.webp`;
  await storeAll(ctx, [
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
    await discardObjects(ctx, [imageKey, thumbnailKey], 'the row was not inserted');
    throw error;
  }
  return toImageDto(row, ctx.deps.storage);
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
  productId: string,
  imageIds: string[],
): Promise<ImageDto[]> {
  await findManageableProduct(ctx, productId);
  const ordered = await inTransaction(ctx, async (tx) => {
    await lockProduct(tx, productId);
    const images = await tx.em.find(ProductImage, { productId });
    assertSameImages(images, imageIds);
    await reviewAgainAfterVendorEdit(tx, productId);
    catalogChanged(tx, productId);
    const byId = new Map(images.map((image) => [image.id, image]));
    return imageIds.flatMap((id, position) => {
      const image = byId.get(id);
      if (image) image.position = position;
      return image ? [image] : [];
    });
  });
  return ordered.map((image) => toImageDto(image, ctx.deps.storage));
}

/**
 * Removes an image of a managed product (404 if it is not one of the product's) and closes the gap in the positions;
 * its stored files are deleted after the commit, so a failed transaction never leaves a row without its files.
 */
export async function deleteProductImage(ctx: AuthenticatedCtx, productId: string, imageId: string): Promise<void> {
  await findManageableProduct(ctx, productId);
  await inTransaction(ctx, async (tx) => {
    await lockProduct(tx, productId);
    const image = await tx.em.findOne(ProductImage, { id: imageId, productId });
    if (!image) throw new NotFoundError('image');
    await reviewAgainAfterVendorEdit(tx, productId);
    await tx.em.nativeDelete(ProductImage, { id: image.id });
    await closeImageGap(tx, productId, image.position);
    catalogChanged(tx, productId);
    tx.afterCommit(() => discardObjects(ctx, [image.imageKey, image.thumbnailKey], 'image deleted'));
  });
}
