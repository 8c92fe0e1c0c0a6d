/**
 * The token bucket: `messagesPerSecond` sustained, `messageBurst` at once. A WebSocket
 * connection holds one (session.ts); the HTTP API keeps one per token (bucket-table.ts).
 */

export interface RateLimit {
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
}

/** A bucket: tokens left and when they were last refilled. */
export interface Bucket {
  tokens: number;
  refilledAt: number;
}

/** Refills the bucket up to `now` and takes one token; false when none is left. */
export function takeToken(c: Bucket, limit: RateLimit, now: number): boolean {
  c.tokens = Math.min(limit.messageBurst, c.tokens + ((now - c.refilledAt) / 1000) * limit.messagesPerSecond);
  c.refilledAt = now;
  if (c.tokens < 1) return false;
  c.tokens -= 1;
  return true;
}

/** Whole seconds until a bucket just refused has a token again (at least 1: Retry-After). */
export function secondsUntilToken(c: Bucket, limit: RateLimit): number {
  return Math.max(1, Math.ceil((1 - c.tokens) / limit.messagesPerSecond));
}
