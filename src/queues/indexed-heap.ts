/**
 * Indexed binary min-heap over small integer handles (slots).
 *
 * The heap stores only handles; the ordering lives in a caller-supplied `less(a, b)` that reads
 * keys from global typed arrays indexed by handle (docs/routing.md §3: global key/position arrays,
 * per-heap capacity-sized arrays ran out of memory). A handle's position in *this* heap is kept
 * in a shared {@link PositionIndex}, so removal by handle is O(log n). A handle may belong to at
 * most one heap per position index.
 */
import { bestFirst } from './best-first.ts';

export class PositionIndex {
  pos: Int32Array;

  constructor(initialCapacity = 1024) {
    this.pos = new Int32Array(initialCapacity).fill(-1);
  }

  /** A copy of the positions, for a snapshot. */
  dump(): Int32Array {
    return this.pos.slice();
  }

  /** Takes the positions of a snapshot. */
  load(pos: Int32Array): void {
    this.pos = pos.slice();
  }

  /** Makes sure `handle` is addressable. */
  ensure(handle: number): void {
    if (handle < this.pos.length) return;
    let size = this.pos.length * 2;
    while (size <= handle) size *= 2;
    const next = new Int32Array(size).fill(-1);
    next.set(this.pos);
    this.pos = next;
  }
}

export type Less = (a: number, b: number) => boolean;

export class IndexedHeap {
  private items: Int32Array;
  private n = 0;

  constructor(
    private readonly index: PositionIndex,
    private readonly less: Less,
    initialCapacity = 8,
  ) {
    this.items = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.n;
  }

  /** The handles in heap order, for a snapshot (positions are dumped with the PositionIndex). */
  dump(): Int32Array {
    return this.items.slice(0, this.n);
  }

  /** Takes a snapshot's handles, in the same heap order. */
  load(items: Int32Array): void {
    this.items = new Int32Array(Math.max(8, items.length));
    this.items.set(items);
    this.n = items.length;
  }

  /** The best handle, or -1 when empty. */
  peek(): number {
    return this.n === 0 ? -1 : this.items[0];
  }

  has(handle: number): boolean {
    const pos = this.index.pos;
    if (handle >= pos.length) return false;
    const p = pos[handle];
    return p >= 0 && p < this.n && this.items[p] === handle;
  }

  push(handle: number): void {
    this.index.ensure(handle);
    if (this.n === this.items.length) {
      const next = new Int32Array(this.items.length * 2);
      next.set(this.items);
      this.items = next;
    }
    this.items[this.n] = handle;
    this.index.pos[handle] = this.n;
    this.n++;
    this.up(this.n - 1);
  }

  pop(): number {
    if (this.n === 0) return -1;
    const top = this.items[0];
    this.removeAt(0);
    return top;
  }

  /** Removes `handle` if present; returns whether it was. */
  remove(handle: number): boolean {
    if (!this.has(handle)) return false;
    this.removeAt(this.index.pos[handle]);
    return true;
  }

  /** Restores order after the key of `handle` changed. */
  update(handle: number): void {
    const p = this.index.pos[handle];
    this.up(p);
    this.down(this.index.pos[handle]);
  }

  /**
   * The best handle for which `accept` holds, visiting handles in heap order (best first) through
   * a small auxiliary frontier; -1 when none. Cost O(r log r) where r is the number of handles
   * rejected before the answer, so callers use it to skip a few excluded entries (e.g. agents who
   * declined an interaction) without scanning the heap.
   */
  findFirst(accept: (handle: number) => boolean): number {
    const p = bestFirst(
      this.n,
      (p, q) => this.less(this.items[p], this.items[q]),
      (pos) => accept(this.items[pos]),
    );
    return p < 0 ? -1 : this.items[p];
  }

  /** Handles in storage order (not sorted); for queries and tests. */
  *handles(): IterableIterator<number> {
    for (let i = 0; i < this.n; i++) yield this.items[i];
  }

  private removeAt(p: number): void {
    const pos = this.index.pos;
    const removed = this.items[p];
    pos[removed] = -1;
    this.n--;
    if (p === this.n) return;
    const last = this.items[this.n];
    this.items[p] = last;
    pos[last] = p;
    this.up(p);
    this.down(pos[last]);
  }

  private up(p: number): void {
    const items = this.items;
    const pos = this.index.pos;
    const h = items[p];
    while (p > 0) {
      const parent = (p - 1) >> 1;
      const ph = items[parent];
      if (!this.less(h, ph)) break;
      items[p] = ph;
      pos[ph] = p;
      p = parent;
    }
    items[p] = h;
    pos[h] = p;
  }

  private down(p: number): void {
    const items = this.items;
    const pos = this.index.pos;
    const n = this.n;
    const h = items[p];
    for (;;) {
      const l = 2 * p + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(items[r], items[l])) c = r;
      if (!this.less(items[c], h)) break;
      items[p] = items[c];
      pos[items[c]] = p;
      p = c;
    }
    items[p] = h;
    pos[h] = p;
  }
}
