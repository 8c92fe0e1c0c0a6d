import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/queues/bounded-map.ts';
import { IdWindow, hashKey } from '../../src/queues/id-window.ts';

/**
 * The idempotency window keeps ids in typed arrays instead of a Map of strings; it must be
 * BoundedMap itself in every answer and in its snapshot dump (the same ring, holes and eviction
 * order), whatever the keys, and never take one key for another whose hash is the same.
 */
const VALUES = ['completed', 'cancelled', 'abandoned', 'expired'] as const;
type V = (typeof VALUES)[number];

/**
 * Ids of every shape: short and ASCII, any UTF-16 (lone surrogates too), long; never U+0000,
 * which no id holds (the engine refuses control characters in ids) and which the dumps use to
 * join keys.
 */
const anyKey = fc
  .oneof(
    fc.integer({ min: 0, max: 1e6 }).map((n) => `i${n}`),
    fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
    fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }),
    fc.string({ minLength: 1, maxLength: 200 }),
  )
  .filter((k) => !k.includes('\u0000'));

/**
 * Ids whose hashes fall on the last two and first three slots of a 32-slot table (the table a
 * window of up to 15 ids keeps): long probe runs that wrap around its end, so deletions move
 * entries back along them.
 */
const CROWDED: string[] = [];
for (let n = 0; CROWDED.length < 60; n++) {
  const k = `c${n}`;
  const slot = hashKey(k) & 31;
  if (slot >= 30 || slot <= 2) CROWDED.push(k);
}
const crowdedKeys = fc.shuffledSubarray(CROWDED, { minLength: 1 });

describe('IdWindow against BoundedMap', () => {
  it('answers every get, size and dump exactly as BoundedMap does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom(1, 2, 32),
        fc.oneof(fc.uniqueArray(anyKey, { minLength: 1, maxLength: 80 }), crowdedKeys),
        fc.array(fc.tuple(fc.constantFrom('set', 'set', 'set', 'get', 'get', 'del', 'prune', 'reload'), fc.nat(), fc.nat(3), fc.constantFrom(...VALUES)), {
          maxLength: 400,
        }),
        (max, probes, keys, ops) => {
          const model = new BoundedMap<string, string>(max, 50);
          let w = new IdWindow<V>(max, 50, VALUES, probes);
          let now = 0;
          for (const [op, which, dt, v] of ops) {
            const k = keys[which % keys.length];
            now += dt;
            if (op === 'set') {
              model.set(k, v, now);
              w.set(k, v, now);
            } else if (op === 'get') expect(w.get(k, now)).toBe(model.get(k, now));
            else if (op === 'del') {
              model.delete(k);
              w.delete(k);
            } else if (op === 'prune') {
              model.prune(now);
              w.prune(now);
            } else {
              // A window restored from the other's dump goes on exactly as the original.
              w = new IdWindow<V>(max, 50, VALUES, probes);
              w.load(model.dump());
            }
            expect(w.size).toBe(model.size);
          }
          expect(w.dump()).toEqual(model.dump());
        },
      ),
      { numRuns: 400 },
    );
  });

  it('stays BoundedMap across growth, compaction and arena reuse at scale', () => {
    const max = 5000;
    const model = new BoundedMap<string, string>(max, 1e9);
    const w = new IdWindow<V>(max, 1e9, VALUES);
    for (let i = 0; i < 40_000; i++) {
      const k = i % 7 === 0 ? `hot${i % 50}` : `interaction-${i}-${'x'.repeat(i % 40)}`;
      const v = VALUES[i % 4];
      model.set(k, v, i);
      w.set(k, v, i);
      if (i % 997 === 0) {
        for (let j = Math.max(0, i - 6000); j <= i; j += 37) {
          const q = `interaction-${j}-${'x'.repeat(j % 40)}`;
          expect(w.get(q, i)).toBe(model.get(q, i));
        }
        expect(w.dump()).toEqual(model.dump());
      }
    }
    expect(w.size).toBe(max);
  });
});

describe('IdWindow keys', () => {
  it('never confuses two ids with the same hash', () => {
    // Birthday search for two short ids with equal 32-bit hashes.
    const seen = new Map<number, string>();
    let pair: [string, string] | null = null;
    for (let i = 0; pair === null; i++) {
      const k = `c${i.toString(36)}`;
      const h = hashKey(k);
      const other = seen.get(h);
      if (other !== undefined) pair = [other, k];
      else seen.set(h, k);
    }
    const [a, b] = pair;
    expect(hashKey(a)).toBe(hashKey(b));
    const w = new IdWindow<V>(10, 1e9, VALUES);
    w.set(a, 'completed', 0);
    expect(w.get(b, 0)).toBeUndefined();
    w.set(b, 'cancelled', 0);
    expect(w.get(a, 0)).toBe('completed');
    expect(w.get(b, 0)).toBe('cancelled');
    w.delete(a);
    expect(w.get(a, 0)).toBeUndefined();
    expect(w.get(b, 0)).toBe('cancelled');
  });

  it('keeps ids whose probe runs are full, when many share a table slot', () => {
    // With one probe allowed, every id past the first on a slot lives in the overflow Map.
    const model = new BoundedMap<string, string>(300, 1e9);
    const w = new IdWindow<V>(300, 1e9, VALUES, 1);
    for (let i = 0; i < 2000; i++) {
      const k = `k${i}`;
      model.set(k, VALUES[i % 4], i);
      w.set(k, VALUES[i % 4], i);
      if (i % 3 === 0) {
        model.delete(`k${i - 150}`);
        w.delete(`k${i - 150}`);
      }
    }
    for (let i = 0; i < 2000; i++) expect(w.get(`k${i}`, 2000)).toBe(model.get(`k${i}`, 2000));
    expect(w.dump()).toEqual(model.dump());
  });

  it('refuses a value outside its list', () => {
    const w = new IdWindow<V>(10, 1e9, VALUES);
    expect(() => w.set('a', 'queued' as V, 0)).toThrow(/not a value/);
  });
});
