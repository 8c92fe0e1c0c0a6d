/**
 * The transport's side of a turn: sessions that queued frames are collected, and once the
 * turn's work is done (setImmediate) their frames are released through the shell's group
 * commit, then encoded and written, corked when there are several. HTTP API requests
 * (http-exchange.ts) join the same turns: one release per turn covers every engine call the
 * turn's journal write holds, whichever side sent it.
 */
import type { Metrics } from '../metrics/metrics.ts';
import { encodeFrame } from '../protocol/codec.ts';
import type { Frames, ShellPort } from '../shell/ports.ts';
import { HttpExchange } from './http-exchange.ts';
import { type Conn, NO_FRAMES, type PendingEnd, type SessionImpl } from './session.ts';

/** What queues frames for a turn: a WebSocket session, or an HTTP API request. */
export type Queued = SessionImpl | HttpExchange;

export class Outbox {
  private readonly dirty: Queued[] = [];
  private flushScheduled = false;

  constructor(
    private readonly shell: ShellPort,
    private readonly maxBackpressureBytes: number,
    private readonly metrics: Metrics | undefined,
  ) {}

  /** A session queued its first frame of the turn (handed to every session). */
  readonly markDirty = (s: Queued): void => {
    this.dirty.push(s);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  };

  /** Ends the turn: its frames leave once the shell releases them. */
  readonly flush = (): void => {
    this.flushScheduled = false;
    const batch = this.dirty.splice(0);
    let ends: (PendingEnd | null)[] | null = null;
    const outboxes = batch.map((s, i) => {
      const frames = s.outbox;
      s.outbox = NO_FRAMES;
      if (s.pendingEnd !== null) {
        ends ??= new Array<PendingEnd | null>(batch.length).fill(null);
        ends[i] = s.pendingEnd;
        s.pendingEnd = null;
      }
      return frames;
    });
    if (ends === null) return this.shell.release(batch, outboxes, this.send);
    // A close asked for in this turn is made after this turn's frames, not an earlier turn's.
    const closing: (PendingEnd | null)[] = ends;
    this.shell.release(batch, outboxes, (b, f) => {
      this.send(b, f);
      for (let i = 0; i < b.length; i++) {
        const e = closing[i];
        if (e !== null) b[i].end(e.code, e.reason);
      }
    });
  };

  private readonly send = (batch: Queued[], outboxes: Frames[]): void => {
    for (let i = 0; i < batch.length; i++) {
      const s = batch[i];
      const frames = outboxes[i];
      if (s.closed || frames.length === 0) continue;
      if (s instanceof HttpExchange) {
        s.answer(frames);
        continue;
      }
      const c = s.ws.getUserData();
      // One frame leaves in one write as it is; several are corked into one.
      if (frames.length === 1) this.write(s, c, frames);
      else s.ws.cork(() => this.write(s, c, frames));
      this.metrics?.messagesSent(c.principal.role, frames.length);
    }
  };

  private write(s: SessionImpl, c: Conn, frames: Frames): void {
    const binary = c.encoding === 'msgpack';
    // What is buffered can grow by at most what is written: the exact amount is asked for only
    // once the frames written so far could have used the room up.
    let room = this.maxBackpressureBytes - s.ws.getBufferedAmount();
    for (const f of frames) {
      if (s.closed) break;
      const data = encodeFrame(f, c.encoding);
      room -= data.length;
      // uWS closes a socket whose buffered output would pass maxBackpressure: say why first.
      if (room < 0 && s.ws.getBufferedAmount() + data.length > this.maxBackpressureBytes) c.closeReason = 'backpressure';
      s.ws.send(data, binary);
    }
  }
}
