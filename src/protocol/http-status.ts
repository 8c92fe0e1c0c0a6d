/**
 * The HTTP status of each answer of the HTTP API: 200 for `ok: true`, and for a refusal the
 * status of its code (docs/protocol.md, HTTP API, has this table; the OpenAPI document lists
 * the codes of each status from it). The body always carries the code, which is what a client
 * should act on; the status only sorts refusals into the classes HTTP clients, proxies and logs
 * know. Every code has one (tests/protocol/http-status.test.ts
 * checks each code of codes.ts against this table).
 */
import { ProtocolCode, RejectCode } from './codes.ts';

/** Every code of the wire, protocol codes first. */
export const WIRE_CODES: readonly string[] = [...Object.values(ProtocolCode), ...Object.values(RejectCode)];

export const HTTP_STATUS: Readonly<Record<string, number>> = {
  // The request itself is wrong: sending it again as it is fails again.
  BAD_FRAME: 400, // 413 instead for a body over maxPayloadBytes (never read)
  VALIDATION_FAILED: 400,
  INVALID_ARGUMENT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  OFFER_NOT_YOURS: 403,
  // What it names does not exist (the request type in the path, or an entity of the tenant).
  UNKNOWN_TYPE: 404,
  UNKNOWN_SKILL: 404,
  UNKNOWN_QUEUE: 404,
  UNKNOWN_AGENT: 404,
  UNKNOWN_INTERACTION: 404,
  UNKNOWN_OFFER: 404,
  UNKNOWN_WEBHOOK: 404,
  // Refused in the tenant's current state: the same request may pass once the state changes.
  OFFER_CLOSED: 409,
  NOT_ASSIGNED_TO_AGENT: 409,
  INVALID_STATE: 409,
  INTERACTION_FINISHED: 409,
  AGENT_BUSY: 409,
  CAPACITY_EXHAUSTED: 409,
  LIMIT_EXCEEDED: 409,
  QUEUE_IN_USE: 409,
  SKILL_IN_USE: 409,
  QUEUE_REFUSED: 409,
  QUEUE_CLOSED: 409,
  INACTIVE_LIMIT: 409,
  AGENT_AT_CAPACITY: 409,
  // The event feed's cursor points before what is retained: resuming from there is gone for good.
  EVENTS_EXPIRED: 410,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  // The server cannot answer for the tenant now: retry (every mutating request is safe to retry).
  UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  OUTCOME_UNKNOWN: 503,
  STALE_LEADER: 503,
};

/** Every status the HTTP API answers with, and its reason phrase. */
export const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The status of an answer: 200 when ok, the code's status otherwise (500 for a code not in the table). */
export function statusOf(answer: Record<string, unknown>): number {
  if (answer.ok === true) return 200;
  return HTTP_STATUS[answer.code as string] ?? 500;
}

/** The status line uWebSockets.js writes, e.g. `409 Conflict`. */
export function statusLine(status: number): string {
  return `${status} ${REASONS[status] ?? 'Unknown'}`;
}
