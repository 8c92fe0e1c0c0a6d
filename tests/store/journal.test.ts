import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('redis journal', () => {
  it('appends turns atomically and replays them in order, in chunks', async () => {
    const j = await journal();
    const opened = await j.open('order');
    expect(opened.snapshot).toBeNull();
    expect(await drain(opened.entries)).toEqual([]);
    const cmd = { type: 'DefineSkill', skill: 'billing' } as const;
    for (let turn = 0; turn < 12; turn++)
      await j.append(
        'order',
        turn * 1000 + 1,
        Array.from({ length: 1000 }, (_, i) => ({ n: turn * 1000 + i, ...(i % 3 ? { c: cmd } : {}) })),
      );
    const j2 = await journal();
    const all = await drain((await j2.open('order')).entries);
    expect(await firsts(j2.read('order', 0))).toEqual([1, 5001, 10001]);
    expect(all).toHaveLength(12_000);
    expect(all.every((e, i) => e.n === i)).toBe(true);
    expect(all[1]).toEqual({ n: 1, c: cmd });
    expect(all[0]).toEqual({ n: 0 });
    expect(await drain(j2.read('order', 11_998))).toEqual([{ n: 11_998, c: cmd }, { n: 11_999 }]);
    expect(await j2.tenants()).toContain('order');
    await j.close();
    await j2.close();
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

  it('publishes a snapshot only once the journal holds its last entry, then trims the entries it covers', async () => {
    const j = await journal();
    await drain((await j.open('snap')).entries);
    await j.append(
      'snap',
      1,
      Array.from({ length: 10 }, (_, i) => ({ n: i + 1 })),
    );
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
