/**
 * What the transport sees of the shell, and all it may import from it: who is connected
 * (`Principal`), a connection as the shell drives it (`Session`), and the calls the transport
 * makes (`ShellPort`). The transport implements `Session`; the shell implements `ShellPort`.
 */
import type { AgentRequest, PlatformRequest, SupervisorRequest } from '../protocol/schemas.ts';

/** The longest a timer can wait: Node fires a longer one at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Who a verified token speaks for. */
export type Principal = {
  readonly tenant: string;
  readonly role: 'platform' | 'agent' | 'supervisor';
  readonly agentId: string | null;
  readonly expiresAt: number;
};

/** A connection as the shell sees it; the transport implements it. */
export interface Session {
  readonly id: number;
  readonly principal: Principal;
  /** Queues a frame; it leaves after the current turn. */
  send(frame: Record<string, unknown>): void;
  /** Closes the connection with a code (the transport implements it). */
  end?(code: number, reason: string): void;
}

/** GET /v1/events: events after `after` (default: from the oldest kept), at most `limit`, waiting up to `waitMs`. */
export interface EventsPoll {
  readonly after?: number;
  readonly limit: number;
  readonly waitMs: number;
  /** Event type names (checked by the transport against the protocol's list). */
  readonly types?: readonly string[];
  readonly queues?: readonly string[];
}

/** A validated request of any role. */
export type AnyRequest = PlatformRequest | AgentRequest | SupervisorRequest;

/** Why a tenant refuses requests now. */
export interface Refusal {
  readonly code: string;
  readonly message: string;
}

/** The answer that refuses request `re` (null: a poll, or an id that could not be read) for `why`. */
export function refusalFrame(re: string | number | null, why: Refusal): Record<string, unknown> {
  return { re, ok: false, code: why.code, message: why.message };
}

/** What `GET /v1/status` says of the caller's tenant on this server (docs/protocol.md, HTTP API). */
export interface TenantStatus {
  /** Its durability state (`fresh`, `serving`, `following`, `replaying`, `unavailable`, `fenced`…); `absent` when this server holds nothing of it. */
  readonly state: string;
  /** Number of the last journal entry in its engine's state (0 without a journal). */
  readonly journaled: number;
  /** Entry number of its latest snapshot. */
  readonly snapshotAt: number;
  /** The event feed: the last event's number, the oldest kept in memory, and its consumers. */
  readonly events: {
    readonly last: number;
    readonly oldest: number;
    readonly live: number;
    readonly catchingUp: number;
    readonly polling: number;
    readonly lag: number;
  };
  /** Open WebSocket connections. */
  readonly connections: number;
}

/** A turn's queued frames, one list per session (parallel arrays). */
export type Frames = Record<string, unknown>[];

/** The calls the transport makes into the shell. */
export interface ShellPort {
  /** A connection was admitted (an agent's desktop is sent its state, offers and assignments). */
  open(s: Session): void;
  close(s: Session): void;
  /** Handles one validated request; the answer is queued on the session. */
  handle(s: Session, req: AnyRequest): void;
  /** Answers one poll of the tenant's event feed on the session (one frame, `re: null`). */
  pollEvents(s: Session, q: EventsPoll): void;
  /** Open connections of a tenant (admission counts them). */
  connections(tenant: string): number;
  /** How many tenants this server holds, and where one of them stands (`GET /v1/status`). */
  status(tenant: string): { readonly tenants: number; readonly tenant: TenantStatus };
  /**
   * Ends a turn: the frames the turn queued leave through `send` once the turn's journal write
   * is confirmed (at once, synchronously, when nothing is journaled), turns in the order they
   * ended. For a tenant whose write failed only refusals of its answers leave.
   */
  release<S extends Session>(sessions: S[], frames: Frames[], send: (sessions: S[], frames: Frames[]) => void): void;
  /** Stops every tenant's timer. */
  stop(): void;
}
