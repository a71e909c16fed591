/**
 * Image routes of a product. The multipart upload is HTTP, so it is parsed here (route middleware, which runs after the
 * auth guard: nobody gets to stream 10 MB into memory before being authenticated); the rest is images.service.ts.
 */
import { contract } from '@emporium/contract';
import { initServer } from '@ts-rest/express';
import type { RequestHandler } from 'express';
import multer from 'multer';
import { authenticatedCtxFrom } from '../../platform/context';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, type AppError } from '../../platform/errors';
import type { Deps } from '../../platform/deps';
import * as images from './images.service';

const s = initServer();
const routes = contract.api.products;

/** Multer's complaints are the client's: a file over the limit is a 413, anything else a malformed body (400). */
function uploadProblem(error: unknown): AppError {
  if (!(error instanceof multer.MulterError)) {
    // busboy's own errors: a truncated or malformed multipart body, or a client that went away mid-upload.
    return new ValidationError([
      { path: 'body', message: 'is not a complete multipart/form-data body', code: 'malformed_multipart' },
    ]);
  }
  switch (error.code) {
    case 'LIMIT_FILE_SIZE':
      return new PayloadTooLargeError(`The file is larger than ${images.IMAGE_LIMITS.maxBytes / 1024 / 1024} MB.`);
    case 'LIMIT_FILE_COUNT':
      return new ValidationError([
        { path: 'body.file', message: 'takes one file per request', code: 'too_many_files' },
      ]);
    case 'LIMIT_UNEXPECTED_FILE':
    case 'LIMIT_FIELD_COUNT':
      return new ValidationError([
        {
          path: error.field ? `body.${error.field}` : 'body',
          message: 'is not an accepted property (send only the file, as `file`)',
          code: 'unrecognized_keys',
        },
      ]);
    default:
      return new ValidationError([{ path: 'body', message: error.message, code: error.code.toLowerCase() }]);
  }
}

/**
 * Buffers the one file of the upload in memory, up to the size limit (multer stops reading past it). No text fields
 * are accepted. The body is then `{ file }`, which ts-rest validates against ImageUpload like any other body.
 */
function receiveImageFile(): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: images.IMAGE_LIMITS.maxBytes, files: 1, fields: 0 },
  }).single('file');
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      next(new UnsupportedMediaTypeError('Send the image as multipart/form-data, in the field `file`.'));
      return;
    }
    parse(req, res, (error: unknown) => {
      if (error) {
        next(uploadProblem(error));
        return;
      }
      req.body = { file: req.file };
      next();
    });
  };
}

/** The middleware guarantees a memory-stored file once the body has passed validation. */
function uploadedBytes(file: unknown): Buffer {
  if (typeof file === 'object' && file !== null && 'buffer' in file && Buffer.isBuffer(file.buffer)) return file.buffer;
  throw new Error('uploadProductImage ran without its upload middleware');
}

export function createImageRoutes(deps: Deps) {
  return {
    uploadProductImage: s.route(routes.uploadProductImage, {
      middleware: [receiveImageFile()],
      handler: async ({ req, params, file }) => ({
        status: 201,
        body: await images.uploadProductImage(authenticatedCtxFrom(deps, req), params.id, uploadedBytes(file)),
      }),
    }),
    reorderProductImages: s.route(routes.reorderProductImages, async ({ req, params, body }) => ({
      status: 200,
      body: { data: await images.reorderProductImages(authenticatedCtxFrom(deps, req), params.id, body.imageIds) },
    })),
    deleteProductImage: s.route(routes.deleteProductImage, async ({ req, params }) => {
      await images.deleteProductImage(authenticatedCtxFrom(deps, req), params.id, params.imageId);
      return { status: 204, body: undefined };
    }),
  };
}
