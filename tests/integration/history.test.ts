import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';

/**
 * Interaction history over real sockets and HTTP (memory store): every event about an
 * interaction, live and after it ended, with its waits, handle time, customer and outcome.
 */
let server: RunningServer;
let verifier: TokenVerifier;
let url: string;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ server, verifier, url } = await startTestServer({ historyKept: '2' }));
});
afterAll(() => {
  for (const c of clients) c.close();
  server.stop();
});

async function connect(path: string, claims: Parameters<TokenVerifier['sign']>[0]) {
  const c = await TestClient.connect(`${url}${path}`, await verifier.sign(claims, 600));
  clients.push(c);
  return c;
}

type History = {
  status: string;
  customerId?: string;
  waitMs: number | null;
  handleMs: number | null;
  agentId: string | null;
  events: { seq: number; type: string }[];
};

describe('interaction history', () => {
  it('holds every event of an interaction, live and ended, over the socket and over HTTP', async () => {
    const tenant = 'hist';
    const p = await connect('/v1/platform', { tenant, role: 'platform' });
    for (const body of [
      { type: 'UpsertQueue', queue: { id: 'q', offerTimeoutMs: 60_000, wrapUpMs: 1 } },
      { type: 'UpsertQueue', queue: { id: 'r', offerTimeoutMs: 60_000 } },
      { type: 'UpsertAgent', agent: { id: 'ann' } },
      { type: 'UpsertAgent', agent: { id: 'bob' } },
    ])
      expect(await p.request(body)).toMatchObject({ ok: true });
    expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'c1', channel: 'voice', queue: 'q', customerId: 'cust-7' } })).toMatchObject({
      ok: true,
    });
    const ann = await connect('/v1/agent', { tenant, role: 'agent', sub: 'ann' });
    expect(await ann.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
    const first = await ann.nextPush((m) => m.push === 'offer');
    expect(await ann.request({ type: 'Reject', offerId: first.offerId })).toMatchObject({ ok: true });
    const live = await p.request({ type: 'GetInteractionHistory', interactionId: 'c1' });
    expect(live).toMatchObject({ ok: true, history: { status: 'live', customerId: 'cust-7', waitMs: null } });
    expect((live.history as History).events.map((e) => e.type)).toEqual(['InteractionQueued', 'InteractionOffered', 'OfferRejected']);
    expect(await ann.request({ type: 'SetState', state: 'away' })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'TransferInteraction', interactionId: 'c1', queue: 'r' })).toMatchObject({ ok: true });
    const bob = await connect('/v1/agent', { tenant, role: 'agent', sub: 'bob' });
    expect(await bob.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
    const offer = await bob.nextPush((m) => m.push === 'offer');
    expect(await bob.request({ type: 'Accept', offerId: offer.offerId })).toMatchObject({ ok: true });
    expect(await bob.request({ type: 'Complete', interactionId: 'c1' })).toMatchObject({ ok: true });
    const ended = (await p.request({ type: 'GetInteractionHistory', interactionId: 'c1' })).history as History;
    expect(ended).toMatchObject({ status: 'completed', agentId: 'bob', customerId: 'cust-7' });
    expect(ended.waitMs).toBeGreaterThanOrEqual(0);
    expect(ended.handleMs).toBeGreaterThanOrEqual(0);
    expect(ended.events.map((e) => e.type)).toEqual([
      'InteractionQueued',
      'InteractionOffered',
      'OfferRejected',
      'InteractionTransferred',
      'InteractionOffered',
      'InteractionAssigned',
      'InteractionCompleted',
    ]);
    const seqs = ended.events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    // The same over HTTP, by a supervisor.
    const token = await verifier.sign({ tenant, role: 'supervisor' }, 600);
    const http = await fetch(`${url.replace(/^ws/, 'http')}/v1/requests/GetInteractionHistory`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ interactionId: 'c1' }),
    });
    expect(http.status).toBe(200);
    expect(((await http.json()) as { history: History }).history.events.length).toBe(7);
    // Memory keeps two ended ones here: the oldest goes (no store to read it from).
    for (const id of ['c2', 'c3']) {
      expect(await p.request({ type: 'SubmitInteraction', interaction: { id, channel: 'voice', queue: 'r' } })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'CancelInteraction', interactionId: id, reason: 'abandoned' })).toMatchObject({ ok: true });
    }
    expect(await p.request({ type: 'GetInteractionHistory', interactionId: 'c3' })).toMatchObject({ ok: true, history: { status: 'abandoned' } });
    expect(await p.request({ type: 'GetInteractionHistory', interactionId: 'c1' })).toMatchObject({ ok: false, code: 'UNKNOWN_INTERACTION' });
    expect(await p.request({ type: 'GetInteractionHistory', interactionId: 'nope' })).toMatchObject({ ok: false, code: 'UNKNOWN_INTERACTION' });
  });

  it("the customer's journey across channels: listed newest first, paged, and shown beside the next offer with its disposition", async () => {
    const tenant = 'journey';
    const p = await connect('/v1/platform', { tenant, role: 'platform' });
    const chats = { total: 2, channels: { chat: { cost: 1, max: 1, autoAccept: true }, voice: { cost: 1, max: 1 } } };
    for (const body of [
      { type: 'UpsertQueue', queue: { id: 'web', offerTimeoutMs: 60_000 } },
      { type: 'UpsertQueue', queue: { id: 'phone', offerTimeoutMs: 60_000 } },
      { type: 'UpsertAgent', agent: { id: 'cleo', capacity: chats } },
    ])
      expect(await p.request(body)).toMatchObject({ ok: true });
    const cleo = await connect('/v1/agent', { tenant, role: 'agent', sub: 'cleo' });
    expect(await cleo.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'chat-1', channel: 'chat', queue: 'web', customerId: 'maria' } })).toMatchObject({
      ok: true,
    });
    await cleo.nextPush((m) => m.push === 'assigned' && m.interactionId === 'chat-1');
    expect(await cleo.request({ type: 'Complete', interactionId: 'chat-1', disposition: 'card-blocked', note: 'sent a new card' })).toMatchObject({ ok: true });
    expect(
      await p.request({ type: 'SubmitInteraction', interaction: { id: 'other', channel: 'chat', queue: 'web', customerId: 'someone-else' } }),
    ).toMatchObject({ ok: true });
    await cleo.nextPush((m) => m.push === 'assigned' && m.interactionId === 'other');
    expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'call-2', channel: 'voice', queue: 'phone', customerId: 'maria' } })).toMatchObject({
      ok: true,
    });
    // The agent sees the chat before the call.
    const offer = await cleo.nextPush((m) => m.push === 'offer' && m.interactionId === 'call-2');
    expect(offer.journey).toEqual([
      expect.objectContaining({ interactionId: 'chat-1', channel: 'chat', queueId: 'web', agentId: 'cleo', status: 'completed', disposition: 'card-blocked' }),
    ]);
    const all = await p.request({ type: 'ListCustomerInteractions', customerId: 'maria' });
    expect((all.interactions as { interactionId: string }[]).map((i) => i.interactionId)).toEqual(['call-2', 'chat-1']);
    const first = await p.request({ type: 'ListCustomerInteractions', customerId: 'maria', limit: 1 });
    expect(first).toMatchObject({ ok: true, interactions: [{ interactionId: 'call-2', status: 'live' }] });
    const next = await p.request({ type: 'ListCustomerInteractions', customerId: 'maria', limit: 1, before: first.before });
    expect(next).toMatchObject({ ok: true, interactions: [{ interactionId: 'chat-1' }] });
    expect((await p.request({ type: 'GetInteractionHistory', interactionId: 'chat-1' })).history).toMatchObject({
      disposition: 'card-blocked',
      note: 'sent a new card',
    });
    expect(await p.request({ type: 'ListCustomerInteractions', customerId: 'nobody' })).toMatchObject({ ok: true, interactions: [] });
    // How much of the journey an offer shows is a queue's setting (0: none), over the server's default.
    for (const body of [
      { type: 'UpsertQueue', queue: { id: 'quiet', offerJourney: 0, preferredWindowMs: 0 } },
      { type: 'UpsertQueue', queue: { id: 'brief', offerJourney: 1, preferredWindowMs: 0 } },
      { type: 'UpsertAgent', agent: { id: 'ana', capacity: { total: 2, channels: { voice: { cost: 1, max: 2 } } }, queues: { quiet: {}, brief: {} } } },
    ])
      expect(await p.request(body)).toMatchObject({ ok: true });
    const ana = await connect('/v1/agent', { tenant, role: 'agent', sub: 'ana' });
    expect(await ana.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'call-3', channel: 'voice', queue: 'quiet', customerId: 'maria' } })).toMatchObject({
      ok: true,
    });
    expect(await ana.nextPush((m) => m.push === 'offer' && m.interactionId === 'call-3')).not.toHaveProperty('journey');
    expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'call-4', channel: 'voice', queue: 'brief', customerId: 'maria' } })).toMatchObject({
      ok: true,
    });
    const brief = await ana.nextPush((m) => m.push === 'offer' && m.interactionId === 'call-4');
    expect((brief.journey as { interactionId: string }[]).map((i) => i.interactionId)).toEqual(['call-3']);
  });
});
