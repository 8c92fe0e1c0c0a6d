import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type ApplyResult, type Command, type EngineEvent } from '../../src/index.ts';
import { Shell } from '../../src/server.ts';
import type { JournalEntry } from '../../src/store/journal.ts';
import { RedisJournal } from '../../src/store/redis-journal.ts';
import { fingerprint } from '../helpers/fingerprint.ts';
import { TestRedis } from '../helpers/redis.ts';
import { PAIRS, action, agentSpec, runScenario } from '../property/scenario.ts';

/** Records every engine call as a journal entry, as the shell does. */
class JournalingEngine extends Engine {
  readonly entries: JournalEntry[] = [];
  lastNow = 0;
  override apply(cmd: Command, now: number): ApplyResult {
    this.entries.push({ n: now, c: cmd });
    this.lastNow = now;
    return super.apply(cmd, now);
  }
  override tick(now: number): EngineEvent[] {
    this.entries.push({ n: now });
    this.lastNow = now;
    return super.tick(now);
  }
}

let redis: TestRedis;
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

describe('recovery from the redis journal (I5)', () => {
  it('after random scenarios, the engine rebuilt from the journal equals the one that wrote it', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PAIRS), fc.tuple(...[0, 1, 2, 3, 4, 5].map((i) => agentSpec(`a${i}`))), fc.array(action, { minLength: 20, maxLength: 120 }), async ([ordering, agentSelection], agents, actions) => {
        const tenant = `t${run++}`;
        const original = new JournalingEngine({ ordering, agentSelection });
        runScenario(original, agents, actions);
        const writer = new RedisJournal(redis.url);
        await writer.ready();
        for await (const _ of await writer.open(tenant)) void _;
        // Turns of varying size, as the shell's group commits would write them.
        for (let i = 0; i < original.entries.length; i += 7) await writer.append(tenant, original.entries.slice(i, i + 7));
        await writer.close();
        const reader = new RedisJournal(redis.url);
        await reader.ready();
        const shell = new Shell({ ordering, agentSelection, journal: reader, now: () => original.lastNow });
        await shell.recover();
        const rebuilt = shell.engineOf(tenant)!;
        expect(fingerprint(rebuilt, original.lastNow)).toBe(fingerprint(original, original.lastNow));
        shell.stop();
        await reader.close();
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
