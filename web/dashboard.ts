/**
 * Supervisor dashboard: live queues (depth, longest wait, service level against objective with a
 * sparkline), agents by state and routed per second, over the supervisor WebSocket through the
 * SDK. Queue and agent figures are polled once a second; routed per second comes from the event
 * stream.
 */
import { SupervisorClient } from '../src/client/clients.ts';
import type { EngineEvent, QueueStats } from '../src/index.ts';
import { byId, claims, duration, el, obtainToken, serverUrl, setStatus } from './common.ts';

const HISTORY = 120;
const slHistory = new Map<string, number[]>();
const assignedAt: number[] = [];

function sparkline(values: number[], objective: number): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', `0 0 ${HISTORY} 30`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `service level trend, last ${values.length} seconds`);
  const y = (v: number) => (30 - v * 28 - 1).toFixed(1);
  const target = document.createElementNS(ns, 'line');
  target.setAttribute('x1', '0');
  target.setAttribute('x2', String(HISTORY));
  target.setAttribute('y1', y(objective));
  target.setAttribute('y2', y(objective));
  svg.append(target);
  const line = document.createElementNS(ns, 'polyline');
  const start = HISTORY - values.length;
  line.setAttribute('points', values.map((v, i) => `${start + i},${y(v)}`).join(' '));
  svg.append(line);
  return svg;
}

function renderQueues(queues: QueueStats[]): void {
  const body = byId('queues');
  body.replaceChildren();
  if (queues.length === 0) {
    const row = el('tr');
    row.append(el('td', 'No queue yet', { colspan: '8', class: 'empty' }));
    body.append(row);
  }
  let waiting = 0;
  let longest = 0;
  let answered = 0;
  for (const q of queues) {
    waiting += q.waiting;
    longest = Math.max(longest, q.oldestWaitMs);
    answered += q.answered;
    const objective = q.objective.percent / 100;
    const hist = slHistory.get(q.queueId) ?? [];
    if (q.serviceLevel !== null) hist.push(q.serviceLevel);
    if (hist.length > HISTORY) hist.splice(0, hist.length - HISTORY);
    slHistory.set(q.queueId, hist);
    const row = el('tr', undefined, { 'data-queue': q.queueId });
    row.append(
      el('td', q.queueId),
      el('td', String(q.waiting), { class: 'num' }),
      el('td', String(q.offered), { class: 'num' }),
      el('td', duration(q.oldestWaitMs), { class: 'num' }),
    );
    const sl = el('td', undefined, { class: 'num' });
    if (q.serviceLevel === null) sl.textContent = '–';
    else {
      const span = el('span', `${(q.serviceLevel * 100).toFixed(1)} %`, { class: q.serviceLevel >= objective ? 'sl-ok' : 'sl-bad' });
      sl.append(span, document.createTextNode(` / ${q.objective.percent} % in ${q.objective.thresholdMs / 1000} s`));
    }
    const trend = el('td');
    trend.append(sparkline(hist, objective));
    row.append(sl, trend, el('td', String(q.answered), { class: 'num' }), el('td', String(q.abandoned), { class: 'num' }));
    body.append(row);
  }
  byId('t-waiting').textContent = String(waiting);
  byId('t-longest').textContent = duration(longest);
  byId('t-answered').textContent = String(answered);
}

function renderAgents(summary: { agents: number; byState: Record<string, number>; occupied: number; idle: number }): void {
  byId('t-idle').textContent = String(summary.idle);
  byId('t-occupied').textContent = String(summary.occupied);
  const body = byId('agents');
  body.replaceChildren();
  for (const [state, n] of Object.entries(summary.byState)) {
    const row = el('tr', undefined, { 'data-state': state });
    row.append(el('td', state.replace('_', '-')), el('td', String(n), { class: 'num' }));
    body.append(row);
  }
}

function renderRate(): void {
  const now = Date.now();
  while (assignedAt.length > 0 && assignedAt[0] < now - 10_000) assignedAt.shift();
  byId('t-rate').textContent = (assignedAt.length / 10).toFixed(1);
}

async function start(): Promise<void> {
  const token = await obtainToken('switchboard.supervisor');
  byId('tenant').textContent = `tenant ${String(claims(token).tenant ?? '?')}`;
  const client = new SupervisorClient({ url: serverUrl(), token });
  const poll = async () => {
    if (!client.connection.connected) return;
    try {
      const [q, a] = await Promise.all([client.getQueueStats(), client.getAgentSummary()]);
      renderQueues(q.queues as QueueStats[]);
      renderAgents(a.summary as { agents: number; byState: Record<string, number>; occupied: number; idle: number });
      renderRate();
      setStatus(`live · updated ${new Date().toLocaleTimeString()}`, 'live');
    } catch (e) {
      setStatus(`reconnecting (${(e as Error).message})`, 'down');
    }
  };
  // The SDK reconnects by itself (and renews the subscription); every (re)connection refreshes
  // the page at once instead of waiting for the next tick.
  client.connection.onOpen(() => {
    setStatus('live', 'live');
    void poll();
  });
  setStatus('connecting…', 'idle');
  try {
    await client.connect();
  } catch (e) {
    // A browser cannot tell a refused token from a dropped connection: keep retrying, and say so.
    setStatus(`cannot connect (${(e as Error).message}); retrying · check the token`, 'down');
    sessionStorage.removeItem('switchboard.supervisor');
  }
  client
    .subscribe((events: EngineEvent[]) => {
      for (const e of events) if (e.type === 'InteractionAssigned') assignedAt.push(Date.now());
    })
    .catch(() => undefined); // renewed on the next connection
  setInterval(() => void poll(), 1000);
}

void start();
