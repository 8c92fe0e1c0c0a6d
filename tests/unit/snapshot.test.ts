import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.ts';
import { SNAPSHOT_FORMAT, SnapshotMismatchError } from '../../src/engine/snapshot.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src/store/snapshot-codec.ts';
import { fingerprint } from '../helpers/fingerprint.ts';
import { JournalingEngine, replayEntry } from '../helpers/journaling-engine.ts';
import { PAIRS, action, agentSpec, runScenario } from '../property/scenario.ts';

describe('engine snapshots', () => {
  it('an engine restored from a snapshot (through its byte encoding) answers every later call exactly as the original', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PAIRS),
        fc.tuple(...[0, 1, 2, 3, 4, 5].map((i) => agentSpec(`a${i}`))),
        fc.array(action, { minLength: 20, maxLength: 150 }),
        fc.nat(),
        async ([ordering, agentSelection], agents, actions, where) => {
          // No idle signature or profile kept: snapshots have collected ones (holes, free ids).
          const opts = { ordering, agentSelection, limits: { minIdleKept: 0 } };
          const recorded = new JournalingEngine(opts);
          runScenario(recorded, agents, actions);
          const log = recorded.entries;
          const cut = where % (log.length + 1);
          const original = new Engine(opts);
          for (const x of log.slice(0, cut)) replayEntry(original, x);
          const restored = Engine.restore(decodeSnapshot(await encodeSnapshot(original.snapshot())));
          const lastNow = log.length > 0 ? log[log.length - 1].n : 0;
          expect(fingerprint(restored, cut > 0 ? log[cut - 1].n : 0)).toBe(fingerprint(original, cut > 0 ? log[cut - 1].n : 0));
          for (const x of log.slice(cut)) expect(JSON.stringify(replayEntry(restored, x))).toBe(JSON.stringify(replayEntry(original, x)));
          expect(fingerprint(restored, lastNow)).toBe(fingerprint(original, lastNow));
          expect(fingerprint(restored, lastNow)).toBe(fingerprint(recorded, lastNow));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a snapshot of a snapshot is the same bytes, encoded at once or slice by slice', async () => {
    const e = new Engine();
    e.apply({ type: 'UpsertQueue', queue: { id: 'q' } }, 0);
    e.apply({ type: 'UpsertAgent', agent: { id: 'ann' } }, 0);
    e.apply({ type: 'SubmitInteraction', interaction: { id: 'i1', channel: 'voice', queue: 'q', context: { note: 'x' } } }, 1);
    for (let i = 0; i < 45_000; i++) e.apply({ type: 'SubmitInteraction', interaction: { id: `w${i}`, channel: 'voice', queue: 'q' } }, 2);
    let pauses = 0;
    const bytes = await encodeSnapshot(e.snapshot(), () => void pauses++);
    expect(pauses).toBe(4); // one agent slice, three interaction slices
    expect(Buffer.compare(await encodeSnapshot(Engine.restore(decodeSnapshot(bytes)).snapshot()), bytes)).toBe(0);
    expect(Engine.restore(decodeSnapshot(bytes)).queueStats('q')?.waiting).toBe(45_001);
  });

  it('an assignment keeps the offer that led to it through a snapshot and restore (accepted and auto-accepted)', async () => {
    const e = new Engine();
    e.apply({ type: 'UpsertQueue', queue: { id: 'q' } }, 0);
    e.apply(
      {
        type: 'UpsertAgent',
        agent: { id: 'ann', capacity: { total: 2, channels: { voice: { cost: 1, max: 1 }, chat: { cost: 1, max: 1, autoAccept: true } } } },
      },
      0,
    );
    e.apply({ type: 'SetAgentState', agentIds: ['ann'], state: 'available' }, 0);
    const offerOf = (events: { type: string; offerId?: string }[]) => events.find((x) => x.type === 'InteractionOffered')!.offerId!;
    const voice = offerOf(e.apply({ type: 'SubmitInteraction', interaction: { id: 'v1', channel: 'voice', queue: 'q' } }, 1).events);
    expect(e.apply({ type: 'AcceptOffer', agentId: 'ann', offerId: voice }, 2)).toMatchObject({ ok: true });
    const chat = offerOf(e.apply({ type: 'SubmitInteraction', interaction: { id: 'c1', channel: 'chat', queue: 'q' } }, 3).events);
    const expected = [
      { interactionId: 'v1', offerId: voice },
      { interactionId: 'c1', offerId: chat },
    ];
    expect(e.agentLoad('ann')).toMatchObject({ assignments: ['v1', 'c1'], assigned: expected });
    const restored = Engine.restore(decodeSnapshot(await encodeSnapshot(e.snapshot())));
    expect(restored.agentLoad('ann')).toMatchObject({ assignments: ['v1', 'c1'], assigned: expected });
    expect(restored.interaction('v1', 4)).toMatchObject({ status: 'assigned', offerId: voice });
  });

  it('reads format 2 (before multi-offer, reservation, holds and exception rules) with their defaults', () => {
    const e = new Engine();
    e.apply({ type: 'UpsertQueue', queue: { id: 'q' } }, 0);
    e.apply({ type: 'SubmitInteraction', interaction: { id: 'i1', channel: 'voice', queue: 'q' } }, 1);
    const snap = structuredClone(e.snapshot());
    const old = {
      ...snap,
      format: 2,
      queues: snap.queues.map(({ offerFanout, reservedIdle, exceptions, ...q }) => q),
      interactions: snap.interactions.map((x) => x.slice(0, 23) as typeof x),
    };
    const restored = Engine.restore(old);
    expect(restored.configuration()?.queues?.[0]).toMatchObject({ offerFanout: 1, reservedIdle: 0, exceptions: [] });
    expect(restored.interaction('i1')).toMatchObject({ status: 'queued', notBefore: null, offers: [] });
    expect(restored.snapshot().format).toBe(SNAPSHOT_FORMAT);
  });

  it('refuses a snapshot of another format', () => {
    const snap = { ...new Engine().snapshot(), format: 999 };
    expect(() => Engine.restore(snap)).toThrow(SnapshotMismatchError);
  });
});
