/**
 * The HTTP API's rate-limit buckets, one per caller (an HTTP request has no connection to hold
 * one): a bounded table, least recently used first out. Evicting a bucket forgets at most the
 * debt of a caller not seen for longer than every other one in the table; a bucket idle for
 * `messageBurst / messagesPerSecond` seconds is full again anyway, the same as a new one.
 */
import { type Bucket, type RateLimit, secondsUntilToken, takeToken } from './rate-limit.ts';

/**
 * Buckets kept (about 100 bytes each with its key): room for every caller of a large
 * deployment at once, while a flood of distinct tokens cannot grow the table past a few MB.
 */
export const MAX_BUCKETS = 65_536;

export class BucketTable {
  /** In order of last use, oldest first (a Map iterates in insertion order; a use re-inserts). */
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly max = MAX_BUCKETS,
  ) {}

  /** Takes a token from `key`'s bucket: null when it had one, else the seconds until it will. */
  take(key: string, now: number): number | null {
    let b = this.buckets.get(key);
    if (b) this.buckets.delete(key);
    else {
      b = { tokens: this.limit.messageBurst, refilledAt: now };
      if (this.buckets.size >= this.max) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, b);
    return takeToken(b, this.limit, now) ? null : secondsUntilToken(b, this.limit);
  }

  get size(): number {
    return this.buckets.size;
  }
}
