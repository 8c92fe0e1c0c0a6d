import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';

// A real server on port 0 and real WebSocket clients.
let server: RunningServer;
let verifier: TokenVerifier;
let url: string;
const clients: TestClient[] = [];

const token = (tenant: string, role: 'platform' | 'agent' | 'supervisor', sub?: string, ttl = 600) =>
  verifier.sign({ tenant, role, ...(sub ? { sub } : {}) }, ttl);
async function platform(tenant = 't1', encoding: 'json' | 'msgpack' = 'json') {
  const c = await TestClient.connect(`${url}/v1/platform`, await token(tenant, 'platform'), encoding);
  clients.push(c);
  return c;
}
async function agent(id: string, tenant = 't1') {
  const c = await TestClient.connect(`${url}/v1/agent`, await token(tenant, 'agent', id));
  clients.push(c);
  return c;
}

beforeAll(async () => {
  ({ server, verifier, url } = await startTestServer({ messageBurst: '60', messagesPerSecond: '20', maxViolations: '1000' }));
  const p = await platform();
  for (const body of [
    { type: 'DefineSkill', skill: 'billing' },
    { type: 'UpsertQueue', queue: { id: 'q', offerTimeoutMs: 60_000 } },
    { type: 'UpsertAgent', agent: { id: 'ann', skills: { billing: 5 } } },
    { type: 'UpsertAgent', agent: { id: 'bob', skills: { billing: 5 } } },
  ])
    expect(await p.request(body)).toMatchObject({ ok: true });
});

afterAll(() => {
  for (const c of clients) c.close();
  server.stop();
});

describe('server flows', () => {
  it('submit → offer pushed to the agent → accept → complete, over JSON and msgpack', async () => {
    const p = await platform('t1', 'msgpack');
    const ann = await agent('ann');
    expect(await ann.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
    const sub = await p.request({
      type: 'SubmitInteraction',
      interaction: { id: 'call-1', channel: 'voice', queue: 'q', skills: { billing: 2 }, context: { crm: 'A-17' } },
    });
    expect(sub).toMatchObject({ ok: true, interactionId: 'call-1' });
    const offer = await ann.nextPush((m) => m.push === 'offer' && m.interactionId === 'call-1');
    expect(offer).toMatchObject({ channel: 'voice', queueId: 'q', context: { crm: 'A-17' } });
    expect(await ann.request({ type: 'Accept', offerId: offer.offerId })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'GetInteraction', interactionId: 'call-1' })).toMatchObject({
      ok: true,
      interaction: { status: 'assigned', agentId: 'ann' },
    });
    expect(await ann.request({ type: 'Complete', interactionId: 'call-1' })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'GetInteraction', interactionId: 'call-1' })).toMatchObject({ ok: true, interaction: { status: 'completed' } });
    // Idempotent retry of the same submission.
    expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'call-1', channel: 'voice', queue: 'q' } })).toMatchObject({
      ok: true,
      duplicate: true,
      status: 'completed',
    });
    await ann.request({ type: 'SetState', state: 'away' });
  });

  it('an agent acts only on its own offers; a tenant sees only its own data', async () => {
    const p = await platform();
    const ann = await agent('ann');
    const bob = await agent('bob');
    await ann.request({ type: 'SetState', state: 'available' });
    await p.request({ type: 'SubmitInteraction', interaction: { id: 'call-2', channel: 'voice', queue: 'q' } });
    const offer = await ann.nextPush((m) => m.push === 'offer' && m.interactionId === 'call-2');
    expect(await bob.request({ type: 'Accept', offerId: offer.offerId })).toMatchObject({ ok: false, code: 'OFFER_NOT_YOURS' });
    const other = await platform('t2');
    expect(await other.request({ type: 'GetInteraction', interactionId: 'call-2' })).toMatchObject({ ok: false, code: 'UNKNOWN_INTERACTION' });
    expect(await ann.request({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q' } })).toMatchObject({
      ok: false,
      code: 'UNKNOWN_TYPE',
    });
    // Reconnect: the open offer is re-sent.
    ann.close();
    await ann.closed;
    const again = await agent('ann');
    const resent = await again.nextPush((m) => m.push === 'offer' && m.interactionId === 'call-2');
    expect(resent.offerId).toBe(offer.offerId);
    expect(await again.request({ type: 'Reject', offerId: offer.offerId })).toMatchObject({ ok: true });
    await p.request({ type: 'CancelInteraction', interactionId: 'call-2', reason: 'cancelled' });
    await again.request({ type: 'SetState', state: 'away' });
  });

  it('offer timeout, transfer keeping the place in line, and cancellation reach the agent', async () => {
    const p = await platform();
    expect(await p.request({ type: 'UpsertQueue', queue: { id: 'fast', offerTimeoutMs: 300, noAnswerAway: true } })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'UpsertQueue', queue: { id: 'other', offerTimeoutMs: 60_000 } })).toMatchObject({ ok: true });
    const bob = await agent('bob');
    await bob.request({ type: 'SetState', state: 'available' });
    await p.request({ type: 'SubmitInteraction', interaction: { id: 'call-t', channel: 'voice', queue: 'fast' } });
    const offer = await bob.nextPush((m) => m.push === 'offer' && m.interactionId === 'call-t');
    // Nobody answers: the offer times out and bob is set away(no_answer).
    await bob.nextPush((m) => m.push === 'offerClosed' && m.offerId === offer.offerId && m.reason === 'OfferTimedOut');
    await bob.nextPush((m) => m.push === 'state' && m.state === 'away' && m.reason === 'no_answer');
    expect(await p.request({ type: 'TransferInteraction', interactionId: 'call-t', queue: 'other' })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'GetInteraction', interactionId: 'call-t' })).toMatchObject({
      ok: true,
      interaction: { queueId: 'other', status: 'queued' },
    });
    await bob.request({ type: 'SetState', state: 'available' });
    const again = await bob.nextPush((m) => m.push === 'offer' && m.interactionId === 'call-t' && m.offerId !== offer.offerId);
    expect(again.queueId).toBe('other');
    expect(await bob.request({ type: 'Accept', offerId: again.offerId })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'CancelInteraction', interactionId: 'call-t', reason: 'abandoned' })).toMatchObject({ ok: true });
    await bob.nextPush((m) => m.push === 'ended' && m.interactionId === 'call-t' && m.reason === 'InteractionAbandoned');
    await bob.request({ type: 'SetState', state: 'away' });
  });

  for (const encoding of ['json', 'msgpack'] as const)
    it(`re-sends assignments with the offer that led to them, on reconnect and on Resume (${encoding})`, async () => {
      const tenant = `resume-${encoding}`;
      const p = await platform(tenant, encoding);
      for (const body of [
        { type: 'UpsertQueue', queue: { id: 'q', offerTimeoutMs: 60_000 } },
        { type: 'UpsertAgent', agent: { id: 'cy', capacity: { total: 2, channels: { chat: { cost: 1, max: 2 } } } } },
      ])
        expect(await p.request(body)).toMatchObject({ ok: true });
      const connectAgent = async () => {
        const c = await TestClient.connect(`${url}/v1/agent`, await token(tenant, 'agent', 'cy'), encoding);
        clients.push(c);
        return c;
      };
      const cy = await connectAgent();
      expect(await cy.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
      const live: Record<string, unknown>[] = [];
      for (const id of ['chat-a', 'chat-b']) {
        expect(await p.request({ type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue: 'q' } })).toMatchObject({ ok: true });
        const offer = await cy.nextPush((m) => m.push === 'offer' && m.interactionId === id);
        expect(await cy.request({ type: 'Accept', offerId: offer.offerId })).toMatchObject({ ok: true });
        const assigned = await cy.nextPush((m) => m.push === 'assigned' && m.interactionId === id);
        expect(assigned).toEqual({ push: 'assigned', interactionId: id, offerId: offer.offerId, channel: 'chat', queueId: 'q', since: expect.any(Number) });
        live.push(assigned);
      }
      // GetAgent names each assignment with its offer (and keeps the plain id list).
      expect(await p.request({ type: 'GetAgent', agentId: 'cy' })).toMatchObject({
        ok: true,
        agent: { assignments: ['chat-a', 'chat-b'], assigned: live.map(({ interactionId, offerId }) => ({ interactionId, offerId })) },
      });
      // A reconnecting desktop is sent the same pushes as the live ones...
      cy.close();
      await cy.closed;
      const again = await connectAgent();
      for (const l of live) expect(await again.nextPush((m) => m.push === 'assigned' && m.interactionId === l.interactionId)).toEqual(l);
      // ...and so is one that asks with Resume.
      const before = again.pushes.length;
      expect(await again.request({ type: 'Resume' })).toMatchObject({ ok: true });
      for (const l of live)
        expect(await again.nextPush((m) => m.push === 'assigned' && m.interactionId === l.interactionId && again.pushes.indexOf(m) >= before)).toEqual(l);
      for (const id of ['chat-a', 'chat-b']) expect(await again.request({ type: 'Complete', interactionId: id })).toMatchObject({ ok: true });
    });

  it('explains over the wire to platforms and supervisors, never to agents', async () => {
    const p = await platform();
    expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'why-1', channel: 'voice', queue: 'q', skills: { billing: 9 } } })).toMatchObject({
      ok: true,
    });
    const sup = await TestClient.connect(`${url}/v1/agent`, await token('t1', 'supervisor'));
    clients.push(sup);
    const r = (await sup.request({ type: 'ExplainInteraction', interactionId: 'why-1' })) as {
      ok: boolean;
      explanation: { status: string; counts: { eligible: number }; agents: { agentId: string; reasons: { reason: string }[] }[] };
    };
    expect(r.ok).toBe(true);
    expect(r.explanation.status).toBe('queued');
    expect(r.explanation.counts.eligible).toBe(0);
    expect(r.explanation.agents.find((a) => a.agentId === 'ann')!.reasons[0]).toMatchObject({ reason: 'skill_level', skill: 'billing', has: 5, required: 9 });
    const ann = await agent('ann');
    expect(await ann.request({ type: 'ExplainInteraction', interactionId: 'why-1' })).toMatchObject({ ok: false, code: 'UNKNOWN_TYPE' });
    expect(await p.request({ type: 'ExplainInteraction', interactionId: 'nope' })).toMatchObject({ ok: false, code: 'UNKNOWN_INTERACTION' });
    expect(await p.request({ type: 'CancelInteraction', interactionId: 'why-1', reason: 'cancelled' })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'ExplainInteraction', interactionId: 'why-1' })).toMatchObject({ ok: false, code: 'INVALID_STATE' });
  });

  it('refuses missing, expired, forged and alg:none tokens, and the wrong endpoint for a role', async () => {
    await expect(TestClient.connect(`${url}/v1/platform`, null)).rejects.toThrow('HTTP 401');
    await expect(TestClient.connect(`${url}/v1/platform`, await token('t1', 'platform', undefined, -10))).rejects.toThrow('HTTP 401');
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ tenant: 't1', role: 'platform', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    await expect(TestClient.connect(`${url}/v1/platform`, none)).rejects.toThrow('HTTP 401');
    const real = await token('t1', 'platform');
    const forged = real.slice(0, -2) + (real.endsWith('AA') ? 'BB' : 'AA');
    await expect(TestClient.connect(`${url}/v1/platform`, forged)).rejects.toThrow('HTTP 401');
    await expect(TestClient.connect(`${url}/v1/platform`, await token('t1', 'agent', 'ann'))).rejects.toThrow('HTTP 403');
    // A role the server does not know is a token it does not accept; a path it does not serve is 404.
    await expect(TestClient.connect(`${url}/v1/agent`, await token('t1', 'admin' as 'platform'))).rejects.toThrow('HTTP 401');
    await expect(TestClient.connect(`${url}/v1/admin`, real)).rejects.toThrow('HTTP 404');
    await expect(TestClient.connect(`${url}/v1/platform/`, real)).rejects.toThrow('HTTP 404');
  });

  it('each role may send exactly its own requests; any other type is UNKNOWN_TYPE', async () => {
    const sup = await TestClient.connect(`${url}/v1/agent`, await token('t1', 'supervisor'));
    clients.push(sup);
    for (const body of [
      { type: 'GetQueueStats' },
      { type: 'GetInteraction', interactionId: 'nope' },
      { type: 'GetAgent', agentId: 'ann' },
      { type: 'GetAgentSummary' },
      { type: 'ExplainInteraction', interactionId: 'nope' },
      { type: 'Subscribe', events: false },
    ])
      expect(await sup.request(body)).not.toMatchObject({ code: 'UNKNOWN_TYPE' });
    for (const body of [
      { type: 'DefineSkill', skill: 'x' },
      { type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q' } },
      { type: 'Resume' },
    ])
      expect(await sup.request(body)).toMatchObject({ ok: false, code: 'UNKNOWN_TYPE' });
    const bob = await agent('bob');
    for (const body of [{ type: 'GetQueueStats' }, { type: 'Subscribe', events: true }, { type: 'SetAgentState', agentIds: ['bob'], state: 'available' }])
      expect(await bob.request(body)).toMatchObject({ ok: false, code: 'UNKNOWN_TYPE' });
    const p = await platform();
    expect(await p.request({ type: 'Resume' })).toMatchObject({ ok: false, code: 'UNKNOWN_TYPE' });
  });

  it('a token for an agent the tenant never defined connects; its requests are answered UNKNOWN_AGENT', async () => {
    const ghost = await agent('ghost');
    expect(await ghost.request({ type: 'Resume' })).toMatchObject({ ok: true });
    for (const body of [
      { type: 'SetState', state: 'available' },
      { type: 'Accept', offerId: 'o1' },
      { type: 'Reject', offerId: 'o1' },
      { type: 'Complete', interactionId: 'x' },
      { type: 'EndWrapUp' },
    ])
      expect(await ghost.request(body)).toMatchObject({ ok: false, code: 'UNKNOWN_AGENT' });
    expect(ghost.pushes).toEqual([]);
    // Once the platform defines the agent, the open desktop is its desktop.
    const p = await platform();
    expect(await p.request({ type: 'UpsertAgent', agent: { id: 'ghost', skills: { billing: 1 } } })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'SetAgentState', agentIds: ['ghost'], state: 'away', reason: 'training' })).toMatchObject({ ok: true });
    expect(await ghost.nextPush((m) => m.push === 'state')).toEqual({ push: 'state', state: 'away', reason: 'training' });
    expect(await p.request({ type: 'RemoveAgent', agentId: 'ghost' })).toMatchObject({ ok: true });
  });

  it('answers bad frames with typed errors and keeps the connection', async () => {
    const p = await platform();
    p.sendRaw('{not json');
    p.sendRaw('{"id":5,"type":"SubmitInteraction","interaction":{"id":"x","channel":"voice","queue":"q","extra":1}}');
    p.sendRaw('{"id":6,"type":"Nope"}');
    p.sendRaw('{"id":7,"type":"Resume","__proto__":{"x":1}}');
    // Frames are answered in order: once a later request is answered, so is every bad frame.
    expect(await p.request({ type: 'GetQueueStats', queueId: 'q' })).toMatchObject({ ok: true });
    expect(p.errors.map((e) => [e.re, e.code])).toEqual([
      [null, 'BAD_FRAME'],
      [5, 'VALIDATION_FAILED'],
      [6, 'UNKNOWN_TYPE'],
      [null, 'BAD_FRAME'],
    ]);
    expect(await p.request({ type: 'UpsertQueue', queue: { id: 'q', weight: -1 } })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
  });

  for (const encoding of ['json', 'msgpack'] as const)
    it(`rate-limits a flooding connection with typed errors that name the refused request (${encoding})`, async () => {
      const p = await platform('t1', encoding);
      const sent = Array.from({ length: 120 }, () => p.request({ type: 'GetQueueStats' }));
      // Sent in the same burst, so refused by the limit too: without a readable id it is named null.
      p.sendRaw(encoding === 'json' ? '{not json' : new Uint8Array([0xc1]));
      const replies = await Promise.all(sent.map((r) => Promise.race([r, new Promise<null>((res) => setTimeout(() => res(null), 1500))])));
      await new Promise((r) => setTimeout(r, 50));
      // Every request is answered under its own id: served, or refused with RATE_LIMITED.
      expect(replies.every((r) => r !== null && (r.ok === true || r.code === 'RATE_LIMITED'))).toBe(true);
      expect(replies.filter((r) => r?.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
      expect(p.errors.map((e) => [e.re, e.code])).toEqual([[null, 'RATE_LIMITED']]);
    });

  it('health endpoints answer', async () => {
    const port = new URL(url).port;
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe('ok');
    expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).text()).toBe('ready');
  });
});

describe('shutdown', () => {
  it('closes every socket with going-away', async () => {
    const s = await startTestServer();
    const c = await TestClient.connect(`${s.url}/v1/platform`, await s.verifier.sign({ tenant: 'x', role: 'platform' }, 60));
    s.server.stop();
    expect((await c.closed).code).toBe(1001);
  });
});
