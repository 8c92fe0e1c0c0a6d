import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  AgentClient,
  type AssignedPush,
  PlatformClient,
  SupervisorClient,
  SwitchboardError,
  type OfferPush,
  type WebSocketConstructor,
} from '../../src/index.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer } from '../helpers/server.ts';

let server: RunningServer;
let verifier: TokenVerifier;
let url: string;
const WS = WebSocket as unknown as WebSocketConstructor;

beforeAll(async () => {
  ({ server, verifier, url } = await startTestServer());
});
afterAll(() => server.stop());

describe('client SDK against a real server', () => {
  it('routes an interaction end to end, and an agent resumes its offer after its token expired', async () => {
    const platform = new PlatformClient({ url, WebSocket: WS, encoding: 'msgpack', token: () => verifier.sign({ tenant: 'sdk', role: 'platform' }, 600) });
    await platform.connect();
    const events: string[] = [];
    await platform.subscribe((evs) => events.push(...evs.map((e) => e.type)));
    await platform.defineSkill('spanish');
    await platform.upsertQueue({ id: 'es', offerTimeoutMs: 60_000 });
    await platform.upsertAgent({ id: 'lucia', skills: { spanish: 8 } });

    // A short-lived token: the server closes the socket when it expires, the SDK reconnects
    // with a fresh one and the open offer is sent again.
    let tokens = 0;
    const agent = new AgentClient({
      url,
      WebSocket: WS,
      initialDelayMs: 50,
      token: () => verifier.sign({ tenant: 'sdk', role: 'agent', sub: 'lucia' }, ++tokens === 1 ? 2 : 600),
    });
    const offers: OfferPush[] = [];
    agent.onOffer((o) => offers.push(o));
    const assigned: AssignedPush[] = [];
    agent.onAssigned((a) => assigned.push(a));
    await agent.connect();
    await agent.setState('available');
    const ack = await platform.submit({ id: 'chat-9', channel: 'voice', queue: 'es', skills: { spanish: 5 }, context: { lang: 'es' } });
    expect(ack).toMatchObject({ ok: true, interactionId: 'chat-9' });
    await waitFor(() => offers.length >= 1);
    expect(offers[0]).toMatchObject({ interactionId: 'chat-9', context: { lang: 'es' } });
    await waitFor(() => offers.length >= 2, 6000);
    expect(offers[1].offerId).toBe(offers[0].offerId);
    expect(tokens).toBeGreaterThanOrEqual(2);

    await agent.accept(offers[1].offerId);
    await waitFor(() => assigned.length >= 1);
    expect(assigned[0]).toMatchObject({ interactionId: 'chat-9', offerId: offers[1].offerId });
    // Accepting again (a retry after a lost answer) is safe: it changes nothing and says so.
    expect(await agent.accept(offers[1].offerId)).toMatchObject({ ok: true, duplicate: true });
    await agent.complete('chat-9');
    expect(await platform.getInteraction('chat-9')).toMatchObject({ interaction: { status: 'completed' } });
    await waitFor(() => events.includes('InteractionCompleted'));

    const supervisor = new SupervisorClient({ url, WebSocket: WS, token: await verifier.sign({ tenant: 'sdk', role: 'supervisor' }, 600) });
    await supervisor.connect();
    const stats = await supervisor.getQueueStats('es');
    expect(stats).toMatchObject({ ok: true, queues: [{ queueId: 'es', answered: 1, completed: 1 }] });
    await expect(supervisor.connection.request({ type: 'SubmitInteraction' })).rejects.toBeInstanceOf(SwitchboardError);
    for (const c of [platform, agent, supervisor]) c.close();
  }, 20_000);

  it('an event subscription resumes after a reconnect from the last event it handed over: none lost, none twice', async () => {
    const platform = new PlatformClient({ url, WebSocket: WS, token: () => verifier.sign({ tenant: 'sdk-feed', role: 'platform' }, 600) });
    await platform.connect();
    await platform.upsertQueue({ id: 'q' });
    // The subscriber's first token lives 2 s: the server closes it, the SDK reconnects and resumes.
    let tokens = 0;
    const watcher = new SupervisorClient({
      url,
      WebSocket: WS,
      initialDelayMs: 300,
      token: () => verifier.sign({ tenant: 'sdk-feed', role: 'supervisor' }, ++tokens === 1 ? 2 : 600),
    });
    await watcher.connect();
    const seqs: number[] = [];
    const answer = await watcher.subscribe((evs) => seqs.push(...evs.map((e) => e.seq)), { after: 0 });
    expect(answer).toMatchObject({ ok: true });
    const start = Date.now();
    let n = 0;
    // Events keep coming before, during and after the reconnect.
    while (Date.now() - start < 3_500 || tokens < 2) {
      await platform.submit({ id: `f${n++}`, channel: 'voice', queue: 'q' });
      await new Promise((r) => setTimeout(r, 10));
    }
    // QueueUpserted, then one InteractionQueued per submission.
    await waitFor(() => seqs.length >= n + 1, 5000);
    expect(tokens).toBeGreaterThanOrEqual(2);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    for (const c of [platform, watcher]) c.close();
  }, 20_000);
});

async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
