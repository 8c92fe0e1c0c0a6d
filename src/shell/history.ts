/**
 * What happened to each interaction: every event about it, numbered as in the feed, from its
 * submission to its end (queued, each offer and how it ended, relaxations, transfers and
 * overflows, assignment, activity, wrap-up, the outcome), with its waits and handle time. Kept
 * while it lives and, once it ended, for `retentionMs` (at most `maxEnded` in memory, oldest out
 * first; with the redis store also written with the journal, so it outlives the process: see
 * redis-journal.ts). Built from the events the tenant's engine emits, live and replayed alike.
 */
import { BoundedMap } from '../queues/bounded-map.ts';
import type { FeedEvent } from './event-feed.ts';

/** Events kept per interaction at most: beyond, the oldest after its first ones are dropped and counted. */
export const MAX_HISTORY_EVENTS = 500;
/** By default: ended interactions kept in memory per tenant, and for how long. */
export const DEFAULT_HISTORY_KEPT = 100_000;
export const DEFAULT_HISTORY_RETENTION_MS = 30 * 24 * 3600_000;
/** The customer's recent interactions an offer shows by default. */
export const DEFAULT_OFFER_JOURNEY = 5;

const ENDS: Readonly<Record<string, HistoryRecord['status']>> = {
  InteractionCompleted: 'completed',
  InteractionCancelled: 'cancelled',
  InteractionAbandoned: 'abandoned',
  InteractionExpired: 'expired',
};

export interface HistoryRecord {
  readonly interactionId: string;
  customerId?: string;
  channel: string;
  /** The queue it is in, or ended in. */
  queueId: string;
  status: 'live' | 'completed' | 'cancelled' | 'abandoned' | 'expired';
  /** When it was submitted, and when it ended (null while it lives). */
  readonly arrival: number;
  endedAt: number | null;
  /** Submission to its (last) assignment, and its last agent's handle time (null: not yet). */
  waitMs: number | null;
  handleMs: number | null;
  agentId: string | null;
  /** What the agent recorded on completion (Complete's `disposition` and `note`). */
  disposition?: string;
  note?: string;
  events: FeedEvent[];
  /** Events dropped from the middle of a long history. */
  dropped: number;
}

/** One of a customer's interactions, as a journey lists it and an offer shows it. */
export interface JourneyItem {
  readonly interactionId: string;
  readonly channel: string;
  readonly queueId: string;
  readonly status: HistoryRecord['status'];
  readonly agentId: string | null;
  readonly arrival: number;
  readonly endedAt: number | null;
  readonly disposition?: string;
}

/** A customer's interactions indexed in memory at most (newest kept), and customers indexed at most. */
const PER_CUSTOMER = 50;
const MAX_CUSTOMERS = 100_000;

export function journeyItem(r: HistoryRecord): JourneyItem {
  return {
    interactionId: r.interactionId,
    channel: r.channel,
    queueId: r.queueId,
    status: r.status,
    agentId: r.agentId,
    arrival: r.arrival,
    endedAt: r.endedAt,
    ...(r.disposition !== undefined ? { disposition: r.disposition } : {}),
  };
}

export class History {
  private readonly live = new Map<string, HistoryRecord>();
  /** Customer → their interactions' ids, newest first (least recently indexed customer out first). */
  private readonly customers = new BoundedMap<string, string[]>(MAX_CUSTOMERS, Number.POSITIVE_INFINITY);
  /** Ended ones, by their end time: the oldest out past `maxEnded`, and once ended `retentionMs` ago (times are whole ms). */
  private readonly ended: BoundedMap<string, HistoryRecord>;
  /** The latest end seen: records that ended `retentionMs` before it are gone. */
  private lastEnd = Number.NEGATIVE_INFINITY;
  /** Ended since the last `drain`: the redis store writes them with the turn's journal entries. */
  private endedSince: HistoryRecord[] = [];

  constructor(
    maxEnded: number,
    retentionMs: number,
    private readonly keepEnded: boolean,
  ) {
    this.ended = new BoundedMap(maxEnded, retentionMs - 1);
  }

  /** The submission about to be applied: its customer, which no event carries, goes on the record its InteractionQueued opens. */
  private expected: { readonly interactionId: string; readonly customerId: string } | null = null;

  expect(interactionId: string, customerId: string | undefined): void {
    this.expected = customerId === undefined ? null : { interactionId, customerId };
  }

  private submitted(r: HistoryRecord, customerId: string): void {
    const interactionId = r.interactionId;
    r.customerId = customerId;
    const ids = this.customers.get(customerId, 0) ?? [];
    ids.unshift(interactionId);
    if (ids.length > PER_CUSTOMER) ids.length = PER_CUSTOMER;
    this.customers.set(customerId, ids, 0);
  }

  /** A completion's disposition and note (the agent's Complete), on its record. */
  completedWith(interactionId: string, disposition: string | undefined, note: string | undefined): void {
    const r = this.get(interactionId);
    if (r === null) return;
    if (disposition !== undefined) r.disposition = disposition;
    if (note !== undefined) r.note = note;
  }

  /** A customer's interactions in memory, newest first, arrived before `before`, at most `limit`. */
  journey(customerId: string, limit: number, before = Number.POSITIVE_INFINITY): JourneyItem[] {
    const out: JourneyItem[] = [];
    for (const id of this.customers.get(customerId, 0) ?? []) {
      const r = this.get(id);
      if (r === null || r.customerId !== customerId || r.arrival >= before) continue;
      out.push(journeyItem(r));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** One engine call's events, numbered. */
  record(events: readonly FeedEvent[]): void {
    for (const e of events) {
      const id = (e as { interactionId?: string }).interactionId;
      if (id === undefined) continue;
      let r = this.live.get(id);
      if (r === undefined) {
        if (e.type !== 'InteractionQueued') continue;
        r = {
          interactionId: id,
          channel: e.channel,
          queueId: e.queueId,
          status: 'live',
          arrival: e.at,
          endedAt: null,
          waitMs: null,
          handleMs: null,
          agentId: null,
          events: [],
          dropped: 0,
        };
        this.live.set(id, r);
        if (this.expected !== null && this.expected.interactionId === id) this.submitted(r, this.expected.customerId);
        this.expected = null;
      }
      this.add(r, e);
      switch (e.type) {
        case 'InteractionAssigned':
          r.waitMs = e.waitMs;
          r.agentId = e.agentId;
          break;
        case 'InteractionConverted':
          r.channel = e.channel;
          break;
        case 'InteractionOverflowed':
        case 'InteractionTransferred':
          r.queueId = e.toQueue;
          break;
        case 'InteractionCompleted':
          r.handleMs = e.handleMs;
          break;
        default:
          break;
      }
      const end = ENDS[e.type];
      if (end !== undefined) this.end(r, end, e.at);
    }
  }

  /** An interaction's record: live, ended and still in memory, or null. */
  get(interactionId: string): HistoryRecord | null {
    return this.live.get(interactionId) ?? this.ended.get(interactionId, this.lastEnd) ?? null;
  }

  /** Records ended since the last call (for the store), oldest first. */
  drain(): HistoryRecord[] {
    const out = this.endedSince;
    this.endedSince = [];
    return out;
  }

  /** The engine was replaced (restored, rebuilt): live records are rebuilt by what it replays. */
  restart(): void {
    this.live.clear();
    this.endedSince = [];
  }

  private add(r: HistoryRecord, e: FeedEvent): void {
    if (r.events.length >= MAX_HISTORY_EVENTS) {
      // Keep the beginning and the most recent: drop the oldest after the first tenth.
      r.events.splice(MAX_HISTORY_EVENTS / 10, 1);
      r.dropped++;
    }
    r.events.push(e);
  }

  private end(r: HistoryRecord, status: HistoryRecord['status'], at: number): void {
    r.status = status;
    r.endedAt = at;
    this.live.delete(r.interactionId);
    if (this.keepEnded) this.endedSince.push(r);
    // Oldest out: past the count (set), and past the retention (prune).
    this.ended.set(r.interactionId, r, at);
    this.ended.prune(at);
    this.lastEnd = at;
  }
}
