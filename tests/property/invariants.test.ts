import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine, type Command } from '../../src/index.ts';
import { PAIRS, RUNS, TOTAL_RUNS, action, agentSpec, runScenario } from './scenario.ts';

/**
 * Random command sequences against every policy pair; after every step the model built from the
 * events checks I2, I3, I4 and I6, the engine's own view must agree with the model, and a final
 * drain checks I1: every accepted submission ends completed, cancelled, abandoned or expired.
 * Runs scale with SWITCHBOARD_PROPERTY_RUNS (total over all policy pairs); fast-check prints the
 * seed and path of any failure, to replay with { seed, path }.
 */
/** An engine that records every call, so the log can be replayed. */
class RecordingEngine extends Engine {
  readonly calls: ({ cmd: Command; now: number } | { tick: number })[] = [];
  readonly out: unknown[] = [];
  override apply(cmd: Command, now: number) {
    this.calls.push({ cmd, now });
    const r = super.apply(cmd, now);
    this.out.push(r);
    return r;
  }
  override tick(now: number) {
    this.calls.push({ tick: now });
    const r = super.tick(now);
    this.out.push(r);
    return r;
  }
}

describe('replay', () => {
  it('the same command log applied twice gives identical events', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PAIRS),
        fc.tuple(...[0, 1, 2, 3, 4, 5].map((i) => agentSpec(`a${i}`))),
        fc.array(action, { minLength: 20, maxLength: 120 }),
        ([ordering, agentSelection], agents, actions) => {
          const opts = { ordering, agentSelection, limits: { minIdleKept: 0 } };
          const first = new RecordingEngine(opts);
          runScenario(first, agents, actions);
          const second = new Engine(opts);
          const replayed = first.calls.map((c) => ('tick' in c ? second.tick(c.tick) : second.apply(c.cmd, c.now)));
          expect(JSON.stringify(replayed)).toBe(JSON.stringify(first.out));
          expect(first.out.length).toBeGreaterThan(10);
        },
      ),
      { numRuns: Math.max(20, Math.ceil(TOTAL_RUNS / 20)) },
    );
  });
});

describe('engine invariants under random command sequences', () => {
  for (const [ordering, agentSelection] of PAIRS) {
    it(`${ordering} × ${agentSelection}`, () => {
      const agentsArb = fc.tuple(...[0, 1, 2, 3, 4, 5].map((i) => agentSpec(`a${i}`)));
      fc.assert(
        fc.property(agentsArb, fc.array(action, { minLength: 5, maxLength: 80 }), (agents, actions) => {
          // No idle profile or signature kept: every one is collected as soon as another is made.
          runScenario(new Engine({ ordering, agentSelection, lastAgentTtlMs: 3_600_000, limits: { minIdleKept: 0 } }), agents, actions);
        }),
        { numRuns: RUNS, verbose: 1 },
      );
    });
  }
});
