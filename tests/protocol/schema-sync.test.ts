import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { protocolJsonSchema } from '../../src/protocol/schemas.ts';

describe('docs/protocol.schema.json', () => {
  it('is generated from the zod schemas (regenerate with npm run gen:protocol)', () => {
    const onDisk = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/protocol.schema.json'), 'utf8'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(protocolJsonSchema())));
  });
});
