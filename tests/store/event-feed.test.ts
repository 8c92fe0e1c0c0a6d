import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../src/transport/auth.ts';
import { TestRedis } from '../helpers/redis.ts';
import { kill9, PROCESS_SECRET, spawnServer, untilReady, type ServerProcess } from '../helpers/server-process.ts';
import { TestClient } from '../helpers/server.ts';

/**
 * The event feed with the redis store: events are written to the tenant's events stream with the
 * journal, so a subscriber resumes from a cursor older than what a server keeps in memory, and
 * across a kill -9 of the leader and a take-over by the standby, with the same numbers: every
 * event exactly once, in order.
 */
const verifier = new TokenVerifier(PROCESS_SECRET);
let redis: TestRedis;
const procs: ServerProcess[] = [];
const clients: TestClient[] = [];
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  for (const c of clients) c.close();
  for (const p of procs) await kill9(p.proc);
  await redis.stop();
});

const spawn = async () => {
  const s = await spawnServer(redis.url, ['--events-retained', '1000', '--history-kept', '1']);
  procs.push(s);
  return s;
};
const connect = async (s: ServerProcess, role: 'platform' | 'supervisor') => {
  const c = await TestClient.connect(`${s.url}/v1/${role === 'platform' ? 'platform' : 'agent'}`, await verifier.sign({ tenant: 'feed', role }, 600));
  clients.push(c);
  return c;
};

type Ev = { seq: number; type: string };

/** Subscribes after `cursor` and reads until `through`; the events in order. */
async function readFrom(s: ServerProcess, cursor: number, through: number): Promise<Ev[]> {
  const c = await connect(s, 'supervisor');
  const got: Ev[] = [];
  c.onPush((p) => {
    if (p.push === 'events') got.push(...(p.events as Ev[]));
  });
  expect(await c.request({ type: 'Subscribe', events: true, after: cursor })).toMatchObject({ ok: true });
  const end = Date.now() + 20_000;
  while ((got.length > 0 ? got[got.length - 1].seq : cursor) < through) {
    if (Date.now() > end) throw new Error(`read to ${got.length > 0 ? got[got.length - 1].seq : cursor} of ${through}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  c.close();
  return got;
}

async function submitMany(p: TestClient, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 100)
    await Promise.all(
      Array.from({ length: Math.min(100, n - i) }, (_, k) =>
        p
          .request({ type: 'SubmitInteraction', interaction: { id: `${prefix}-${i + k}`, channel: 'voice', queue: 'q' } })
          .then((r) => expect(r).toMatchObject({ ok: true })),
      ),
    );
}

const dense = (events: Ev[], from: number) => expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => from + i));

describe('event feed, redis store', () => {
  it('resumes from the events stream past memory, and across a kill -9 and a take-over by the standby', async () => {
    const a = await spawn();
    await untilReady(a);
    const b = await spawn();
    const p = await connect(a, 'platform');
    expect(await p.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
    await submitMany(p, 'x', 3000);
    const live = await connect(a, 'supervisor');
    const answer = await live.request({ type: 'Subscribe', events: true });
    const last = answer.last as number;
    expect(last).toBeGreaterThanOrEqual(3001);
    // Memory keeps 1,000: the first 2,000 come from Redis, the rest from memory, none twice.
    const all = await readFrom(a, 0, last);
    dense(all, 1);
    expect(all[0].type).toBe('QueueUpserted');
    // The same over HTTP: a page from the events stream, past what memory keeps.
    const token = await verifier.sign({ tenant: 'feed', role: 'platform' }, 600);
    const page = (await (await fetch(`${a.http}/v1/events?after=10&limit=5`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      events: Ev[];
      next: number;
    };
    expect(page.events.map((e) => e.seq)).toEqual([11, 12, 13, 14, 15]);
    expect(page.next).toBe(15);

    // A customer's two contacts end (memory keeps one ended history; Redis both).
    for (const id of ['cx-1', 'cx-2']) {
      expect(await p.request({ type: 'SubmitInteraction', interaction: { id, channel: 'voice', queue: 'q', customerId: 'cx' } })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'CancelInteraction', interactionId: id, reason: 'abandoned' })).toMatchObject({ ok: true });
    }
    // Two interactions end: memory keeps the last one's history, Redis both.
    for (const id of ['x-0', 'x-1']) expect(await p.request({ type: 'CancelInteraction', interactionId: id, reason: 'abandoned' })).toMatchObject({ ok: true });
    const historyOf = async (s: ServerProcess, id: string) =>
      (await (await connect(s, 'platform')).request({ type: 'GetInteractionHistory', interactionId: id })) as { history: { status: string; events: Ev[] } };
    expect((await historyOf(a, 'x-0')).history).toMatchObject({ status: 'abandoned' });
    expect((await historyOf(a, 'x-0')).history.events.map((e) => e.type)).toEqual(['InteractionQueued', 'InteractionAbandoned']);

    // The leader dies; the standby takes over with the same numbers and serves old cursors.
    await new Promise((r) => setTimeout(r, 300));
    await kill9(a.proc);
    await untilReady(b, 10_000);
    const p2 = await connect(b, 'platform');
    await submitMany(p2, 'y', 500);
    const after = await readFrom(b, 1500, last + 506);
    dense(after, 1501);
    expect(after.slice(0, last - 1500)).toEqual(all.slice(1500));
    // The histories outlive the leader (x-0's comes from Redis: memory keeps one).
    expect((await historyOf(b, 'x-0')).history.events.map((e) => e.type)).toEqual(['InteractionQueued', 'InteractionAbandoned']);
    expect((await historyOf(b, 'x-1')).history).toMatchObject({ status: 'abandoned' });
    const journey = await (await connect(b, 'platform')).request({ type: 'ListCustomerInteractions', customerId: 'cx' });
    expect((journey.interactions as { interactionId: string; status: string }[]).map((i) => [i.interactionId, i.status])).toEqual([
      ['cx-2', 'abandoned'],
      ['cx-1', 'abandoned'],
    ]);
    expect(await (await connect(b, 'supervisor')).request({ type: 'Subscribe', events: true, after: last + 10_000 })).toMatchObject({ ok: true });
  }, 90_000);
});
