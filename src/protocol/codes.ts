/**
 * Wire error codes and WebSocket close codes. Engine rejection codes (src/engine/codes.ts) pass
 * through unchanged; these add the protocol's own. Stable: part of the wire contract.
 */
export { RejectCode } from '../engine/codes.ts';

export const ProtocolCode = {
  /** The frame could not be decoded (bad JSON or msgpack, over a bound, forbidden key). */
  BAD_FRAME: 'BAD_FRAME',
  /** The frame decoded but does not match the message schema. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** The message type does not exist for this role. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'RATE_LIMITED',
  /** The service cannot take the request now; retry later (e.g. storage unavailable). */
  UNAVAILABLE: 'UNAVAILABLE',
  /** The store did not take the request (provably): nothing of it took effect. Retry. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** The journal write was sent but not confirmed: the request may yet take effect. Retry it (every mutating request is safe to retry). */
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
  /** Another server leads this tenant now; reconnect (the connection is closed with 1012). */
  STALE_LEADER: 'STALE_LEADER',
  /** Subscribe `after`: the events after that cursor are no longer retained; `oldest` is the first that is. */
  EVENTS_EXPIRED: 'EVENTS_EXPIRED',
  INTERNAL: 'INTERNAL',
} as const;

export type ProtocolCode = (typeof ProtocolCode)[keyof typeof ProtocolCode];

export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  /** Repeated protocol abuse, rate limit exhausted, slow consumer over its backpressure limit. */
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  /** The token expired on an open connection. */
  TOKEN_EXPIRED: 4001,
} as const;
