/**
 * The HTTP API as an OpenAPI 3.1 document, generated from the same zod schemas that validate
 * requests (schemas.ts) and describe answers (responses.ts): one path per request type, its
 * body and its `ok` answer, the refusals by status (http-status.ts), bearer JWT security. zod's
 * JSON Schema is draft 2020-12, the dialect OpenAPI 3.1 uses. Served at `GET /v1/openapi.json`;
 * docs/openapi.json is a copy (npm run gen:protocol; a test keeps it in sync).
 */
import { EVENT_TYPES } from '../engine/types.ts';
import { z } from 'zod';
import { HTTP_TYPES, httpRolesOf } from './http-requests.ts';
import { HTTP_STATUS, REASONS, WIRE_CODES } from './http-status.ts';
import { AgentLoad, AgentSummary, CommandOk, Configuration, Explanation, InteractionInfo, QueueStats, Refusal, RESULTS } from './responses.ts';
import { AgentRequest, AgentSpec, InteractionSpec, PlatformRequest, QueueSpec, Selector } from './schemas.ts';

type Json = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** Every request type over HTTP, platform's first, then the agent's (a supervisor's are the platform's queries). */
function httpTypes(): string[] {
  return [...new Set([...HTTP_TYPES.platform, ...HTTP_TYPES.supervisor, ...HTTP_TYPES.agent])];
}

/** The wire schema of one request type (the `{id, type, …}` frame). */
function requestSchema(type: string): z.ZodObject {
  const o = [...PlatformRequest.options, ...AgentRequest.options].find((x) => x.shape.type.value === type);
  if (!o) throw new Error(`no request type ${type}`);
  return o as unknown as z.ZodObject;
}

/** Component schemas: shared specs and results, then each type's body and answer. */
function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  const shared: [z.ZodType, string][] = [
    [QueueSpec, 'QueueSpec'],
    [AgentSpec, 'AgentSpec'],
    [InteractionSpec, 'InteractionSpec'],
    [Selector, 'Selector'],
    [Refusal, 'Refusal'],
    [CommandOk, 'CommandOk'],
    [QueueStats, 'QueueStats'],
    [InteractionInfo, 'InteractionInfo'],
    [AgentLoad, 'AgentLoad'],
    [AgentSummary, 'AgentSummary'],
    [Configuration, 'Configuration'],
    [Explanation, 'Explanation'],
  ];
  for (const [schema, id] of shared) registry.add(schema, { id });
  for (const type of httpTypes()) {
    // The body is the request's fields; `id` and `type` may be sent too (a whole WebSocket frame).
    registry.add(requestSchema(type).partial({ id: true, type: true }), { id: `${type}Request` });
    const result = RESULTS[type];
    if (result) registry.add(result, { id: `${type}Ok` });
  }
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' }) as { schemas: Record<string, Json> };
  for (const s of Object.values(schemas)) {
    delete s.$schema;
    delete s.$id;
  }
  return schemas;
}

/** The refusal statuses, each a shared response listing its codes. */
function refusalResponses(): Record<string, Json> {
  const codes = new Map<number, string[]>();
  for (const code of WIRE_CODES) {
    const status = HTTP_STATUS[code] ?? 500;
    codes.set(status, [...(codes.get(status) ?? []), code]);
  }
  codes.set(413, ['BAD_FRAME']);
  const retryAfter = { 'Retry-After': { description: 'Seconds to wait before sending again', schema: { type: 'integer', minimum: 1 } } };
  const out: Record<string, Json> = {};
  for (const status of [...codes.keys()].sort((a, b) => a - b)) {
    const list = (codes.get(status) ?? []).map((c) => `\`${c}\``).join(', ');
    const more =
      status === 413
        ? ' (the body is over `maxPayloadBytes`; it is not read)'
        : status === 401
          ? ' (no bearer token, or one that does not verify)'
          : status === 403
            ? ' (`FORBIDDEN`: a request type this role may not send)'
            : '';
    out[String(status)] = {
      description: `${REASONS[status]}: ${list}${more}`,
      ...(status === 429 || status === 503 ? { headers: retryAfter } : {}),
      ...(status === 401 ? { headers: { 'WWW-Authenticate': { schema: { type: 'string', const: 'Bearer' } } } } : {}),
      content: { 'application/json': { schema: ref('Refusal') } },
    };
  }
  return out;
}

function operation(type: string, schemas: Record<string, Json>, refusals: Record<string, Json>): Json {
  const roles = httpRolesOf(type);
  const body = schemas[`${type}Request`];
  const required = Array.isArray(body.required) && body.required.length > 0;
  return {
    operationId: type,
    tags: roles,
    summary: type,
    description: `Sent by: ${roles.join(', ')}. The same request as the WebSocket frame \`{"type": "${type}", …}\` (docs/protocol.md), answered with the same JSON.${required ? '' : ' The body may be empty.'}`,
    security: [{ bearer: [] }],
    requestBody: { required, content: { 'application/json': { schema: ref(`${type}Request`) } } },
    responses: {
      '200': {
        description: 'Done (a retry of a request that took effect answers `duplicate: true`)',
        content: { 'application/json': { schema: ref(RESULTS[type] ? `${type}Ok` : 'CommandOk') } },
      },
      ...Object.fromEntries(Object.keys(refusals).map((status) => [status, { $ref: `#/components/responses/${status}` }])),
    },
  };
}

/** GET /v1/events: a page of the tenant's event feed (docs/protocol.md, The event feed). */
function eventsOperation(refusals: Record<string, Json>): Json {
  const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum });
  const list = (items: Json) => ({ type: 'string', description: 'comma-separated', 'x-items': items });
  return {
    operationId: 'events',
    tags: ['platform', 'supervisor'],
    summary: 'The event feed, page by page',
    description:
      'Events after `after` (default: from the oldest kept), at most `limit`, each with its `seq`; with `wait`, waits up to that many seconds for one when there is none yet. Poll again with `after: next`. A cursor older than what is kept is 410 `EVENTS_EXPIRED` with `oldest`.',
    security: [{ bearer: [] }],
    parameters: [
      { name: 'after', in: 'query', schema: int(0, Number.MAX_SAFE_INTEGER) },
      { name: 'limit', in: 'query', schema: { ...int(1, 1000), default: 100 } },
      { name: 'wait', in: 'query', description: 'seconds', schema: { ...int(0, 30), default: 0 } },
      { name: 'types', in: 'query', schema: list({ enum: [...EVENT_TYPES] }) },
      { name: 'queues', in: 'query', schema: list({ type: 'string' }) },
    ],
    responses: {
      '200': {
        description: 'A page: `next` is the cursor to poll from, `last` the last event numbered',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['ok', 'events', 'next', 'last'],
              properties: {
                ok: { const: true },
                events: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['seq', 'type', 'at'],
                    properties: { seq: { type: 'integer' }, type: { enum: [...EVENT_TYPES] }, at: { type: 'number' } },
                  },
                },
                next: { type: 'integer' },
                last: { type: 'integer' },
              },
            },
          },
        },
      },
      ...Object.fromEntries(Object.keys(refusals).map((status) => [status, { $ref: `#/components/responses/${status}` }])),
    },
  };
}

/** GET /v1/status: where this server stands, and the caller's tenant on it (docs/protocol.md, HTTP API). */
function statusOperation(refusals: Record<string, Json>): Json {
  const int = { type: 'integer', minimum: 0 };
  const object = (properties: Record<string, Json>) => ({ type: 'object', required: Object.keys(properties), properties });
  return {
    operationId: 'status',
    tags: ['platform', 'supervisor'],
    summary: "This server's role and readiness, and the caller's tenant on it",
    description:
      "Answered by a standby and while stopping too (every other route refuses both with 503): `role` says which it is. `standbyLagMs`: on a standby, the time since it last caught up with the journal, else null. `tenants`: how many tenants this server holds. `tenant`: the token's tenant here: its durability state (`absent` when this server holds nothing of it), its last journal entry and snapshot, its event feed and connections.",
    security: [{ bearer: [] }],
    responses: {
      '200': {
        description: 'The status',
        content: {
          'application/json': {
            schema: object({
              ok: { const: true },
              ready: { type: 'boolean' },
              role: { enum: ['leader', 'standby', 'stopping'] },
              store: { enum: ['memory', 'redis'] },
              uptimeMs: int,
              tenants: int,
              standbyLagMs: { type: ['integer', 'null'], minimum: 0 },
              tenant: object({
                id: { type: 'string' },
                state: { type: 'string' },
                journaled: int,
                snapshotAt: int,
                events: object({ last: int, oldest: int, live: int, catchingUp: int, polling: int, lag: int }),
                connections: int,
              }),
            }),
          },
        },
      },
      ...Object.fromEntries(
        ['401', '403', '429'].filter((status) => status in refusals).map((status) => [status, { $ref: `#/components/responses/${status}` }]),
      ),
    },
  };
}

export function openApiDocument(): Json {
  const schemas = componentSchemas();
  const refusals = refusalResponses();
  const paths: Record<string, Json> = {};
  for (const type of httpTypes()) paths[`/v1/requests/${type}`] = { post: operation(type, schemas, refusals) };
  paths['/v1/events'] = { get: eventsOperation(refusals) };
  paths['/v1/status'] = { get: statusOperation(refusals) };
  paths['/v1/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      security: [],
      responses: { '200': { description: 'The OpenAPI document of the HTTP API', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard HTTP API',
      version: '1',
      description:
        'Every request of the WebSocket protocol but `Subscribe` and `Resume`, as `POST /v1/requests/<Type>` with its fields as the JSON body, on the same port, with the same tokens, roles, tenants, schemas, limits and codes (docs/protocol.md, HTTP API). The answer is the WebSocket answer: `{ok: true, …}` with 200, or `{ok: false, code, message}` with the status of its code.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [
      { name: 'platform', description: 'Platform tokens: configuration, interactions, queries' },
      { name: 'supervisor', description: 'Supervisor tokens: the queries' },
      { name: 'agent', description: 'Agent tokens: the agent in the token acts on its own offers and work' },
    ],
    paths,
    components: {
      schemas,
      responses: refusals,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'HS256 JWT with tenant, role, exp (and sub for agents)' },
      },
    },
    security: [{ bearer: [] }],
  };
}
