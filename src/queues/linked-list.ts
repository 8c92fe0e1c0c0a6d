/**
 * Intrusive doubly linked lists over integer handles, all lists sharing one pair of prev/next
 * arrays: a handle is in at most one list of a given {@link LinkedLists}. O(1) append and
 * removal, no allocation per operation. Used for per-queue arrival order (oldest wait).
 */
export class LinkedLists {
  private prev = new Int32Array(1024).fill(-1);
  private next = new Int32Array(1024).fill(-1);
  private member = new Int32Array(1024).fill(-1);

  private ensure(h: number): void {
    if (h < this.prev.length) return;
    let size = this.prev.length * 2;
    while (size <= h) size *= 2;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(size).fill(-1);
      b.set(a);
      return b;
    };
    this.prev = grow(this.prev);
    this.next = grow(this.next);
    this.member = grow(this.member);
  }

  /** Copies of the links, for a snapshot (the heads live in their owners' records). */
  dump(): { prev: Int32Array; next: Int32Array; member: Int32Array } {
    return { prev: this.prev.slice(), next: this.next.slice(), member: this.member.slice() };
  }

  load(d: { prev: Int32Array; next: Int32Array; member: Int32Array }): void {
    this.prev = d.prev.slice();
    this.next = d.next.slice();
    this.member = d.member.slice();
  }

  /** Appends `h` to `list`, whose head/tail/size live in the given record. */
  append(list: ListHead, h: number): void {
    this.ensure(h);
    if (this.member[h] !== -1) throw new Error(`handle ${h} already listed`);
    this.member[h] = list.id;
    this.prev[h] = list.tail;
    this.next[h] = -1;
    if (list.tail === -1) list.head = h;
    else this.next[list.tail] = h;
    list.tail = h;
    list.size++;
  }

  remove(list: ListHead, h: number): boolean {
    if (h >= this.member.length || this.member[h] !== list.id) return false;
    const p = this.prev[h];
    const n = this.next[h];
    if (p === -1) list.head = n;
    else this.next[p] = n;
    if (n === -1) list.tail = p;
    else this.prev[n] = p;
    this.member[h] = -1;
    list.size--;
    return true;
  }

  following(h: number): number {
    return this.next[h];
  }
}

export interface ListHead {
  readonly id: number;
  head: number;
  tail: number;
  size: number;
}

export function newListHead(id: number): ListHead {
  return { id, head: -1, tail: -1, size: 0 };
}
