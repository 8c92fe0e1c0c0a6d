import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.ts';
import { Shell } from '../../src/shell/shell.ts';
import { RedisJournal } from '../../src/store/redis-journal.ts';
import { encodeSnapshot } from '../../src/store/snapshot-codec.ts';
import { fingerprint } from '../helpers/fingerprint.ts';
import { JournalingEngine, replayEntry } from '../helpers/journaling-engine.ts';
import { TestRedis } from '../helpers/redis.ts';
import { PAIRS, action, agentSpec, runScenario } from '../property/scenario.ts';

let redis: TestRedis;
const flush = async () => {
  const c = new Redis(redis.url);
  await c.flushall();
  c.disconnect();
};
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

describe('recovery from the redis journal (I5)', () => {
  it('after random scenarios, the engine rebuilt from a snapshot and the journal after it equals the one that wrote it', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PAIRS),
        fc.tuple(...[0, 1, 2, 3, 4, 5].map((i) => agentSpec(`a${i}`))),
        fc.array(action, { minLength: 20, maxLength: 120 }),
        fc.option(fc.nat(), { nil: null }),
        async ([ordering, agentSelection], agents, actions, snapshotAt) => {
          const tenant = `t${run++}`;
          await flush(); // each run recovers its own tenant only
          const original = new JournalingEngine({ ordering, agentSelection });
          runScenario(original, agents, actions);
          const log = original.entries;
          const writer = new RedisJournal(redis.url);
          await writer.ready();
          for await (const _ of (await writer.open(tenant)).entries) void _;
          // Turns of varying size, as the shell's group commits would write them.
          for (let i = 0; i < log.length; i += 7) await writer.append(tenant, i + 1, log.slice(i, i + 7));
          // Without a snapshot everything is replayed; with one, only what follows it.
          const through = snapshotAt === null ? 0 : snapshotAt % (log.length + 1);
          if (snapshotAt !== null) {
            const cut = new Engine({ ordering, agentSelection });
            for (const e of log.slice(0, through)) replayEntry(cut, e);
            await writer.saveSnapshot(tenant, through, await encodeSnapshot(cut.snapshot()));
          }
          await writer.close();
          const reader = new RedisJournal(redis.url);
          await reader.ready();
          const shell = new Shell({ ordering, agentSelection, journal: reader, now: () => original.lastNow });
          expect(await shell.recover()).toBe(log.length - through);
          const rebuilt = shell.engineOf(tenant)!;
          expect(fingerprint(rebuilt, original.lastNow)).toBe(fingerprint(original, original.lastNow));
          shell.stop();
          await reader.close();
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it('refuses to restore a snapshot taken under other routing policies, saying which', async () => {
    await flush();
    const writer = new RedisJournal(redis.url);
    await writer.ready();
    for await (const _ of (await writer.open('policies')).entries) void _;
    const e = new Engine({ ordering: 'fifo', agentSelection: 'best-skill' });
    e.apply({ type: 'UpsertQueue', queue: { id: 'q' } }, 1);
    await writer.append('policies', 1, [{ n: 1, c: { type: 'UpsertQueue', queue: { id: 'q' } } }]);
    await writer.saveSnapshot('policies', 1, await encodeSnapshot(e.snapshot()));
    await writer.close();
    const reader = new RedisJournal(redis.url);
    await reader.ready();
    const shell = new Shell({ ordering: 'deadline', agentSelection: 'best-skill', journal: reader });
    await expect(shell.recover()).rejects.toThrow(/ordering=fifo.*ordering=deadline/);
    shell.stop();
    await reader.close();
  });
});
