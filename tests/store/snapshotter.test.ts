/**
 * The snapshot replica against a real Redis: its engines, fed only by the journal, publish
 * snapshots equal to the leader's state at that entry; it publishes only under the epoch its
 * leader holds (a fenced leader's replica publishes nothing); and the worker thread the server
 * runs it in publishes and reports each step to the server's metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import type { Command } from '../../src/engine/types.ts';
import { SnapshotThread } from '../../src/shell/snapshot-thread.ts';
import { Snapshotter, type SnapshotObserver } from '../../src/shell/snapshotter.ts';
import { Shell } from '../../src/shell/shell.ts';
import type { Journal, JournalEntry } from '../../src/store/journal.ts';
import { RedisJournal } from '../../src/store/redis-journal.ts';
import { decodeSnapshot } from '../../src/store/snapshot-codec.ts';
import { fingerprint } from '../helpers/fingerprint.ts';
import { JournalingEngine } from '../helpers/journaling-engine.ts';
import { TestRedis, until } from '../helpers/redis.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

const options = { ordering: 'service-objective', agentSelection: 'longest-idle' } as const;
const T0 = 1_700_000_000_000;

const journal = async () => {
  const j = new RedisJournal(redis.url);
  await j.ready();
  return j;
};

/** A leader: an engine whose every call is appended to the tenant's journal, as the shell does. */
async function leader(tenant: string) {
  const j = await journal();
  for await (const _ of (await j.open(tenant)).entries) void _;
  const engine = new JournalingEngine(options);
  let written = 0;
  let now = T0;
  const flush = async () => {
    const entries: JournalEntry[] = engine.entries.slice(written);
    if (entries.length > 0) await j.append(tenant, written + 1, entries);
    written = engine.entries.length;
  };
  /** `n` more calls: agents, submissions, accepts, completions and ticks, journaled. */
  const work = async (n: number) => {
    for (let i = 0; i < n; i++) {
      now += 7;
      const k = engine.entries.length;
      const c: Command =
        k === 0
          ? { type: 'UpsertQueue', queue: { id: 'q', offerTimeoutMs: 5_000, wrapUpMs: 50 } }
          : k < 4
            ? { type: 'UpsertAgent', agent: { id: `a${k}` } }
            : k < 7
              ? { type: 'SetAgentState', agentIds: [`a${k - 3}`], state: 'available' }
              : { type: 'SubmitInteraction', interaction: { id: `i${k}`, channel: 'voice', queue: 'q', priority: k % 3 } };
      if (k % 5 === 4) engine.tick(now);
      else engine.apply(c, now);
    }
    await flush();
  };
  return { j, engine, work, now: () => now };
}

class Steps implements SnapshotObserver {
  readonly seen: string[] = [];
  observeSnapshot(step: string): void {
    this.seen.push(step);
  }
}

describe('the snapshot replica', () => {
  it('publishes, from the journal alone, the state the leader had at that entry, and again every N entries', async () => {
    const l = await leader('replica');
    await l.work(40);
    // Waiting work, open offers and timers: the state a snapshot must carry.
    expect(l.engine.agentLoad('a2')?.offers.length).toBe(1);
    expect(l.engine.queueStats('q', l.now())?.waiting).toBeGreaterThan(0);
    const steps = new Steps();
    const replica = new Snapshotter(await journal(), { ...options, every: 25, metrics: steps, epochOf: async (t) => l.j.epoch(t) });
    expect(await replica.round()).toBe(1);
    let stored = await l.j.snapshot('replica');
    expect(stored?.through).toBe(40);
    expect(fingerprint(Engine.restore(decodeSnapshot(stored!.bytes)), l.now())).toBe(fingerprint(l.engine, l.now()));
    expect(steps.seen).toEqual(['copy', 'encode', 'published']);
    // Not due again until 25 entries past that one.
    await l.work(20);
    expect(await replica.round()).toBe(0);
    await l.work(10);
    expect(await replica.round()).toBe(1);
    stored = await l.j.snapshot('replica');
    expect(stored?.through).toBe(70);
    expect(fingerprint(Engine.restore(decodeSnapshot(stored!.bytes)), l.now())).toBe(fingerprint(l.engine, l.now()));
    // The journal was trimmed up to it: a read from the start is told it was folded away.
    const left: [number, number][] = [];
    for await (const chunk of l.j.read('replica', 0)) left.push([chunk.first, chunk.entries.length]);
    expect(left).toEqual([[71, 0]]);
  });

  it('publishes only under the epoch its leader holds: nothing for a fenced leader, nor for a tenant it does not hold', async () => {
    const l = await leader('fenced');
    await l.work(30);
    const stale = l.j.epoch('fenced');
    const other = await journal();
    await other.fence('fenced'); // another server took the tenant over
    const steps = new Steps();
    const fenced = new Snapshotter(await journal(), { ...options, every: 10, metrics: steps, epochOf: async () => stale });
    expect(await fenced.round()).toBe(0);
    expect(steps.seen).toEqual(['copy', 'encode', 'failed']);
    const unheld = new Snapshotter(await journal(), { ...options, every: 10, epochOf: async () => null });
    expect(await unheld.round()).toBe(0);
    expect(await l.j.snapshot('fenced')).toBeNull();
    // The new leader's replica publishes.
    const current = new Snapshotter(await journal(), { ...options, every: 10, epochOf: async (t) => other.epoch(t) });
    expect(await current.round()).toBe(1);
    expect((await l.j.snapshot('fenced'))?.through).toBe(30);
  });

  it('a rebuild overtaken by a snapshot publication starts again from the newer snapshot', async () => {
    const l = await leader('overtaken');
    await l.work(40);
    const handle = await journal();
    const replica = new Snapshotter(await journal(), { ...options, every: 10, epochOf: async (t) => handle.epoch(t) });
    // The rebuild has read the snapshot (none) when the replica publishes one through entry 40
    // and trims every entry it covers: the rebuild must not take the empty journal for the state.
    const overtaking: Journal = Object.assign(Object.create(handle) as RedisJournal, {
      open: async (tenant: string) => {
        const opened = await handle.open(tenant);
        if (tenant === 'overtaken') expect(await replica.round()).toBeGreaterThanOrEqual(1);
        return opened;
      },
    });
    const shell = new Shell({ ...options, journal: overtaking, now: l.now });
    await shell.recover();
    expect((await handle.snapshot('overtaken'))?.through).toBe(40);
    expect(fingerprint(shell.engineOf('overtaken')!, l.now())).toBe(fingerprint(l.engine, l.now()));
    shell.stop();
  });

  it('runs in a worker thread that publishes and reports each step to the server', async () => {
    const l = await leader('threaded');
    await l.work(30);
    const steps = new Steps();
    const thread = new SnapshotThread({
      redisUrl: redis.url,
      cluster: false,
      ...options,
      every: 20,
      intervalMs: 20,
      epochOf: (t) => l.j.epoch(t),
      metrics: steps,
    });
    thread.start();
    try {
      await until(async () => steps.seen.includes('published'), 15_000, 'a snapshot from the worker thread');
      expect(steps.seen).toContain('copy');
      expect(steps.seen).toContain('encode');
      expect((await l.j.snapshot('threaded'))?.through).toBe(30);
    } finally {
      await thread.stop();
    }
  });
});
