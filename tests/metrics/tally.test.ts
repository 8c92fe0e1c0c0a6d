import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TallyCounter, TallyHistogram } from '../../src/metrics/tally.ts';

const BUCKETS = [1e-6, 2.5e-6, 1e-3, 0.5, 1, 10];
const label = fc.constantFrom('a', 'b', 'q"x', 'line\nbreak', 'back\\slash');
const value = fc.oneof(fc.double({ min: 0, max: 20, noNaN: true }), fc.constantFrom(...BUCKETS), fc.constant(0));

/** The same updates through prom-client's own metrics and through the tallies. */
function both(labelNames: string[]) {
  const ours = new Registry();
  const theirs = new Registry();
  return {
    ours,
    theirs,
    counter: {
      ours: new TallyCounter({ name: 'c_total', help: 'counts', labelNames, registers: [ours] }),
      theirs: new Counter({ name: 'c_total', help: 'counts', labelNames, registers: [theirs] }),
    },
    histogram: {
      ours: new TallyHistogram({ name: 'h_seconds', help: 'times', labelNames, buckets: BUCKETS, registers: [ours] }),
      theirs: new Histogram({ name: 'h_seconds', help: 'times', labelNames, buckets: BUCKETS, registers: [theirs] }),
    },
  };
}

describe('tally metrics', () => {
  for (const labelNames of [[], ['tenant'], ['tenant', 'queue'], ['tenant', 'queue', 'outcome']]) {
    it(`expose exactly what prom-client's Counter and Histogram do (${labelNames.length} labels)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.array(label, { minLength: 3, maxLength: 3 }), value, fc.integer({ min: 1, max: 5 })), { maxLength: 60 }),
          async (updates) => {
            const m = both(labelNames);
            for (const [ls, v, by] of updates) {
              const values = ls.slice(0, labelNames.length);
              const labels = Object.fromEntries(labelNames.map((n, i) => [n, values[i]]));
              m.counter.ours.inc(by, ...values);
              m.counter.theirs.inc(labels, by);
              m.histogram.ours.observe(v, ...values);
              m.histogram.theirs.observe(labels, v);
            }
            expect(await m.ours.metrics()).toBe(await m.theirs.metrics());
            // prom-client's JSON carries an `exemplar` slot per value (OpenMetrics only; unused here).
            const json = async (r: Registry) => JSON.parse(JSON.stringify(await r.getMetricsAsJSON(), (k, v) => (k === 'exemplar' ? undefined : v)));
            expect(await json(m.ours)).toEqual(await json(m.theirs));
          },
        ),
        { numRuns: 200 },
      );
    });
  }

  it('start over on the registry reset, as prom-client does', async () => {
    const m = both(['tenant']);
    m.counter.ours.inc(2, 't');
    m.counter.theirs.inc({ tenant: 't' }, 2);
    m.histogram.ours.observe(0.2, 't');
    m.histogram.theirs.observe({ tenant: 't' }, 0.2);
    m.ours.resetMetrics();
    m.theirs.resetMetrics();
    expect(await m.ours.metrics()).toBe(await m.theirs.metrics());
    m.counter.ours.inc(1, 'u');
    m.counter.theirs.inc({ tenant: 'u' }, 1);
    expect(await m.ours.metrics()).toBe(await m.theirs.metrics());
  });

  it('refuse more labels than they index', () => {
    expect(() => new TallyCounter({ name: 'x_total', help: 'x', labelNames: ['a', 'b', 'c', 'd'], registers: [] })).toThrow(/at most three/);
  });
});
