import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metrics } from '../../src/metrics/metrics.ts';
import type { Encoding } from '../../src/protocol/codec.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';

/**
 * The event feed over real sockets (memory store): numbered events, a subscriber that resumes
 * with its cursor gets what it missed then the live ones with no gap and no duplicate, filters,
 * and the typed refusal of a cursor older than what is kept.
 */
let server: RunningServer;
let verifier: TokenVerifier;
let url: string;
let metrics: Metrics;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ server, verifier, url, metrics } = await startTestServer({ messageBurst: '100000', messagesPerSecond: '100000', eventsRetained: '1000' }));
});
afterAll(() => {
  for (const c of clients) c.close();
  server.stop();
});

async function connect(tenant: string, role: 'platform' | 'supervisor', encoding: Encoding) {
  const c = await TestClient.connect(`${url}/v1/${role === 'platform' ? 'platform' : 'agent'}`, await verifier.sign({ tenant, role }, 600), encoding);
  clients.push(c);
  return c;
}

type Ev = { seq: number; type: string; queueId?: string };
const eventsOf = (p: Record<string, unknown>) => (p.push === 'events' ? (p.events as Ev[]) : []);

/** A subscriber's numbered events as they arrive. */
function collect(c: TestClient): Ev[] {
  const seen: Ev[] = [];
  c.onPush((p) => seen.push(...eventsOf(p)));
  return seen;
}

async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const encoding of ['json', 'msgpack'] as const) {
  describe(`event feed over ${encoding}`, () => {
    it('resumes from a cursor at random moments under load: every event exactly once, in order', async () => {
      const tenant = `feed-${encoding}`;
      const p = await connect(tenant, 'platform', encoding);
      expect(await p.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
      let stop = false;
      let n = 0;
      // The load stops at its first refused request (a closed connection answers at once).
      const refused: unknown[] = [];
      const load = (async () => {
        while (!stop) {
          const answers = await Promise.all(
            Array.from({ length: 5 }, () => p.request({ type: 'SubmitInteraction', interaction: { id: `i${n++}`, channel: 'voice', queue: 'q' } })),
          );
          answers.push(await p.request({ type: 'CancelInteraction', interactionId: `i${n - 1}`, reason: 'abandoned' }));
          refused.push(...answers.filter((a) => a.ok !== true).map((a) => a.code));
          if (refused.length > 0) break;
        }
      })();
      const seen: Ev[] = [];
      let cursor: number | undefined;
      for (let round = 0; round < 12; round++) {
        const s = await connect(tenant, 'supervisor', encoding);
        const got = collect(s);
        const answer = await s.request({ type: 'Subscribe', events: true, ...(cursor === undefined ? {} : { after: cursor }) });
        expect(answer).toMatchObject({ ok: true });
        expect(typeof answer.last).toBe('number');
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 40));
        s.close();
        await s.closed;
        seen.push(...got);
        if (got.length > 0) cursor = got[got.length - 1].seq;
        else if (cursor === undefined) cursor = answer.last as number;
      }
      stop = true;
      await load;
      expect(refused).toEqual([]);
      // A last subscriber reads to the end.
      const last = await connect(tenant, 'supervisor', encoding);
      const tail = collect(last);
      const a = await last.request({ type: 'Subscribe', events: true, after: cursor });
      await until(() => (tail.length > 0 ? tail[tail.length - 1].seq : cursor!) >= (a.last as number));
      seen.push(...tail);
      const first = seen[0].seq;
      expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: seen.length }, (_, i) => first + i));
      expect(seen.length).toBeGreaterThan(100);
    });

    it('filters by type and queue; a cursor older than what is kept is EVENTS_EXPIRED with the oldest kept', async () => {
      const tenant = `feed-filter-${encoding}`;
      const p = await connect(tenant, 'platform', encoding);
      for (const q of ['a', 'b']) expect(await p.request({ type: 'UpsertQueue', queue: { id: q } })).toMatchObject({ ok: true });
      const s = await connect(tenant, 'supervisor', encoding);
      const got = collect(s);
      expect(await s.request({ type: 'Subscribe', events: true, after: 0, types: ['InteractionQueued', 'QueueUpserted'], queues: ['b'] })).toMatchObject({
        ok: true,
      });
      for (const q of ['a', 'b', 'a'])
        expect(await p.request({ type: 'SubmitInteraction', interaction: { id: `x-${q}-${Math.random()}`, channel: 'voice', queue: q } })).toMatchObject({
          ok: true,
        });
      await until(() => got.length >= 2);
      await new Promise((r) => setTimeout(r, 50));
      // Missed ones (QueueUpserted b, from before the subscription) first, then live, only queue b.
      expect(got.map((e) => [e.type, e.queueId])).toEqual([
        ['QueueUpserted', 'b'],
        ['InteractionQueued', 'b'],
      ]);
      expect(await s.request({ type: 'Subscribe', events: true, types: ['NoSuchEvent'] })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      // 1,000 kept: push past it, then ask from the start.
      for (let i = 0; i < 12; i++)
        await Promise.all(
          Array.from({ length: 100 }, (_, k) => p.request({ type: 'SubmitInteraction', interaction: { id: `y${i}-${k}`, channel: 'voice', queue: 'a' } })),
        );
      const old = await s.request({ type: 'Subscribe', events: true, after: 1 });
      expect(old).toMatchObject({ ok: false, code: 'EVENTS_EXPIRED' });
      expect(old.oldest as number).toBeGreaterThan(2);
      const gauge = async (name: string, labels: Record<string, string>) =>
        ((await metrics.registry.getSingleMetric(name)!.get()).values as { labels: Record<string, string>; value: number }[]).find((v) =>
          Object.entries(labels).every(([k, x]) => v.labels[k] === x),
        )?.value;
      expect(await gauge('switchboard_event_feed_seq', { tenant, which: 'last' })).toBeGreaterThan(1200);
      expect(await gauge('switchboard_event_feed_seq', { tenant, which: 'oldest_in_memory' })).toBe(old.oldest);
      expect(await gauge('switchboard_event_feed_subscribers', { tenant, state: 'live' })).toBe(1);
      const fromOldest = await connect(tenant, 'supervisor', encoding);
      const all = collect(fromOldest);
      const ok = await fromOldest.request({ type: 'Subscribe', events: true, after: (old.oldest as number) - 1 });
      expect(ok).toMatchObject({ ok: true });
      await until(() => all.length >= 1000);
      expect(all[0].seq).toBe(old.oldest);
      expect(all[all.length - 1].seq).toBe(ok.last);
    });
  });
}

describe('event feed over HTTP (GET /v1/events)', () => {
  const http = () => url.replace(/^ws/, 'http');
  const get = async (tenant: string, query: string, role: 'platform' | 'supervisor' | 'agent' = 'platform') => {
    const token = await verifier.sign({ tenant, role, ...(role === 'agent' ? { sub: 'a1' } : {}) }, 600);
    const r = await fetch(`${http()}/v1/events?${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: r.status, body: (await r.json()) as { ok: boolean; events: Ev[]; next: number; last: number; code?: string; oldest?: number } };
  };

  it('pages through the feed with next, waits for events with wait, filters, and refuses what it must', async () => {
    const tenant = 'feed-http';
    const p = await connect(tenant, 'platform', 'json');
    for (const q of ['a', 'b']) expect(await p.request({ type: 'UpsertQueue', queue: { id: q } })).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i++)
      expect(await p.request({ type: 'SubmitInteraction', interaction: { id: `h${i}`, channel: 'voice', queue: i % 2 ? 'a' : 'b' } })).toMatchObject({
        ok: true,
      });
    const first = await get(tenant, 'after=0&limit=3');
    expect(first.status).toBe(200);
    expect(first.body.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(first.body.next).toBe(3);
    const rest = await get(tenant, `after=${first.body.next}`);
    expect(rest.body.events.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
    expect(rest.body.last).toBe(7);
    const onlyB = await get(tenant, 'after=0&types=InteractionQueued&queues=b');
    expect(onlyB.body.events.map((e) => [e.type, e.queueId])).toEqual([
      ['InteractionQueued', 'b'],
      ['InteractionQueued', 'b'],
      ['InteractionQueued', 'b'],
    ]);
    // Nothing after the last: a long poll is answered when the next event comes.
    const started = Date.now();
    const waiting = get(tenant, 'after=7&wait=5');
    await new Promise((r) => setTimeout(r, 200));
    expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'late', channel: 'voice', queue: 'a' } })).toMatchObject({ ok: true });
    const woke = await waiting;
    expect(woke.body.events.map((e) => e.seq)).toEqual([8]);
    expect(Date.now() - started).toBeLessThan(4_000);
    // No event within the wait: an empty page, the cursor kept.
    const empty = await get(tenant, 'after=8&wait=1');
    expect(empty.body).toMatchObject({ ok: true, events: [], next: 8, last: 8 });
    expect((await get(tenant, 'after=0', 'agent')).status).toBe(403);
    expect((await get(tenant, 'after=0', 'supervisor')).status).toBe(200);
    for (const q of ['after=-1', 'limit=0', 'limit=1001', 'wait=31', 'types=Nope', 'after=1x']) expect((await get(tenant, q)).status, q).toBe(400);
  });

  it('a long poll waiting when the server stops is answered 503 UNAVAILABLE, not left open', async () => {
    const own = await startTestServer({});
    const token = await own.verifier.sign({ tenant: 'feed-stop', role: 'platform' }, 600);
    const waiting = fetch(`${own.url.replace(/^ws/, 'http')}/v1/events?after=0&wait=30`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((r) => setTimeout(r, 200));
    own.server.stop();
    const r = await waiting;
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
  });

  it('a cursor older than memory keeps is 410 EVENTS_EXPIRED with the oldest kept (memory store)', async () => {
    const tenant = 'feed-http-old';
    const p = await connect(tenant, 'platform', 'json');
    expect(await p.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
    for (let i = 0; i < 11; i++)
      await Promise.all(
        Array.from({ length: 100 }, (_, k) => p.request({ type: 'SubmitInteraction', interaction: { id: `o${i}-${k}`, channel: 'voice', queue: 'q' } })),
      );
    const old = await get(tenant, 'after=0');
    expect(old.status).toBe(410);
    expect(old.body).toMatchObject({ ok: false, code: 'EVENTS_EXPIRED' });
    const from = await get(tenant, `after=${old.body.oldest! - 1}&limit=5`);
    expect(from.body.events[0].seq).toBe(old.body.oldest);
  });
});
