/**
 * Supervisor wallboard: queues (waiting, estimated and oldest wait, service level in a window and
 * since start against the objective, overload, hours and exceptions), a queue's waiting
 * interactions in routing order with the explanation of any of them, and every agent (state and
 * reason, time in state, load against capacity per channel, what each handles, since when),
 * sortable and filterable. Live through the event feed (Subscribe over the supervisor socket):
 * each event marks what it touches for a refresh within a tenth of a second; a slow poll catches what no
 * event names (the clock moving waits on). Keyboard: Tab between tables, arrows (or j/k) through
 * rows, Enter opens, Esc closes.
 */
import { type FeedEvent, SupervisorClient } from '../src/client/clients.ts';
import type { AgentLoad, AgentSpec, Explanation, NotTakingReason, QueueSpec, QueueStats, WaitingInteraction } from '../src/index.ts';
import { byId, claims, clock, duration, el, obtainToken, rovingRows, serverUrl, setCells, setStatus, syncRows } from './common.ts';

const HISTORY = 120;
/** The service-level window, from the event feed (since the page opened when that is shorter). */
const WINDOW_MS = 15 * 60_000;
const WAITING_LIMIT = 50;
const openedAt = Date.now();

let client: SupervisorClient;
const slHistory = new Map<string, number[]>();
const assignedAt: number[] = [];
let queues: QueueStats[] = [];
const queueSpecs = new Map<string, QueueSpec>();
const agentSpecs = new Map<string, AgentSpec>();
const loads = new Map<string, AgentLoad>();
/** When each agent's state last changed, as seen on the feed (newer than its last GetAgent until that is read again). */
const stateSince = new Map<string, number>();
/** Per queue, what settled in the window: [at, answered within threshold?] (abandoned/expired: false). */
const settled = new Map<string, [number, boolean][]>();
/** Per queue, the exception rules that fired in the window: [at, trigger]. */
const exceptions = new Map<string, [number, string][]>();
let selectedQueue: string | null = null;
let explained: string | null = null;
let sort: { key: 'agent' | 'state' | 'since' | 'load'; dir: 1 | -1 } = { key: 'agent', dir: 1 };

// ---- queues -------------------------------------------------------------------------------

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

function prune(list: [number, unknown][] | undefined, now: number): void {
  if (!list) return;
  let i = 0;
  while (i < list.length && list[i][0] < now - WINDOW_MS) i++;
  if (i > 0) list.splice(0, i);
}

/** Service level in the window from the feed: null while nothing settled in it. */
function windowLevel(queueId: string, now: number): { level: number; n: number } | null {
  const list = settled.get(queueId);
  prune(list, now);
  if (!list || list.length === 0) return null;
  let ok = 0;
  for (const [, within] of list) if (within) ok++;
  return { level: ok / list.length, n: list.length };
}

function levelCell(level: number | null, objective: number, detail: string): { text: Node; class: string } {
  const span = el('span');
  if (level === null) span.textContent = '–';
  else {
    const pct = el('span', `${(level * 100).toFixed(1)} %`, { class: level >= objective ? 'sl-ok' : 'sl-bad' });
    span.append(pct, document.createTextNode(detail));
  }
  return { text: span, class: 'num' };
}

function badge(text: string, kind: 'ok' | 'warn' | 'bad' | 'muted'): HTMLElement {
  return el('span', text, { class: `badge badge-${kind}` });
}

function renderQueues(): void {
  const now = Date.now();
  let waiting = 0;
  let longest = 0;
  let answered = 0;
  for (const q of queues) {
    waiting += q.waiting;
    longest = Math.max(longest, q.oldestWaitMs);
    answered += q.answered;
  }
  syncRows(
    byId<HTMLTableSectionElement>('queues'),
    queues,
    (q) => q.queueId,
    (row, q) => {
      row.dataset.queue = q.queueId;
      row.setAttribute('aria-selected', String(q.queueId === selectedQueue));
      const objective = q.objective.percent / 100;
      const hist = slHistory.get(q.queueId) ?? [];
      const win = windowLevel(q.queueId, now);
      const state = el('span', undefined, { class: 'badges' });
      if (!q.open) state.append(badge('closed', 'muted'));
      if (q.overloaded) state.append(badge('overload', 'bad'));
      if (q.deferred) state.append(badge('deferred', 'warn'));
      const ex = exceptions.get(q.queueId);
      prune(ex, now);
      if (ex && ex.length > 0)
        state.append(badge(`${ex.length} exception${ex.length === 1 ? '' : 's'}: ${[...new Set(ex.map((e) => e[1]))].join(', ')}`, 'warn'));
      if (state.childElementCount === 0) state.append(badge('normal', 'ok'));
      const oldest = el('span', duration(q.oldestWaitMs), { class: q.oldestWaitMs > q.objective.thresholdMs ? 'sl-bad' : '' });
      setCells(row, [
        { text: q.queueId, class: 'name' },
        { text: String(q.waiting), class: 'num big' },
        { text: String(q.offered), class: 'num' },
        { text: q.estimatedWaitMs === null ? (q.waiting > 0 ? 'unknown' : '–') : duration(q.estimatedWaitMs), class: 'num' },
        { text: oldest, class: 'num' },
        levelCell(win?.level ?? null, objective, ` / ${q.objective.percent} % in ${q.objective.thresholdMs / 1000} s`),
        levelCell(q.serviceLevel, objective, ''),
        sparkline(hist, objective),
        { text: String(q.answered), class: 'num' },
        { text: String(q.abandoned), class: 'num' },
        state,
      ]);
    },
    { text: 'No queue yet', columns: 11 },
  );
  queueNav.refresh();
  byId('t-waiting').textContent = String(waiting);
  byId('t-longest').textContent = duration(longest);
  byId('t-answered').textContent = String(answered);
  const minutes = Math.min(WINDOW_MS, now - openedAt) / 60_000;
  byId('window-label').textContent = minutes >= 15 ? '15 min' : `${Math.max(1, Math.round(minutes))} min`;
  const filter = byId<HTMLSelectElement>('f-queue');
  const known = new Set([...filter.options].map((o) => o.value));
  for (const q of queues) if (!known.has(q.queueId)) filter.append(el('option', q.queueId, { value: q.queueId }));
}

/** Once a second: the service-level trend gets a point per queue. */
function sampleTrend(): void {
  for (const q of queues) {
    const hist = slHistory.get(q.queueId) ?? [];
    const win = windowLevel(q.queueId, Date.now());
    const level = win?.level ?? q.serviceLevel;
    if (level !== null) hist.push(level);
    if (hist.length > HISTORY) hist.splice(0, hist.length - HISTORY);
    slHistory.set(q.queueId, hist);
  }
}

// ---- waiting interactions and explanations ---------------------------------------------

function selectQueue(queueId: string): void {
  if (selectedQueue !== queueId) closeExplanation(false);
  selectedQueue = queueId;
  byId('waiting-section').hidden = false;
  byId('waiting-queue').textContent = queueId;
  renderQueues();
  void refreshWaiting().then(() => {
    const first = byId<HTMLTableSectionElement>('waiting').rows[0];
    if (first?.dataset.key !== undefined) waitingNav.focusFirst();
    else byId('waiting-h').focus();
  });
}

async function refreshWaiting(): Promise<void> {
  if (selectedQueue === null) return;
  const queueId = selectedQueue;
  try {
    const r = await client.listWaitingInteractions(queueId, WAITING_LIMIT);
    if (queueId !== selectedQueue) return;
    const list = r.interactions as WaitingInteraction[];
    const total = r.total as number;
    byId('waiting-total').textContent = total > list.length ? `(first ${list.length} of ${total})` : `(${total})`;
    syncRows(
      byId<HTMLTableSectionElement>('waiting'),
      list,
      (w) => w.interactionId,
      (row, w) => {
        row.dataset.interaction = w.interactionId;
        row.setAttribute('aria-selected', String(w.interactionId === explained));
        const place = list.indexOf(w) + 1;
        setCells(row, [
          { text: String(place), class: 'num' },
          { text: w.interactionId, class: 'name' },
          w.channel,
          { text: String(w.priority), class: 'num' },
          { text: String(w.valueTier), class: 'num' },
          { text: w.band, class: w.band === 'late' ? 'sl-bad' : w.band === 'escalated' ? 'warn' : '' },
          { text: duration(w.waitedMs), class: 'num' },
          { text: w.state === 'held' && w.notBefore !== null ? `held until ${clock(w.notBefore)}` : w.state, class: `st-${w.state}` },
        ]);
      },
      { text: 'Nothing waits', columns: 8 },
    );
    waitingNav.refresh();
  } catch (e) {
    byId('waiting-total').textContent = `(${(e as Error).message})`;
  }
}

const REASONS: { [K in NotTakingReason['reason']]: (r: Extract<NotTakingReason, { reason: K }>) => string } = {
  not_member: (r) => `not a member of ${r.queue}${r.membersOnly ? ' (members only)' : ''}`,
  missing_skill: (r) => `lacks ${r.skill} (needs ${r.required})`,
  skill_level: (r) => `${r.skill} ${r.has}, needs ${r.required}`,
  label: (r) => `${r.label} is ${r.has ?? 'unset'}, wants ${String(r.wants)}`,
  selector: (r) => `selector ${JSON.stringify(r.selector)} (has ${r.has ?? 'none'})`,
  no_channel: (r) => `takes no ${r.channel}`,
  offline: () => 'offline',
  away: (r: { detail?: string }) => `away${r.detail ? ` (${r.detail})` : ''}`,
  wrap_up: (r: { detail?: string }) => `in wrap-up${r.detail ? ` (${r.detail})` : ''}`,
  channel_full: (r) => `${r.channel} full (${r.load} of ${r.max})`,
  capacity: (r) => `capacity: ${r.usedUnits} used + ${r.cost} > ${r.totalUnits}`,
  rejected_before: () => 'rejected it before',
  offered: () => 'is being offered it',
  not_before: (r) => `held until ${clock(r.until)}`,
  queue_closed: (r) => `${r.queue} closed until ${clock(r.opensAt)}`,
  waiting_for_room: (r) => `a conversation of theirs (${r.interactionId}) waits for room`,
  held_for_queue: (r) => `kept idle for ${r.queue} (${r.idle} idle, ${r.reservedIdle} reserved)`,
  reserve_inactive: (r) => `reserve of ${r.queue}, which is not in overload`,
  deferred_while: (r) => `deferred while ${r.queues.join(', ')} ${r.queues.length === 1 ? 'is' : 'are'} in overload`,
  lower_queue_level: (r) => `takes ${r.better.interactionId} of ${r.better.queue} first (level ${r.better.level} before ${r.level})`,
  reserved_for_preferred: (r) => `kept for a preferred agent until ${clock(r.until)}`,
  required_agents: (r) => (r.until === null ? 'only the required agents may take it' : `only the required agents until ${clock(r.until)}`),
};

function reasonText(r: NotTakingReason): string {
  const f = REASONS[r.reason] as ((x: NotTakingReason) => string) | undefined;
  return f ? f(r) : r.reason;
}

async function openExplanation(interactionId: string, focus = true): Promise<void> {
  explained = interactionId;
  const box = byId('explain');
  box.hidden = false;
  byId('explain-id').textContent = interactionId;
  const body = byId('explain-body');
  for (const r of byId<HTMLTableSectionElement>('waiting').rows) r.setAttribute('aria-selected', String(r.dataset.key === interactionId));
  try {
    const x = (await client.explain(interactionId, 50)).explanation as Explanation;
    // Groups the supervisor opened stay open as the explanation refreshes.
    const opened = new Set([...body.querySelectorAll<HTMLDetailsElement>('details[open]')].map((d) => d.dataset.group));
    if (explained !== interactionId) return;
    const parts: HTMLElement[] = [];
    const req = Object.entries(x.required.skills).map(([s, l]) => `${s} ≥ ${l}`);
    for (const [k, v] of Object.entries(x.required.labels)) req.push(`${k} = ${String(v)}`);
    parts.push(
      el(
        'p',
        `${x.status} · ${x.channel} in ${x.queueId} · priority ${x.priority} · ${x.band} · ${x.ordering} order · needs ${req.length > 0 ? req.join(', ') : 'nothing special'}`,
      ),
    );
    if (x.choice) {
      const c = x.choice;
      parts.push(
        el(
          'p',
          `Offered to ${c.agentId} at ${clock(c.offeredAt)}: ${c.preferred ? 'a preferred agent; ' : ''}${c.agentSelection} picked it (idle since ${clock(c.idleSince)}, proficiency ${c.proficiency}${c.occupancy !== null ? `, occupancy ${(c.occupancy * 100).toFixed(0)} %` : ''})`,
          { class: 'choice' },
        ),
      );
      for (const o of x.otherChoices) parts.push(el('p', `Also offered to ${o.agentId} at ${clock(o.offeredAt)}`, { class: 'choice' }));
    }
    const free = x.agents.filter((v) => v.eligible && v.reasons.length === 0).length;
    parts.push(
      el('p', `${x.counts.eligible} of ${x.counts.agents} agents are eligible; ${free === 0 ? 'none is free' : `${free} could take it now`}.`, {
        class: 'strong',
      }),
    );
    // Who could take it and why not, briefly enough for a wall screen: groups open to each agent.
    const list = el('ul', undefined, { class: 'verdicts', 'aria-label': 'Each agent' });
    const verdict = (v: Explanation['agents'][number]) => {
      const li = el('li', undefined, { 'data-agent': v.agentId, class: v.eligible ? (v.reasons.length === 0 ? 'can' : 'eligible') : 'cannot' });
      li.append(
        el('strong', v.agentId),
        document.createTextNode(
          v.reasons.length === 0 ? ' could take it now' : `${v.eligible ? ' could take it, but ' : ' cannot: '}${v.reasons.map(reasonText).join('; ')}`,
        ),
      );
      return li;
    };
    // Free agents one by one; busy ones one by one unless three or more share the same reasons.
    const groups = new Map<string, { agents: Explanation['agents'][number][]; eligible: boolean }>();
    for (const v of x.agents) {
      if (v.eligible && v.reasons.length === 0) {
        list.append(verdict(v));
        continue;
      }
      const why = v.eligible ? v.reasons.map(reasonText).join('; ') : v.reasons.length > 0 ? reasonText(v.reasons[0]) : 'not eligible';
      const key = `${v.eligible ? 'e' : 'n'}${why}`;
      const g = groups.get(key) ?? { agents: [], eligible: v.eligible };
      g.agents.push(v);
      groups.set(key, g);
    }
    const ordered = [...groups.entries()].sort((a, b) => Number(b[1].eligible) - Number(a[1].eligible));
    for (const [key, { agents, eligible }] of ordered) {
      const why = key.slice(1);
      if (eligible && agents.length < 3) {
        for (const v of agents) list.append(verdict(v));
        continue;
      }
      const li = el('li', undefined, { class: eligible ? 'eligible' : 'cannot' });
      const details = el('details', undefined, { 'data-group': key });
      if (opened.has(key)) details.open = true;
      const who = agents.length === 1 ? agents[0].agentId : `${agents.length} agents`;
      details.append(el('summary', eligible ? `${who} could take it, but ${why}` : `${who} cannot: ${why}`));
      const inner = el('ul');
      for (const v of agents) inner.append(verdict(v));
      details.append(inner);
      li.append(details);
      list.append(li);
    }
    if (x.truncated) list.append(el('li', `… and ${x.counts.agents - x.agents.length} more`));
    parts.push(list);
    body.replaceChildren(...parts);
  } catch (e) {
    body.replaceChildren(el('p', (e as Error).message, { class: 'error' }));
  }
  if (focus) byId('explain-h').focus();
}

function closeExplanation(refocus = true): void {
  const was = explained;
  explained = null;
  byId('explain').hidden = true;
  for (const r of byId<HTMLTableSectionElement>('waiting').rows) r.setAttribute('aria-selected', 'false');
  if (refocus && was) {
    const row = [...byId<HTMLTableSectionElement>('waiting').rows].find((r) => r.dataset.key === was);
    if (row) row.focus();
    else waitingNav.focusFirst();
  }
}

// ---- agents -------------------------------------------------------------------------------

const STATE_ORDER: Record<string, number> = { available: 0, wrap_up: 1, away: 2, offline: 3 };

function servesQueue(a: AgentLoad, queueId: string): boolean {
  const spec = agentSpecs.get(a.agentId);
  if (a.assigned.some((w) => w.queueId === queueId) || a.offers.some((o) => o.queueId === queueId)) return true;
  if (spec?.queues && Object.keys(spec.queues).length > 0) return queueId in spec.queues;
  return queueSpecs.get(queueId)?.membersOnly !== true;
}

function loadText(a: AgentLoad): string {
  const channels = Object.keys(a.capacity).length > 0 ? Object.keys(a.capacity) : Object.keys(a.channels);
  return channels.map((c) => `${c} ${a.channels[c] ?? 0}/${a.capacity[c] ?? '?'}`).join(' · ');
}

function occupancy(a: AgentLoad): number {
  return a.total > 0 ? a.units / a.total : 0;
}

function renderAgents(): void {
  const now = Date.now();
  const fq = byId<HTMLSelectElement>('f-queue').value;
  const fs = byId<HTMLSelectElement>('f-state').value;
  let list = [...loads.values()];
  if (fq) list = list.filter((a) => servesQueue(a, fq));
  if (fs === 'busy') list = list.filter((a) => a.assigned.length > 0 || a.offers.length > 0 || a.wrapping.length > 0);
  else if (fs) list = list.filter((a) => a.state === fs);
  // The server's time (0 from an old snapshot) or a later change the feed brought first.
  const since = (a: AgentLoad) => Math.max(a.stateSince ?? 0, stateSince.get(a.agentId) ?? 0) || openedAt;
  const cmp: Record<typeof sort.key, (a: AgentLoad, b: AgentLoad) => number> = {
    agent: (a, b) => a.agentId.localeCompare(b.agentId, undefined, { numeric: true }),
    state: (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || (a.reason ?? '').localeCompare(b.reason ?? ''),
    since: (a, b) => since(a) - since(b),
    load: (a, b) => occupancy(b) - occupancy(a),
  };
  list.sort((a, b) => sort.dir * cmp[sort.key](a, b) || a.agentId.localeCompare(b.agentId, undefined, { numeric: true }));
  byId('agents-count').textContent = `(${list.length} of ${loads.size})`;
  syncRows(
    byId<HTMLTableSectionElement>('agents'),
    list,
    (a) => a.agentId,
    (row, a) => {
      row.dataset.agent = a.agentId;
      row.dataset.state = a.state;
      const st = el('span', a.state === 'wrap_up' ? 'wrap-up' : a.state, { class: `state state-${a.state}` });
      const stateCell = el('span');
      stateCell.append(st);
      if (a.reason) stateCell.append(document.createTextNode(` ${a.reason}`));
      if (a.state === 'wrap_up' && a.wrapUntil !== null) stateCell.append(document.createTextNode(` until ${clock(a.wrapUntil)}`));
      const known = (a.stateSince ?? 0) > 0 || stateSince.has(a.agentId);
      const handling = el('ul', undefined, { class: 'handling' });
      for (const w of a.assigned) {
        const quiet = a.inactive.includes(w.interactionId) ? ' · quiet' : '';
        handling.append(el('li', `${w.interactionId} · ${w.channel} · ${w.queueId} · ${duration(now - w.since)}${quiet}`));
      }
      for (const o of a.offers)
        handling.append(el('li', `offered ${o.interactionId} · ${o.channel} · ${o.queueId} · ${duration(now - o.since)}`, { class: 'offered' }));
      for (const id of a.wrapping) handling.append(el('li', `${id} · wrap-up`, { class: 'wrapping' }));
      setCells(row, [
        { text: a.agentId, class: 'name' },
        stateCell,
        { text: `${known ? '' : '≥ '}${duration(now - since(a))}`, class: 'num' },
        { text: loadText(a), class: occupancy(a) >= 1 ? 'full' : '' },
        handling.childElementCount > 0 ? handling : { text: '–', class: 'empty' },
      ]);
    },
    { text: loads.size === 0 ? 'No agent yet' : 'No agent matches', columns: 5 },
  );
  agentNav.refresh();
}

function sortBy(key: typeof sort.key): void {
  sort = { key, dir: sort.key === key ? (sort.dir === 1 ? -1 : 1) : 1 };
  for (const b of document.querySelectorAll<HTMLButtonElement>('#agent-table [data-sort]')) {
    const th = b.closest('th')!;
    th.setAttribute('aria-sort', b.dataset.sort === key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none');
  }
  renderAgents();
}

// ---- data ---------------------------------------------------------------------------------

async function loadConfiguration(): Promise<void> {
  let cursor: string | undefined;
  const agents = new Map<string, AgentSpec>();
  do {
    const page = (await client.getConfiguration(cursor, 1000)).configuration as { queues?: QueueSpec[]; agents: AgentSpec[]; nextCursor: string | null };
    if (page.queues) {
      queueSpecs.clear();
      for (const q of page.queues) queueSpecs.set(q.id, q);
    }
    for (const a of page.agents) agents.set(a.id, a);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  agentSpecs.clear();
  for (const [id, a] of agents) agentSpecs.set(id, a);
  for (const id of loads.keys()) if (!agents.has(id)) loads.delete(id);
  // Every agent's load again, a batch per refresh (see AGENTS_PER_REFRESH).
  for (const id of agents.keys()) dirty.agents.add(id);
}

/**
 * Agents fetched per refresh, and a pause between batches: a connection may send 200 messages a
 * second (400 in a burst) by default, and a wallboard of a thousand agents must stay within it
 * while events name many of them.
 */
const AGENTS_PER_REFRESH = 40;
const BATCH = 20;

async function refreshAgents(ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    if (i > 0) await new Promise((r) => setTimeout(r, 150));
    const chunk = ids.slice(i, i + BATCH);
    const answers = await Promise.allSettled(chunk.map((id) => client.getAgent(id)));
    answers.forEach((r, j) => {
      if (r.status === 'fulfilled') loads.set(chunk[j], r.value.agent as AgentLoad);
      else if ((r.reason as { code?: string }).code === 'UNKNOWN_AGENT') loads.delete(chunk[j]);
      else dirty.agents.add(chunk[j]); // asked again on the next refresh
    });
  }
}

async function refreshQueues(): Promise<void> {
  queues = (await client.getQueueStats()).queues as QueueStats[];
}

/** What the next refresh must fetch, marked by events and timers. */
const dirty = { queues: false, waiting: false, config: false, explain: false, agents: new Set<string>() };
let flushing = false;

async function flush(): Promise<void> {
  if (flushing || !client.connection.connected) return;
  flushing = true;
  try {
    if (dirty.config) {
      dirty.config = false;
      await loadConfiguration();
    }
    if (dirty.agents.size > 0) {
      const ids = [...dirty.agents].slice(0, AGENTS_PER_REFRESH);
      for (const id of ids) dirty.agents.delete(id);
      await refreshAgents(ids);
    }
    if (dirty.queues) {
      dirty.queues = false;
      const [, summary] = await Promise.all([refreshQueues(), client.getAgentSummary()]);
      const s = summary.summary as { occupied: number; idle: number };
      byId('t-idle').textContent = String(s.idle);
      byId('t-occupied').textContent = String(s.occupied);
    }
    if (dirty.waiting) {
      dirty.waiting = false;
      await refreshWaiting();
    }
    if (dirty.explain) {
      dirty.explain = false;
      if (explained !== null) await openExplanation(explained, false);
    }
    renderQueues();
    renderAgents();
    renderRate();
    setStatus(`live · ${clock(Date.now())}`, 'live');
  } catch (e) {
    setStatus(`reconnecting (${(e as Error).message})`, 'down');
  } finally {
    flushing = false;
  }
  // What events marked while this refresh ran.
  if (dirty.config || dirty.queues || dirty.waiting || dirty.explain || dirty.agents.size > 0) schedule();
}

function onEvents(events: FeedEvent[]): void {
  for (const e of events) {
    dirty.queues = true;
    if ('queueId' in e && e.queueId === selectedQueue) dirty.waiting = true;
    if ('interactionId' in e && selectedQueue !== null) dirty.waiting = true;
    if ('agentId' in e && typeof e.agentId === 'string') dirty.agents.add(e.agentId);
    if ('releasedAgentId' in e && typeof e.releasedAgentId === 'string') dirty.agents.add(e.releasedAgentId);
    switch (e.type) {
      case 'AgentStateChanged':
        stateSince.set(e.agentId, e.at);
        break;
      case 'AgentUpserted':
      case 'AgentRemoved':
      case 'QueueUpserted':
      case 'QueueRemoved':
        dirty.config = true;
        break;
      case 'InteractionAssigned': {
        assignedAt.push(Date.now());
        const list = settled.get(e.queueId) ?? [];
        list.push([e.at, e.withinObjective]);
        settled.set(e.queueId, list);
        break;
      }
      case 'InteractionAbandoned':
        if (e.stage !== 'assigned') {
          const list = settled.get(e.queueId) ?? [];
          list.push([e.at, false]);
          settled.set(e.queueId, list);
        }
        break;
      case 'InteractionExpired': {
        const list = settled.get(e.queueId) ?? [];
        list.push([e.at, false]);
        settled.set(e.queueId, list);
        break;
      }
      case 'ExceptionTriggered': {
        const list = exceptions.get(e.queueId) ?? [];
        list.push([e.at, e.trigger]);
        exceptions.set(e.queueId, list);
        break;
      }
    }
  }
  // Explanations change with everything around them: an open one is asked again.
  if (events.length > 0) dirty.explain = true;
  schedule();
}

let soon: ReturnType<typeof setTimeout> | null = null;

/** A refresh in a tenth of a second: a burst of events is one refresh. */
function schedule(): void {
  if (soon === null)
    soon = setTimeout(() => {
      soon = null;
      void flush();
    }, 100);
}

function renderRate(): void {
  const now = Date.now();
  while (assignedAt.length > 0 && assignedAt[0] < now - 10_000) assignedAt.shift();
  byId('t-rate').textContent = (assignedAt.length / 10).toFixed(1);
}

const queueNav = rovingRows(byId<HTMLTableSectionElement>('queues'), (row) => selectQueue(row.dataset.key!));
const waitingNav = rovingRows(byId<HTMLTableSectionElement>('waiting'), (row) => void openExplanation(row.dataset.key!));
const agentNav = rovingRows(byId<HTMLTableSectionElement>('agents'), () => undefined);

async function start(): Promise<void> {
  const token = await obtainToken('switchboard.supervisor');
  byId('tenant').textContent = `tenant ${String(claims(token).tenant ?? '?')}`;
  client = new SupervisorClient({ url: serverUrl(), token });
  for (const b of document.querySelectorAll<HTMLButtonElement>('#agent-table [data-sort]'))
    b.addEventListener('click', () => sortBy(b.dataset.sort as typeof sort.key));
  byId('f-queue').addEventListener('change', renderAgents);
  byId('f-state').addEventListener('change', renderAgents);
  byId('explain-close').addEventListener('click', () => closeExplanation());
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && explained !== null) {
      e.preventDefault();
      closeExplanation();
    }
  });
  // The SDK reconnects by itself and renews the subscription from its cursor; every
  // (re)connection fetches everything again.
  client.connection.onOpen(() => {
    setStatus('live', 'live');
    dirty.config = dirty.queues = dirty.waiting = true;
    void flush();
  });
  setStatus('connecting…', 'idle');
  try {
    await client.connect();
  } catch (e) {
    // A browser cannot tell a refused token from a dropped connection: keep retrying, and say so.
    setStatus(`cannot connect (${(e as Error).message}); retrying · check the token`, 'down');
    sessionStorage.removeItem('switchboard.supervisor');
  }
  client.subscribe(onEvents).catch(() => undefined); // renewed on the next connection
  // Waits grow without events: the queue figures and the waiting list once a second; the
  // configuration and every agent once a minute, in case something changed that no event names.
  setInterval(() => {
    dirty.queues = true;
    dirty.waiting = true;
    sampleTrend();
    void flush();
  }, 1000);
  setInterval(() => {
    dirty.config = true;
  }, 60_000);
}

void start();
