import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ server, verifier, url } = await startTestServer({ messageBurst: '5000', messagesPerSecond: '5000', eventsRetained: '1000' }));
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
      const load = (async () => {
        while (!stop) {
          await Promise.all(
            Array.from({ length: 5 }, () => p.request({ type: 'SubmitInteraction', interaction: { id: `i${n++}`, channel: 'voice', queue: 'q' } })),
          );
          await p.request({ type: 'CancelInteraction', interactionId: `i${n - 1}`, reason: 'abandoned' });
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
