/**
 * A Map bounded in entries and age: beyond `maxEntries` the least recently set entry is
 * evicted, entries older than `ttl` read as absent. Time is passed in, never read. Used for
 * idempotency ids of finished interactions and the customer's last agent.
 *
 * Entries live in a ring (key, value, time) in order of setting; the Map only maps a key to its
 * ring slot, so a set allocates nothing and eviction is O(1). (Taking the oldest key from the
 * Map's own iterator is not O(1): after many deletions V8 walks the holes at the front of its
 * ordered table on every call.) Re-setting a key leaves a hole in the ring; when the ring is
 * full of holes it is compacted, O(1) amortised.
 */
export class BoundedMap<K, V> {
  private readonly index = new Map<K, number>();
  private keys: (K | undefined)[] = new Array(16);
  private values: (V | undefined)[] = new Array(16);
  private times = new Float64Array(16);
  private head = 0;
  /** Ring records from head, holes included. */
  private count = 0;

  constructor(
    readonly maxEntries: number,
    readonly ttl: number,
  ) {}

  get size(): number {
    return this.index.size;
  }

  set(key: K, value: V, now: number): void {
    const old = this.index.get(key);
    if (old !== undefined) {
      this.keys[old] = undefined;
      this.values[old] = undefined;
    }
    if (this.count === this.keys.length) this.makeRoom();
    const at = (this.head + this.count) % this.keys.length;
    this.keys[at] = key;
    this.values[at] = value;
    this.times[at] = now;
    this.count++;
    this.index.set(key, at);
    while (this.index.size > this.maxEntries) this.dropHead();
  }

  get(key: K, now: number): V | undefined {
    const at = this.index.get(key);
    if (at === undefined) return undefined;
    if (now - this.times[at] > this.ttl) {
      this.delete(key);
      return undefined;
    }
    return this.values[at];
  }

  delete(key: K): void {
    const at = this.index.get(key);
    if (at === undefined) return;
    this.index.delete(key);
    this.keys[at] = undefined;
    this.values[at] = undefined;
  }

  /** Drops entries past their ttl (and holes) from the old end. */
  prune(now: number): void {
    while (this.count > 0) {
      const k = this.keys[this.head];
      if (k !== undefined && now - this.times[this.head] <= this.ttl) break;
      this.dropHead();
    }
  }

  private dropHead(): void {
    const k = this.keys[this.head];
    if (k !== undefined) this.index.delete(k);
    this.keys[this.head] = undefined;
    this.values[this.head] = undefined;
    this.head = (this.head + 1) % this.keys.length;
    this.count--;
  }

  /** The ring is full: grow it while under 2 × maxEntries, else squeeze out the holes. */
  private makeRoom(): void {
    const cap = this.keys.length;
    const limit = 2 * Math.max(this.maxEntries, 1) + 2;
    const size = cap < limit ? Math.min(cap * 2, limit) : cap;
    const keys: (K | undefined)[] = new Array(size);
    const values: (V | undefined)[] = new Array(size);
    const times = new Float64Array(size);
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      const j = (this.head + i) % cap;
      const k = this.keys[j];
      if (k === undefined) continue;
      keys[n] = k;
      values[n] = this.values[j];
      times[n] = this.times[j];
      this.index.set(k, n);
      n++;
    }
    this.keys = keys;
    this.values = values;
    this.times = times;
    this.head = 0;
    this.count = n;
  }
}
