import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/store/journal.ts';
import { RedisJournal } from '../../src/store/redis-journal.ts';
import { TestRedis } from '../helpers/redis.ts';
import { kill9, spawnServer, untilReady } from '../helpers/server-process.ts';

/**
 * The leader lease (1 s here) is renewed from the moment it is taken, through the recovery: a
 * recovery longer than the lease must not let it lapse, or the server would take it again at once
 * and rebuild every tenant a second time, holding its event loop for as long once more.
 */
let redis: TestRedis;
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

describe('the leader lease', () => {
  it('is kept through a recovery longer than the lease: every tenant is rebuilt once', async () => {
    const writer = new RedisJournal(redis.url);
    await writer.ready();
    for await (const _ of (await writer.open('big')).entries) void _;
    const n = 120_000;
    const entries: JournalEntry[] = [{ n: 1, c: { type: 'UpsertQueue', queue: { id: 'q' } } }];
    for (let i = 0; i < n; i++) entries.push({ n: 2 + i, c: { type: 'SubmitInteraction', interaction: { id: `i${i}`, channel: 'chat', queue: 'q' } } });
    for (let at = 0; at < entries.length; at += 5_000) await writer.append('big', at + 1, entries.slice(at, at + 5_000));
    await writer.close();
    const plain = new Redis(redis.url);
    expect(await plain.get('sb:{big}:epoch')).toBe('1');
    const started = performance.now();
    const s = await spawnServer(redis.url, ['--snapshot-every-entries', '0']);
    try {
      await untilReady(s, 120_000);
      const recoveryMs = performance.now() - started;
      // Longer than the lease, or the test shows nothing.
      expect(recoveryMs).toBeGreaterThan(1_000);
      await new Promise((r) => setTimeout(r, 2_500));
      expect(await plain.get('sb:{big}:epoch'), 'the tenant was opened (rebuilt) again after the recovery').toBe('2');
      expect((await fetch(`${s.http}/readyz`)).status).toBe(200);
    } finally {
      await kill9(s.proc);
      plain.disconnect();
    }
  }, 180_000);
});
