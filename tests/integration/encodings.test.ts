import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeFrame, SUBPROTOCOLS, type Encoding } from '../../src/protocol/codec.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer } from '../helpers/server.ts';
import { strictDecode } from '../helpers/strict-msgpack.ts';

/**
 * The two encodings carry the same messages: over a real socket, a frame is refused or accepted
 * alike in JSON and MessagePack, and every frame the server sends decodes with a strict decoder
 * (no extension types) to the same fields JSON carries.
 */
let server: RunningServer;
let verifier: TokenVerifier;
let url: string;
const sockets: WireClient[] = [];

beforeAll(async () => {
  ({ server, verifier, url } = await startTestServer({ messageBurst: '1000', messagesPerSecond: '1000', maxViolations: '1000' }));
});
afterAll(() => {
  for (const c of sockets) c.ws.close();
  server.stop();
});

type Frame = Record<string, unknown>;

/**
 * A client that reads server frames with its own decoders (JSON.parse; strictDecode for
 * MessagePack) and keeps every one. A frame it cannot read fails every request in flight.
 */
class WireClient {
  readonly frames: Frame[] = [];
  readonly errors: Frame[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (f: Frame) => void; reject: (e: Error) => void }>();
  private readonly pushWaiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];

  private constructor(
    readonly ws: WebSocket,
    readonly encoding: Encoding,
  ) {
    ws.on('close', (code) => this.fail(new Error(`connection closed (${code})`)));
    ws.on('message', (data: Buffer, isBinary) => {
      let frame: Frame;
      try {
        if (encoding === 'msgpack' && !isBinary) throw new Error('text frame on a msgpack connection');
        frame = (encoding === 'msgpack' ? strictDecode(new Uint8Array(data)) : JSON.parse(data.toString('utf8'))) as Frame;
      } catch (e) {
        return this.fail(new Error(`undecodable server frame ${data.toString('hex')}: ${(e as Error).message}`));
      }
      this.frames.push(frame);
      if ('push' in frame) {
        for (let i = this.pushWaiters.length - 1; i >= 0; i--)
          if (this.pushWaiters[i].pred(frame)) {
            this.pushWaiters[i].resolve(frame);
            this.pushWaiters.splice(i, 1);
          }
      } else if (typeof frame.re === 'number' && this.waiting.has(frame.re)) {
        this.waiting.get(frame.re)!.resolve(frame);
        this.waiting.delete(frame.re);
      } else this.errors.push(frame);
    });
  }

  private fail(error: Error): void {
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  /** Connects; a connection dropped right after opening is opened again, as TestClient does. */
  static async connect(
    path: string,
    claims: { tenant: string; role: 'platform' | 'agent' | 'supervisor'; sub?: string },
    encoding: Encoding,
  ): Promise<WireClient> {
    const token = await verifier.sign(claims, 600);
    for (let attempt = 0; ; attempt++) {
      const ws = new WebSocket(`${url}${path}`, [SUBPROTOCOLS[encoding]], { headers: { authorization: `Bearer ${token}` } });
      const c = new WireClient(ws, encoding);
      sockets.push(c);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      await new Promise((r) => setTimeout(r, 20));
      if (ws.readyState === WebSocket.OPEN || attempt === 2) return c;
    }
  }

  request(body: Frame): Promise<Frame> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.send({ id, ...body });
    });
  }

  /** Sends a frame as given, in this connection's encoding. */
  send(value: unknown): void {
    const data = encodeFrame(value, this.encoding);
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  nextPush(pred: (f: Frame) => boolean): Promise<Frame> {
    const seen = this.frames.find((f) => 'push' in f && pred(f));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('push not received in time')), 5000);
      this.pushWaiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(t);
          resolve(f);
        },
      });
    });
  }
}

const encodings: Encoding[] = ['json', 'msgpack'];

describe('prototype keys', () => {
  // Each frame is written as JSON text and, for MessagePack, packed from JSON.parse of it: the
  // key is then a real `__proto__` map key on the wire.
  const frames = [
    '{"id":1,"type":"GetQueueStats","__proto__":{"polluted":1}}',
    '{"id":2,"type":"SubmitInteraction","interaction":{"id":"p-1","channel":"voice","queue":"q","context":{"__proto__":{"polluted":1}}}}',
    '{"id":3,"type":"SubmitInteraction","interaction":{"id":"p-2","channel":"voice","queue":"q","context":{"a":{"constructor":{"prototype":1}}}}}',
    '{"id":4,"type":"GetQueueStats","prototype":1}',
  ];
  const expected = [
    { re: null, ok: false, code: 'BAD_FRAME', message: "forbidden key '__proto__'" },
    { re: null, ok: false, code: 'BAD_FRAME', message: "forbidden key '__proto__'" },
    { re: null, ok: false, code: 'BAD_FRAME', message: "forbidden key 'constructor'" },
    { re: null, ok: false, code: 'BAD_FRAME', message: "forbidden key 'prototype'" },
  ];

  for (const encoding of encodings)
    it(`${encoding}: are refused as BAD_FRAME with the same reason, and nothing is stored`, async () => {
      const p = await WireClient.connect('/v1/platform', { tenant: `proto-${encoding}`, role: 'platform' }, encoding);
      expect(await p.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
      for (const f of frames) p.send(JSON.parse(f));
      // Answers leave in order: once this one is in, the four refusals are too.
      expect(await p.request({ type: 'GetInteraction', interactionId: 'p-1' })).toMatchObject({ ok: false, code: 'UNKNOWN_INTERACTION' });
      expect(await p.request({ type: 'GetInteraction', interactionId: 'p-2' })).toMatchObject({ ok: false, code: 'UNKNOWN_INTERACTION' });
      expect(p.errors).toEqual(expected);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
});

/** The structure of a frame: every key and the JSON type of every value, values themselves left out. */
function shape(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.map(shape);
  if (typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, shape((v as Frame)[k])]),
    );
  return typeof v;
}

/**
 * One tenant's scripted day: every query, with and without the optional fields, and every push.
 * Returns what each connection received.
 */
async function scenario(encoding: Encoding): Promise<{ platform: Frame[]; agent: Frame[]; supervisor: Frame[] }> {
  const tenant = `day-${encoding}`;
  const p = await WireClient.connect('/v1/platform', { tenant, role: 'platform' }, encoding);
  const ok = async (c: WireClient, body: Frame) => {
    const r = await c.request(body);
    expect(r, JSON.stringify(body)).toMatchObject({ ok: true });
    return r;
  };
  await ok(p, { type: 'DefineSkill', skill: 'billing' });
  await ok(p, { type: 'UpsertQueue', queue: { id: 'q', offerTimeoutMs: 60_000, wrapUpMs: 60_000 } });
  await ok(p, { type: 'UpsertAgent', agent: { id: 'ann', skills: { billing: 5 } } });
  await ok(p, { type: 'UpsertAgent', agent: { id: 'bob', skills: { billing: 5 } } }); // stays offline, no reason
  await ok(p, { type: 'Subscribe', events: true });
  const sup = await WireClient.connect('/v1/agent', { tenant, role: 'supervisor' }, encoding);
  await ok(sup, { type: 'Subscribe', events: true });
  const ann = await WireClient.connect('/v1/agent', { tenant, role: 'agent', sub: 'ann' }, encoding);
  await ann.nextPush((f) => f.push === 'state');

  const noReason = await ok(p, { type: 'GetAgent', agentId: 'ann' });
  expect(noReason.agent).not.toHaveProperty('reason');
  await ok(ann, { type: 'SetState', state: 'away', reason: 'break' });
  expect((await ok(p, { type: 'GetAgent', agentId: 'ann' })).agent).toMatchObject({ state: 'away', reason: 'break' });

  await ok(p, { type: 'SubmitInteraction', interaction: { id: 'plain', channel: 'voice', queue: 'q', skills: { billing: 2 } } });
  const plain = await ok(p, { type: 'GetInteraction', interactionId: 'plain' });
  expect(plain.interaction).toMatchObject({ status: 'queued' });
  expect(plain.interaction).not.toHaveProperty('context');
  await ok(p, { type: 'ExplainInteraction', interactionId: 'plain' }); // ann away (detail), bob offline (no detail)
  await ok(sup, { type: 'ExplainInteraction', interactionId: 'plain' });
  await ok(p, { type: 'SubmitInteraction', interaction: { id: 'ctx', channel: 'voice', queue: 'q', context: { crm: 'A-17', tags: ['vip'] } } });
  expect((await ok(p, { type: 'GetInteraction', interactionId: 'ctx' })).interaction).toMatchObject({ context: { crm: 'A-17' } });

  // An offer without context, rejected; then one with context, accepted.
  await ok(ann, { type: 'SetState', state: 'available' });
  const first = await ann.nextPush((f) => f.push === 'offer' && f.interactionId === 'plain');
  expect(first).not.toHaveProperty('context');
  await ok(ann, { type: 'Reject', offerId: first.offerId });
  await ann.nextPush((f) => f.push === 'offerClosed' && f.offerId === first.offerId);
  const second = await ann.nextPush((f) => f.push === 'offer' && f.interactionId === 'ctx');
  await ok(ann, { type: 'Accept', offerId: second.offerId });
  await ann.nextPush((f) => f.push === 'assigned' && f.interactionId === 'ctx');
  await ok(p, { type: 'ExplainInteraction', interactionId: 'ctx', limit: 1 }); // with a choice
  await ok(p, { type: 'GetAgent', agentId: 'ann' });
  await ok(ann, { type: 'Resume' });
  await ok(p, { type: 'GetAgentSummary' });
  await ok(p, { type: 'GetQueueStats' });
  await ok(sup, { type: 'GetQueueStats', queueId: 'q' });

  // Work done: wrap-up, ended early; a finished interaction is still answered.
  await ok(ann, { type: 'Complete', interactionId: 'ctx' });
  await ann.nextPush((f) => f.push === 'wrapUp' && f.interactionId === 'ctx');
  await ok(ann, { type: 'EndWrapUp' });
  await ann.nextPush((f) => f.push === 'state' && f.state === 'available');
  expect((await ok(p, { type: 'GetInteraction', interactionId: 'ctx' })).interaction).toEqual({ interactionId: 'ctx', status: 'completed' });
  await ok(p, { type: 'GetQueueStats', queueId: 'q' }); // with a handled interaction

  // An assigned interaction the caller abandons: the agent is told it ended.
  await ok(p, { type: 'SubmitInteraction', interaction: { id: 'gone', channel: 'voice', queue: 'q' } });
  const third = await ann.nextPush((f) => f.push === 'offer' && f.interactionId === 'gone');
  await ok(ann, { type: 'Accept', offerId: third.offerId });
  await ok(p, { type: 'CancelInteraction', interactionId: 'gone', reason: 'abandoned' });
  await ann.nextPush((f) => f.push === 'ended' && f.interactionId === 'gone');
  await ok(p, { type: 'CancelInteraction', interactionId: 'plain', reason: 'cancelled' });
  // A last round trip on each connection: every push of the turns above has arrived.
  await ok(ann, { type: 'SetState', state: 'offline' });
  await ok(sup, { type: 'GetQueueStats' });
  await ok(p, { type: 'GetAgentSummary' });
  return { platform: p.frames, agent: ann.frames, supervisor: sup.frames };
}

describe('every server frame', () => {
  it('decodes strictly in MessagePack, no extension types, and carries the same fields as JSON', async () => {
    const json = await scenario('json');
    const msgpack = await scenario('msgpack');
    const pushes = new Set([...msgpack.agent, ...msgpack.platform].map((f) => f.push).filter(Boolean));
    expect([...pushes].sort()).toEqual(['assigned', 'ended', 'events', 'offer', 'offerClosed', 'state', 'wrapUp']);
    for (const who of ['platform', 'agent', 'supervisor'] as const) {
      const shapes = (frames: Frame[]) => frames.map((f) => JSON.stringify(shape(f))).sort();
      expect(shapes(msgpack[who]), who).toEqual(shapes(json[who]));
    }
  });
});
