/**
 * One tenant's event feed: every engine event numbered (`seq`: the engine's own count, dense,
 * the same after recovery and on a standby, since a replay of the journal emits the same events
 * in the same order), the most recent ones kept in a bounded ring, and the subscribers with
 * their filters. A subscriber that gives a cursor (`after`) is first sent what it missed, from
 * the ring (or, with the redis store, from the tenant's events stream when the ring no longer
 * reaches back that far: see persistence.ts), then the live events, with no gap and no
 * duplicate across the switch.
 */
import type { EngineEvent, EventType } from '../engine/types.ts';
import { type Refusal, refusalFrame, type Session } from './ports.ts';

/** An engine event with its number in the tenant's feed. */
export type FeedEvent = EngineEvent & { readonly seq: number };

/** Which events a subscriber wants (null fields: all). */
export interface FeedFilter {
  readonly types: ReadonlySet<EventType> | null;
  readonly queues: ReadonlySet<string> | null;
}

/** What the metrics read of a tenant's feed. */
export interface FeedStats {
  readonly last: number;
  readonly oldest: number;
  readonly live: number;
  readonly catchingUp: number;
  /** The most events a subscriber catching up is behind the last one. */
  readonly lag: number;
  readonly polls: number;
}

/** A poll waiting for events after `after`. */
interface Poll {
  readonly s: Session;
  after: number;
  readonly limit: number;
  readonly filter: FeedFilter | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/** The answer to a poll: the events, the cursor to poll from next, and the last event numbered. */
export function pollAnswer(s: Session, events: readonly FeedEvent[], next: number, last: number): void {
  s.send({ re: null, ok: true, events, next, last });
}

/** The queue an event is about (its queueId, or either end of a move), or null: not about one queue. */
function queuesOf(e: EngineEvent): readonly string[] | null {
  const x = e as { queueId?: string; fromQueue?: string; toQueue?: string };
  if (x.fromQueue !== undefined || x.toQueue !== undefined) return [x.fromQueue, x.toQueue, x.queueId].filter((q): q is string => q !== undefined);
  return x.queueId !== undefined ? [x.queueId] : null;
}

export function wants(f: FeedFilter | null, e: EngineEvent): boolean {
  if (f === null) return true;
  if (f.types !== null && !f.types.has(e.type)) return false;
  if (f.queues === null) return true;
  const qs = queuesOf(e);
  return qs?.some((q) => f.queues!.has(q)) === true;
}

/** Events per `events` push at most: a resumed subscriber's backlog leaves in frames of bounded size. */
const EVENTS_PER_PUSH = 200;

/** Sends events as `events` pushes of at most EVENTS_PER_PUSH each. */
function sendEvents(s: Session, events: readonly FeedEvent[]): void {
  if (events.length <= EVENTS_PER_PUSH) s.send({ push: 'events', events });
  else for (let i = 0; i < events.length; i += EVENTS_PER_PUSH) s.send({ push: 'events', events: events.slice(i, i + EVENTS_PER_PUSH) });
}

/** A subscription's or poll's filter from its lists (null: it takes every event). */
export function feedFilter(types: readonly string[] | undefined, queues: readonly string[] | undefined): FeedFilter | null {
  if (types === undefined && queues === undefined) return null;
  return { types: types ? new Set(types as EventType[]) : null, queues: queues ? new Set(queues) : null };
}

/**
 * One page of a poll from `raw` (events after `after`, in order): the filter's share, at most
 * `limit`, and the cursor to poll from next (past the events left out, so they are not read again).
 */
export function pageOf(filter: FeedFilter | null, raw: readonly FeedEvent[], limit: number, after: number): { mine: FeedEvent[]; next: number } {
  const mine = filtered(filter, raw).slice(0, limit);
  const next = mine.length === limit ? mine[mine.length - 1].seq : raw.length > 0 ? raw[raw.length - 1].seq : after;
  return { mine, next };
}

export function filtered(f: FeedFilter | null, events: readonly FeedEvent[]): FeedEvent[] {
  return f === null ? (events as FeedEvent[]) : events.filter((e) => wants(f, e));
}

/** Events kept in memory per tenant by default. */
export const DEFAULT_EVENTS_RETAINED = 100_000;

export class EventFeed {
  /** The ring: slot `seq % capacity` holds event `seq` while it is retained. */
  private readonly ring: (FeedEvent | undefined)[];
  /** The oldest seq the ring holds, and the last one numbered (the engine's eventSeq). */
  private oldest = 1;
  last = 0;
  readonly subscribers = new Map<Session, FeedFilter | null>();
  /** Subscribers reading what they missed from the store: the last seq sent to each. Live events skip them. */
  private readonly catchingUp = new Map<Session, number>();
  /** Polls waiting for events (GET /v1/events with a wait). */
  private readonly polls = new Set<Poll>();

  constructor(readonly capacity: number) {
    this.ring = new Array<FeedEvent | undefined>(Math.max(1, capacity));
  }

  /** The engine was replaced (restored, rebuilt): it goes on from `seq`; nothing before is in the ring. */
  restart(seq: number): void {
    this.ring.fill(undefined);
    this.last = seq;
    this.oldest = seq + 1;
  }

  /**
   * Numbers one engine call's events (the engine's count after the call is `eventSeq`), keeps
   * them, and returns them numbered (the same objects; the commonest carry a `seq` of 0 from the
   * engine, set here in place: see EngineEvent).
   */
  number(events: EngineEvent[], eventSeq: number): FeedEvent[] {
    const first = eventSeq - events.length + 1;
    const cap = this.ring.length;
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as { seq?: number };
      e.seq = first + i;
      this.ring[(first + i) % cap] = e as FeedEvent;
    }
    this.last = eventSeq;
    if (this.last - this.oldest + 1 > cap) this.oldest = this.last - cap + 1;
    return events as FeedEvent[];
  }

  /** Whether the ring holds every event after `after`. */
  reaches(after: number): boolean {
    return after + 1 >= this.oldest;
  }

  /** The oldest seq the ring holds (last + 1 when it holds none). */
  oldestKept(): number {
    return this.oldest;
  }

  /** Events after `after`, at most `limit`, from the ring; null when the ring no longer reaches back to it. */
  since(after: number, limit = Number.POSITIVE_INFINITY): FeedEvent[] | null {
    if (after + 1 < this.oldest) return null;
    const out: FeedEvent[] = [];
    const cap = this.ring.length;
    for (let s = Math.max(after, this.oldest - 1) + 1; s <= this.last && out.length < limit; s++) out.push(this.ring[s % cap]!);
    return out;
  }

  /** Live delivery: to every subscriber its share (not to those still reading what they missed). */
  deliver(events: readonly FeedEvent[]): void {
    if (events.length === 0) return;
    if (this.polls.size > 0) for (const poll of this.polls) if (this.answerPoll(poll)) this.endPoll(poll);
    for (const [s, f] of this.subscribers) {
      if (this.catchingUp.size > 0 && this.catchingUp.has(s)) continue;
      const mine = filtered(f, events);
      if (mine.length > 0) sendEvents(s, mine);
    }
  }

  /**
   * Subscribes `s`. With a cursor the ring can serve, what it missed is sent now and it is live;
   * `catch_up`: the ring does not reach back that far (the caller reads the store, then calls
   * `page`); with no store to read, `expired`.
   */
  subscribe(s: Session, filter: FeedFilter | null, after: number | undefined): 'live' | 'catch_up' {
    this.subscribers.set(s, filter);
    this.catchingUp.delete(s);
    if (after === undefined || after >= this.last) return 'live';
    const missed = this.since(after);
    if (missed === null) {
      this.catchingUp.set(s, after);
      return 'catch_up';
    }
    const mine = filtered(filter, missed);
    if (mine.length > 0) sendEvents(s, mine);
    return 'live';
  }

  /**
   * A poll (GET /v1/events): answers `s` now with the events after `after` (at most `limit`, the
   * filter's share) when the ring has any or `waitMs` is 0; else once some come, or with none
   * when `waitMs` runs out. False: the ring no longer reaches back to `after` (read the store).
   */
  poll(
    s: Session,
    after: number,
    limit: number,
    filter: FeedFilter | null,
    waitMs: number,
    /** For an answer sent when the wait runs out: asked then, what it must say instead, or null (Durability.answerLater). */
    standing: () => Refusal | null,
  ): boolean {
    if (!this.reaches(after)) return false;
    const poll: Poll = { s, after, limit, filter, timer: null };
    if (this.answerPoll(poll)) return true;
    if (waitMs <= 0) {
      pollAnswer(s, [], poll.after, this.last);
      return true;
    }
    poll.timer = setTimeout(() => {
      const refused = standing();
      if (refused === null) pollAnswer(s, [], poll.after, this.last);
      else s.send(refusalFrame(null, refused));
      this.endPoll(poll);
    }, waitMs);
    this.polls.add(poll);
    return true;
  }

  /** Answers a poll if the ring holds events it wants after its cursor; its cursor moves past those it does not. */
  private answerPoll(poll: Poll): boolean {
    const raw = this.since(poll.after, poll.limit * 4);
    if (raw === null || raw.length === 0) return false;
    const { mine, next } = pageOf(poll.filter, raw, poll.limit, poll.after);
    if (mine.length === 0) {
      poll.after = next;
      return false;
    }
    pollAnswer(poll.s, mine, next, this.last);
    return true;
  }

  private endPoll(poll: Poll): void {
    if (poll.timer !== null) clearTimeout(poll.timer);
    this.polls.delete(poll);
  }

  /** Ends every poll waiting, answered with `why` (the tenant stops, or its engine is replaced). */
  stopPolls(why: Refusal): void {
    for (const poll of this.polls) {
      poll.s.send(refusalFrame(null, why));
      this.endPoll(poll);
    }
  }

  /**
   * A page of what `s` missed, read from the store (events after `sentThrough(s)`, in order).
   * Sends its share; once the ring reaches back to what is still missing, sends the rest from it
   * and `s` is live (true). False: read on from `sentThrough(s)`.
   */
  page(s: Session, events: readonly FeedEvent[]): boolean {
    let sent = this.catchingUp.get(s);
    if (sent === undefined) return true;
    const f = this.subscribers.get(s) ?? null;
    const fresh = events.filter((e) => e.seq > sent! && wants(f, e));
    if (events.length > 0) sent = Math.max(sent, events[events.length - 1].seq);
    if (fresh.length > 0) sendEvents(s, fresh);
    const rest = this.since(sent);
    if (rest === null) {
      this.catchingUp.set(s, sent);
      return false;
    }
    const mine = filtered(f, rest);
    if (mine.length > 0) sendEvents(s, mine);
    this.catchingUp.delete(s);
    return true;
  }

  /** The last seq sent to a subscriber reading the store (where its next read starts). */
  sentThrough(s: Session): number {
    return this.catchingUp.get(s) ?? this.last;
  }

  /** For the metrics: subscribers live and catching up, the most events one of them is behind, and the polls waiting. */
  stats(): FeedStats {
    let lag = 0;
    for (const sent of this.catchingUp.values()) lag = Math.max(lag, this.last - sent);
    return {
      last: this.last,
      oldest: this.oldest,
      live: this.subscribers.size - this.catchingUp.size,
      catchingUp: this.catchingUp.size,
      lag,
      polls: this.polls.size,
    };
  }

  isCatchingUp(s: Session): boolean {
    return this.catchingUp.has(s);
  }

  unsubscribe(s: Session): void {
    this.subscribers.delete(s);
    this.catchingUp.delete(s);
  }
}
