import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { resultOf } from '../../src/protocol/responses.ts';
import { Shell } from '../../src/shell/shell.ts';
import {
  type Journal,
  type JournalChunk,
  type JournalEntry,
  StaleLeaderError,
  StoreUnavailableError,
  WriteOutcomeUnknownError,
} from '../../src/store/journal.ts';
import { TokenVerifier } from '../../src/transport/auth.ts';
import { type RunningServer, startServer } from '../../src/transport/ws-server.ts';
import { SECRET, startTestServer, TestClient } from '../helpers/server.ts';

type Answer = { status: number; headers: Headers; body: Record<string, unknown> };

/** POSTs a request over the HTTP API; `body` a value (sent as JSON) or the raw text. */
async function post(base: string, type: string, body: unknown, token: string | null, init: RequestInit = {}): Promise<Answer> {
  const r = await fetch(`${base}/v1/requests/${type}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: JSON.parse(text) };
}

const without = (frame: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(frame).filter(([k]) => k !== key));

describe('HTTP API', () => {
  let server: RunningServer;
  let verifier: TokenVerifier;
  let url: string;
  let base: string;
  const NOW = 1_800_000_000_000;

  beforeAll(async () => {
    // A fixed clock: the same requests on two tenants give the same times in their answers.
    ({ server, verifier, url } = await startTestServer({ messagesPerSecond: '5000', messageBurst: '5000' }, { now: () => NOW }));
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop());

  const token = (tenant: string, role: 'platform' | 'agent' | 'supervisor', sub?: string) => verifier.sign({ tenant, role, ...(sub ? { sub } : {}) }, 600);

  it('answers every request as the WebSocket does, with the status of its code', async () => {
    const ws = await TestClient.connect(`${url}/v1/platform`, await token('same-ws', 'platform'));
    const pt = await token('same-http', 'platform');
    const script: [Record<string, unknown>, number][] = [
      [{ type: 'DefineSkill', skill: 'billing' }, 200],
      [{ type: 'DefineSkill', skill: 'billing' }, 200],
      [{ type: 'UpsertQueue', queue: { id: 'billing', serviceObjective: { percent: 80, thresholdMs: 20_000 } } }, 200],
      [{ type: 'UpsertQueue', queue: { id: 'other', colour: 'red' } }, 400],
      [{ type: 'UpsertAgent', agent: { id: 'a1', skills: { billing: 5 } } }, 200],
      [{ type: 'SetAgentState', agentIds: ['a1'], state: 'available' }, 200],
      [{ type: 'SetAgentState', agentIds: ['nobody'], state: 'available' }, 404],
      [
        { type: 'SubmitInteraction', interaction: { id: 'c1', channel: 'voice', queue: 'billing', skills: { billing: 3 }, context: { caller: '+1 555' } } },
        200,
      ],
      [{ type: 'SubmitInteraction', interaction: { id: 'c1', channel: 'voice', queue: 'billing' } }, 200],
      [{ type: 'SubmitInteraction', interaction: { id: 'c2', channel: 'voice', queue: 'nowhere' } }, 404],
      [{ type: 'SubmitInteraction', interaction: { id: 'c3', channel: 'voice', queue: 'billing', skills: { billing: 3 } } }, 200],
      [{ type: 'SubmitInteraction', interaction: { id: 'c4', channel: 'voice', queue: 'billing', notBefore: NOW + 40 * 24 * 3600_000 } }, 400],
      [{ type: 'GetInteraction', interactionId: 'c1' }, 200],
      [{ type: 'GetInteraction', interactionId: 'c3' }, 200],
      [{ type: 'GetInteraction', interactionId: 'nope' }, 404],
      [{ type: 'GetQueueStats' }, 200],
      [{ type: 'GetQueueStats', queueId: 'nope' }, 404],
      [{ type: 'GetAgent', agentId: 'a1' }, 200],
      [{ type: 'GetAgentSummary' }, 200],
      [{ type: 'GetConfiguration' }, 200],
      [{ type: 'GetConfiguration', cursor: 'zz' }, 400],
      [{ type: 'ExplainInteraction', interactionId: 'c3' }, 200],
      [{ type: 'UpdateInteraction', interactionId: 'c3', priority: 5 }, 200],
      [{ type: 'RemoveQueue', queueId: 'billing' }, 409],
      [{ type: 'RemoveSkill', skill: 'billing' }, 409],
      [{ type: 'CancelInteraction', interactionId: 'c3', reason: 'cancelled' }, 200],
      [{ type: 'CancelInteraction', interactionId: 'c3', reason: 'cancelled' }, 200],
      [{ type: 'CancelInteraction', interactionId: 'c3', reason: 'abandoned' }, 409],
      [{ type: 'GetInteraction', interactionId: 'c3' }, 200],
      [{ type: 'ExplainInteraction', interactionId: 'c3' }, 409],
      [{ type: 'RemoveAgent', agentId: 'a1' }, 409],
      [{ type: 'TransferInteraction', interactionId: 'c1', queue: 'nowhere' }, 404],
    ];
    const statuses = new Set<number>();
    for (const [request, status] of script) {
      const overWs = await ws.request(request);
      const { type, ...fields } = request;
      const overHttp = await post(base, type as string, fields, pt);
      expect({ type, status: overHttp.status }).toEqual({ type, status });
      expect(overHttp.body).toEqual(without(overWs, 're'));
      expect(overHttp.headers.get('content-type')).toBe('application/json');
      if (overHttp.body.ok) expect(resultOf(type as string).safeParse(overHttp.body).error).toBeUndefined();
      statuses.add(status);
    }
    expect([...statuses].sort()).toEqual([200, 400, 404, 409]);
    // Both tenants ended in the same state.
    expect(await post(base, 'GetQueueStats', {}, pt)).toMatchObject({ body: without(await ws.request({ type: 'GetQueueStats' }), 're') });
    ws.close();
  });

  it('carries the body id back as re, as the WebSocket does; a type in the body must be the path’s', async () => {
    const pt = await token('ids', 'platform');
    expect((await post(base, 'GetAgentSummary', { id: 'r-1' }, pt)).body).toMatchObject({ re: 'r-1', ok: true });
    expect((await post(base, 'GetAgentSummary', { id: 7, type: 'GetAgentSummary' }, pt)).body).toMatchObject({ re: 7, ok: true });
    expect((await post(base, 'GetAgent', { id: 8, agentId: 'x' }, pt)).body).toEqual({
      re: 8,
      ok: false,
      code: 'UNKNOWN_AGENT',
      message: "agent 'x' is not defined",
    });
    expect(await post(base, 'GetAgentSummary', { id: -1 }, pt)).toMatchObject({ status: 400, body: { re: null, code: 'VALIDATION_FAILED' } });
    const mismatch = await post(base, 'GetAgentSummary', { type: 'GetQueueStats' }, pt);
    expect(mismatch).toMatchObject({ status: 400, body: { ok: false, code: 'VALIDATION_FAILED' } });
    expect(mismatch.body).not.toHaveProperty('re');
    // An empty body is the request without fields.
    expect(await post(base, 'GetAgentSummary', '', pt)).toMatchObject({ status: 200, body: { ok: true, summary: { agents: 0 } } });
    expect(await post(base, 'GetInteraction', '', pt)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('answers a retried submission duplicate, with the status the first one left', async () => {
    const pt = await token('retry', 'platform');
    await post(base, 'UpsertQueue', { queue: { id: 'q' } }, pt);
    const submit = { interaction: { id: 'once', channel: 'voice', queue: 'q' } };
    expect(await post(base, 'SubmitInteraction', submit, pt)).toMatchObject({ status: 200, body: { ok: true, interactionId: 'once' } });
    const again = await post(base, 'SubmitInteraction', submit, pt);
    expect(again).toMatchObject({ status: 200, body: { ok: true, interactionId: 'once', duplicate: true, status: 'queued' } });
    const stats = await post(base, 'GetQueueStats', { queueId: 'q' }, pt);
    expect(stats.body).toMatchObject({ queues: [{ queueId: 'q', arrived: 1, waiting: 1 }] });
  });

  it('refuses without a valid token (401), for the wrong role (403), an unknown or connection-only type (404)', async () => {
    const noToken = await post(base, 'GetQueueStats', {}, null);
    expect(noToken).toMatchObject({ status: 401, body: { ok: false, code: 'UNAUTHORIZED', message: 'no bearer token' } });
    expect(noToken.headers.get('www-authenticate')).toBe('Bearer');
    const forged = `${(await token('t', 'platform')).slice(0, -4)}AAAA`;
    expect(await post(base, 'GetQueueStats', {}, forged)).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED', message: 'token invalid' } });
    const expired = await verifier.sign({ tenant: 't', role: 'platform' }, -10);
    expect(await post(base, 'GetQueueStats', {}, expired)).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED', message: 'token expired' } });
    // A token in the query string is not read over HTTP.
    const r = await fetch(`${base}/v1/requests/GetQueueStats?access_token=${await token('t', 'platform')}`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(401);

    const supervisor = await token('roles', 'supervisor');
    const agent = await token('roles', 'agent', 'ann');
    const platform = await token('roles', 'platform');
    expect(await post(base, 'SubmitInteraction', { interaction: { id: 'x', channel: 'voice', queue: 'q' } }, supervisor)).toMatchObject({
      status: 403,
      body: { ok: false, code: 'FORBIDDEN', message: 'a supervisor token may not send SubmitInteraction' },
    });
    expect(await post(base, 'GetQueueStats', {}, agent)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await post(base, 'Accept', { offerId: 'o1' }, platform)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    // Supervisors query.
    expect(await post(base, 'GetAgentSummary', {}, supervisor)).toMatchObject({ status: 200, body: { ok: true } });

    expect(await post(base, 'Nonsense', {}, platform)).toMatchObject({ status: 404, body: { ok: false, code: 'UNKNOWN_TYPE' } });
    expect(await post(base, 'Subscribe', { events: true }, platform)).toMatchObject({ status: 404, body: { code: 'UNKNOWN_TYPE' } });
    expect(await post(base, 'Resume', {}, agent)).toMatchObject({ status: 404, body: { code: 'UNKNOWN_TYPE' } });
    // Other methods and paths are not the API.
    expect((await fetch(`${base}/v1/requests/GetQueueStats`, { headers: { authorization: `Bearer ${platform}` } })).status).toBe(404);
    expect((await fetch(`${base}/v1/requests/`, { method: 'POST', headers: { authorization: `Bearer ${platform}` } })).status).toBe(404);
  });

  it('refuses bodies that are not a frame with BAD_FRAME, prototype keys included, as the WebSocket does', async () => {
    const pt = await token('frames', 'platform');
    const ws = await TestClient.connect(`${url}/v1/platform`, pt);
    expect(await post(base, 'GetQueueStats', '{"queueId":', pt)).toMatchObject({
      status: 400,
      body: { ok: false, code: 'BAD_FRAME', message: 'frame is not valid JSON' },
    });
    const proto = await post(base, 'GetQueueStats', '{"__proto__":{"polluted":true}}', pt);
    expect(proto).toMatchObject({ status: 400, body: { ok: false, code: 'BAD_FRAME', message: "forbidden key '__proto__'" } });
    const deep = `{"interaction":{"id":"p","channel":"voice","queue":"q","context":{"a":{"constructor":{"prototype":1}}}}}`;
    expect(await post(base, 'SubmitInteraction', deep, pt)).toMatchObject({ status: 400, body: { code: 'BAD_FRAME', message: "forbidden key 'constructor'" } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const nested = `{"queueId":${'['.repeat(40)}${']'.repeat(40)}}`;
    expect(await post(base, 'GetQueueStats', nested, pt)).toMatchObject({ status: 400, body: { code: 'BAD_FRAME' } });
    const badUtf8 = new Uint8Array([0x7b, 0x22, 0x71, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    expect(await post(base, 'GetQueueStats', null, pt, { body: badUtf8 })).toMatchObject({
      status: 400,
      body: { code: 'BAD_FRAME', message: 'frame is not valid UTF-8' },
    });
    // The same bodies as WebSocket frames get the same refusals.
    for (const raw of ['{"queueId":', '{"__proto__":{"polluted":true}}']) {
      ws.sendRaw(raw);
      await vi.waitFor(() => expect(ws.errors.length).toBeGreaterThan(0));
      const refused = ws.errors.shift()!;
      expect((await post(base, 'GetQueueStats', raw, pt)).body).toEqual(without(refused, 're'));
    }
    expect(await post(base, 'GetQueueStats', '[1,2]', pt)).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: 'a request is an object' },
    });
    expect(await post(base, 'GetQueueStats', '"x"', pt)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(await post(base, 'GetQueueStats', { queueId: 'q', extra: 1 }, pt)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    ws.close();
  });

  it('offers an interaction submitted over HTTP to an agent on a WebSocket, and lets the agent answer over HTTP', async () => {
    const pt = await token('floor', 'platform');
    const at = await token('floor', 'agent', 'ann');
    for (const [type, body] of [
      ['DefineSkill', { skill: 'billing' }],
      ['UpsertQueue', { queue: { id: 'billing' } }],
      ['UpsertAgent', { agent: { id: 'ann', skills: { billing: 7 } } }],
    ] as const)
      expect((await post(base, type, body, pt)).status).toBe(200);
    const desktop = await TestClient.connect(`${url}/v1/agent`, at);
    expect(await post(base, 'SetState', { state: 'available' }, at)).toMatchObject({ status: 200, body: { ok: true } });
    await desktop.nextPush((p) => p.push === 'state' && p.state === 'available');
    const submitted = await post(base, 'SubmitInteraction', { interaction: { id: 'call-1', channel: 'voice', queue: 'billing', skills: { billing: 3 } } }, pt);
    expect(submitted).toMatchObject({ status: 200, body: { ok: true, interactionId: 'call-1' } });
    const offer = await desktop.nextPush((p) => p.push === 'offer');
    expect(offer).toMatchObject({ interactionId: 'call-1', channel: 'voice', queueId: 'billing' });
    expect(await post(base, 'Accept', { offerId: offer.offerId }, at)).toMatchObject({ status: 200, body: { ok: true } });
    await desktop.nextPush((p) => p.push === 'assigned' && p.interactionId === 'call-1');
    expect(await post(base, 'Accept', { offerId: offer.offerId }, at)).toMatchObject({ status: 200, body: { ok: true, duplicate: true } });
    expect((await post(base, 'GetInteraction', { interactionId: 'call-1' }, pt)).body).toMatchObject({ interaction: { status: 'assigned', agentId: 'ann' } });
    // Another agent may not take ann's offer, and finds nothing of its own to complete.
    const bob = await token('floor', 'agent', 'bob');
    expect(await post(base, 'Complete', { interactionId: 'call-1' }, bob)).toMatchObject({ status: 404, body: { code: 'UNKNOWN_AGENT' } });
    expect(await post(base, 'Complete', { interactionId: 'call-1' }, at)).toMatchObject({ status: 200, body: { ok: true } });
    expect(await post(base, 'EndWrapUp', '', at)).toMatchObject({ status: 409, body: { code: 'INVALID_STATE' } });
    desktop.close();
  });

  it('serves the OpenAPI document of docs/openapi.json', async () => {
    const r = await fetch(`${base}/v1/openapi.json`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    const onDisk = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/openapi.json'), 'utf8'));
    expect(await r.json()).toEqual(onDisk);
  });
});

describe('HTTP API limits', () => {
  let server: RunningServer;
  let verifier: TokenVerifier;
  let base: string;

  beforeAll(async () => {
    ({ server, verifier } = await startTestServer({ maxPayloadBytes: '4096', messagesPerSecond: '2', messageBurst: '3' }));
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop());

  it('refuses a body over maxPayloadBytes with 413, declared or streamed, before parsing it', async () => {
    const pt = await verifier.sign({ tenant: 'big', role: 'platform' }, 600);
    const big = JSON.stringify({ queue: { id: 'q', pad: 'x'.repeat(5000) } });
    expect(await post(base, 'UpsertQueue', big, pt)).toMatchObject({ status: 413, body: { ok: false, code: 'BAD_FRAME', message: 'body over 4096 bytes' } });
    // No Content-Length: counted as it comes. (Not JSON at all: it is never parsed.)
    const chunks = ['{"queue":', 'y'.repeat(3000), 'y'.repeat(3000)];
    const stream = new ReadableStream({
      pull(c) {
        const next = chunks.shift();
        if (next === undefined) c.close();
        else c.enqueue(new TextEncoder().encode(next));
      },
    });
    const streamed = await post(base, 'UpsertQueue', null, await verifier.sign({ tenant: 'big', role: 'platform' }, 601), {
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed).toMatchObject({ status: 413, body: { code: 'BAD_FRAME' } });
    // At the limit exactly it is read and judged.
    const pad = 4096 - JSON.stringify({ queueId: '' }).length;
    const atLimit = JSON.stringify({ queueId: 'q'.repeat(pad) });
    expect(atLimit.length).toBe(4096);
    expect(await post(base, 'GetQueueStats', atLimit, await verifier.sign({ tenant: 'big', role: 'platform' }, 602))).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
  });

  it('limits each token to messagesPerSecond with a burst of messageBurst (429 with Retry-After), an agent across its tokens', async () => {
    const a = await verifier.sign({ tenant: 'rate', role: 'platform' }, 600);
    const b = await verifier.sign({ tenant: 'rate', role: 'platform' }, 601);
    for (let i = 0; i < 3; i++) expect((await post(base, 'GetAgentSummary', {}, a)).status).toBe(200);
    const limited = await post(base, 'GetAgentSummary', { id: 4 }, a);
    expect(limited).toMatchObject({ status: 429, body: { ok: false, code: 'RATE_LIMITED', message: 'more than 2 requests per second' } });
    expect(limited.headers.get('retry-after')).toBe('1');
    // Another token has its own bucket.
    expect((await post(base, 'GetAgentSummary', {}, b)).status).toBe(200);
    // One agent's tokens share the agent's bucket.
    const ann1 = await verifier.sign({ tenant: 'rate', role: 'agent', sub: 'ann' }, 600);
    const ann2 = await verifier.sign({ tenant: 'rate', role: 'agent', sub: 'ann' }, 601);
    for (let i = 0; i < 3; i++) expect((await post(base, 'EndWrapUp', {}, ann1)).status).toBe(404);
    expect(await post(base, 'EndWrapUp', {}, ann2)).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    // Tokens come back at messagesPerSecond.
    await new Promise((r) => setTimeout(r, 600));
    expect((await post(base, 'GetAgentSummary', {}, a)).status).toBe(200);
  });
});

/** A journal in memory whose writes can be made to fail or hang. */
class TestJournal implements Journal {
  mode: 'ok' | 'unavailable' | 'unknown' | 'stale' = 'ok';
  hold: Promise<void> | null = null;
  private readonly stored = new Map<string, JournalEntry[]>();
  describe(): string {
    return 'test journal';
  }
  async tenants(): Promise<string[]> {
    return [...this.stored.keys()];
  }
  async open(tenant: string): Promise<{ snapshot: null; entries: AsyncIterable<JournalChunk> }> {
    const list = this.stored.get(tenant) ?? [];
    this.stored.set(tenant, list);
    const copy = [...list];
    return {
      snapshot: null,
      entries: (async function* () {
        if (copy.length > 0) yield { entries: copy, first: 1, last: copy.length };
      })(),
    };
  }
  async fence(): Promise<void> {}
  epoch(): string {
    return '1';
  }
  async fencedOff(): Promise<boolean> {
    return false;
  }
  adopt(): void {}
  async *read(): AsyncIterable<JournalChunk> {}
  async snapshot(): Promise<null> {
    return null;
  }
  async append(tenant: string, first: number, entries: readonly JournalEntry[]): Promise<void> {
    if (this.hold) await this.hold;
    if (this.mode === 'unavailable') throw new StoreUnavailableError('test: the store is down');
    if (this.mode === 'unknown') throw new WriteOutcomeUnknownError('test: no answer');
    if (this.mode === 'stale') throw new StaleLeaderError('test: fenced');
    const list = this.stored.get(tenant)!;
    if (first !== list.length + 1) throw new StoreUnavailableError('test: a hole');
    list.push(...entries);
  }
  async saveSnapshot(): Promise<void> {}
  async close(): Promise<void> {}
}

describe('HTTP API and the store', () => {
  const journal = new TestJournal();
  const verifier = new TokenVerifier(SECRET);
  let ready = true;
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    const loaded = loadConfig({}, ['--port', '0', '--host', '127.0.0.1', '--auth-secret', SECRET, '--log-level', 'silent', '--metrics-port', '-1']);
    if (!loaded.ok) throw new Error(loaded.error);
    const shell = new Shell({ ordering: 'fifo', agentSelection: 'longest-idle', journal });
    server = await startServer(loaded.config, shell, verifier, pino({ level: 'silent' }), undefined, { ready: () => ready });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop());

  const platform = (tenant: string) => verifier.sign({ tenant, role: 'platform' }, 600);

  it('answers 503 with Retry-After for STORE_UNAVAILABLE, OUTCOME_UNKNOWN and STALE_LEADER, as the WebSocket does', async () => {
    for (const [mode, code] of [
      ['unavailable', 'STORE_UNAVAILABLE'],
      ['unknown', 'OUTCOME_UNKNOWN'],
      ['stale', 'STALE_LEADER'],
    ] as const) {
      const pt = await platform(`store-${mode}`);
      journal.mode = 'ok';
      expect(await post(base, 'DefineSkill', { skill: 'a' }, pt)).toMatchObject({ status: 200, body: { ok: true } });
      journal.mode = mode;
      const refused = await post(base, 'DefineSkill', { skill: 'b' }, pt);
      expect(refused).toMatchObject({ status: 503, body: { ok: false, code } });
      expect(refused.headers.get('retry-after')).toBe('1');
      // The tenant refuses meanwhile, queries too (a fenced one for good).
      const after = await post(base, 'GetAgentSummary', {}, pt);
      expect(after).toMatchObject({ status: 503, body: { code: mode === 'stale' ? 'STALE_LEADER' : 'STORE_UNAVAILABLE' } });
      const ws = await TestClient.connect(`ws://127.0.0.1:${server.port}/v1/platform`, pt);
      expect(without(await ws.request({ type: 'GetAgentSummary' }), 're')).toEqual(after.body);
      ws.close();
    }
    journal.mode = 'ok';
    // Rebuilt from the journal, the tenant serves again: what was refused never happened.
    const pt = await platform('store-unavailable');
    await vi.waitFor(async () => expect((await post(base, 'GetConfiguration', {}, pt)).status).toBe(200), { timeout: 5000, interval: 50 });
    expect((await post(base, 'GetConfiguration', {}, pt)).body).toMatchObject({ configuration: { skills: ['a'] } });
  });

  it('answers 503 UNAVAILABLE on a standby', async () => {
    ready = false;
    try {
      const r = await post(base, 'GetAgentSummary', {}, await platform('standby'));
      expect(r).toMatchObject({ status: 503, body: { ok: false, code: 'UNAVAILABLE', message: 'standby: send requests to the leader' } });
    } finally {
      ready = true;
    }
  });

  it('never writes to a response the client aborted, and keeps serving', async () => {
    const errors = vi.spyOn(console, 'error');
    try {
      const pt = await platform('aborts');
      let release = () => {};
      journal.hold = new Promise<void>((r) => {
        release = r;
      });
      const abort = new AbortController();
      const pending = post(base, 'DefineSkill', { skill: 'late' }, pt, { signal: abort.signal });
      await new Promise((r) => setTimeout(r, 50));
      abort.abort();
      await expect(pending).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 50));
      journal.hold = null;
      release();
      // A body that stops halfway, its client gone.
      const half = new AbortController();
      const stalled = new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('{"skill":'));
        },
      });
      const cut = post(base, 'DefineSkill', null, pt, { body: stalled, duplex: 'half', signal: half.signal } as RequestInit);
      await new Promise((r) => setTimeout(r, 50));
      half.abort();
      await expect(cut).rejects.toThrow();
      // The write went through (the answer had nowhere to go), and the server goes on.
      expect((await post(base, 'GetConfiguration', {}, pt)).body).toMatchObject({ ok: true, configuration: { skills: ['late'] } });
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });
});
