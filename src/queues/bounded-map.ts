/**
 * A BoundedMap of strings as a snapshot stores it: the ring as it is, keys and values each joined
 * into one string (they never contain the separator, U+0000; an empty string is a hole), times
 * as a typed array. A few large values instead of a million small ones: dumping and encoding it
 * is a copy, not a walk.
 */
export interface BoundedMapDump {
  readonly first: number;
  readonly next: number;
  readonly keys: string;
  readonly values: string;
  readonly times: Float64Array;
}

const SEP = '\u0000';

/**
 * A Map bounded in entries and age: beyond `maxEntries` the least recently set entry is
 * evicted, entries older than `ttl` read as absent. Time is passed in, never read. Used for
 * idempotency ids of finished interactions and the customer's last agent.
 *
 * Entries live in a ring (key, value, time) in order of setting, addressed by an increasing
 * sequence number (position = sequence mod ring size); the Map only maps a key to its sequence.
 * A set allocates nothing, eviction is O(1), and growing the ring keeps every sequence valid.
 * (Taking the oldest key from the Map's own iterator is not O(1): after many deletions V8 walks
 * the holes at the front of its ordered table on every call.) Re-setting a key leaves a hole;
 * a ring full of holes is compacted, O(1) amortised.
 */
export class BoundedMap<K, V> {
  private readonly index = new Map<K, number>();
  private keys: (K | undefined)[] = new Array(16);
  private values: (V | undefined)[] = new Array(16);
  private times = new Float64Array(16);
  /** Sequence of the oldest record (hole or entry) and the next one to write. */
  private first = 0;
  private next = 0;

  constructor(
    readonly maxEntries: number,
    readonly ttl: number,
  ) {}

  get size(): number {
    return this.index.size;
  }

  /** The ring for a snapshot, as it is: a restored map evicts in exactly the same order. */
  dump(this: BoundedMap<string, string>): BoundedMapDump {
    return { first: this.first, next: this.next, keys: this.keys.join(SEP), values: this.values.join(SEP), times: this.times.slice() };
  }

  load(this: BoundedMap<string, string>, d: BoundedMapDump): void {
    this.keys = d.keys.split(SEP).map((k) => (k === '' ? undefined : k));
    this.values = d.values.split(SEP).map((v) => (v === '' ? undefined : v));
    this.times = d.times.slice();
    this.first = d.first;
    this.next = d.next;
    this.index.clear();
    const cap = this.keys.length;
    for (let seq = this.first; seq < this.next; seq++) {
      const k = this.keys[seq % cap];
      if (k !== undefined) this.index.set(k, seq);
    }
  }

  set(key: K, value: V, now: number): void {
    const old = this.index.get(key);
    if (old !== undefined) {
      const p = old % this.keys.length;
      this.keys[p] = undefined;
      this.values[p] = undefined;
    }
    if (this.next - this.first === this.keys.length) this.makeRoom();
    const seq = this.next++;
    const p = seq % this.keys.length;
    this.keys[p] = key;
    this.values[p] = value;
    this.times[p] = now;
    this.index.set(key, seq);
    while (this.index.size > this.maxEntries) this.dropOldest();
  }

  get(key: K, now: number): V | undefined {
    const seq = this.index.get(key);
    if (seq === undefined) return undefined;
    const p = seq % this.keys.length;
    if (now - this.times[p] > this.ttl) {
      this.delete(key);
      return undefined;
    }
    return this.values[p];
  }

  /** When `key` was last set, or undefined (absent, or older than the ttl). */
  timeOf(key: K, now: number): number | undefined {
    const seq = this.index.get(key);
    if (seq === undefined) return undefined;
    const t = this.times[seq % this.keys.length];
    return now - t > this.ttl ? undefined : t;
  }

  delete(key: K): void {
    const seq = this.index.get(key);
    if (seq === undefined) return;
    this.index.delete(key);
    const p = seq % this.keys.length;
    this.keys[p] = undefined;
    this.values[p] = undefined;
  }

  /** Drops entries past their ttl (and holes) from the old end. */
  prune(now: number): void {
    while (this.next > this.first) {
      const p = this.first % this.keys.length;
      if (this.keys[p] !== undefined && now - this.times[p] <= this.ttl) break;
      this.dropOldest();
    }
  }

  private dropOldest(): void {
    const p = this.first % this.keys.length;
    const k = this.keys[p];
    if (k !== undefined) this.index.delete(k);
    this.keys[p] = undefined;
    this.values[p] = undefined;
    this.first++;
  }

  /** The ring is full: grow it while under 2 × maxEntries, else squeeze out the holes. */
  private makeRoom(): void {
    const cap = this.keys.length;
    const limit = 2 * Math.max(this.maxEntries, 1) + 2;
    const grow = cap < limit;
    const size = grow ? Math.min(cap * 2, limit) : cap;
    const keys: (K | undefined)[] = new Array(size);
    const values: (V | undefined)[] = new Array(size);
    const times = new Float64Array(size);
    let write = this.first;
    for (let seq = this.first; seq < this.next; seq++) {
      const j = seq % cap;
      const k = this.keys[j];
      if (k === undefined && !grow) continue;
      // Growing keeps each record's sequence; compacting renumbers the survivors.
      const to = grow ? seq : write++;
      const p = to % size;
      keys[p] = k;
      values[p] = this.values[j];
      times[p] = this.times[j];
      if (!grow && k !== undefined) this.index.set(k, to);
    }
    if (!grow) this.next = write;
    this.keys = keys;
    this.values = values;
    this.times = times;
  }
}
