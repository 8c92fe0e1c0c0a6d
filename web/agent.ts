/**
 * Agent desktop: log in with an agent token, go available or away, see an offer with its context,
 * the customer's recent journey across channels and a countdown, accept or reject it. Each
 * assigned interaction is its own panel (several chats at once, within the agent's capacity) with
 * its context and journey, whether the customer is active or quiet (the `activity` push), and a
 * disposition code and note sent with Complete; a wrap-up without an end is ended by hand
 * (EndWrapUp). Everything goes through the SDK's AgentClient; the server re-sends open offers
 * and assignments (with their context) on reconnect.
 */
import { AgentClient, type AssignedPush, type JourneyItem, type OfferPush } from '../src/client/clients.ts';
import type { Push } from '../src/client/connection.ts';
import { byId, claims, clock, duration, el, obtainToken, serverUrl, setStatus } from './common.ts';

interface Work {
  readonly interactionId: string;
  channel: string;
  queueId: string;
  context?: unknown;
  journey?: readonly JourneyItem[];
  since: number;
  /** Wrap-up: until when (+∞: until the agent ends it). */
  wrapUntil?: number;
  /** The customer went quiet: the conversation holds none of the agent's room. */
  inactive?: boolean;
}

const offers = new Map<string, OfferPush>();
const work = new Map<string, Work>();
const panels = new Map<string, HTMLElement>();
let client: AgentClient;
let agentState = 'offline';

function showError(e: unknown): void {
  byId('error').textContent = e instanceof Error ? e.message : String(e);
}

async function act(fn: () => Promise<unknown>): Promise<void> {
  byId('error').textContent = '';
  try {
    await fn();
  } catch (e) {
    showError(e);
  }
}

function renderState(state: string, reason?: string): void {
  agentState = state;
  byId('state').textContent = reason ? `${state.replace('_', '-')} (${reason})` : state.replace('_', '-');
  byId('go-available').setAttribute('aria-pressed', String(state === 'available'));
  byId('go-away').setAttribute('aria-pressed', String(state === 'away'));
  byId('end-wrap').hidden = state !== 'wrap_up';
  tick();
}

function contextList(context: unknown): HTMLElement {
  const dl = el('dl', undefined, { class: 'context' });
  if (context && typeof context === 'object' && !Array.isArray(context)) {
    for (const [k, v] of Object.entries(context as Record<string, unknown>)) dl.append(el('dt', k), el('dd', typeof v === 'string' ? v : JSON.stringify(v)));
  } else if (context !== undefined) dl.append(el('dt', 'context'), el('dd', JSON.stringify(context)));
  return dl;
}

/**
 * The customer's recent interactions, newest first: channel, queue, how it ended and with what
 * disposition, with whom, how long ago; one still open now is marked as such.
 */
function journeyList(journey: readonly JourneyItem[]): HTMLElement {
  const box = el('section', undefined, { class: 'journey', 'aria-label': "The customer's recent interactions" });
  const channels = [...new Set(journey.map((j) => j.channel))];
  box.append(el('h3', `Recently: ${journey.length} interaction${journey.length === 1 ? '' : 's'} (${channels.join(', ')})`));
  const ol = el('ol');
  for (const j of journey) {
    const li = el('li', undefined, { 'data-journey': j.interactionId, class: j.status === 'live' ? 'live' : '' });
    li.append(el('span', j.channel, { class: `chan chan-${j.channel}` }));
    const parts = [j.queueId, j.status === 'live' ? 'open now' : j.status];
    if (j.disposition) parts.push(j.disposition);
    if (j.agentId) parts.push(`with ${j.agentId}`);
    parts.push(`${duration(Date.now() - (j.endedAt ?? j.arrival))} ago`);
    li.append(document.createTextNode(` ${parts.join(' · ')}`));
    ol.append(li);
  }
  box.append(ol);
  return box;
}

function renderOffers(): void {
  const box = byId('offers');
  box.replaceChildren();
  for (const o of offers.values()) {
    const card = el('article', undefined, { class: 'card offer', 'data-offer': o.offerId, 'aria-label': `Offer: ${o.channel} from ${o.queueId}` });
    card.append(el('h2', `New ${o.channel} · ${o.queueId}`));
    const cols = el('div', undefined, { class: 'offer-body' });
    cols.append(contextList(o.context));
    if (o.journey && o.journey.length > 0) cols.append(journeyList(o.journey));
    card.append(cols);
    card.append(el('p', '', { class: 'countdown', 'data-expires': String(o.expiresAt ?? '') }));
    const row = el('div', undefined, { class: 'row' });
    const accept = el('button', 'Accept', { class: 'primary', type: 'button' });
    accept.addEventListener('click', () => act(() => client.accept(o.offerId)));
    const reject = el('button', 'Reject', { class: 'danger', type: 'button' });
    reject.addEventListener('click', () =>
      act(async () => {
        await client.reject(o.offerId);
        offers.delete(o.offerId);
        renderOffers();
      }),
    );
    row.append(accept, reject);
    card.append(row);
    box.append(card);
  }
  tick();
}

/** A panel per assigned interaction, made once (so what the agent types stays) and updated by `updatePanel`. */
function makePanel(w: Work): HTMLElement {
  const id = w.interactionId;
  const card = el('article', undefined, { class: 'card work', 'data-interaction': id, 'aria-labelledby': `h-${id}` });
  const head = el('div', undefined, { class: 'work-head' });
  head.append(el('h3', `${w.channel} · ${w.queueId}`, { id: `h-${id}` }), el('span', '', { class: 'activity', role: 'status' }));
  card.append(head, el('p', '', { class: 'work-meta' }));
  card.append(contextList(w.context));
  if (w.journey && w.journey.length > 0) card.append(journeyList(w.journey));
  const form = el('form', undefined, { class: 'complete' });
  const code = el('input', undefined, {
    name: 'disposition',
    list: 'dispositions',
    autocomplete: 'off',
    maxlength: '128',
    pattern: '\\S+',
    'aria-label': `Disposition code for ${id}`,
    placeholder: 'disposition code',
  });
  const note = el('textarea', undefined, { name: 'note', maxlength: '1000', rows: '2', 'aria-label': `Note for ${id}`, placeholder: 'note (optional)' });
  const done = el('button', 'Complete', { class: 'primary', type: 'submit' });
  form.append(code, note, done);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const disposition = code.value.trim();
    const text = note.value.trim();
    void act(async () => {
      await client.complete(id, { ...(disposition ? { disposition } : {}), ...(text ? { note: text } : {}) });
      const cur = work.get(id);
      // Without wrap-up it is over; with one, the wrapUp push keeps it shown until it ends.
      if (cur && cur.wrapUntil === undefined && agentState !== 'wrap_up') dropWork(id);
      renderWork();
    });
  });
  const wrap = el('div', undefined, { class: 'row wrap-row' });
  const end = el('button', 'End wrap-up', { type: 'button', class: 'primary' });
  end.addEventListener('click', () => act(() => client.endWrapUp()));
  wrap.append(el('span', '', { class: 'wrap-left' }), end);
  card.append(form, wrap);
  return card;
}

function updatePanel(card: HTMLElement, w: Work): void {
  const wrapping = w.wrapUntil !== undefined;
  card.dataset.state = wrapping ? 'wrap_up' : w.inactive ? 'inactive' : 'active';
  const activity = card.querySelector<HTMLElement>('.activity')!;
  const label = wrapping ? 'wrap-up' : w.inactive ? 'quiet (inactive)' : 'active';
  if (activity.textContent !== label) activity.textContent = label;
  card.querySelector<HTMLElement>('.work-meta')!.textContent = `${w.interactionId} · since ${clock(w.since)} (${duration(Date.now() - w.since)})`;
  card.querySelector<HTMLElement>('form.complete')!.hidden = wrapping;
  card.querySelector<HTMLElement>('.wrap-row')!.hidden = !wrapping;
  if (wrapping)
    card.querySelector<HTMLElement>('.wrap-left')!.textContent =
      w.wrapUntil === Number.POSITIVE_INFINITY ? 'Wrap-up: until you end it' : `Wrap-up: ${Math.max(0, Math.ceil((w.wrapUntil! - Date.now()) / 1000))} s left`;
}

function dropWork(id: string): void {
  work.delete(id);
  sessionStorage.removeItem(`switchboard.work.${id}`);
}

function renderWork(): void {
  const grid = byId('work');
  for (const [id, card] of panels)
    if (!work.has(id)) {
      card.remove();
      panels.delete(id);
    }
  for (const w of work.values()) {
    let card = panels.get(w.interactionId);
    if (!card) {
      card = makePanel(w);
      panels.set(w.interactionId, card);
      grid.append(card);
    }
    updatePanel(card, w);
  }
  byId('work-empty').hidden = work.size > 0;
  const active = [...work.values()].filter((w) => w.wrapUntil === undefined && !w.inactive).length;
  byId('work-count').textContent = work.size === 0 ? '' : `(${work.size}: ${active} active)`;
}

function tick(): void {
  for (const c of document.querySelectorAll<HTMLElement>('[data-expires]')) {
    const at = Number(c.dataset.expires);
    c.textContent = c.dataset.expires ? `${Math.max(0, Math.ceil((at - Date.now()) / 1000))} s to answer` : 'auto-accepted';
  }
  let until = 0;
  for (const w of work.values()) if (w.wrapUntil !== undefined) until = Math.max(until, w.wrapUntil);
  byId('wrap-left').textContent =
    agentState !== 'wrap_up' || until === 0
      ? ''
      : until === Number.POSITIVE_INFINITY
        ? 'until you end it'
        : `${Math.max(0, Math.ceil((until - Date.now()) / 1000))} s left`;
  for (const w of work.values()) {
    const card = panels.get(w.interactionId);
    if (card) updatePanel(card, w);
  }
}

/** Work known from its offer or push; its context is kept for the tab's life (a reload shows it again). */
function remember(a: AssignedPush): Work {
  const saved = sessionStorage.getItem(`switchboard.work.${a.interactionId}`);
  const offer = [...offers.values()].find((o) => o.interactionId === a.interactionId);
  const prior = saved ? (JSON.parse(saved) as Partial<Work>) : {};
  const w: Work = {
    interactionId: a.interactionId,
    channel: a.channel ?? offer?.channel ?? prior.channel ?? '?',
    queueId: a.queueId ?? offer?.queueId ?? prior.queueId ?? '?',
    context: a.context ?? offer?.context ?? prior.context,
    journey: a.journey ?? offer?.journey ?? prior.journey,
    since: a.since ?? Date.now(),
  };
  sessionStorage.setItem(`switchboard.work.${a.interactionId}`, JSON.stringify(w));
  return w;
}

function onPush(p: Push): void {
  switch (p.push) {
    case 'state':
      renderState(String(p.state), p.reason as string | undefined);
      // Wrap-up ends with a state change away from wrap_up: finished wrap-ups go then.
      if (p.state !== 'wrap_up') for (const [id, w] of work) if (w.wrapUntil !== undefined) dropWork(id);
      renderWork();
      break;
    case 'offer':
      offers.set(String(p.offerId), p as unknown as OfferPush);
      renderOffers();
      break;
    case 'assigned': {
      const a = p as unknown as AssignedPush;
      const w = remember(a);
      for (const [k, o] of offers) if (o.interactionId === a.interactionId) offers.delete(k);
      const cur = work.get(a.interactionId);
      work.set(a.interactionId, cur ? { ...w, inactive: cur.inactive, wrapUntil: cur.wrapUntil } : w);
      renderOffers();
      renderWork();
      break;
    }
    case 'offerClosed':
      offers.delete(String(p.offerId));
      renderOffers();
      break;
    case 'wrapUp': {
      const w = work.get(String(p.interactionId));
      // until null: a manual wrap-up, until the agent ends it.
      if (w) w.wrapUntil = p.until === null ? Number.POSITIVE_INFINITY : Number(p.until);
      renderWork();
      break;
    }
    case 'activity': {
      const w = work.get(String(p.interactionId));
      if (w) w.inactive = p.active === false;
      renderWork();
      break;
    }
    case 'ended':
      dropWork(String(p.interactionId));
      renderWork();
      break;
  }
}

async function start(): Promise<void> {
  const token = await obtainToken('switchboard.agent');
  byId('who').textContent = `agent ${String(claims(token).sub ?? '?')} · tenant ${String(claims(token).tenant ?? '?')}`;
  client = new AgentClient({ url: serverUrl(), token });
  client.onPush(onPush);
  client.connection.onOpen(() => {
    setStatus('connected', 'live');
    // A (re)connection is sent the open offers and the work in hand again: what closed or ended
    // while the socket was down goes (wrap-ups stay: the state push says whether one goes on).
    offers.clear();
    for (const [id, w] of work) if (w.wrapUntil === undefined) dropWork(id);
    renderOffers();
    renderWork();
  });
  byId('go-available').addEventListener('click', () => act(() => client.setState('available')));
  byId('go-away').addEventListener('click', () => act(() => client.setState('away', 'break')));
  byId('end-wrap').addEventListener('click', () => act(() => client.endWrapUp()));
  setStatus('connecting…', 'idle');
  try {
    await client.connect();
    setStatus('connected', 'live');
  } catch (e) {
    setStatus(`cannot connect (${(e as Error).message}); retrying · check the token`, 'down');
    sessionStorage.removeItem('switchboard.agent');
  }
  setInterval(tick, 250);
}

void start();
