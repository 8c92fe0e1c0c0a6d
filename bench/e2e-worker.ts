/**
 * Load-generator process for bench/e2e.ts (one of several, so the generator is not the
 * bottleneck). Roles, given by the orchestrator over IPC:
 * - agents: connect many agent desktops; accept every offer and complete it at once; record
 *   submit-to-offer latency from the submit time carried in the context (process.hrtime is the
 *   system monotonic clock, comparable across processes on one machine). A desktop sends the
 *   Complete right behind the Accept (requests on one connection are handled in order, so the
 *   Complete finds the interaction assigned); with `awaitAccept` it waits for the Accept's answer
 *   first, one more round trip per interaction.
 * - platform: submit at a fixed rate, then at saturation with a window of outstanding submits.
 * - echo: the baseline; pipeline same-size messages to a raw uWebSockets.js echo server.
 */
import type WebSocket from 'ws';
import type { Encoding } from '../src/protocol/codec.ts';
import { codec, gcPauses, now, open, report, Samples, send, sender } from './generator.ts';

type Task =
  | { role: 'agents'; url: string; tokens: string[]; awaitAccept: boolean; coalesce: boolean; encoding: Encoding }
  | {
      role: 'platform';
      url: string;
      token: string;
      encoding: Encoding;
      coalesce: boolean;
      rate: number;
      warmupSeconds: number;
      seconds: number;
      saturationSeconds: number;
      window: number;
      padBytes: number;
      idPrefix: string;
    }
  | { role: 'echo'; url: string; connections: number; window: number; seconds: number; bytes: number };

/**
 * Of the offers slower than `slowMs`, how many were in flight while this process was paused for
 * garbage collection (pauses as [start, end] pairs), and the longest pause.
 */
function behindPauses(lat: number[], at: number[], pauses: number[], slowMs: number): { slow: number; slowBehindGc: number; gcMaxMs: number } {
  let slow = 0;
  let behind = 0;
  let gcMaxMs = 0;
  for (let j = 0; j < pauses.length; j += 2) gcMaxMs = Math.max(gcMaxMs, pauses[j + 1] - pauses[j]);
  for (let i = 0; i < lat.length; i++) {
    if (lat[i] <= slowMs) continue;
    slow++;
    const from = at[i] - lat[i];
    for (let j = 0; j < pauses.length; j += 2) {
      if (pauses[j] < at[i] && pauses[j + 1] > from) {
        behind++;
        break;
      }
    }
  }
  return { slow, slowBehindGc: behind, gcMaxMs };
}

async function agents(t: Extract<Task, { role: 'agents' }>): Promise<void> {
  // Latencies go into preallocated typed arrays: growing JS arrays in the hot path would make
  // the generator's own scavenges (and so the measured tail) longer.
  const lat = { fixed: new Samples(), saturation: new Samples() };
  // When each fixed-rate offer arrived, and this process's own pauses: a slow offer that waited
  // behind one was slowed by the generator, not by the server.
  const fixedAt = new Samples();
  const pauses = gcPauses();
  let completed = 0;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < t.tokens.length; i += 200) {
    const batch = await Promise.all(t.tokens.slice(i, i + 200).map((tok) => open(`${t.url}/v1/agent`, tok, t.encoding)));
    sockets.push(...batch);
  }
  let rid = 1;
  const { encode, decode } = codec(t.encoding);
  for (const ws of sockets) {
    const pending = new Map<number, string>(); // request id → interaction to complete after the accept
    const completes = new Set<number>();
    const out = sender(ws, t.coalesce);
    const complete = (interactionId: string) => {
      const cid = rid++;
      completes.add(cid);
      out(encode({ id: cid, type: 'Complete', interactionId }));
    };
    ws.on('message', (data) => {
      const m = decode(data);
      if (m.push === 'offer') {
        const c = m.context as { t: number; phase: string };
        if (c && c.phase === 'fixed') {
          const at = now();
          lat.fixed.push((at - c.t) / 1e6);
          fixedAt.push(at / 1e6);
        } else if (c && c.phase === 'saturation') lat.saturation.push((now() - c.t) / 1e6);
        const id = rid++;
        out(encode({ id, type: 'Accept', offerId: m.offerId }));
        if (t.awaitAccept) pending.set(id, m.interactionId);
        else complete(m.interactionId);
      } else if (m.re !== undefined && pending.has(m.re)) {
        const ix = pending.get(m.re)!;
        pending.delete(m.re);
        if (m.ok) complete(ix);
      } else if (m.re !== undefined && completes.delete(m.re) && m.ok) {
        completed++;
      }
    });
    out(encode({ id: rid++, type: 'SetState', state: 'available' }));
  }
  send({ ready: true, connections: sockets.length });
  process.on('message', (msg: { report?: boolean; slowMs?: number }) => {
    if (msg.report) {
      report(
        {
          report: true,
          completed,
          lat: { fixed: lat.fixed.values(), saturation: lat.saturation.values() },
          ...behindPauses(lat.fixed.values(), fixedAt.values(), pauses.values(), msg.slowMs ?? 5),
        },
        () => {
          for (const ws of sockets) ws.close();
        },
      );
    }
  });
}

async function platform(t: Extract<Task, { role: 'platform' }>): Promise<void> {
  const ws = await open(`${t.url}/v1/platform`, t.token, t.encoding);
  const { encode, decode } = codec(t.encoding);
  const out = sender(ws, t.coalesce);
  const pad = 'x'.repeat(t.padBytes);
  let seq = 0;
  let outstanding = 0;
  let acked = 0;
  let refused = 0;
  let saturating = false;
  // Submit-to-ack latency at the fixed rate (with the redis store, the ack waits for the journal).
  const fixedSentAt = new Map<number, number>();
  const ackLat = new Samples();
  ws.on('message', (data) => {
    const m = decode(data);
    if (m.re === undefined) return;
    const sentAt = fixedSentAt.get(m.re);
    if (sentAt !== undefined) {
      ackLat.push((now() - sentAt) / 1e6);
      fixedSentAt.delete(m.re);
    }
    outstanding--;
    if (m.ok) acked++;
    else refused++;
    // At saturation each answer makes room for the next submit: no busy loop here to steal a
    // core from the server.
    if (saturating) while (outstanding < t.window) submit('saturation');
  });
  const submit = (phase: string) => {
    outstanding++;
    if (phase === 'fixed') fixedSentAt.set(seq + 1, now());
    out(
      encode({
        id: ++seq,
        type: 'SubmitInteraction',
        interaction: { id: `${t.idPrefix}${seq}`, channel: 'voice', queue: 'q', context: { t: now(), phase, pad } },
      }),
    );
  };
  // Fixed rate: a tick every millisecond submits what the schedule says is due. The first
  // warmupSeconds are not measured (every process is still compiling its hot paths then).
  const start = performance.now();
  let fixedSubmitted = 0;
  await new Promise<void>((resolve) => {
    let sent = 0;
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.floor((elapsed / 1000) * t.rate);
      const phase = elapsed < t.warmupSeconds * 1000 ? 'warmup' : 'fixed';
      while (sent < due) {
        submit(phase);
        if (phase === 'fixed') fixedSubmitted++;
        sent++;
      }
      if (elapsed >= (t.warmupSeconds + t.seconds) * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  // Saturation: keep `window` submits outstanding.
  const satStart = performance.now();
  const satFirst = seq;
  saturating = true;
  send({ phase: 'saturation' });
  while (outstanding < t.window) submit('saturation');
  await new Promise((r) => setTimeout(r, t.saturationSeconds * 1000));
  saturating = false;
  report(
    {
      report: true,
      ackLat: ackLat.values(),
      fixedSubmitted,
      saturationSubmitted: seq - satFirst,
      acked,
      refused,
      saturationSeconds: (performance.now() - satStart) / 1000,
    },
    () => ws.close(),
  );
}

async function echo(t: Extract<Task, { role: 'echo' }>): Promise<void> {
  const payload = 'e'.repeat(t.bytes);
  const sockets = await Promise.all(Array.from({ length: t.connections }, () => open(t.url)));
  let received = 0;
  const start = performance.now();
  let stop = false;
  for (const ws of sockets) {
    ws.on('message', () => {
      received++;
      if (!stop) ws.send(payload);
    });
    for (let i = 0; i < t.window; i++) ws.send(payload);
  }
  await new Promise((r) => setTimeout(r, t.seconds * 1000));
  stop = true;
  report({ report: true, received, seconds: (performance.now() - start) / 1000 }, () => {
    for (const ws of sockets) ws.close();
  });
}

process.once('message', (task: Task) => {
  const run = task.role === 'agents' ? agents(task) : task.role === 'platform' ? platform(task) : echo(task);
  run.catch((e) => {
    send({ error: String(e) });
    process.exit(1);
  });
});
