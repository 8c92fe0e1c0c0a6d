/**
 * The floor of bench/e2e.ts: the least a server must do to carry the benchmark's routed
 * interaction, and nothing else. It speaks the part of the protocol the load generators use, on
 * the same endpoints, on raw uWebSockets.js, in JSON or MessagePack as the client's subprotocol
 * asks: every request is parsed and answered `ok`; a submission is offered, with its context, to
 * the agent that has been idle longest (or waits in a FIFO list for one); an agent is idle again
 * once it completes. No tokens, no validation, no engine, no queues, no metrics, no journal, and
 * no `assigned` push (four frames per routed interaction where the server sends five).
 *
 * What it costs per routed interaction is what the machine's kernel, Node and uWebSockets.js
 * charge for the same frames and writes: the part of the server's figure no router in Node on
 * this machine could avoid. Frames queued in a turn leave together after it, as the server's do.
 *
 *   node relay-server.js [port]   (reports { listening: port } over IPC)
 */
import { unpack } from 'msgpackr';
import type uWS from 'uWebSockets.js';
import { encodeFrame, SUBPROTOCOLS } from '../src/protocol/codec.ts';
import { loadUws } from '../src/transport/uws.ts';

interface Conn {
  agent: boolean;
  binary: boolean;
  out: object[];
  closed: boolean;
}
interface Waiting {
  id: string;
  context: unknown;
}

const uws = loadUws().uws;
const port = Number(process.argv[2] ?? 0);
/** A FIFO list: taken from the front by an index, compacted once half of it is taken. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  push(x: T): void {
    this.items.push(x);
  }
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const x = this.items[this.head++];
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  remove(x: T): void {
    const i = this.items.indexOf(x, this.head);
    if (i >= 0) this.items.splice(i, 1);
  }
}

/** Idle agents, longest idle first, and submissions waiting for one. */
const idle = new Fifo<uWS.WebSocket<Conn>>();
const waiting = new Fifo<Waiting>();
let offerSeq = 0;
const dirty: uWS.WebSocket<Conn>[] = [];
let scheduled = false;

const encode = (c: Conn, frame: object) => encodeFrame(frame, c.binary ? 'msgpack' : 'json');
const flush = () => {
  scheduled = false;
  for (const ws of dirty.splice(0)) {
    const c = ws.getUserData();
    const out = c.out;
    c.out = [];
    if (c.closed) continue;
    // Encoded as it leaves, with the server's encoder (msgpackr reuses its buffer from one pack to the next).
    if (out.length === 1) ws.send(encode(c, out[0]), c.binary);
    else
      ws.cork(() => {
        for (const f of out) ws.send(encode(c, f), c.binary);
      });
  }
};
const queue = (ws: uWS.WebSocket<Conn>, frame: object) => {
  const c = ws.getUserData();
  if (c.out.length === 0) dirty.push(ws);
  c.out.push(frame);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
};
const offer = (agent: uWS.WebSocket<Conn>, w: Waiting) =>
  queue(agent, { push: 'offer', offerId: String(++offerSeq), interactionId: w.id, queueId: 'q', channel: 'voice', context: w.context });
const available = (agent: uWS.WebSocket<Conn>) => {
  const w = waiting.shift();
  if (w) offer(agent, w);
  else idle.push(agent);
};

const endpoint = (agent: boolean): uWS.WebSocketBehavior<Conn> => ({
  maxPayloadLength: 128 * 1024,
  maxBackpressure: 1024 * 1024,
  compression: uws.DISABLED,
  upgrade: (res, req, context) => {
    const binary = req.getHeader('sec-websocket-protocol').includes(SUBPROTOCOLS.msgpack);
    res.upgrade<Conn>(
      { agent, binary, out: [], closed: false },
      req.getHeader('sec-websocket-key'),
      binary ? SUBPROTOCOLS.msgpack : SUBPROTOCOLS.json,
      req.getHeader('sec-websocket-extensions'),
      context,
    );
  },
  message: (ws, message) => {
    const bytes = Buffer.from(message);
    const m = (ws.getUserData().binary ? unpack(bytes) : JSON.parse(bytes.toString('utf8'))) as {
      id: number;
      type: string;
      interaction?: { id: string; context?: unknown };
    };
    queue(ws, { re: m.id, ok: true });
    if (m.type === 'SubmitInteraction' && m.interaction) {
      const w = { id: m.interaction.id, context: m.interaction.context };
      const agent = idle.shift();
      if (agent) offer(agent, w);
      else waiting.push(w);
    } else if (m.type === 'Complete' || (m.type === 'SetState' && agent)) available(ws);
  },
  close: (ws) => {
    ws.getUserData().closed = true;
    idle.remove(ws);
  },
});

uws
  .App()
  .ws('/v1/agent', endpoint(true))
  .ws('/v1/platform', endpoint(false))
  .listen('127.0.0.1', port, (s) => {
    if (!s) process.exit(1);
    process.send?.({ listening: uws.us_socket_local_port(s) });
  });
