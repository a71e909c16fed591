/** Writes docs/openapi.json from the contract and fails when the result is not valid OpenAPI 3. */
import { writeFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { buildOpenApiDocument, contract } from '../src/index';
import pkg from '../package.json' with { type: 'json' };

const target = new URL('../../docs/openapi.json', import.meta.url);
const document = buildOpenApiDocument(contract, pkg.version);
// validate() dereferences in place, so hand it a copy.
await SwaggerParser.validate(structuredClone(document) as never);
await writeFile(target, `${JSON.stringify(document, null, 2)}\n`);
console.log(
  `wrote ${target.pathname} (${Object.keys(document.paths).length} paths, valid OpenAPI ${document.openapi})`,
);
