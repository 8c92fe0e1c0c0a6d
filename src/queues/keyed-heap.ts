/**
 * Indexed binary min-heap whose entries carry their own keys: each entry is (a, b, c, handle),
 * ordered lexicographically by (a, b, c), stored contiguously in the heap's own arrays.
 *
 * Sifting compares neighbouring entries of one array instead of looking keys up by handle in
 * global arrays: on heaps of millions of entries (the timer heap) and on many heaps of random
 * handles (signature heaps) this turns three cache misses per comparison into none, leaving one
 * per moved entry (its position in the shared {@link PositionIndex}). A handle may belong to at
 * most one heap per position index.
 */
import { bestFirst } from './best-first.ts';
import type { PositionIndex } from './indexed-heap.ts';

export interface KeyedHeapDump {
  readonly ka: Float64Array;
  readonly kb: Float64Array;
  readonly kc: Float64Array;
  readonly hs: Int32Array;
}

export class KeyedHeap {
  private ka: Float64Array;
  private kb: Float64Array;
  private kc: Float64Array;
  private hs: Int32Array;
  private n = 0;

  constructor(
    private readonly index: PositionIndex,
    initialCapacity = 8,
  ) {
    this.ka = new Float64Array(initialCapacity);
    this.kb = new Float64Array(initialCapacity);
    this.kc = new Float64Array(initialCapacity);
    this.hs = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.n;
  }

  /** The entries in heap order, for a snapshot (positions are dumped with the PositionIndex). */
  dump(): KeyedHeapDump {
    return { ka: this.ka.slice(0, this.n), kb: this.kb.slice(0, this.n), kc: this.kc.slice(0, this.n), hs: this.hs.slice(0, this.n) };
  }

  /** Takes a snapshot's entries, in the same heap order. */
  load(d: KeyedHeapDump): void {
    const cap = Math.max(8, d.hs.length);
    this.ka = new Float64Array(cap);
    this.kb = new Float64Array(cap);
    this.kc = new Float64Array(cap);
    this.hs = new Int32Array(cap);
    this.ka.set(d.ka);
    this.kb.set(d.kb);
    this.kc.set(d.kc);
    this.hs.set(d.hs);
    this.n = d.hs.length;
  }

  /** The best handle, or -1 when empty. */
  peek(): number {
    return this.n === 0 ? -1 : this.hs[0];
  }

  /** Keys of the best entry (undefined content when empty). */
  topA(): number {
    return this.ka[0];
  }

  topB(): number {
    return this.kb[0];
  }

  topC(): number {
    return this.kc[0];
  }

  has(handle: number): boolean {
    const pos = this.index.pos;
    if (handle >= pos.length) return false;
    const p = pos[handle];
    return p >= 0 && p < this.n && this.hs[p] === handle;
  }

  push(handle: number, a: number, b: number, c: number): void {
    this.index.ensure(handle);
    if (this.n === this.hs.length) this.grow();
    const p = this.n++;
    this.ka[p] = a;
    this.kb[p] = b;
    this.kc[p] = c;
    this.hs[p] = handle;
    this.index.pos[handle] = p;
    this.up(p);
  }

  pop(): number {
    if (this.n === 0) return -1;
    const top = this.hs[0];
    this.removeAt(0);
    return top;
  }

  remove(handle: number): boolean {
    if (!this.has(handle)) return false;
    this.removeAt(this.index.pos[handle]);
    return true;
  }

  /** Re-keys `handle` (pushes it if absent). */
  set(handle: number, a: number, b: number, c: number): void {
    if (!this.has(handle)) {
      this.push(handle, a, b, c);
      return;
    }
    const p = this.index.pos[handle];
    this.ka[p] = a;
    this.kb[p] = b;
    this.kc[p] = c;
    this.up(p);
    this.down(this.index.pos[handle]);
  }

  /**
   * The best handle for which `accept` holds, visiting entries best first through a small
   * frontier of positions; -1 when none. Cost O(r log r), r = entries rejected before the answer.
   */
  findFirst(accept: (handle: number) => boolean): number {
    const p = bestFirst(
      this.n,
      (p, q) => this.less(p, q),
      (pos) => accept(this.hs[pos]),
    );
    return p < 0 ? -1 : this.hs[p];
  }

  /** Handles in storage order (not sorted); for queries and tests. */
  *handles(): IterableIterator<number> {
    for (let i = 0; i < this.n; i++) yield this.hs[i];
  }

  /** Entry at position i orders before entry at position j. */
  private less(i: number, j: number): boolean {
    const ka = this.ka;
    if (ka[i] !== ka[j]) return ka[i] < ka[j];
    const kb = this.kb;
    if (kb[i] !== kb[j]) return kb[i] < kb[j];
    return this.kc[i] < this.kc[j];
  }

  private grow(): void {
    const size = this.hs.length * 2;
    const f = (x: Float64Array) => {
      const y = new Float64Array(size);
      y.set(x);
      return y;
    };
    this.ka = f(this.ka);
    this.kb = f(this.kb);
    this.kc = f(this.kc);
    const h = new Int32Array(size);
    h.set(this.hs);
    this.hs = h;
  }

  private move(from: number, to: number): void {
    this.ka[to] = this.ka[from];
    this.kb[to] = this.kb[from];
    this.kc[to] = this.kc[from];
    const h = this.hs[from];
    this.hs[to] = h;
    this.index.pos[h] = to;
  }

  private removeAt(p: number): void {
    this.index.pos[this.hs[p]] = -1;
    const last = --this.n;
    if (p === last) return;
    const moved = this.hs[last];
    this.move(last, p);
    this.up(p);
    this.down(this.index.pos[moved]);
  }

  private up(p: number): void {
    const a = this.ka[p];
    const b = this.kb[p];
    const c = this.kc[p];
    const h = this.hs[p];
    while (p > 0) {
      const q = (p - 1) >> 1;
      const qa = this.ka[q];
      if (qa < a || (qa === a && (this.kb[q] < b || (this.kb[q] === b && this.kc[q] <= c)))) break;
      this.move(q, p);
      p = q;
    }
    this.ka[p] = a;
    this.kb[p] = b;
    this.kc[p] = c;
    this.hs[p] = h;
    this.index.pos[h] = p;
  }

  private down(p: number): void {
    const n = this.n;
    const a = this.ka[p];
    const b = this.kb[p];
    const c = this.kc[p];
    const h = this.hs[p];
    for (;;) {
      const l = 2 * p + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && this.less(r, l) ? r : l;
      const ma = this.ka[m];
      if (ma > a || (ma === a && (this.kb[m] > b || (this.kb[m] === b && this.kc[m] >= c)))) break;
      this.move(m, p);
      p = m;
    }
    this.ka[p] = a;
    this.kb[p] = b;
    this.kc[p] = c;
    this.hs[p] = h;
    this.index.pos[h] = p;
  }
}
