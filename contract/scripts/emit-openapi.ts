/**
 * Writes docs/openapi.json from the contract. Fails when the result is not valid OpenAPI 3, when a named schema's
 * example does not parse with the schema itself, or when a request body or success answer has no example.
 */
import { writeFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { API_VERSION, buildOpenApiDocument, contract, namedSchemas } from '../src/index';

const target = new URL('../../docs/openapi.json', import.meta.url);
const document = buildOpenApiDocument(contract, API_VERSION);

const problems: string[] = [];
for (const { title, schema, example } of namedSchemas()) {
  if (example === undefined) continue;
  const parsed = schema.safeParse(example);
  if (!parsed.success) problems.push(`the example of ${title} does not parse: ${parsed.error.message}`);
}

// validate() dereferences in place, so hand it a copy; the dereferenced copy then tells which media have examples.
const dereferenced = (await SwaggerParser.validate(structuredClone(document) as never)) as unknown as typeof document;
type Media = { schema?: { example?: unknown; allOf?: { example?: unknown }[] }; example?: unknown };
const hasExample = (media: Media) =>
  media.example !== undefined ||
  media.schema?.example !== undefined ||
  (media.schema?.allOf ?? []).some((part) => part.example !== undefined);
for (const [path, item] of Object.entries(dereferenced.paths)) {
  for (const [method, operation] of Object.entries(item as Record<string, Record<string, unknown>>)) {
    const body = (operation.requestBody as { content?: Record<string, Media> } | undefined)?.content;
    for (const [type, media] of Object.entries(body ?? {})) {
      if (type === 'application/json' && !hasExample(media))
        problems.push(`${method} ${path}: request body without example`);
    }
    for (const [status, response] of Object.entries(
      operation.responses as Record<string, { content?: Record<string, Media> }>,
    )) {
      const media = response.content?.['application/json'];
      if (status.startsWith('2') && media && !hasExample(media))
        problems.push(`${method} ${path}: ${status} answer without example`);
    }
  }
}
if (problems.length > 0) {
  console.error(`docs/openapi.json not written:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}

// Compact: the document is for tools (the docs page, generators, linters), and it stays under 300 KB that way.
const text = `${JSON.stringify(document)}\n`;
await writeFile(target, text);
console.log(
  `wrote ${target.pathname} (${Object.keys(document.paths).length} paths, ` +
    `${Object.keys(document.components?.schemas ?? {}).length} named schemas, ${Math.round(text.length / 1024)} KB, ` +
    `valid OpenAPI ${document.openapi})`,
);
