/**
 * One request of the HTTP API as the shell sees it: a `Session` that lives for one answer. The
 * router queues the answer on it as on a WebSocket session; the outbox releases it through the
 * shell's group commit with every other session's frames of the turn (so an `ok` leaves only
 * once the turn's journal write is confirmed, and a failed write turns it into the refusal), and
 * then `answer` writes it as the HTTP response, unless the client went away meanwhile. The shell
 * never opens it: it is nobody's desktop and subscribes to nothing, so only its answer comes.
 */
import type uWS from 'uWebSockets.js';
import { ProtocolCode } from '../protocol/codes.ts';
import { statusOf } from '../protocol/http-status.ts';
import type { Frames, Principal, Session } from '../shell/ports.ts';
import { reply } from './http-reply.ts';
import { NO_FRAMES } from './session.ts';

export class HttpExchange implements Session {
  outbox: Frames = NO_FRAMES;
  /** Aborted by the client, or answered: nothing more is written. */
  closed = false;
  /** An HTTP exchange never asks for a connection to be closed after its turn. */
  readonly pendingEnd = null;

  constructor(
    readonly id: number,
    readonly principal: Principal,
    private readonly res: uWS.HttpResponse,
    /** The body carried an `id`: the answer carries it as `re`, as a WebSocket answer does. */
    private readonly echoId: boolean,
    private readonly onDirty: (s: HttpExchange) => void,
  ) {}

  send(frame: Record<string, unknown>): void {
    if (this.closed) return;
    if (this.outbox.length === 0) {
      this.onDirty(this);
      this.outbox = [frame];
    } else this.outbox.push(frame);
  }

  /** Nothing to close: the connection belongs to the client's HTTP stack. */
  end(): void {}

  /** Writes the turn's answer (released by the shell) as the response. */
  answer(frames: Frames): void {
    if (this.closed) return;
    this.closed = true;
    const frame = frames.find((f) => 're' in f) ?? { re: null, ok: false, code: ProtocolCode.INTERNAL, message: 'internal error: no answer' };
    const { re, ...rest } = frame;
    const body = this.echoId ? frame : rest;
    reply(this.res, statusOf(body), body);
  }
}
