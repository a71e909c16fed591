/**
 * Writes an OpenAPI document with each `allOf` of two or more members merged the way Optic merges it, for the
 * breaking-change gate (scripts/check-breaking.sh). Optic 1.0.9 merges `allOf` itself before it compares, but it reads
 * the whole file again for every property it merges (a source-map lookup per property): with the problem responses'
 * `allOf: [Problem, { code }]` on every operation that made the gate take three minutes of CPU. Merged here first,
 * both documents compare the same and Optic has nothing left to merge.
 *
 * The merge is Optic's (`mergeAllOf` in @useoptic/openapi-io's denormalizeProperty.js), so the comparison is the one
 * Optic would make: members are resolved through their local `$ref`; of a top-level `allOf` only object members (or
 * members with an `allOf` of their own) count; properties go in member order, the first member naming a key wins,
 * `required` keeps the keys required by the member that won; the result sets `type: object`, `properties` and
 * `required` (dropped when empty) over the schema's own keys. A one-member `allOf` is left to Optic: it copies that
 * member without the costly lookup. Only where Optic merges (request and response schemas, walked as Optic walks
 * them); a multi-member `allOf` anywhere else stops the script. Written against Optic 1.0.9: check it again when Optic
 * is upgraded (`npm run test:breaking-gate`).
 *
 * Usage: node scripts/flatten-allof.js <in.json> <out.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: node scripts/flatten-allof.js <in.json> <out.json>');
const document = JSON.parse(readFileSync(input, 'utf8'));

const isObjectType = (type) => type === 'object' || (Array.isArray(type) && type.includes('object'));
const isArrayType = (type) => type === 'array' || (Array.isArray(type) && type.includes('array'));

/** A local reference (`#/components/schemas/Problem`) followed to what it names, through chains of references. */
function resolve(node) {
  let current = node;
  while (current && typeof current === 'object' && typeof current.$ref === 'string') {
    if (!current.$ref.startsWith('#/')) throw new Error(`only local references are supported: ${current.$ref}`);
    current = current.$ref
      .slice(2)
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce((parent, key) => parent?.[key], document);
    if (current === undefined) throw new Error(`unresolved reference ${node.$ref}`);
  }
  return current;
}

function mergeAllOf(members) {
  const merged = { type: 'object', properties: {}, required: [] };
  for (const member of members) {
    const item = member.allOf ? mergeAllOf(member.allOf.map(resolve)) : member;
    for (const [key, property] of Object.entries(item.properties ?? {})) {
      if (merged.properties[key]) continue;
      if (item.required?.includes(key)) merged.required.push(key);
      merged.properties[key] = property;
    }
  }
  if (merged.required.length === 0) delete merged.required;
  return merged;
}

/**
 * Optic's walk of a request or response schema (`denormalizeProperty`): an `allOf` is merged; otherwise an array's
 * `items`, an object's `properties` and the members of `anyOf`/`oneOf` are walked. Schemas behind a reference are
 * flattened where they are defined (Optic inlines them first, so every use sees the same result).
 */
function flatten(schema) {
  const node = resolve(schema);
  if (!node || typeof node !== 'object' || flattened.has(node)) return;
  flattened.add(node);
  const polymorphic = node.allOf ?? node.anyOf ?? node.oneOf;
  if (node.allOf && node.allOf.length > 1) {
    const members = node.allOf.map(resolve).filter((member) => isObjectType(member.type) || member.allOf);
    // A copy: the members' properties may be shared with other schemas, which are flattened on their own.
    Object.assign(node, JSON.parse(JSON.stringify(mergeAllOf(members))));
    delete node.allOf;
    Object.values(node.properties ?? {}).forEach(flatten); // as mergeAllOf walks each property it takes
  } else if (polymorphic) {
    if (!node.allOf) polymorphic.forEach(flatten); // a one-member allOf is copied by Optic, not walked
  } else {
    if (isArrayType(node.type) && node.items) flatten(node.items);
    if (isObjectType(node.type)) Object.values(node.properties ?? {}).forEach(flatten);
  }
}

const flattened = new Set();
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
for (const pathItem of Object.values(document.paths ?? {})) {
  for (const method of METHODS) {
    const operation = pathItem[method];
    if (!operation) continue;
    const bodies = [resolve(operation.requestBody), ...Object.values(operation.responses ?? {}).map(resolve)];
    for (const body of bodies) {
      for (const media of Object.values(body?.content ?? {})) if (media.schema) flatten(media.schema);
    }
  }
}

/** An `allOf` this walk did not reach is one Optic would not merge either: stop rather than compare differently. */
function assertNoneLeft(node, where) {
  if (Array.isArray(node)) return node.forEach((item, index) => assertNoneLeft(item, `${where}/${index}`));
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node.allOf) && node.allOf.length > 1) {
    throw new Error(`${input}: an allOf at ${where} outside the request and response schemas Optic merges`);
  }
  for (const [key, value] of Object.entries(node)) assertNoneLeft(value, `${where}/${key}`);
}
assertNoneLeft(document, '#');

writeFileSync(output, JSON.stringify(document));
