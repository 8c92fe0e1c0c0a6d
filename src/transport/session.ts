/**
 * A WebSocket connection: the state uWebSockets.js keeps with it (`Conn`: who, which encoding,
 * the rate-limit bucket, the token's expiry timer) and the `Session` the shell drives, whose
 * frames wait in an outbox until the turn is released.
 */
import type uWS from 'uWebSockets.js';
import type { Encoding } from '../protocol/codec.ts';
import type { Frames, Principal, Session } from '../shell/ports.ts';

export interface Conn {
  principal: Principal;
  encoding: Encoding;
  session: SessionImpl | null;
  /** Rate-limit bucket: tokens left and when they were last refilled (rate-limit.ts). */
  tokens: number;
  refilledAt: number;
  violations: number;
  expiry: ReturnType<typeof setTimeout> | null;
  /** Why the server ended this connection, when it did (for the closes metric). */
  closeReason: string | null;
}

/** A close asked for once the frames queued before it have been sent. */
export interface PendingEnd {
  readonly code: number;
  readonly reason: string;
}

/**
 * The outbox of a session with nothing queued: shared, never written to. A session's own list is
 * made by its first frame of a turn and handed on at the turn's end, so it never outlives the
 * turn (an empty list kept on a connection between turns would outlive the young generation, and
 * the collector would copy and promote one per connection and turn).
 */
export const NO_FRAMES: Frames = Object.freeze([]) as unknown as Frames;

export class SessionImpl implements Session {
  outbox: Frames = NO_FRAMES;
  closed = false;
  /** Set once the server decided to close it: nothing more is read from it. */
  closing = false;
  /** The close to make after this turn's frames leave (taken by the outbox at the turn's end). */
  pendingEnd: PendingEnd | null = null;
  constructor(
    readonly id: number,
    readonly principal: Principal,
    readonly ws: uWS.WebSocket<Conn>,
    private readonly onDirty: (s: SessionImpl) => void,
  ) {}
  end(code: number, reason: string): void {
    if (!this.closed) this.ws.end(code, reason);
  }
  /**
   * Closes the connection once the frames queued so far have been sent (they may wait for the
   * turn's journal write): the answers a client was owed before the close still reach it.
   */
  endAfterTurn(code: number, reason: string): void {
    if (this.closed || this.closing) return;
    this.closing = true;
    this.pendingEnd = { code, reason };
    if (this.outbox.length === 0) this.onDirty(this);
  }
  send(frame: Record<string, unknown>): void {
    if (this.closed) return;
    if (this.outbox.length === 0) {
      this.onDirty(this);
      this.outbox = [frame];
    } else this.outbox.push(frame);
  }
}
