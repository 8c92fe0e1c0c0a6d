/**
 * A Map bounded in entries and age: the oldest entry is evicted when full, entries older than
 * `ttl` read as absent. Time is passed in, never read. Used for idempotency ids of finished
 * interactions, the customer's last agent, and recently closed offers.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, { value: V; at: number }>();

  constructor(
    readonly maxEntries: number,
    readonly ttl: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  set(key: K, value: V, now: number): void {
    this.map.delete(key);
    this.map.set(key, { value, at: now });
    if (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value as K;
      this.map.delete(oldest);
    }
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

  /** Drops expired entries from the old end; amortised O(1) per entry. */
  prune(now: number): void {
    for (const [k, e] of this.map) {
      if (now - e.at <= this.ttl) break;
      this.map.delete(k);
    }
  }
}
