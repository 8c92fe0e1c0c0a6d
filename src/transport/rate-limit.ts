/**
 * The per-connection token bucket: `messagesPerSecond` sustained, `messageBurst` at once.
 */
import type { Conn } from './session.ts';

export interface RateLimit {
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
}

/** Refills the bucket up to `now` and takes one token; false when none is left. */
export function takeToken(c: Conn, limit: RateLimit, now: number): boolean {
  c.tokens = Math.min(limit.messageBurst, c.tokens + ((now - c.refilledAt) / 1000) * limit.messagesPerSecond);
  c.refilledAt = now;
  if (c.tokens < 1) return false;
  c.tokens -= 1;
  return true;
}
