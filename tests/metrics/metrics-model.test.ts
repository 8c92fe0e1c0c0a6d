import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine, type ApplyResult, type Command, type EngineEvent } from '../../src/index.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { PAIRS, action, agentSpec, runScenario } from '../property/scenario.ts';

/** An engine whose every event also feeds a Metrics instance, as the shell does. */
class MeteredEngine extends Engine {
  readonly metrics = new Metrics({ processMetrics: false });
  lastNow = 0;
  constructor(...args: ConstructorParameters<typeof Engine>) {
    super(...args);
    this.metrics.observeQueues({
      tenants: () => ['t'],
      queueStats: () => this.queueIds().map((q) => this.queueStats(q, this.lastNow)!),
      counts: () => this.counts(),
      now: () => this.lastNow,
    });
  }
  ended = 0;
  private feed(events: readonly EngineEvent[]) {
    this.metrics.onEvents('t', events);
    for (const e of events) if (['InteractionCompleted', 'InteractionCancelled', 'InteractionAbandoned', 'InteractionExpired'].includes(e.type)) this.ended++;
  }
  override apply(cmd: Command, now: number): ApplyResult {
    this.lastNow = now;
    const r = super.apply(cmd, now);
    this.feed(r.events);
    return r;
  }
  override tick(now: number): EngineEvent[] {
    this.lastNow = now;
    const r = super.tick(now);
    this.feed(r);
    return r;
  }
}

async function values(m: Metrics, name: string): Promise<Map<string, number>> {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const out = new Map<string, number>();
  for (const v of (metric?.values ?? []) as { labels: Record<string, string | number>; value: number }[]) {
    const key = Object.entries(v.labels)
      .filter(([k]) => k !== 'tenant')
      .map(([k, x]) => `${k}=${x}`)
      .join(',');
    out.set(key, (out.get(key) ?? 0) + v.value);
  }
  return out;
}

describe('metrics fed from events agree with the engine', () => {
  it('agents by state, occupancy, queue depth and ended counts after random scenarios', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PAIRS),
        fc.tuple(...[0, 1, 2, 3, 4, 5].map((i) => agentSpec(`a${i}`))),
        fc.array(action, { minLength: 20, maxLength: 120 }),
        async ([ordering, agentSelection], agents, actions) => {
          const engine = new MeteredEngine({ ordering, agentSelection });
          runScenario(engine, agents, actions);
          const byState = await values(engine.metrics, 'switchboard_agents');
          const expected = new Map<string, number>();
          let occupied = 0;
          for (const id of engine.agentIds()) {
            const load = engine.agentLoad(id)!;
            expected.set(`state=${load.state}`, (expected.get(`state=${load.state}`) ?? 0) + 1);
            if (load.assignments.length + load.wrapping.length > 0) occupied++;
          }
          for (const state of ['offline', 'available', 'away', 'wrap_up']) expect(byState.get(`state=${state}`) ?? 0).toBe(expected.get(`state=${state}`) ?? 0);
          expect((await values(engine.metrics, 'switchboard_agents_occupied')).get('') ?? 0).toBe(occupied);
          const depth = await values(engine.metrics, 'switchboard_queue_depth');
          for (const q of engine.queueIds()) {
            const s = engine.queueStats(q)!;
            expect(depth.get(`queue=${q},stage=waiting`)).toBe(s.waiting);
            expect(depth.get(`queue=${q},stage=offered`)).toBe(s.offered);
          }
          const ended = await values(engine.metrics, 'switchboard_interactions_ended_total');
          expect([...ended.values()].reduce((a, b) => a + b, 0)).toBe(engine.ended);
          const submitted = await values(engine.metrics, 'switchboard_interactions_submitted_total');
          const arrived = engine.queueIds().reduce((a, q) => a + engine.queueStats(q)!.arrived, 0);
          expect([...submitted.values()].reduce((a, b) => a + b, 0)).toBe(arrived);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('overload metrics', () => {
  it('show a queue in overload, the deferral it causes, and count its starts by measure', async () => {
    const e = new MeteredEngine();
    e.apply({ type: 'UpsertQueue', queue: { id: 'voice', reserveWhen: { oldestWaitMs: 1_000 } } }, 0);
    e.apply({ type: 'UpsertQueue', queue: { id: 'email', deferrable: { whileHealthy: ['voice'] } } }, 0);
    e.apply({ type: 'SubmitInteraction', interaction: { id: 'c1', channel: 'voice', queue: 'voice' } }, 0);
    const key = (q: string) => `queue=${q}`;
    expect((await values(e.metrics, 'switchboard_queue_overloaded')).get(key('voice'))).toBe(0);
    e.tick(1_000);
    expect((await values(e.metrics, 'switchboard_queue_overloaded')).get(key('voice'))).toBe(1);
    expect((await values(e.metrics, 'switchboard_queue_deferred')).get(key('email'))).toBe(1);
    expect((await values(e.metrics, 'switchboard_queue_overloads_total')).get('queue=voice,measure=oldestWaitMs')).toBe(1);
    e.apply({ type: 'CancelInteraction', interactionId: 'c1', reason: 'abandoned' }, 1_500);
    expect((await values(e.metrics, 'switchboard_queue_overloaded')).get(key('voice'))).toBe(0);
    expect((await values(e.metrics, 'switchboard_queue_deferred')).get(key('email'))).toBe(0);
  });
});

describe('messaging capacity metrics', () => {
  it('count inactive conversations and those waiting for their agent to have room', async () => {
    const e = new MeteredEngine();
    const ok = (cmd: Command, t = 0) => expect(e.apply(cmd, t).ok).toBe(true);
    ok({ type: 'UpsertQueue', queue: { id: 'q' } });
    ok({ type: 'UpsertAgent', agent: { id: 'a1', capacity: { total: 1, channels: { chat: { cost: 1, max: 1, autoAccept: true, inactiveMax: 2 } } } } });
    ok({ type: 'SetAgentState', agentIds: ['a1'], state: 'available' });
    for (const id of ['c1', 'c2', 'c3']) ok({ type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue: 'q' } });
    ok({ type: 'UpdateInteraction', interactionId: 'c1', active: false });
    ok({ type: 'UpdateInteraction', interactionId: 'c2', active: false });
    expect(e.apply({ type: 'UpdateInteraction', interactionId: 'c1', active: true }, 0)).toMatchObject({ ok: false, code: 'AGENT_AT_CAPACITY' });
    const gauge = async () => Object.fromEntries(await values(e.metrics, 'switchboard_conversations_inactive'));
    expect(await gauge()).toEqual({ 'state=inactive': 1, 'state=waiting_for_room': 1 });
    ok({ type: 'CompleteInteraction', agentId: 'a1', interactionId: 'c3' });
    expect(await gauge()).toEqual({ 'state=inactive': 1, 'state=waiting_for_room': 0 });
  });
});
