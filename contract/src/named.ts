/**
 * Names a zod schema for the OpenAPI document. A named schema becomes `components.schemas[title]` and every use of it a
 * `$ref`, so generated clients in any language get `Product`, not `GetProductResponse`. Its example is shown by the
 * docs page and is checked against the schema itself when the document is emitted (`namedSchemas()`).
 */
import { extendApi } from '@anatine/zod-openapi';
import type { z } from 'zod';

export interface NamedSchema {
  title: string;
  schema: z.ZodTypeAny;
  example: unknown;
}

const registry: NamedSchema[] = [];

/**
 * Gives `schema` an OpenAPI `title` (and an example). Name the schema where it is defined, not where it is used: zod
 * methods such as `.describe()` or `.extend()` return new schemas without the name, which then stay inline.
 */
export function named<T extends z.ZodTypeAny>(title: string, schema: T, example?: z.input<T>): T {
  extendApi(schema, example === undefined ? { title } : { title, example });
  registry.push({ title, schema, example });
  return schema;
}

/** The OpenAPI title of a named schema, if it has one. */
export function titleOf(schema: z.ZodTypeAny): string | undefined {
  return (schema as { metaOpenApi?: { title?: unknown } }).metaOpenApi?.title as string | undefined;
}

/** The example of a named schema, if it has one. */
export function exampleOf(schema: z.ZodTypeAny): unknown {
  return (schema as { metaOpenApi?: { example?: unknown } }).metaOpenApi?.example;
}

/** Every schema named so far, with its example (the emitter checks each example parses). */
export function namedSchemas(): readonly NamedSchema[] {
  return registry;
}
