import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTION_ONLY, HTTP_TYPES } from '../../src/protocol/http-requests.ts';
import { openApiDocument } from '../../src/protocol/openapi.ts';
import { AgentRequest, PlatformRequest } from '../../src/protocol/schemas.ts';

type Json = Record<string, unknown>;
const doc = openApiDocument() as Json & { paths: Record<string, Json>; components: { schemas: Record<string, Json>; responses: Record<string, Json> } };

/** Every `$ref` in a JSON value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  return out;
}

describe('docs/openapi.json', () => {
  it('is generated from the zod schemas (regenerate with npm run gen:protocol)', () => {
    const onDisk = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/openapi.json'), 'utf8'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('is OpenAPI 3.1 with a path per request type over HTTP, and none for the connection-only ones', () => {
    expect(doc.openapi).toBe('3.1.0');
    const types = [...PlatformRequest.options, ...AgentRequest.options].map((o) => o.shape.type.value).filter((t) => !CONNECTION_ONLY.has(t));
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set(types.map((t) => `/v1/requests/${t}`)), '/v1/openapi.json', '/v1/events', '/v1/status'].sort());
    expect(HTTP_TYPES.supervisor).not.toContain('Subscribe');
    expect(HTTP_TYPES.agent).not.toContain('Resume');
    expect(HTTP_TYPES.agent).toEqual(['SetState', 'Accept', 'Reject', 'Complete', 'EndWrapUp']);
    for (const t of types) {
      const op = doc.paths[`/v1/requests/${t}`].post as Json & { security: unknown; responses: Json };
      expect(op.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(op.responses)).toEqual(['200', ...Object.keys(doc.components.responses)]);
    }
    expect(Object.keys(doc.components.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '404', '409', '413', '429', '500', '503']));
    expect(doc.components).toMatchObject({ securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } });
  });

  it('resolves every $ref inside itself', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(50);
    for (const r of new Set(all)) {
      const [, section, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(r) ?? [];
      expect(section ? doc.components[section as 'schemas' | 'responses'][name] : undefined, r).toBeDefined();
    }
  });

  it('describes a body as the request without id and type, strictly', () => {
    const submit = doc.components.schemas.SubmitInteractionRequest as Json & { required: string[]; properties: Json };
    expect(submit.required).toEqual(['interaction']);
    expect(submit.additionalProperties).toBe(false);
    expect(submit.properties.interaction).toEqual({ $ref: '#/components/schemas/InteractionSpec' });
    expect(doc.components.schemas.GetAgentSummaryRequest.required).toBeUndefined();
  });
});
