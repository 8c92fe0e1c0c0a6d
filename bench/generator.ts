/**
 * The pieces every load-generator process shares (bench/e2e-worker.ts, bench/soak-worker.ts):
 * sample buffers, the monotonic clock the processes share, garbage-collection pauses, frames in
 * either encoding, coalesced writes, connecting, and the final report over IPC.
 */
import type { Socket } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { Packr, Unpackr } from 'msgpackr';
import WebSocket from 'ws';
import { SUBPROTOCOLS, type Encoding } from '../src/protocol/codec.ts';

/** An append-only list of numbers in a typed array that doubles when full. */
export class Samples {
  private data: Float64Array;
  private n = 0;
  constructor(initial = 1 << 18) {
    this.data = new Float64Array(initial);
  }
  push(x: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = x;
  }
  get length(): number {
    return this.n;
  }
  values(): number[] {
    return Array.from(this.data.subarray(0, this.n));
  }
  clear(): void {
    this.n = 0;
  }
}

/**
 * The system monotonic clock in ns (process.hrtime), the same in every process on one machine:
 * a time taken in one generator and carried in a frame can be compared with one taken in another.
 */
export const now = () => Number(process.hrtime.bigint());

/** The process's garbage-collection pauses as [start, end] in ms on the clock `now()` reads. */
export function gcPauses(): Samples {
  const pauses = new Samples();
  // performance.now() and process.hrtime share the monotonic clock; only the origin differs.
  const offset = now() / 1e6 - performance.now();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      pauses.push(e.startTime + offset);
      pauses.push(e.startTime + e.duration + offset);
    }
  }).observe({ entryTypes: ['gc'] });
  return pauses;
}

export const send = (m: unknown) => process.send!(m);

/**
 * Sends the report, then closes and exits once it has left: a report of several megabytes
 * (every latency sample) can take longer to write than any fixed delay, and exiting earlier
 * loses it.
 */
export const report = (m: unknown, close: () => void) =>
  process.send!(m, undefined, {}, () => {
    close();
    setTimeout(() => process.exit(0), 100);
  });

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
/** Frames in the connection's encoding (the same messages either way). */
// biome-ignore lint/suspicious/noExplicitAny: the load generators read answers and pushes loosely, field by field
export type Frame = Record<string, any>;
export const codec = (encoding: Encoding) =>
  encoding === 'msgpack'
    ? { encode: (m: unknown) => packr.pack(m), decode: (d: WebSocket.RawData) => unpackr.unpack(d as Buffer) as Frame }
    : { encode: (m: unknown) => JSON.stringify(m), decode: (d: WebSocket.RawData) => JSON.parse(String(d)) as Frame };

/**
 * A sender for one connection. With `coalesce`, the frames a generator sends in one turn of its
 * event loop leave in one write (as Nagle's algorithm would batch them): the server still gets
 * every request as its own frame and handles each alone, and the generators, which share the
 * machine's two cores with the server, spend fewer system calls on it (one per turn instead of
 * one per frame). Without it, every frame is its own write.
 */
export function sender(ws: WebSocket, coalesce: boolean): (data: string | Buffer) => void {
  if (!coalesce) return (data) => ws.send(data);
  // ws keeps its net.Socket in _socket; corked writes leave together on uncork.
  const socket = (ws as unknown as { _socket: Socket })._socket;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  return (data) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    ws.send(data);
  };
}

/** Opens a WebSocket (with a token: in the given encoding); rejects on an error before open. */
export function open(url: string, token?: string, encoding: Encoding = 'json'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, token ? [SUBPROTOCOLS[encoding]] : [], token ? { headers: { authorization: `Bearer ${token}` } } : {});
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
