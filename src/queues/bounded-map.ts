/**
 * A Map bounded in entries and age: beyond `maxEntries` the least recently set entry is
 * evicted, entries older than `ttl` read as absent. Time is passed in, never read. Used for
 * idempotency ids of finished interactions, the customer's last agent, and closed offers.
 *
 * Eviction order lives in a ring of (key, sequence) beside the Map, so eviction is O(1). (Taking
 * the oldest key from the Map's own iterator is not: after many deletions V8 walks the holes
 * left at the front of its ordered table on every call.)
 */
interface Entry<V> {
  value: V;
  at: number;
  seq: number;
}

export class BoundedMap<K, V> {
  private readonly map = new Map<K, Entry<V>>();
  private ringKeys: (K | undefined)[] = [];
  private ringSeq = new Float64Array(16);
  private head = 0;
  private count = 0;
  private seq = 0;

  constructor(
    readonly maxEntries: number,
    readonly ttl: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  set(key: K, value: V, now: number): void {
    const seq = ++this.seq;
    const e = this.map.get(key);
    if (e) {
      e.value = value;
      e.at = now;
      e.seq = seq;
    } else this.map.set(key, { value, at: now, seq });
    this.ringPush(key, seq);
    while (this.map.size > this.maxEntries) this.evictOldest();
  }

  get(key: K, now: number): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (now - e.at > this.ttl) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  /** Drops entries past their ttl from the old end of the ring. */
  prune(now: number): void {
    while (this.count > 0) {
      const k = this.ringKeys[this.head] as K;
      const e = this.map.get(k);
      if (e && e.seq === this.ringSeq[this.head] && now - e.at <= this.ttl) break;
      this.evictOldest();
    }
  }

  private ringPush(key: K, seq: number): void {
    const cap = this.ringSeq.length;
    if (this.count === cap) {
      // Full: grow (doubling) while under 2 × maxEntries, else drop the superseded records
      // (at least half of them are, since the Map holds at most maxEntries + 1 keys): O(1)
      // amortised per set.
      const limit = 2 * Math.max(this.maxEntries, 1) + 2;
      const size = cap < limit ? Math.min(cap * 2, limit) : cap;
      const keys: (K | undefined)[] = new Array(size);
      const seqs = new Float64Array(size);
      let n = 0;
      for (let i = 0; i < this.count; i++) {
        const j = (this.head + i) % cap;
        const k = this.ringKeys[j] as K;
        if (size === cap && this.map.get(k)?.seq !== this.ringSeq[j]) continue;
        keys[n] = k;
        seqs[n++] = this.ringSeq[j];
      }
      this.ringKeys = keys;
      this.ringSeq = seqs;
      this.head = 0;
      this.count = n;
    }
    const at = (this.head + this.count) % this.ringSeq.length;
    this.ringKeys[at] = key;
    this.ringSeq[at] = seq;
    this.count++;
  }

  /** Removes the ring's oldest record, and its key if that record is still the key's latest. */
  private evictOldest(): void {
    if (this.count === 0) return;
    const k = this.ringKeys[this.head] as K;
    const s = this.ringSeq[this.head];
    this.ringKeys[this.head] = undefined;
    this.head = (this.head + 1) % this.ringSeq.length;
    this.count--;
    const e = this.map.get(k);
    if (e && e.seq === s) this.map.delete(k);
  }
}
