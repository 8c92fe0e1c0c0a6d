import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import { parseExposition } from '../helpers/exposition.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';

let server: RunningServer;
let verifier: TokenVerifier;
let url: string;
let t = 1_700_000_000_000;
const clients: TestClient[] = [];
const token = (role: 'platform' | 'agent' | 'supervisor', sub?: string) => verifier.sign({ tenant: 'acme', role, ...(sub ? { sub } : {}) }, 600);
async function connect(path: string, tok: string) {
  const c = await TestClient.connect(`${url}${path}`, tok);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  ({ server, verifier, url } = await startTestServer({}, { now: () => t }));
});
afterAll(() => {
  for (const c of clients) c.close();
  server.stop();
});

async function scrape(port: number, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers });
  return { status: res.status, text: await res.text() };
}

describe('metrics', () => {
  it('after a scripted scenario, the scrape reports what happened', async () => {
    const p = await connect('/v1/platform', await token('platform'));
    const ok = async (c: TestClient, body: Record<string, unknown>) => expect(await c.request(body)).toMatchObject({ ok: true });
    await ok(p, {
      type: 'UpsertQueue',
      queue: { id: 'sales', serviceObjective: { percent: 80, thresholdMs: 20_000 }, offerTimeoutMs: 3_600_000, maxWaitMs: null },
    });
    await ok(p, { type: 'UpsertAgent', agent: { id: 'ann' } });
    await ok(p, { type: 'UpsertAgent', agent: { id: 'bob' } });
    const ann = await connect('/v1/agent', await token('agent', 'ann'));
    const bob = await connect('/v1/agent', await token('agent', 'bob'));
    const submit = (id: string) => ok(p, { type: 'SubmitInteraction', interaction: { id, channel: 'voice', queue: 'sales' } });

    await ok(ann, { type: 'SetState', state: 'available' });
    await submit('i1');
    const o1 = await ann.nextPush((m) => m.push === 'offer' && m.interactionId === 'i1');
    t += 5_000;
    await ok(ann, { type: 'Accept', offerId: o1.offerId }); // waited 5 s: within 20 s
    t += 60_000;
    await ok(ann, { type: 'Complete', interactionId: 'i1' }); // handled 60 s
    await submit('i2');
    const o2 = await ann.nextPush((m) => m.push === 'offer' && m.interactionId === 'i2');
    await ok(ann, { type: 'Reject', offerId: o2.offerId });
    await ok(ann, { type: 'SetState', state: 'away' });
    await submit('i3');
    await ok(p, { type: 'CancelInteraction', interactionId: 'i3', reason: 'cancelled' });
    await submit('i4');
    await ok(p, { type: 'CancelInteraction', interactionId: 'i4', reason: 'abandoned' });
    t += 30_000;
    await ok(bob, { type: 'SetState', state: 'available' });
    const o3 = await bob.nextPush((m) => m.push === 'offer' && m.interactionId === 'i2');
    await ok(bob, { type: 'Accept', offerId: o3.offerId }); // waited 30 s: late
    await submit('i5'); // nobody free: waits
    t += 7_000;
    expect(await bob.request({ type: 'Nonsense' })).toMatchObject({ ok: false, code: 'UNKNOWN_TYPE' });

    const { status, text } = await scrape(server.metricsPort!);
    expect(status).toBe(200);
    const m = parseExposition(text);
    const q = 'queue="sales",tenant="acme"';
    expect(m.get(`switchboard_interactions_submitted_total{channel="voice",${q}}`)).toBe(5);
    expect(m.get(`switchboard_interactions_ended_total{outcome="completed",${q}}`)).toBe(1);
    expect(m.get(`switchboard_interactions_ended_total{outcome="cancelled",${q}}`)).toBe(1);
    expect(m.get(`switchboard_interactions_ended_total{outcome="abandoned",${q}}`)).toBe(1);
    expect(m.get(`switchboard_interactions_answered_total{${q},within_objective="true"}`)).toBe(1);
    expect(m.get(`switchboard_interactions_answered_total{${q},within_objective="false"}`)).toBe(1);
    expect(m.get(`switchboard_wait_seconds_count{${q}}`)).toBe(2);
    expect(m.get(`switchboard_wait_seconds_sum{${q}}`)).toBe(35);
    expect(m.get(`switchboard_wait_seconds_bucket{le="5",${q}}`)).toBe(1);
    expect(m.get(`switchboard_handle_seconds_count{${q}}`)).toBe(1);
    expect(m.get(`switchboard_handle_seconds_sum{${q}}`)).toBe(60);
    // One within the threshold out of two answered and one abandoned; cancelled does not count.
    expect(m.get(`switchboard_service_level_ratio{${q}}`)).toBeCloseTo(1 / 3, 10);
    expect(m.get(`switchboard_service_level_objective_ratio{${q}}`)).toBe(0.8);
    expect(m.get(`switchboard_service_level_threshold_seconds{${q}}`)).toBe(20);
    expect(m.get(`switchboard_queue_depth{queue="sales",stage="waiting",tenant="acme"}`)).toBe(1);
    expect(m.get(`switchboard_queue_depth{queue="sales",stage="offered",tenant="acme"}`)).toBe(0);
    expect(m.get(`switchboard_queue_oldest_wait_seconds{${q}}`)).toBe(7);
    expect(m.get('switchboard_offers_made_total{tenant="acme"}')).toBe(3);
    expect(m.get('switchboard_offers_total{outcome="accepted",tenant="acme"}')).toBe(2);
    expect(m.get('switchboard_offers_total{outcome="rejected",tenant="acme"}')).toBe(1);
    expect(m.get('switchboard_agents{state="available",tenant="acme"}')).toBe(1);
    expect(m.get('switchboard_agents{state="away",tenant="acme"}')).toBe(1);
    expect(m.get('switchboard_agents_occupied{tenant="acme"}')).toBe(1);
    expect(m.get('switchboard_agent_occupancy_ratio{tenant="acme"}')).toBe(1);
    expect(m.get('switchboard_ws_connections{role="agent",tenant="acme"}')).toBe(2);
    expect(m.get('switchboard_ws_connections{role="platform",tenant="acme"}')).toBe(1);
    expect(m.get('switchboard_ws_rejected_total{code="UNKNOWN_TYPE",role="agent"}')).toBe(1);
    expect(m.get('switchboard_ws_messages_received_total{role="platform"}')).toBe(10);
    expect(m.get('switchboard_ws_messages_sent_total{role="platform"}')).toBe(10); // one response each, no pushes
    expect(m.get('switchboard_routing_decision_seconds_count{kind="command"}')).toBe(17);
    // Nothing identifies an interaction or an agent.
    expect(text).not.toMatch(/="(i[1-5]|ann|bob)"/);
  });

  it('exception rules fired and submissions refused are counted', async () => {
    const p = await connect('/v1/platform', await token('platform'));
    const body = (id: string) => ({ type: 'SubmitInteraction', interaction: { id, channel: 'voice', queue: 'tight' } });
    expect(
      await p.request({
        type: 'UpsertQueue',
        queue: {
          id: 'tight',
          exceptions: [
            { trigger: { type: 'queueLength', threshold: 0 }, action: { type: 'setPriority', priority: 9 } },
            { trigger: { type: 'queueLength', threshold: 1 }, action: { type: 'refuse' } },
          ],
        },
      }),
    ).toMatchObject({ ok: true });
    expect(await p.request(body('t1'))).toMatchObject({ ok: true });
    expect(await p.request(body('t2'))).toMatchObject({ ok: false, code: 'QUEUE_REFUSED' });
    const m = parseExposition((await scrape(server.metricsPort!)).text);
    expect(m.get('switchboard_exceptions_total{action="setPriority",queue="tight",tenant="acme",trigger="queueLength"}')).toBe(1);
    expect(m.get('switchboard_submissions_refused_total{queue="tight",tenant="acme"}')).toBe(1);
  });

  it('closes are counted by reason', async () => {
    const before = parseExposition((await scrape(server.metricsPort!)).text).get('switchboard_ws_closes_total{reason="normal",role="supervisor"}') ?? 0;
    const s = await TestClient.connect(`${url}/v1/agent`, await token('supervisor'));
    s.close();
    await s.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect(parseExposition((await scrape(server.metricsPort!)).text).get('switchboard_ws_closes_total{reason="normal",role="supervisor"}')).toBe(before + 1);
  });

  it('is not served on the main port unless a token is configured, and then only with it', async () => {
    const plain = `http://127.0.0.1:${server.port}/metrics`;
    expect((await fetch(plain)).status).toBe(404);
    const guarded = await startTestServer({ metricsToken: 'scrape-token-0123456789', metricsPort: '-1' });
    try {
      expect(guarded.server.metricsPort).toBeNull();
      const at = `http://127.0.0.1:${guarded.server.port}/metrics`;
      expect((await fetch(at)).status).toBe(401);
      expect((await fetch(at, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const res = await fetch(at, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('switchboard_ws_connections');
    } finally {
      guarded.server.stop();
    }
  });
});
