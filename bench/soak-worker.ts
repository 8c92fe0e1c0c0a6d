/**
 * Load-generator process for bench/soak.ts. Roles, given by the orchestrator over IPC:
 * - agents: agent desktops that close their socket (1000) at random moments and reconnect after a
 *   short pause. Each accepts its offers and holds each assignment for a random handle time, then
 *   completes it on whichever connection is open by then. On reconnect the server re-sends the
 *   agent's state, open offers and assignments; a Complete whose answer was lost with the old
 *   socket is sent again on the new one (a retry is answered `duplicate: true`), so the desktop
 *   learns the outcome of every completion it asked for.
 * - platform: submits at a fixed rate until told to stop; OUTCOME_UNKNOWN and STORE_UNAVAILABLE
 *   are retried with the same interaction id (safe: a repeat is answered `duplicate: true`).
 * - subscriber: a supervisor that Subscribes to the event stream and counts events by type; at
 *   the end it asks the server for the queue's figures and the interactions it is given.
 *
 * Each role answers `{sample: true}` with its figures since the previous sample, `{status: true}`
 * with its running totals; interaction ids are `<prefix><seq>` and the interactions a role saw
 * through (acknowledged, completed) come back as bit sets over `seq`.
 */
import WebSocket from 'ws';
import { SUBPROTOCOLS, type Encoding } from '../src/protocol/codec.ts';
import { exponential, prng } from '../src/sim/random.ts';
import { codec, type Frame, now, open, report, Samples, send, sender } from './generator.ts';

type Task =
  | {
      role: 'agents';
      url: string;
      tokens: string[];
      encoding: Encoding;
      seed: number;
      /** Mean seconds between one desktop's closes (exponential); 0: never. */
      reconnectMeanSeconds: number;
      /** A closed desktop reconnects after a pause uniform in [0, offlineMaxMs]. */
      offlineMaxMs: number;
      /** Each assignment is held for a time uniform in [0, handleMaxMs], then completed. */
      handleMaxMs: number;
      idPrefix: string;
    }
  | { role: 'platform'; url: string; token: string; encoding: Encoding; rate: number; padBytes: number; idPrefix: string }
  | { role: 'subscriber'; url: string; token: string };

/** A set of non-negative integers (interaction sequence numbers) as bits that grow as needed. */
class BitSet {
  bytes = new Uint8Array(1 << 16);
  size = 0;
  add(i: number): boolean {
    if (i >> 3 >= this.bytes.length) {
      const bigger = new Uint8Array(Math.max(this.bytes.length * 2, (i >> 3) + 1));
      bigger.set(this.bytes);
      this.bytes = bigger;
    }
    const bit = 1 << (i & 7);
    if (this.bytes[i >> 3] & bit) return false;
    this.bytes[i >> 3] |= bit;
    this.size++;
    return true;
  }
  encode(): string {
    return Buffer.from(this.bytes.buffer, 0, this.bytes.length).toString('base64');
  }
}

/** Counts by key (refusal codes, close codes, event types). */
const bump = (o: Record<string, number>, k: string, n = 1) => {
  o[k] = (o[k] ?? 0) + n;
};

/** Refusals after which the same request is sent again: it did not take effect, or may not have. */
const RETRY = new Set(['OUTCOME_UNKNOWN', 'STORE_UNAVAILABLE']);

/** The close code the generators ask for: a connection that closes unasked, or with another code, closed abnormally. */
const ASKED_CLOSE = 1000;

// ---------------------------------------------------------------------------------------------
// agents

type Work =
  /** The offer is being accepted on connection `conn`. */
  | { state: 'accepting'; conn: number; offerId: string }
  /** Assigned; completed when the handle time is over. */
  | { state: 'handling'; timer: ReturnType<typeof setTimeout> }
  /** The handle time ended while the desktop was offline: completed once it is back. */
  | { state: 'due' }
  /** The Complete was sent on connection `conn`. */
  | { state: 'completing'; conn: number };

interface Desktop {
  readonly index: number;
  readonly token: string;
  ws: WebSocket | null;
  out: ((data: string | Buffer) => void) | null;
  /** Connection number of `ws` (unique in this process), and when it opened (ns, `now()`). */
  conn: number;
  openedAt: number;
  /** The generator asked this connection to close. */
  closing: boolean;
  connections: number;
  work: Map<string, Work>;
  closeTimer: ReturnType<typeof setTimeout> | null;
}

async function agents(t: Extract<Task, { role: 'agents' }>): Promise<void> {
  const rand = prng(t.seed);
  const { encode, decode } = codec(t.encoding);
  const seqOf = (ix: string) => Number(ix.slice(t.idPrefix.length));
  const completedSet = new BitSet();
  // Figures since the last sample (reset by it), and totals.
  const interval = {
    live: new Samples(1 << 14),
    resumed: new Samples(1 << 10),
    completed: 0,
    reconnects: 0,
    closesAsked: 0,
    workAcrossReconnect: 0,
    abnormal: 0,
  };
  const totals = {
    completed: 0,
    completeDuplicates: 0,
    completesRetried: 0,
    acceptsRetried: 0,
    offers: 0,
    offersResumed: 0,
    offersRepeated: 0,
    assignedResumed: 0,
    reconnects: 0,
    closesAsked: 0,
    workAcrossReconnect: 0,
    abnormal: 0,
    connectFailures: 0,
    stateFixes: 0,
  };
  const abnormalCodes: Record<string, number> = {};
  const refusals: Record<string, number> = {};
  const unexpectedPushes: Record<string, number> = {};
  let draining = false;
  let stopped = false;
  let rid = 1;
  let connSeq = 0;
  /** Requests in flight: id → what answers it. */
  const inflight = new Map<number, { d: Desktop; kind: 'accept' | 'complete' | 'state'; ix: string }>();

  const request = (d: Desktop, kind: 'accept' | 'complete' | 'state', ix: string, body: Record<string, unknown>) => {
    const id = rid++;
    inflight.set(id, { d, kind, ix });
    d.out!(encode({ id, ...body }));
  };
  const live = (d: Desktop) => d.ws !== null && !d.closing;
  const complete = (d: Desktop, ix: string) => {
    d.work.set(ix, { state: 'completing', conn: d.conn });
    request(d, 'complete', ix, { type: 'Complete', interactionId: ix });
  };
  const handle = (d: Desktop, ix: string) => {
    const timer = setTimeout(() => {
      const w = d.work.get(ix);
      if (w?.state !== 'handling') return;
      if (live(d)) complete(d, ix);
      else d.work.set(ix, { state: 'due' });
    }, rand() * t.handleMaxMs);
    d.work.set(ix, { state: 'handling', timer });
  };

  const onAnswer = (m: Frame) => {
    const r = inflight.get(m.re);
    if (!r) return;
    inflight.delete(m.re);
    const { d, kind, ix } = r;
    if (!m.ok) bump(refusals, `${kind}:${m.code}`);
    if (!m.ok && RETRY.has(m.code) && kind !== 'state') {
      // Not taken, or not known to be: the same request again (safe; a repeat of one that took
      // effect is answered duplicate: true), or on the next connection if this one is gone.
      setTimeout(() => {
        const w = d.work.get(ix);
        if (!w || !live(d)) return;
        if (w.state === 'completing') complete(d, ix);
        else if (w.state === 'accepting') {
          d.work.set(ix, { ...w, conn: d.conn });
          request(d, 'accept', ix, { type: 'Accept', offerId: w.offerId });
        }
      }, 100);
      return;
    }
    if (kind === 'accept') {
      const w = d.work.get(ix);
      if (m.ok && w?.state === 'accepting') handle(d, ix);
      else if (!m.ok && w?.state === 'accepting') d.work.delete(ix);
    } else if (kind === 'complete') {
      const w = d.work.get(ix);
      if (w?.state === 'completing') d.work.delete(ix);
      if (m.ok) {
        if (m.duplicate) totals.completeDuplicates++;
        if (completedSet.add(seqOf(ix))) {
          interval.completed++;
          totals.completed++;
        }
      }
    }
  };

  const onPush = (d: Desktop, m: Frame) => {
    switch (m.push) {
      case 'offer': {
        const ix = m.interactionId as string;
        const w = d.work.get(ix);
        if (w === undefined) {
          const c = m.context as { t: number } | undefined;
          if (c) {
            const ms = (now() - c.t) / 1e6;
            // Submitted while this connection was open: a live push. Before it: the desktop was
            // offline for part of the wait (the offer came with the resume on connect).
            if (c.t >= d.openedAt) interval.live.push(ms);
            else {
              interval.resumed.push(ms);
              totals.offersResumed++;
            }
          }
          totals.offers++;
          d.work.set(ix, { state: 'accepting', conn: d.conn, offerId: m.offerId });
          request(d, 'accept', ix, { type: 'Accept', offerId: m.offerId });
        } else if (w.state === 'accepting' && w.conn !== d.conn) {
          // Offered again on a new connection: the Accept sent on the old one was not taken.
          totals.acceptsRetried++;
          d.work.set(ix, { state: 'accepting', conn: d.conn, offerId: m.offerId });
          request(d, 'accept', ix, { type: 'Accept', offerId: m.offerId });
        } else totals.offersRepeated++;
        return;
      }
      case 'assigned': {
        const ix = m.interactionId as string;
        const w = d.work.get(ix);
        // The live push follows this connection's own Accept; any other is the resume's.
        if (w?.state !== 'accepting' || w.conn !== d.conn) totals.assignedResumed++;
        if (w === undefined || w.state === 'accepting') handle(d, ix);
        return;
      }
      case 'state':
        // On the first connection the agent is still offline until its own SetState is taken.
        if (m.state !== 'available' && d.connections > 1) {
          totals.stateFixes++;
          request(d, 'state', '', { type: 'SetState', state: 'available' });
        }
        return;
      default:
        bump(unexpectedPushes, String(m.push));
    }
  };

  const scheduleClose = (d: Desktop) => {
    if (t.reconnectMeanSeconds <= 0 || draining) return;
    d.closeTimer = setTimeout(
      () => {
        d.closeTimer = null;
        if (!live(d) || draining) return;
        d.closing = true;
        interval.closesAsked++;
        totals.closesAsked++;
        if (d.work.size > 0) {
          interval.workAcrossReconnect++;
          totals.workAcrossReconnect++;
        }
        d.ws!.close(ASKED_CLOSE, 'desktop closed');
      },
      exponential(rand, t.reconnectMeanSeconds * 1000),
    );
  };

  /**
   * Opens a connection for `d`. The handlers are attached before the socket opens: the resume's
   * frames (state, offers, assignments) can come in the same read as the upgrade's answer, and
   * ws emits them right after 'open', before any code awaiting the open would run.
   */
  const connect = (d: Desktop): Promise<void> =>
    new Promise((resolve) => {
      const conn = ++connSeq;
      const ws = new WebSocket(`${t.url}/v1/agent`, [SUBPROTOCOLS[t.encoding]], { headers: { authorization: `Bearer ${d.token}` } });
      let opened = false;
      ws.on('open', () => {
        opened = true;
        d.ws = ws;
        d.out = sender(ws, true);
        d.conn = conn;
        d.openedAt = now();
        d.closing = false;
        if (d.connections++ === 0) request(d, 'state', '', { type: 'SetState', state: 'available' });
        else {
          interval.reconnects++;
          totals.reconnects++;
          // What the old connection left unfinished: Completes whose answers were lost are sent
          // again, and work whose handle time ended offline is completed now. Offers and
          // assignments come back with the resume.
          for (const [ix, w] of d.work)
            if (w.state === 'due' || (w.state === 'completing' && w.conn !== conn)) {
              if (w.state === 'completing') totals.completesRetried++;
              complete(d, ix);
            }
        }
        scheduleClose(d);
        resolve();
      });
      ws.on('message', (data) => {
        const m = decode(data);
        if (m.re !== undefined) return onAnswer(m);
        // Pushes to a socket being closed are dropped: the next connection's resume re-sends what
        // is still open.
        if (d.conn === conn && !d.closing) onPush(d, m);
      });
      ws.on('error', () => undefined); // the close that follows is what counts
      ws.on('close', (code) => {
        if (!opened) {
          // Refused or not answered: try again shortly.
          totals.connectFailures++;
          setTimeout(() => void connect(d).then(resolve), 500);
          return;
        }
        const asked = d.conn === conn && d.closing;
        if (!asked || code !== ASKED_CLOSE) {
          interval.abnormal++;
          totals.abnormal++;
          bump(abnormalCodes, `${asked ? 'asked' : 'unasked'}:${code}`);
        }
        if (d.conn !== conn) return;
        d.ws = null;
        d.out = null;
        if (d.closeTimer) clearTimeout(d.closeTimer);
        d.closeTimer = null;
        if (stopped) return;
        setTimeout(() => void connect(d), rand() * t.offlineMaxMs);
      });
    });

  const desktops: Desktop[] = t.tokens.map((token, index) => ({
    index,
    token,
    ws: null,
    out: null,
    conn: 0,
    openedAt: 0,
    closing: false,
    connections: 0,
    work: new Map(),
    closeTimer: null,
  }));
  for (let i = 0; i < desktops.length; i += 200) await Promise.all(desktops.slice(i, i + 200).map(connect));
  const offline = () => desktops.reduce((a, d) => a + (d.ws ? 0 : 1), 0);
  const openWork = () => desktops.reduce((a, d) => a + d.work.size, 0);
  send({ ready: true, connections: desktops.length - offline() });

  process.on('message', (msg: { sample?: boolean; status?: boolean; drain?: boolean; report?: boolean }) => {
    if (msg.sample) {
      send({
        sample: true,
        live: interval.live.values(),
        resumed: interval.resumed.values(),
        completed: interval.completed,
        reconnects: interval.reconnects,
        closesAsked: interval.closesAsked,
        workAcrossReconnect: interval.workAcrossReconnect,
        abnormal: interval.abnormal,
        offline: offline(),
        openWork: openWork(),
      });
      interval.live.clear();
      interval.resumed.clear();
      interval.completed = interval.reconnects = interval.closesAsked = interval.workAcrossReconnect = interval.abnormal = 0;
    } else if (msg.status) {
      send({ status: true, completed: totals.completed, offline: offline(), openWork: openWork() });
    } else if (msg.drain) {
      // No more closes: the desktops offline now come back, and everything in flight finishes.
      draining = true;
      for (const d of desktops) if (d.closeTimer) clearTimeout(d.closeTimer);
      send({ draining: true });
    } else if (msg.report) {
      stopped = true;
      const stuck: Record<string, number> = {};
      for (const d of desktops) for (const w of d.work.values()) bump(stuck, w.state);
      report(
        { report: true, ...totals, abnormalCodes, refusals, unexpectedPushes, stuck, inflight: inflight.size, completedSet: completedSet.encode() },
        () => {
          for (const d of desktops) d.ws?.close(ASKED_CLOSE, 'done');
        },
      );
    }
  });
}

// ---------------------------------------------------------------------------------------------
// platform

async function platform(t: Extract<Task, { role: 'platform' }>): Promise<void> {
  const { encode, decode } = codec(t.encoding);
  const pad = 'x'.repeat(t.padBytes);
  const acked = new BitSet();
  const interval = { submitted: 0, acked: 0, ackLat: new Samples(1 << 14), abnormal: 0 };
  const totals = { submitted: 0, acked: 0, duplicates: 0, retried: 0, abnormal: 0, reconnects: 0 };
  const refusals: Record<string, number> = {};
  const abnormalCodes: Record<string, number> = {};
  /** Submissions in flight: request id → [seq, when sent]. */
  const inflight = new Map<number, [number, number]>();
  let rid = 0;
  let ws: WebSocket;
  let out: (data: string | Buffer) => void;
  let stopping = false;
  const submit = (seq: number) => {
    const id = ++rid;
    const at = now();
    inflight.set(id, [seq, at]);
    out(encode({ id, type: 'SubmitInteraction', interaction: { id: `${t.idPrefix}${seq}`, channel: 'voice', queue: 'q', context: { t: at, pad } } }));
  };
  const connect = async () => {
    ws = await open(`${t.url}/v1/platform`, t.token, t.encoding);
    out = sender(ws, true);
    ws.on('message', (data) => {
      const m = decode(data);
      const f = m.re === undefined ? undefined : inflight.get(m.re);
      if (!f) return;
      inflight.delete(m.re);
      if (m.ok) {
        interval.ackLat.push((now() - f[1]) / 1e6);
        if (m.duplicate) totals.duplicates++;
        if (acked.add(f[0])) {
          interval.acked++;
          totals.acked++;
        }
      } else {
        bump(refusals, m.code);
        if (RETRY.has(m.code)) {
          totals.retried++;
          setTimeout(() => submit(f[0]), 100);
        }
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      if (stopping && code === ASKED_CLOSE) return;
      // Not asked for: counted, and every submission in flight is sent again on a new connection.
      interval.abnormal++;
      totals.abnormal++;
      bump(abnormalCodes, String(code));
      const again = [...inflight.values()].map(([seq]) => seq);
      inflight.clear();
      void connect().then(() => {
        totals.reconnects++;
        for (const seq of again) submit(seq);
      });
    });
  };
  await connect();
  send({ ready: true });
  // Fixed rate: a tick every millisecond submits what the schedule says is due.
  const start = performance.now();
  let seq = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * t.rate);
    while (seq < due) {
      submit(++seq);
      interval.submitted++;
      totals.submitted++;
    }
  }, 1);
  process.on('message', (msg: { sample?: boolean; status?: boolean; stop?: boolean; report?: boolean }) => {
    if (msg.sample) {
      send({ sample: true, submitted: interval.submitted, acked: interval.acked, ackLat: interval.ackLat.values(), abnormal: interval.abnormal });
      interval.ackLat.clear();
      interval.submitted = interval.acked = interval.abnormal = 0;
    } else if (msg.status) {
      send({ status: true, ...totals, inflight: inflight.size });
    } else if (msg.stop) {
      clearInterval(timer);
      send({ stopped: true, submitted: totals.submitted });
    } else if (msg.report) {
      stopping = true;
      report({ report: true, ...totals, inflight: inflight.size, refusals, abnormalCodes, ackedSet: acked.encode() }, () => ws.close(ASKED_CLOSE, 'done'));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// subscriber

async function subscriber(t: Extract<Task, { role: 'subscriber' }>): Promise<void> {
  const ws = await open(`${t.url}/v1/agent`, t.token);
  const interval: Record<string, number> = {};
  const totals: Record<string, number> = {};
  let pushes = 0;
  let abnormal = 0;
  let abnormalSinceSample = 0;
  let stopping = false;
  const abnormalCodes: Record<string, number> = {};
  let rid = 0;
  const waiting = new Map<number, (m: Frame) => void>();
  const ask = (body: Record<string, unknown>) =>
    new Promise<Frame>((resolve) => {
      const id = ++rid;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, ...body }));
    });
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Frame;
    if (m.push === 'events') {
      pushes++;
      for (const e of m.events as { type: string }[]) {
        bump(interval, e.type);
        bump(totals, e.type);
      }
    } else if (m.re !== undefined) {
      waiting.get(m.re)?.(m);
      waiting.delete(m.re);
    }
  });
  ws.on('close', (code) => {
    if (stopping && code === ASKED_CLOSE) return;
    abnormal++;
    abnormalSinceSample++;
    bump(abnormalCodes, String(code));
  });
  const subscribed = await ask({ type: 'Subscribe', events: true });
  if (!subscribed.ok) throw new Error(`Subscribe refused: ${subscribed.code}`);
  send({ ready: true });
  process.on('message', async (msg: { sample?: boolean; verify?: string[]; report?: boolean }) => {
    if (msg.sample) {
      send({ sample: true, events: { ...interval }, abnormal: abnormalSinceSample });
      abnormalSinceSample = 0;
      for (const k of Object.keys(interval)) delete interval[k];
    } else if (msg.verify) {
      // The queue's and agents' figures, then each interaction asked about, 500 at a time.
      const queues = await ask({ type: 'GetQueueStats' });
      const summary = await ask({ type: 'GetAgentSummary' });
      const statuses: Record<string, string> = {};
      for (let i = 0; i < msg.verify.length; i += 500)
        await Promise.all(
          msg.verify.slice(i, i + 500).map(async (id) => {
            const r = await ask({ type: 'GetInteraction', interactionId: id });
            statuses[id] = r.ok ? r.interaction.status : r.code;
          }),
        );
      send({ verify: true, queues: queues.queues, summary: summary.summary, statuses });
    } else if (msg.report) {
      stopping = true;
      report({ report: true, events: totals, pushes, abnormal, abnormalCodes }, () => ws.close(ASKED_CLOSE, 'done'));
    }
  });
}

process.once('message', (task: Task) => {
  const run = task.role === 'agents' ? agents(task) : task.role === 'platform' ? platform(task) : subscriber(task);
  run.catch((e) => {
    send({ error: String(e) });
    process.exit(1);
  });
});
