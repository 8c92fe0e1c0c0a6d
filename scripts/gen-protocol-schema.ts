/**
 * Writes what is generated from the wire schemas (npm run gen:protocol): docs/protocol.schema.json
 * (every request, per role) and docs/openapi.json (the HTTP API). Tests keep both in sync.
 */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../src/protocol/openapi.ts';
import { protocolJsonSchema } from '../src/protocol/schemas.ts';

for (const [name, doc] of [
  ['protocol.schema.json', protocolJsonSchema()],
  ['openapi.json', openApiDocument()],
] as const) {
  const file = new URL(`../docs/${name}`, import.meta.url);
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`wrote ${file.pathname}`);
}
