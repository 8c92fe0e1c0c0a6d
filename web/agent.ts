/**
 * Agent desktop: log in with an agent token, go available or away, see an offer with its context
 * and a countdown, accept or reject it, complete assigned work and end wrap-up. Everything goes
 * through the SDK's AgentClient; the server re-sends open offers and assignments on reconnect.
 */
import { AgentClient, type JourneyItem, type OfferPush } from '../src/client/clients.ts';
import type { Push } from '../src/client/connection.ts';
import { byId, claims, duration, el, obtainToken, serverUrl, setStatus } from './common.ts';

const offers = new Map<string, OfferPush>();
const work = new Map<string, { since: number; wrapUntil?: number; inactive?: boolean }>();
let client: AgentClient;

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
  byId('state').textContent = reason ? `${state.replace('_', '-')} (${reason})` : state.replace('_', '-');
  byId('go-available').setAttribute('aria-pressed', String(state === 'available'));
  byId('go-away').setAttribute('aria-pressed', String(state === 'away'));
  byId('end-wrap').hidden = state !== 'wrap_up';
}

function contextList(context: unknown): HTMLElement {
  const dl = el('dl', undefined, { class: 'context' });
  if (context && typeof context === 'object' && !Array.isArray(context)) {
    for (const [k, v] of Object.entries(context as Record<string, unknown>)) dl.append(el('dt', k), el('dd', typeof v === 'string' ? v : JSON.stringify(v)));
  } else if (context !== undefined) dl.append(el('dt', 'context'), el('dd', JSON.stringify(context)));
  return dl;
}

/** The customer's recent interactions beside the offer: channel, queue, outcome, disposition, when. */
function journeyList(journey: readonly JourneyItem[]): HTMLElement {
  const box = el('section', undefined, { class: 'journey', 'aria-label': "The customer's recent interactions" });
  box.append(el('h3', 'Recently'));
  const ul = el('ul');
  for (const j of journey) {
    const parts = [j.channel, j.queueId, j.status === 'live' ? 'open now' : j.status];
    if (j.disposition) parts.push(j.disposition);
    if (j.agentId) parts.push(`with ${j.agentId}`);
    parts.push(`${duration(Date.now() - (j.endedAt ?? j.arrival))} ago`);
    ul.append(el('li', parts.join(' · '), { 'data-journey': j.interactionId }));
  }
  box.append(ul);
  return box;
}

function renderOffers(): void {
  const box = byId('offers');
  box.replaceChildren();
  for (const o of offers.values()) {
    const card = el('article', undefined, { class: 'card offer', 'data-offer': o.offerId, 'aria-label': `Offer: ${o.channel} from ${o.queueId}` });
    card.append(el('h2', `New ${o.channel} · ${o.queueId}`));
    card.append(contextList(o.context));
    if (o.journey && o.journey.length > 0) card.append(journeyList(o.journey));
    const countdown = el('p', '', { class: 'countdown', 'data-expires': String(o.expiresAt ?? '') });
    card.append(countdown);
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
  tickCountdowns();
}

function tickCountdowns(): void {
  for (const c of document.querySelectorAll<HTMLElement>('[data-expires]')) {
    const at = Number(c.dataset.expires);
    c.textContent = c.dataset.expires ? `${Math.max(0, Math.ceil((at - Date.now()) / 1000))} s to answer` : 'auto-accepted';
  }
}

function renderWork(): void {
  const list = byId('work');
  list.replaceChildren();
  list.className = work.size === 0 ? 'empty' : '';
  if (work.size === 0) list.append(el('li', 'Nothing assigned'));
  for (const [id, w] of work) {
    const li = el('li', undefined, { 'data-interaction': id });
    li.append(
      el(
        'span',
        w.wrapUntil === Number.POSITIVE_INFINITY
          ? `${id} · wrap-up until you end it `
          : w.wrapUntil
            ? `${id} · wrap-up until ${new Date(w.wrapUntil).toLocaleTimeString()} `
            : `${id} · for ${duration(Date.now() - w.since)}${w.inactive ? ' · inactive (the customer is quiet)' : ''} `,
      ),
    );
    if (!w.wrapUntil) {
      const done = el('button', 'Complete', { type: 'button' });
      done.addEventListener('click', () =>
        act(async () => {
          await client.complete(id);
          const cur = work.get(id);
          if (cur && !cur.wrapUntil) work.delete(id);
          renderWork();
        }),
      );
      li.append(done);
    }
    list.append(li);
  }
}

function onPush(p: Push): void {
  switch (p.push) {
    case 'state':
      renderState(String(p.state), p.reason as string | undefined);
      break;
    case 'offer':
      offers.set(String(p.offerId), p as unknown as OfferPush);
      renderOffers();
      break;
    case 'assigned':
      for (const [k, o] of offers) if (o.interactionId === p.interactionId) offers.delete(k);
      if (!work.has(String(p.interactionId))) work.set(String(p.interactionId), { since: Date.now() });
      renderOffers();
      renderWork();
      break;
    case 'offerClosed':
      offers.delete(String(p.offerId));
      renderOffers();
      break;
    case 'wrapUp': {
      const w = work.get(String(p.interactionId)) ?? { since: Date.now() };
      // until null: a manual wrap-up, until the agent ends it.
      work.set(String(p.interactionId), { ...w, wrapUntil: p.until === null ? Number.POSITIVE_INFINITY : Number(p.until) });
      renderWork();
      break;
    }
    case 'activity': {
      // A conversation the customer went quiet on holds none of the agent's room until they write again.
      const w = work.get(String(p.interactionId));
      if (w) work.set(String(p.interactionId), { ...w, inactive: p.active === false });
      renderWork();
      break;
    }
    case 'ended':
      work.delete(String(p.interactionId));
      renderWork();
      break;
  }
  // Wrap-up ends with a state change away from wrap_up: clear finished wrap-ups then.
  if (p.push === 'state' && p.state !== 'wrap_up') {
    for (const [id, w] of work) if (w.wrapUntil) work.delete(id);
    renderWork();
  }
}

async function start(): Promise<void> {
  const token = await obtainToken('switchboard.agent');
  byId('who').textContent = `agent ${String(claims(token).sub ?? '?')} · tenant ${String(claims(token).tenant ?? '?')}`;
  client = new AgentClient({ url: serverUrl(), token });
  client.onPush(onPush);
  client.connection.onOpen(() => setStatus('connected', 'live'));
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
  setInterval(tickCountdowns, 250);
}

void start();
