/** Writes docs/protocol.schema.json from the wire schemas (npm run gen:protocol). */
import { writeFileSync } from 'node:fs';
import { protocolJsonSchema } from '../src/protocol/schemas.ts';

const file = new URL('../docs/protocol.schema.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
