import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentClient, type OfferPush, PlatformClient, SupervisorClient, SwitchboardError, type WebSocketConstructor } from '../../src/index.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer } from '../helpers/server.ts';

/**
 * ListWaitingInteractions over real sockets: a supervisor lists a queue's waiting interactions,
 * an agent is then offered them in exactly that order; the request's bounds and its refusals.
 */
let server: RunningServer;
let verifier: TokenVerifier;
let url: string;
const WS = WebSocket as unknown as WebSocketConstructor;

beforeAll(async () => {
  ({ server, verifier, url } = await startTestServer());
});
afterAll(() => server.stop());

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ListWaitingInteractions', () => {
  it('lists a queue in routing order, and the agent is offered in that order', async () => {
    const platform = new PlatformClient({ url, WebSocket: WS, token: () => verifier.sign({ tenant: 'wl', role: 'platform' }, 600) });
    const supervisor = new SupervisorClient({ url, WebSocket: WS, encoding: 'msgpack', token: () => verifier.sign({ tenant: 'wl', role: 'supervisor' }, 600) });
    await Promise.all([platform.connect(), supervisor.connect()]);
    await platform.defineSkill('billing');
    await platform.upsertQueue({ id: 'q', offerTimeoutMs: 60_000, wrapUpMs: 0, serviceObjective: { percent: 80, thresholdMs: 20_000 } });
    await platform.upsertAgent({
      id: 'ann',
      skills: { billing: 5 },
      capacity: { total: 1, channels: { voice: { cost: 1, max: 1 }, chat: { cost: 1, max: 1 } } },
    });
    const ids = ['w1', 'w2', 'w3', 'w4', 'w5'];
    for (const [i, id] of ids.entries())
      await platform.submit({ id, channel: i % 2 === 0 ? 'voice' : 'chat', queue: 'q', skills: i === 2 ? { billing: 3 } : {}, priority: i });
    await platform.submit({ id: 'later', channel: 'voice', queue: 'q', notBefore: Date.now() + 3_600_000 });

    const all = await supervisor.listWaitingInteractions('q');
    expect(all.total).toBe(6);
    const listed = all.interactions as {
      interactionId: string;
      state: string;
      channel: string;
      priority: number;
      waitedMs: number;
      notBefore: number | null;
    }[];
    expect(listed.map((w) => [w.interactionId, w.state])).toEqual([...ids.map((id) => [id, 'queued']), ['later', 'held']]);
    expect(listed[1]).toMatchObject({ channel: 'chat', priority: 1, band: 'normal', notBefore: null });
    expect(listed[1].waitedMs).toBeGreaterThanOrEqual(0);
    expect(listed[5].notBefore).toBeGreaterThan(Date.now());
    const two = await supervisor.listWaitingInteractions('q', 2);
    expect((two.interactions as { interactionId: string }[]).map((w) => w.interactionId)).toEqual(['w1', 'w2']);
    expect(two.total).toBe(6);

    // The agent takes them one at a time: offered in the listed order.
    const agent = new AgentClient({ url, WebSocket: WS, token: () => verifier.sign({ tenant: 'wl', role: 'agent', sub: 'ann' }, 600) });
    const offers: OfferPush[] = [];
    agent.onOffer((o) => offers.push(o));
    await agent.connect();
    await agent.setState('available');
    for (let i = 0; i < ids.length; i++) {
      await waitFor(() => offers.length > i);
      const o = offers[i];
      // While it is offered it heads the list.
      const now = await supervisor.listWaitingInteractions('q', 1);
      expect(now.interactions).toMatchObject([{ interactionId: o.interactionId, state: 'offered' }]);
      await agent.accept(o.offerId);
      await agent.complete(o.interactionId);
    }
    expect(offers.map((o) => o.interactionId)).toEqual(ids);
    expect((await supervisor.listWaitingInteractions('q')).interactions).toMatchObject([{ interactionId: 'later', state: 'held' }]);
    agent.close();
    platform.close();
    supervisor.close();
  });

  it('refuses an unknown queue, a limit out of bounds, and agents', async () => {
    const supervisor = new SupervisorClient({ url, WebSocket: WS, token: () => verifier.sign({ tenant: 'wl2', role: 'supervisor' }, 600) });
    const agent = new AgentClient({ url, WebSocket: WS, token: () => verifier.sign({ tenant: 'wl2', role: 'agent', sub: 'x' }, 600) });
    await Promise.all([supervisor.connect(), agent.connect()]);
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof SwitchboardError ? e.code : String(e)),
      );
    expect(await code(supervisor.listWaitingInteractions('nope'))).toBe('UNKNOWN_QUEUE');
    expect(await code(supervisor.listWaitingInteractions('q', 501))).toBe('VALIDATION_FAILED');
    expect(await code(supervisor.listWaitingInteractions('q', 0))).toBe('VALIDATION_FAILED');
    expect(await code(agent.connection.request({ type: 'ListWaitingInteractions', queueId: 'q' }))).toBe('UNKNOWN_TYPE');
    supervisor.close();
    agent.close();
  });

  it('answers over HTTP for a supervisor token', async () => {
    const base = url.replace('ws://', 'http://');
    const res = await fetch(`${base}/v1/requests/ListWaitingInteractions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await verifier.sign({ tenant: 'wl', role: 'supervisor' }, 600)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ queueId: 'q', limit: 10 }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, total: 1, interactions: [{ interactionId: 'later', state: 'held' }] });
  });
});
