import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisJournal } from '../../src/store/redis-journal.ts';
import { StaleLeaderError } from '../../src/store/journal.ts';
import { TestRedis } from '../helpers/redis.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

const drain = async (it: AsyncIterable<unknown[]>) => {
  const out: unknown[] = [];
  for await (const chunk of it) out.push(...chunk);
  return out;
};

describe('redis journal', () => {
  it('appends turns atomically and replays them in order, in chunks', async () => {
    const j = new RedisJournal(redis.url);
    await j.ready();
    expect(await drain(await j.open('order'))).toEqual([]);
    const cmd = { type: 'DefineSkill', skill: 'billing' } as const;
    for (let turn = 0; turn < 12; turn++) await j.append('order', Array.from({ length: 1000 }, (_, i) => ({ n: turn * 1000 + i, ...(i % 3 ? { c: cmd } : {}) })));
    const j2 = new RedisJournal(redis.url);
    await j2.ready();
    const all = (await drain(await j2.open('order'))) as { n: number; c?: unknown }[];
    expect(all).toHaveLength(12_000);
    expect(all.every((e, i) => e.n === i)).toBe(true);
    expect(all[1]).toEqual({ n: 1, c: cmd });
    expect(all[0]).toEqual({ n: 0 });
    expect(await j2.tenants()).toContain('order');
    await j.close();
    await j2.close();
  });

  it('fences an older writer: once another process opened the tenant, its writes are refused', async () => {
    const old = new RedisJournal(redis.url);
    const next = new RedisJournal(redis.url);
    await Promise.all([old.ready(), next.ready()]);
    await drain(await old.open('fenced'));
    await old.append('fenced', [{ n: 1 }]);
    await drain(await next.open('fenced'));
    await expect(old.append('fenced', [{ n: 2 }])).rejects.toBeInstanceOf(StaleLeaderError);
    await next.append('fenced', [{ n: 3 }]);
    const third = new RedisJournal(redis.url);
    await third.ready();
    expect(((await drain(await third.open('fenced'))) as { n: number }[]).map((e) => e.n)).toEqual([1, 3]);
    for (const j of [old, next, third]) await j.close();
  });
});
