import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/queues/bounded-map.ts';
import { IndexedHeap, PositionIndex } from '../../src/queues/indexed-heap.ts';
import { KeyedHeap } from '../../src/queues/keyed-heap.ts';
import { LinkedLists, newListHead } from '../../src/queues/linked-list.ts';

describe('IndexedHeap', () => {
  it('behaves like a sorted set under push, pop, remove, re-key and findFirst', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('push' as const), h: fc.nat(200), k: fc.integer({ min: -50, max: 50 }) }),
            fc.record({ op: fc.constant('pop' as const) }),
            fc.record({ op: fc.constant('remove' as const), h: fc.nat(200) }),
            fc.record({ op: fc.constant('rekey' as const), h: fc.nat(200), k: fc.integer({ min: -50, max: 50 }) }),
            fc.record({ op: fc.constant('find' as const), m: fc.integer({ min: 2, max: 5 }) }),
          ),
          { maxLength: 300 },
        ),
        (ops) => {
          const keys = new Float64Array(256);
          const less = (a: number, b: number) => (keys[a] !== keys[b] ? keys[a] < keys[b] : a < b);
          const heap = new IndexedHeap(new PositionIndex(4), less, 2);
          const model = new Set<number>();
          const sorted = () => [...model].sort((a, b) => (less(a, b) ? -1 : 1));
          for (const o of ops) {
            if (o.op === 'push') {
              if (model.has(o.h)) continue;
              keys[o.h] = o.k;
              heap.push(o.h);
              model.add(o.h);
            } else if (o.op === 'pop') {
              const want = sorted()[0] ?? -1;
              expect(heap.pop()).toBe(want);
              model.delete(want);
            } else if (o.op === 'remove') {
              expect(heap.remove(o.h)).toBe(model.has(o.h));
              model.delete(o.h);
            } else if (o.op === 'rekey') {
              if (!model.has(o.h)) continue;
              keys[o.h] = o.k;
              heap.update(o.h);
            } else {
              const want = sorted().find((h) => h % o.m === 0) ?? -1;
              expect(heap.findFirst((h) => h % o.m === 0)).toBe(want);
            }
            expect(heap.size).toBe(model.size);
            expect(heap.peek()).toBe(sorted()[0] ?? -1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('KeyedHeap', () => {
  it('behaves like a sorted set of (a, b, c, handle) under push, pop, remove, set and findFirst', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('push' as const),
              h: fc.nat(200),
              a: fc.integer({ min: 0, max: 3 }),
              b: fc.integer({ min: -20, max: 20 }),
              c: fc.integer({ min: 0, max: 5 }),
            }),
            fc.record({ op: fc.constant('pop' as const) }),
            fc.record({ op: fc.constant('remove' as const), h: fc.nat(200) }),
            fc.record({
              op: fc.constant('set' as const),
              h: fc.nat(200),
              a: fc.integer({ min: 0, max: 3 }),
              b: fc.integer({ min: -20, max: 20 }),
              c: fc.integer({ min: 0, max: 5 }),
            }),
            fc.record({ op: fc.constant('find' as const), m: fc.integer({ min: 2, max: 5 }) }),
          ),
          { maxLength: 400 },
        ),
        (ops) => {
          const heap = new KeyedHeap(new PositionIndex(4), 2);
          const model = new Map<number, [number, number, number]>();
          const cmp = (x: number, y: number) => {
            const [xa, xb, xc] = model.get(x)!;
            const [ya, yb, yc] = model.get(y)!;
            return xa - ya || xb - yb || xc - yc;
          };
          const minKey = () => {
            const s = [...model.keys()].sort(cmp);
            return s.length ? model.get(s[0])! : null;
          };
          for (const o of ops) {
            if (o.op === 'push') {
              if (model.has(o.h)) continue;
              model.set(o.h, [o.a, o.b, o.c]);
              heap.push(o.h, o.a, o.b, o.c);
            } else if (o.op === 'set') {
              model.set(o.h, [o.a, o.b, o.c]);
              heap.set(o.h, o.a, o.b, o.c);
            } else if (o.op === 'pop') {
              const want = minKey();
              const got = heap.pop();
              if (want === null) expect(got).toBe(-1);
              else {
                expect(model.get(got)).toEqual(want);
                model.delete(got);
              }
            } else if (o.op === 'remove') {
              expect(heap.remove(o.h)).toBe(model.has(o.h));
              model.delete(o.h);
            } else {
              const got = heap.findFirst((h) => h % o.m === 0);
              const cands = [...model.keys()].filter((h) => h % o.m === 0).sort(cmp);
              if (cands.length === 0) expect(got).toBe(-1);
              else expect(cmp(got, cands[0])).toBe(0);
            }
            expect(heap.size).toBe(model.size);
            const top = heap.peek();
            if (model.size === 0) expect(top).toBe(-1);
            else {
              expect(model.get(top)).toEqual(minKey());
              expect([heap.topA(), heap.topB(), heap.topC()]).toEqual(model.get(top));
            }
            for (const h of model.keys()) expect(heap.has(h)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('LinkedLists', () => {
  it('keeps insertion order with O(1) removal, one list per handle', () => {
    const lists = new LinkedLists();
    const a = newListHead(0);
    const b = newListHead(1);
    for (const h of [5, 3, 2000, 7]) lists.append(a, h);
    lists.append(b, 9);
    expect(lists.remove(b, 5)).toBe(false);
    expect(lists.remove(a, 3)).toBe(true);
    const out: number[] = [];
    for (let h = a.head; h >= 0; h = lists.following(h)) out.push(h);
    expect(out).toEqual([5, 2000, 7]);
    expect(a.size).toBe(3);
    expect(() => lists.append(a, 9)).toThrow();
  });
});

describe('BoundedMap', () => {
  it('evicts the oldest beyond its size and forgets entries past their ttl', () => {
    const m = new BoundedMap<string, number>(2, 100);
    m.set('a', 1, 0);
    m.set('b', 2, 10);
    m.set('c', 3, 20);
    expect(m.get('a', 20)).toBeUndefined();
    expect(m.get('b', 20)).toBe(2);
    expect(m.get('b', 111)).toBeUndefined();
    m.prune(200);
    expect(m.size).toBe(0);
  });
});

describe('BoundedMap against a model', () => {
  it('keeps exactly the most recently set maxEntries keys, and forgets expired ones', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.tuple(fc.constantFrom('set', 'set', 'get', 'del', 'prune'), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 3 })), {
          maxLength: 600,
        }),
        (max, ops) => {
          const m = new BoundedMap<number, number>(max, 50);
          let order: { k: number; at: number; v: number }[] = [];
          let now = 0;
          for (const [op, k, dt] of ops) {
            now += dt;
            if (op === 'set') {
              order = order.filter((e) => e.k !== k);
              order.push({ k, at: now, v: dt });
              if (order.length > max) order.shift();
              m.set(k, dt, now);
            } else if (op === 'del') {
              order = order.filter((e) => e.k !== k);
              m.delete(k);
            } else if (op === 'prune') {
              m.prune(now);
              order = order.filter((e) => now - e.at <= 50);
            } else {
              const e = order.find((x) => x.k === k);
              const want = e && now - e.at <= 50 ? e.v : undefined;
              expect(m.get(k, now)).toBe(want);
              if (e && want === undefined) order = order.filter((x) => x.k !== k);
            }
            expect(m.size).toBeLessThanOrEqual(max);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('BoundedMap ring maintenance', () => {
  it('keeps every live entry readable across growth and compaction', () => {
    const grow = new BoundedMap<number, number>(1000, 1e9);
    for (let i = 0; i < 700; i++) {
      grow.set(i, i * 2, i);
      if (i % 7 === 0) for (let j = 0; j <= i; j += 13) expect(grow.get(j, i)).toBe(j * 2);
    }
    expect(grow.size).toBe(700);
    const compact = new BoundedMap<string, number>(10, 1e9);
    for (let round = 0; round < 200; round++) {
      compact.set(`hot${round % 3}`, round, round);
      for (let i = 0; i < 3; i++) if (round >= i) expect(compact.get(`hot${i}`, round)).toBe(round - ((round - i) % 3));
    }
    for (let i = 0; i < 7; i++) compact.set(`cold${i}`, i, 300);
    expect(compact.size).toBe(10);
    expect(compact.get('hot0', 300)).toBeDefined();
    compact.set('one-more', 1, 301);
    expect(compact.size).toBe(10);
    // Growth after evictions (the ring's oldest sequence is not 0) and with holes.
    const m = new BoundedMap<number, number>(50, 1e9);
    for (let i = 0; i < 60; i++) m.set(i, i, 0);
    for (let r = 0; r < 120; r++) {
      const k = 10 + (r % 50);
      m.set(k, 1000 + r, 1);
      for (let j = 10; j < 60; j++) expect(m.get(j, 1)).toBe(j - 10 <= r ? 1000 + r - ((r - (j - 10)) % 50) : j);
    }
  });
});
