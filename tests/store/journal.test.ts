import { Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyMember } from '../../src/store/history-keys.ts';
import { RedisJournal } from '../../src/store/redis-journal.ts';
import { StaleLeaderError, StoreUnavailableError, type JournalChunk } from '../../src/store/journal.ts';
import { TestRedis } from '../helpers/redis.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

const chunks = async (it: AsyncIterable<JournalChunk>) => {
  const out: JournalChunk[] = [];
  for await (const chunk of it) {
    expect(chunk.last - chunk.first + 1).toBe(chunk.entries.length);
    out.push(chunk);
  }
  return out;
};
const drain = async (it: AsyncIterable<JournalChunk>) => (await chunks(it)).flatMap((c) => c.entries as { n: number; c?: unknown }[]);
const firsts = async (it: AsyncIterable<JournalChunk>) => (await chunks(it)).map((c) => c.first);
const journal = async () => {
  const j = new RedisJournal(redis.url);
  await j.ready();
  return j;
};

describe('redis journal: history records', () => {
  it('keeps ended interactions with the turn they ended in, files them by customer, and trims them by age', async () => {
    const j = await journal();
    (await j.open('hist')).entries;
    const rec = (interactionId: string, customerId: string | undefined, arrival: number, endedAt: number) => ({
      interactionId,
      customerId,
      arrival,
      endedAt,
      events: [],
    });
    const tick = (n: number) => [{ n }];
    await j.append('hist', 1, tick(1), undefined, { records: [rec('a', 'cx', 100, 1_000), rec('b', undefined, 200, 1_100)], retentionMs: 5_000 });
    await j.append('hist', 2, tick(2), undefined, { records: [rec('c', 'cx', 300, 3_000)], retentionMs: 5_000 });
    expect(await j.readHistory('hist', 'a')).toMatchObject({ interactionId: 'a', customerId: 'cx' });
    expect(((await j.readJourney('hist', 'cx', 10, Number.POSITIVE_INFINITY)) as { interactionId: string }[]).map((r) => r.interactionId)).toEqual(['c', 'a']);
    expect(((await j.readJourney('hist', 'cx', 10, 300)) as { interactionId: string }[]).map((r) => r.interactionId)).toEqual(['a']);
    // Over 5 s after a and b ended (the retention): both go, with a's place in cx's journey; c stays.
    await j.append('hist', 3, tick(3), undefined, { records: [rec('d', 'cy', 400, 6_150)], retentionMs: 5_000 });
    expect(await j.readHistory('hist', 'a')).toBeNull();
    expect(await j.readHistory('hist', 'b')).toBeNull();
    expect(((await j.readJourney('hist', 'cx', 10, Number.POSITIVE_INFINITY)) as { interactionId: string }[]).map((r) => r.interactionId)).toEqual(['c']);
    expect(await j.readHistory('hist', 'd')).toMatchObject({ customerId: 'cy' });
    await j.close();
  });

  it('files every record of a turn in which thousands ended (written a thousand to a call)', async () => {
    const j = await journal();
    await j.open('hist-many');
    const records = Array.from({ length: 2_500 }, (_, i) => ({
      interactionId: `i${i}`,
      ...(i % 2 === 0 ? { customerId: `c${i % 10}` } : {}),
      arrival: i,
      endedAt: 10_000 + i,
      events: [],
    }));
    await j.append('hist-many', 1, [{ n: 1 }], undefined, { records, retentionMs: 60_000 });
    for (const i of [0, 999, 1_000, 1_999, 2_000, 2_499])
      expect(await j.readHistory('hist-many', `i${i}`)).toMatchObject({ interactionId: `i${i}`, arrival: i });
    // c4 holds i4, i14, … i2494 (250 of them), newest first.
    const c4 = (await j.readJourney('hist-many', 'c4', 1_000, Number.POSITIVE_INFINITY)) as { interactionId: string }[];
    expect(c4.length).toBe(250);
    expect(c4[0].interactionId).toBe('i2494');
    expect(c4[249].interactionId).toBe('i4');
    // Past the retention, the whole turn goes with its 2,500 ids and 1,250 journey keys (dropped a thousand to a call).
    await j.append('hist-many', 2, [{ n: 2 }], undefined, {
      records: [{ interactionId: 'late', arrival: 0, endedAt: 80_000 }],
      retentionMs: 60_000,
    });
    expect(await j.readHistory('hist-many', 'i2499')).toBeNull();
    const raw = new Redis(redis.url);
    expect(await raw.hlen('sb:{hist-many}:history:ids')).toBe(1);
    expect(await raw.zcard('sb:{hist-many}:journeys')).toBe(0);
    raw.disconnect();
    await j.close();
  });

  it('an interaction id used again keeps its newer record when the turn of the older one is dropped', async () => {
    const j = await journal();
    await j.open('hist-again');
    const rec = (endedAt: number, note: string) => ({ interactionId: 'x', arrival: endedAt - 10, endedAt, note, events: [] });
    await j.append('hist-again', 1, [{ n: 1 }], undefined, { records: [rec(1_000, 'first')], retentionMs: 60_000 });
    await j.append('hist-again', 2, [{ n: 2 }], undefined, { records: [rec(50_000, 'again')], retentionMs: 60_000 });
    await j.append('hist-again', 3, [{ n: 3 }], undefined, { records: [{ interactionId: 'y', arrival: 0, endedAt: 70_000 }], retentionMs: 60_000 });
    expect(await j.readHistory('hist-again', 'x')).toMatchObject({ note: 'again' });
    await j.close();
  });

  it('reads the records written one per interaction before beside those written by turn, and lets both go after the retention', async () => {
    const old = new Packr({ useRecords: false, moreTypes: false });
    const raw = new Redis(redis.url);
    const j = await journal();
    await j.open('hist-old');
    const at = Date.now();
    // As written before: a record per interaction, its journey key by end time and in the journeys.
    const was = { interactionId: 'was', customerId: 'cx', arrival: 1, endedAt: 2, events: [{ type: 'InteractionQueued', seq: 1 }] };
    await raw.hset('sb:{hist-old}:history', 'was', old.pack(was));
    await raw.zadd('sb:{hist-old}:history:ended', 2, journeyMember('cx', 1, 'was'));
    await raw.zadd('sb:{hist-old}:journeys', 0, journeyMember('cx', 1, 'was'));
    await raw.xadd(
      'sb:{hist-old}:events',
      '0-2',
      'f',
      '1',
      't',
      String(at),
      'b',
      old.pack([
        { type: 'InteractionQueued', seq: 1, at },
        { type: 'InteractionCancelled', seq: 2, at },
      ]),
    );
    const now = { interactionId: 'now', customerId: 'cx', arrival: 3, endedAt: 4, events: [{ type: 'InteractionQueued', seq: 3 }] };
    await j.append('hist-old', 1, [{ n: 1 }], { events: [{ type: 'InteractionQueued', seq: 3, at } as never], at }, { records: [now], retentionMs: 60_000 });
    expect(await j.readHistory('hist-old', 'was')).toEqual(was);
    expect(await j.readHistory('hist-old', 'now')).toEqual(now);
    expect(await j.readJourney('hist-old', 'cx', 10, Number.POSITIVE_INFINITY)).toEqual([now, was]);
    const read = await j.readEvents('hist-old', 0, 10);
    expect(read.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(read.oldest).toBe(1);
    // Past the retention of both: the old record and the turn go, with their ids and journey keys.
    await j.append('hist-old', 2, [{ n: 2 }], undefined, {
      records: [{ interactionId: 'late', arrival: 5, endedAt: 100_000 }],
      retentionMs: 60_000,
    });
    expect(await j.readHistory('hist-old', 'was')).toBeNull();
    expect(await j.readHistory('hist-old', 'now')).toBeNull();
    expect(await j.readJourney('hist-old', 'cx', 10, Number.POSITIVE_INFINITY)).toEqual([]);
    expect(await raw.hlen('sb:{hist-old}:history:ids')).toBe(1);
    expect((await raw.hkeys('sb:{hist-old}:history:turns')).sort()).toEqual(['2', '2:k']);
    expect(await raw.zcard('sb:{hist-old}:history:ended')).toBe(0);
    await j.close();
    raw.disconnect();
  });

  it('reads the records and events one release wrote as JSON', async () => {
    const raw = new Redis(redis.url);
    const j = await journal();
    await j.open('hist-json');
    const at = Date.now();
    const was = { interactionId: 'was', arrival: 1, endedAt: 2, events: [{ type: 'InteractionQueued', seq: 1 }] };
    await raw.hset('sb:{hist-json}:history', 'was', JSON.stringify(was));
    await raw.xadd('sb:{hist-json}:events', '0-1', 'f', '1', 't', String(at), 'j', JSON.stringify([{ type: 'InteractionQueued', seq: 1, at }]));
    await j.append('hist-json', 1, [{ n: 1 }], { events: [{ type: 'InteractionQueued', seq: 2, at } as never], at });
    expect(await j.readHistory('hist-json', 'was')).toEqual(was);
    expect((await j.readEvents('hist-json', 0, 10)).events.map((e) => e.seq)).toEqual([1, 2]);
    await j.close();
    raw.disconnect();
  });
});

describe('redis journal', () => {
  it('appends turns atomically and replays them in order, in chunks', async () => {
    const j = await journal();
    const opened = await j.open('order');
    expect(opened.snapshot).toBeNull();
    expect(await drain(opened.entries)).toEqual([]);
    const cmd = { type: 'DefineSkill', skill: 'billing' } as const;
    for (let turn = 0; turn < 20; turn++)
      await j.append(
        'order',
        turn * 1000 + 1,
        Array.from({ length: 1000 }, (_, i) => ({ n: turn * 1000 + i, ...(i % 3 ? { c: cmd } : {}) })),
      );
    const j2 = await journal();
    const all = await drain((await j2.open('order')).entries);
    // A turn is read whole: 16 turns first, then about 5,000 entries (sized from the turns before).
    expect(await firsts(j2.read('order', 0))).toEqual([1, 16001]);
    expect(all).toHaveLength(20_000);
    expect(all.every((e, i) => e.n === i)).toBe(true);
    expect(all[1]).toEqual({ n: 1, c: cmd });
    expect(all[0]).toEqual({ n: 0 });
    expect(await drain(j2.read('order', 19_998))).toEqual([{ n: 19_998, c: cmd }, { n: 19_999 }]);
    expect(await j2.tenants()).toContain('order');
    await j.close();
    await j2.close();
  });

  it('reads a journal written one stream entry per journal entry, and appends turns after it', async () => {
    const packr = new Packr({ useRecords: false, moreTypes: false });
    const plain = new Redis(redis.url);
    for (let n = 1; n <= 3; n++) await plain.xadd('sb:{legacy}:journal', `0-${n}`, 'e', packr.pack({ n: n * 10 }));
    await plain.set('sb:{legacy}:seq', '3');
    const j = await journal();
    expect((await drain((await j.open('legacy')).entries)).map((e) => e.n)).toEqual([10, 20, 30]);
    await j.append('legacy', 4, [{ n: 40 }, { n: 50 }]);
    expect(await firsts(j.read('legacy', 0))).toEqual([1]);
    expect((await drain(j.read('legacy', 2))).map((e) => e.n)).toEqual([30, 40, 50]);
    expect((await drain(j.read('legacy', 4))).map((e) => e.n)).toEqual([50]);
    plain.disconnect();
    await j.close();
  });

  it('refuses a write that does not continue the journal: no holes after a lost write', async () => {
    const j = await journal();
    await drain((await j.open('holes')).entries);
    await j.append('holes', 1, [{ n: 1 }, { n: 2 }]);
    await expect(j.append('holes', 4, [{ n: 4 }])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(j.append('holes', 2, [{ n: 2 }])).rejects.toThrow(/GAP/);
    await j.append('holes', 3, [{ n: 3 }]);
    expect((await drain(j.read('holes', 0))).map((e) => e.n)).toEqual([1, 2, 3]);
    await j.close();
  });

  it('fences an older writer: once another process opened the tenant, its writes are refused', async () => {
    const old = await journal();
    const next = await journal();
    await drain((await old.open('fenced')).entries);
    await old.append('fenced', 1, [{ n: 1 }]);
    await drain((await next.open('fenced')).entries);
    await expect(old.append('fenced', 2, [{ n: 2 }])).rejects.toBeInstanceOf(StaleLeaderError);
    await expect(old.saveSnapshot('fenced', 1, new Uint8Array([1]))).rejects.toBeInstanceOf(StaleLeaderError);
    await next.append('fenced', 2, [{ n: 3 }]);
    const third = await journal();
    expect((await drain((await third.open('fenced')).entries)).map((e) => e.n)).toEqual([1, 3]);
    for (const j of [old, next, third]) await j.close();
  });

  it('publishes a snapshot only once the journal holds its last entry, then trims the turns it covers', async () => {
    const j = await journal();
    await drain((await j.open('snap')).entries);
    await j.append('snap', 1, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await j.append('snap', 4, [{ n: 4 }, { n: 5 }, { n: 6 }]);
    await j.append('snap', 7, [{ n: 7 }, { n: 8 }, { n: 9 }, { n: 10 }]);
    await expect(j.saveSnapshot('snap', 11, new Uint8Array([9]))).rejects.toThrow(/BEHIND/);
    expect(await j.snapshot('snap')).toBeNull();
    // Larger than one part (4 MiB), so the parts are put back together in order.
    const big = new Uint8Array(9 * 1024 * 1024 + 7).map((_, i) => (i * 31) % 251);
    await j.saveSnapshot('snap', 6, big);
    const loaded = await j.snapshot('snap');
    expect(loaded?.through).toBe(6);
    expect(Buffer.compare(Buffer.from(loaded!.bytes), Buffer.from(big))).toBe(0);
    expect(await firsts(j.read('snap', 0))).toEqual([7]);
    // A reader that was at entry 3 sees the jump to 7: it must start again from the snapshot.
    expect(await firsts(j.read('snap', 3))).toEqual([7]);
    await expect(j.saveSnapshot('snap', 5, new Uint8Array([1]))).rejects.toThrow(/OLDER/);
    // A snapshot inside a turn keeps the turn: a reader before it reads on, one after skips in.
    await j.saveSnapshot('snap', 8, new Uint8Array([8]));
    expect(await firsts(j.read('snap', 0))).toEqual([7]);
    expect((await drain(j.read('snap', 8))).map((e) => e.n)).toEqual([9, 10]);
    expect((await drain(j.read('snap', 6))).map((e) => e.n)).toEqual([7, 8, 9, 10]);
    await j.saveSnapshot('snap', 10, new Uint8Array([4, 2]));
    expect(await j.snapshot('snap')).toEqual({ through: 10, bytes: Buffer.from([4, 2]) });
    expect(await drain(j.read('snap', 0))).toEqual([]);
    // Only the published snapshot's parts remain.
    const plain = new Redis(redis.url);
    expect(await plain.keys('sb:{snap}:snapshot:*')).toHaveLength(1);
    plain.disconnect();
    const reopened = await journal();
    const o = await reopened.open('snap');
    expect(o.snapshot?.through).toBe(10);
    await reopened.append('snap', 11, [{ n: 11 }]);
    expect((await drain(reopened.read('snap', 10))).map((e) => e.n)).toEqual([11]);
    await j.close();
    await reopened.close();
  });
});
