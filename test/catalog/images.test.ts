import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { crc32 } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveProduct, createCategory, createProduct, getMyProduct, getProduct, submitProduct } from '@emporium/sdk';
import sharp from 'sharp';
import { startS3Server, type FakeS3 } from '../support/s3-server';
import { startTestServer, type TestServer } from '../support/server';
import { ADMIN, ADMIN_ENV, makeUser, signIn, type SignedInUser } from '../support/users';

const IMMUTABLE = 'public, max-age=31536000, immutable';

// ------------------------------------------------------------------------------------------------------- images

const red = { r: 200, g: 30, b: 30 };
const canvas = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: red } });
const png = (width: number, height: number) => canvas(width, height).png().toBuffer();
const jpeg = (width: number, height: number) => canvas(width, height).jpeg().toBuffer();
const webp = (width: number, height: number) => canvas(width, height).webp().toBuffer();

/** A JPEG carrying what an upload must not leak: camera EXIF, a GPS position, and an orientation to apply. */
function jpegFromCamera(width: number, height: number, orientation: number): Promise<Buffer> {
  return canvas(width, height)
    .jpeg()
    .withExif({
      IFD0: { Artist: 'Jane Photographer', Model: 'Camera X' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' },
    })
    .withMetadata({ orientation })
    .toBuffer();
}

/** A 1x1 PNG whose header claims `width` x `height`: a few bytes that would decode to gigabytes of pixels. */
async function pngBomb(width: number, height: number): Promise<Buffer> {
  const bytes = Buffer.from(await png(1, 1));
  // Signature (8), IHDR length (4), 'IHDR' (4), then width and height; the chunk's CRC covers type and data.
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29);
  return bytes;
}

// ------------------------------------------------------------------------------------------------------- setup

let server: TestServer;
let mediaDir: string;
let vendor: SignedInUser;
let otherVendor: SignedInUser;
let customer: SignedInUser;
let admin: SignedInUser;
let categoryId: string;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'emporium-media-'));
  server = await startTestServer({ env: { ...ADMIN_ENV, MEDIA_DIR: mediaDir } });
  admin = await signIn(server, ADMIN.email, ADMIN.password);
  [vendor, otherVendor, customer] = await Promise.all([
    makeUser(server, 'vendor'),
    makeUser(server, 'vendor'),
    makeUser(server, 'customer'),
  ]);
  const category = await createCategory({ client: server.clientFor(admin.accessToken), body: { name: 'Posters' } });
  categoryId = category.data!.id;
});
afterAll(async () => {
  await server?.close();
  await rm(mediaDir, { recursive: true, force: true });
});

async function newProduct(
  owner: SignedInUser = vendor,
  target: TestServer = server,
  category = categoryId,
): Promise<string> {
  const sku = `SKU-${randomBytes(4).toString('hex')}`;
  const { data, error } = await createProduct({
    client: target.clientFor(owner.accessToken),
    body: {
      name: `Poster ${sku}`,
      categoryId: category,
      variants: [{ sku, price: { amount: 1000, currency: 'USD' }, stock: 5 }],
    },
  });
  if (!data) throw new Error(`createProduct failed: ${JSON.stringify(error)}`);
  return data.id;
}

function upload(
  productId: string,
  bytes: Buffer,
  filename = 'photo.png',
  user: SignedInUser = vendor,
  target: TestServer = server,
) {
  return request(target.app)
    .post(`/api/products/${productId}/images`)
    .set('Authorization', `Bearer ${user.accessToken}`)
    .attach('file', bytes, filename);
}

/** Every file under the storage root, relative to it. */
async function storedFiles(): Promise<string[]> {
  const entries = await readdir(mediaDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(mediaDir, join(entry.parentPath, entry.name)))
    .sort();
}

async function imageRowCount(productId: string): Promise<number> {
  const [row] = await server.deps.orm.em
    .fork()
    .execute<{ count: number }[]>('select count(*)::int as count from product_images where product_id = ?', [
      productId,
    ]);
  return row!.count;
}

/** GETs a /media URL of the app in-process, as binary. */
function fetchMedia(url: string) {
  return request(server.app)
    .get(new URL(url).pathname)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

/** Runs a refused upload and checks that it left nothing behind: no file under the storage root, no row. */
async function expectRefusedWithoutTrace(productId: string, send: () => request.Test, status: number, code: string) {
  const filesBefore = await storedFiles();
  const response = await send();
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body.code).toBe(code);
  expect(await storedFiles()).toEqual(filesBefore);
  expect(await imageRowCount(productId)).toBe(0);
  return response;
}

// ------------------------------------------------------------------------------------------------------- upload

describe('POST /api/products/:id/images', () => {
  it.each([
    ['JPEG', jpeg, 'photo.jpg'],
    ['PNG', png, 'photo.png'],
    ['WebP', webp, 'photo.webp'],
  ] as const)(
    'stores a %s as a re-encoded WebP with a 320 px thumbnail, served immutable',
    async (_name, make, filename) => {
      const productId = await newProduct();
      const response = await upload(productId, await make(640, 480), filename);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ width: 640, height: 480, position: 0 });
      expect(response.body.url).toBe(`${server.baseUrl}/media/products/${productId}/${response.body.id}.webp`);
      expect(response.body.thumbnailUrl).toBe(
        `${server.baseUrl}/media/products/${productId}/${response.body.id}-thumb.webp`,
      );

      const image = await fetchMedia(response.body.url);
      expect(image.status).toBe(200);
      expect(image.headers['content-type']).toBe('image/webp');
      expect(image.headers['cache-control']).toBe(IMMUTABLE);
      expect(image.headers['x-content-type-options']).toBe('nosniff');
      expect(await sharp(image.body as Buffer).metadata()).toMatchObject({ format: 'webp', width: 640, height: 480 });

      const thumbnail = await fetchMedia(response.body.thumbnailUrl);
      expect(thumbnail.status).toBe(200);
      expect(await sharp(thumbnail.body as Buffer).metadata()).toMatchObject({
        format: 'webp',
        width: 320,
        height: 240,
      });

      expect(await storedFiles()).toEqual(
        expect.arrayContaining([
          `products/${productId}/${response.body.id}.webp`,
          `products/${productId}/${response.body.id}-thumb.webp`,
        ]),
      );
      expect(await imageRowCount(productId)).toBe(1);
    },
  );

  it('turns a photo upright by its EXIF orientation and strips EXIF, GPS and XMP', async () => {
    const photo = await jpegFromCamera(600, 400, 6);
    const original = await sharp(photo).metadata();
    expect(original).toMatchObject({ orientation: 6, width: 600, height: 400 });
    expect(original.exif?.toString('latin1')).toContain('Jane Photographer');

    const productId = await newProduct();
    const response = await upload(productId, photo, 'IMG_0001.jpg');
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ width: 400, height: 600 });
    const stored = await fetchMedia(response.body.url);
    const metadata = await sharp(stored.body as Buffer).metadata();
    expect(metadata).toMatchObject({ format: 'webp', width: 400, height: 600 });
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(metadata.orientation).toBeUndefined();
    expect((stored.body as Buffer).includes('Jane Photographer')).toBe(false);
  });

  it('caps the stored image at 2000 px on its longest side, keeping the aspect ratio', async () => {
    const productId = await newProduct();
    const response = await upload(productId, await png(3000, 1500));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ width: 2000, height: 1000 });
    const thumbnail = await fetchMedia(response.body.thumbnailUrl);
    expect(await sharp(thumbnail.body as Buffer).metadata()).toMatchObject({ width: 320, height: 160 });
  });

  it('answers 415 for a text file named hello.png, and stores nothing', async () => {
    const productId = await newProduct();
    const response = await expectRefusedWithoutTrace(
      productId,
      () => upload(productId, Buffer.from('hello, I am not an image\n'), 'hello.png'),
      415,
      'unsupported_media_type',
    );
    expect(response.body.status).toBe(415);
  });

  it('answers 415 for images of other types (SVG, GIF) and for a JPEG whose data is cut off', async () => {
    const productId = await newProduct();
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    const gif = await canvas(10, 10).gif().toBuffer();
    // Noise does not compress, so the cut takes away most of the scan data rather than only the end marker.
    const noisy = await sharp(randomBytes(400 * 300 * 3), { raw: { width: 400, height: 300, channels: 3 } })
      .jpeg()
      .toBuffer();
    for (const [bytes, name] of [
      [svg, 'logo.png'],
      [gif, 'anim.gif'],
      [noisy.subarray(0, Math.floor(noisy.length / 2)), 'cut.jpg'],
    ] as const) {
      await expectRefusedWithoutTrace(productId, () => upload(productId, bytes, name), 415, 'unsupported_media_type');
    }
  });

  it('answers 413 for a file over 10 MB, and stores nothing', async () => {
    const productId = await newProduct();
    const oversized = Buffer.concat([await png(16, 16), Buffer.alloc(10 * 1024 * 1024)]);
    await expectRefusedWithoutTrace(
      productId,
      () => upload(productId, oversized, 'huge.png'),
      413,
      'payload_too_large',
    );
  });

  it('answers 422 for a decompression bomb (a tiny PNG declaring 20000x20000) without decoding it, and stores nothing', async () => {
    const bomb = await pngBomb(20_000, 20_000);
    expect(bomb.length).toBeLessThan(100);
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({
      format: 'png',
      width: 20_000,
      height: 20_000,
    });
    const productId = await newProduct();
    // 422 comes only from the header check: had the (bogus) pixel data been decoded, it would have failed as a 415.
    const response = await expectRefusedWithoutTrace(
      productId,
      () => upload(productId, bomb, 'bomb.png'),
      422,
      'image_too_large',
    );
    expect(response.body.detail).toContain('20000x20000');
  });

  it('answers 400 for a request without a file, with a text field, or with two files; 415 for a JSON body', async () => {
    const productId = await newProduct();
    const image = await png(8, 8);
    const post = () =>
      request(server.app)
        .post(`/api/products/${productId}/images`)
        .set('Authorization', `Bearer ${vendor.accessToken}`);
    const noFile = await expectRefusedWithoutTrace(
      productId,
      () => post().field('note', 'x').attach('other', image, 'a.png'),
      400,
      'validation_failed',
    );
    expect(noFile.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'unrecognized_keys' })]),
    );
    await expectRefusedWithoutTrace(
      productId,
      () => post().attach('file', image, 'a.png').field('vendorId', 'x'),
      400,
      'validation_failed',
    );
    await expectRefusedWithoutTrace(
      productId,
      () => post().attach('file', image, 'a.png').attach('file', image, 'b.png'),
      400,
      'validation_failed',
    );
    const empty = await expectRefusedWithoutTrace(
      productId,
      () => post().set('Content-Type', 'multipart/form-data; boundary=xyz').send('--xyz--\r\n'),
      400,
      'validation_failed',
    );
    expect(empty.body.errors).toEqual([expect.objectContaining({ path: 'body.file' })]);
    await expectRefusedWithoutTrace(productId, () => post().send({ file: 'aGVsbG8=' }), 415, 'unsupported_media_type');
  });

  it('answers 404 to another vendor and 403 to a customer, and stores nothing', async () => {
    const productId = await newProduct();
    const image = await png(8, 8);
    await expectRefusedWithoutTrace(productId, () => upload(productId, image, 'a.png', otherVendor), 404, 'not_found');
    await expectRefusedWithoutTrace(productId, () => upload(productId, image, 'a.png', customer), 403, 'forbidden');
    const anonymous = await request(server.app)
      .post(`/api/products/${productId}/images`)
      .attach('file', image, 'a.png');
    expect(anonymous.status).toBe(401);
  });

  it("lets an admin add an image to any vendor's product", async () => {
    const productId = await newProduct();
    const response = await upload(productId, await png(8, 8), 'a.png', admin);
    expect(response.status).toBe(201);
  });

  it('answers 409 too_many_images past 20, also when two uploads race for the last place (the loser stores nothing)', async () => {
    const productId = await newProduct();
    const image = await png(32, 32);
    for (let index = 0; index < 19; index += 1) expect((await upload(productId, image)).status).toBe(201);
    const racing = await Promise.all([upload(productId, image), upload(productId, image)]);
    expect(racing.map((response) => response.status).sort()).toEqual([201, 409]);
    expect(await imageRowCount(productId)).toBe(20);

    const twentyFirst = await upload(productId, image);
    expect(twentyFirst.status).toBe(409);
    expect(twentyFirst.body.code).toBe('too_many_images');
    expect((await storedFiles()).filter((file) => file.startsWith(`products/${productId}/`))).toHaveLength(40);
    const product = await getMyProduct({ client: server.clientFor(vendor.accessToken), path: { id: productId } });
    expect(product.data!.images.map((each) => each.position)).toEqual([...Array(20).keys()]);
  });

  it("shows an admin's new image on the public (cached) product at once", async () => {
    const productId = await newProduct();
    await submitProduct({ client: server.clientFor(vendor.accessToken), path: { id: productId } });
    await approveProduct({ client: server.clientFor(admin.accessToken), path: { id: productId } });
    expect((await getProduct({ client: server.client, path: { id: productId } })).data!.images).toEqual([]);
    const uploaded = await upload(productId, await png(8, 8), 'photo.png', admin);
    const product = await getProduct({ client: server.client, path: { id: productId } });
    expect(product.data!.images).toEqual([uploaded.body]);
  });

  it('sends a published product back to review when its vendor changes its images', async () => {
    const productId = await newProduct();
    await submitProduct({ client: server.clientFor(vendor.accessToken), path: { id: productId } });
    await approveProduct({ client: server.clientFor(admin.accessToken), path: { id: productId } });
    expect((await upload(productId, await png(8, 8))).status).toBe(201);
    expect((await getProduct({ client: server.client, path: { id: productId } })).response?.status).toBe(404);
    expect(
      (await getMyProduct({ client: server.clientFor(vendor.accessToken), path: { id: productId } })).data?.status,
    ).toBe('pending_review');
  });
});

// ------------------------------------------------------------------------------------------------------- reorder

async function productWithImages(count: number): Promise<{ productId: string; imageIds: string[] }> {
  const productId = await newProduct();
  const imageIds: string[] = [];
  for (let index = 0; index < count; index += 1)
    imageIds.push((await upload(productId, await png(8 + index, 8))).body.id);
  return { productId, imageIds };
}

function reorder(productId: string, imageIds: string[], user: SignedInUser = vendor) {
  return request(server.app)
    .put(`/api/products/${productId}/images`)
    .set('Authorization', `Bearer ${user.accessToken}`)
    .send({ imageIds });
}

describe('PUT /api/products/:id/images', () => {
  it('puts the images in the given order; the first becomes the cover', async () => {
    const { productId, imageIds } = await productWithImages(3);
    const reversed = [...imageIds].reverse();
    const response = await reorder(productId, reversed);
    expect(response.status).toBe(200);
    const data = response.body.data as { id: string; position: number }[];
    expect(data.map((image) => [image.id, image.position])).toEqual(reversed.map((id, position) => [id, position]));
    const product = await getMyProduct({ client: server.clientFor(vendor.accessToken), path: { id: productId } });
    expect(product.data!.images.map((image) => image.id)).toEqual(reversed);
  });

  it("answers 400 unless the list names each of the product's images exactly once", async () => {
    const { productId, imageIds } = await productWithImages(2);
    const { imageIds: foreign } = await productWithImages(1);
    const [first, second] = imageIds as [string, string];
    for (const wrong of [[first], [first, first], [first, second, foreign[0]!], [first, foreign[0]!], []]) {
      const response = await reorder(productId, wrong);
      expect(response.status, JSON.stringify(wrong)).toBe(400);
      expect(response.body.code).toBe('validation_failed');
    }
    const product = await getMyProduct({ client: server.clientFor(vendor.accessToken), path: { id: productId } });
    expect(product.data!.images.map((image) => image.id)).toEqual(imageIds);
  });

  it('answers 404 to another vendor and 403 to a customer', async () => {
    const { productId, imageIds } = await productWithImages(2);
    const reversed = [...imageIds].reverse();
    expect((await reorder(productId, reversed, otherVendor)).status).toBe(404);
    expect((await reorder(productId, reversed, customer)).status).toBe(403);
    const product = await getMyProduct({ client: server.clientFor(vendor.accessToken), path: { id: productId } });
    expect(product.data!.images.map((image) => image.id)).toEqual(imageIds);
  });
});

// ------------------------------------------------------------------------------------------------------- delete

function remove(productId: string, imageId: string, user: SignedInUser = vendor, target: TestServer = server) {
  return request(target.app)
    .delete(`/api/products/${productId}/images/${imageId}`)
    .set('Authorization', `Bearer ${user.accessToken}`);
}

describe('DELETE /api/products/:id/images/:imageId', () => {
  it('removes the row and both stored files, and closes the gap in the positions', async () => {
    const { productId, imageIds } = await productWithImages(3);
    const [first, middle, last] = imageIds as [string, string, string];
    const response = await remove(productId, middle);
    expect(response.status).toBe(204);
    const files = (await storedFiles()).filter((file) => file.startsWith(`products/${productId}/`));
    expect(files).toEqual(
      [first, last]
        .flatMap((id) => [`products/${productId}/${id}-thumb.webp`, `products/${productId}/${id}.webp`])
        .sort(),
    );
    const product = await getMyProduct({ client: server.clientFor(vendor.accessToken), path: { id: productId } });
    expect(product.data!.images.map((image) => [image.id, image.position])).toEqual([
      [first, 0],
      [last, 1],
    ]);
    expect((await fetchMedia(`${server.baseUrl}/media/products/${productId}/${middle}.webp`)).status).toBe(404);
    // The next upload goes after the last one.
    expect((await upload(productId, await png(8, 8))).body.position).toBe(2);
  });

  it('answers 404 to another vendor, for an unknown image or one of another product, and 403 to a customer', async () => {
    const { productId, imageIds } = await productWithImages(1);
    const { productId: otherProductId } = await productWithImages(1);
    const imageId = imageIds[0]!;
    expect((await remove(productId, imageId, otherVendor)).status).toBe(404);
    expect((await remove(productId, imageId, customer)).status).toBe(403);
    expect((await remove(otherProductId, imageId)).status).toBe(404);
    expect((await remove(productId, '0190a4c5-0000-7000-8000-000000000000')).status).toBe(404);
    expect(await imageRowCount(productId)).toBe(1);
    expect((await storedFiles()).filter((file) => file.startsWith(`products/${productId}/`))).toHaveLength(2);
  });
});

// ------------------------------------------------------------------------------------------------------- serving

describe('GET /media', () => {
  it('serves files only: no directory listing, no dotfiles, no escaping the root (404 problems)', async () => {
    const { productId } = await productWithImages(1);
    for (const path of [
      `/media/products/${productId}/`,
      '/media/products',
      '/media/.env',
      '/media/%2e%2e/package.json',
    ]) {
      const response = await request(server.app).get(path);
      expect(response.status, path).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});

// ------------------------------------------------------------------------------------------------------- S3

describe('with S3 storage (S3_BUCKET set)', () => {
  let s3: FakeS3;
  let s3Server: TestServer;
  let s3Vendor: SignedInUser;
  let s3Category: string;

  beforeAll(async () => {
    s3 = await startS3Server('emporium-media');
    s3Server = await startTestServer({
      env: {
        ...ADMIN_ENV,
        S3_BUCKET: s3.bucket,
        S3_REGION: 'eu-west-1',
        S3_ENDPOINT: s3.endpoint,
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: 'AKIATESTKEY',
        S3_SECRET_ACCESS_KEY: 'test-secret',
        S3_PUBLIC_URL: `${s3.endpoint}/${s3.bucket}/`,
      },
    });
    s3Vendor = await makeUser(s3Server, 'vendor');
    const s3Admin = await signIn(s3Server, ADMIN.email, ADMIN.password);
    s3Category = (await createCategory({ client: s3Server.clientFor(s3Admin.accessToken), body: { name: 'Prints' } }))
      .data!.id;
  });
  afterAll(async () => {
    await s3Server?.close();
    await s3?.close();
  });

  it('PUTs both objects with their type and cache policy, serves them from S3_PUBLIC_URL, and deletes them', async () => {
    const productId = await newProduct(s3Vendor, s3Server, s3Category);
    const response = await upload(productId, await jpeg(800, 600), 'photo.jpg', s3Vendor, s3Server);
    expect(response.status).toBe(201);
    const imageKey = `products/${productId}/${response.body.id}.webp`;
    const thumbnailKey = `products/${productId}/${response.body.id}-thumb.webp`;
    expect(response.body.url).toBe(`${s3.endpoint}/${s3.bucket}/${imageKey}`);
    expect(response.body.thumbnailUrl).toBe(`${s3.endpoint}/${s3.bucket}/${thumbnailKey}`);

    expect([...s3.objects.keys()].sort()).toEqual([thumbnailKey, imageKey].sort());
    for (const key of [imageKey, thumbnailKey]) {
      const object = s3.objects.get(key)!;
      expect(object.contentType).toBe('image/webp');
      expect(object.cacheControl).toBe(IMMUTABLE);
      expect((await sharp(object.body).metadata()).format).toBe('webp');
    }
    const puts = s3.requests.filter((each) => each.method === 'PUT');
    expect(puts).toHaveLength(2);
    for (const put of puts)
      expect(put.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIATESTKEY\/\d{8}\/eu-west-1\/s3\/aws4_request/);

    const served = await fetch(response.body.url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('cache-control')).toBe(IMMUTABLE);
    // The app does not serve media itself when it is in a bucket.
    expect((await request(s3Server.app).get(`/media/${imageKey}`)).status).toBe(404);

    const deleted = await remove(productId, response.body.id, s3Vendor, s3Server);
    expect(deleted.status).toBe(204);
    expect(s3.objects.size).toBe(0);
    expect(
      s3.requests.some((each) => each.method === 'POST' && new URL(each.url, s3.endpoint).searchParams.has('delete')),
    ).toBe(true);
  });

  it('PUTs nothing for a refused upload', async () => {
    const productId = await newProduct(s3Vendor, s3Server, s3Category);
    const before = s3.requests.length;
    const response = await upload(productId, await pngBomb(20_000, 20_000), 'bomb.png', s3Vendor, s3Server);
    expect(response.status).toBe(422);
    expect(s3.requests.slice(before)).toEqual([]);
  });
});
