/**
 * What a tenant answers about what happened: `Subscribe` (live events, or from a cursor what was
 * missed first), polls of the feed (GET /v1/events), interaction histories and customer journeys.
 * Each is answered from memory (the feed's ring, the history) when it reaches, else from the
 * store (the events stream, the histories and journeys it keeps), else refused with a typed code.
 */
import type { EventType } from '../engine/types.ts';
import type { Journal } from '../store/journal.ts';
import { type EventFeed, type FeedEvent, type FeedFilter, feedFilter, pageOf, pollAnswer } from './event-feed.ts';
import { type History, type HistoryRecord, type JourneyItem, journeyItem } from './history.ts';
import { type EventsPoll, type Refusal, refusalFrame, type Session } from './ports.ts';

/** Events read from the store per page while a subscriber catches up. */
const CATCH_UP_PAGE = 2_000;
/** Reads that find nothing new before a catch-up gives up (20 ms apart). */
const CATCH_UP_IDLE_READS = 250;

export class FeedRequests {
  constructor(
    private readonly tenant: string,
    private readonly feed: EventFeed,
    private readonly history: History,
    private readonly journal: Journal | undefined,
    /** The tenant's open connections: a catch-up stops for one that closed. */
    private readonly sessions: ReadonlySet<Session>,
    /**
     * Called when a request takes something from memory and its answer waits for a read of the
     * store: asked when the answer leaves, what it must say instead, or null (durability.ts).
     */
    private readonly answerLater: () => () => Refusal | null,
  ) {}

  /**
   * Subscribe: live events from now, or with `after` what was missed first (from memory, else
   * from the store's events stream), then live ones, with no gap and no duplicate. A cursor
   * older than what is retained is refused EVENTS_EXPIRED with the oldest retained `seq`.
   */
  subscribe(s: Session, re: string | number, p: { events: boolean; after?: number; types?: EventType[]; queues?: string[] }): void {
    if (!p.events) {
      this.feed.unsubscribe(s);
      return s.send({ re, ok: true });
    }
    const filter = feedFilter(p.types, p.queues);
    const after = p.after;
    if (after === undefined || this.feed.reaches(after)) {
      s.send({ re, ok: true, last: this.feed.last });
      this.feed.subscribe(s, filter, after);
      return;
    }
    const read = this.journal?.readEvents?.bind(this.journal);
    if (read === undefined) return this.expired(s, re, after, this.feed.oldestKept());
    // Older than memory: from the store's events stream, page by page, until memory reaches back.
    void this.catchUp(s, re, filter, after, read);
  }

  /**
   * GET /v1/events: one answer of at most `limit` events after `after` (default: from the oldest
   * kept), waiting up to `waitMs` for some when there are none yet (from memory; from the store's
   * events stream when memory no longer reaches back).
   */
  poll(s: Session, q: EventsPoll): void {
    const filter = feedFilter(q.types, q.queues);
    const after = q.after ?? this.feed.oldestKept() - 1;
    // Asked once the answer leaves: when the wait in memory runs out, or when the store was read.
    const standing = this.answerLater();
    if (this.feed.poll(s, after, q.limit, filter, q.waitMs, standing)) return;
    const read = this.journal?.readEvents?.bind(this.journal);
    if (read === undefined) return this.expired(s, null, after, this.feed.oldestKept());
    read(this.tenant, after, q.limit).then(
      (page) => {
        const refused = standing();
        if (refused !== null) return s.send(refusalFrame(null, refused));
        if (page.oldest === null || after + 1 < page.oldest) return this.expired(s, null, after, page.oldest ?? this.feed.oldestKept());
        const { mine, next } = pageOf(filter, page.events, q.limit, after);
        pollAnswer(s, mine, next, this.feed.last);
      },
      (e: unknown) => s.send({ re: null, ok: false, code: 'STORE_UNAVAILABLE', message: `events could not be read from the store: ${(e as Error).message}` }),
    );
  }

  /**
   * ListCustomerInteractions: a customer's interactions newest first, from memory and, with the
   * redis store, the ended ones it keeps (the answer's `before` is the cursor of the next page).
   */
  journeyOf(s: Session, re: string | number, customerId: string, limit: number, before?: number): void {
    const until = before ?? Number.POSITIVE_INFINITY;
    const mine = this.history.journey(customerId, limit, until);
    const answer = (items: JourneyItem[]) => {
      const page = items.slice(0, limit);
      s.send({ re, ok: true, interactions: page, ...(page.length === limit ? { before: page[page.length - 1].arrival } : {}) });
    };
    const read = this.journal?.readJourney?.bind(this.journal);
    if (read === undefined || mine.length >= limit) return answer(mine);
    const standing = this.answerLater();
    read(this.tenant, customerId, limit, until).then(
      (stored) => {
        const refused = standing();
        if (refused !== null) return s.send(refusalFrame(re, refused));
        const seen = new Set(mine.map((i) => i.interactionId));
        const more = (stored as HistoryRecord[]).filter((r) => !seen.has(r.interactionId)).map(journeyItem);
        answer([...mine, ...more].sort((a, b) => b.arrival - a.arrival));
      },
      (e: unknown) => s.send({ re, ok: false, code: 'STORE_UNAVAILABLE', message: `the journey could not be read from the store: ${(e as Error).message}` }),
    );
  }

  /** GetInteractionHistory: from memory (live, or ended not long ago), else from the store. */
  historyOf(s: Session, re: string | number, interactionId: string): void {
    const mine = this.history.get(interactionId);
    if (mine !== null) return s.send({ re, ok: true, history: mine });
    const unknown = () =>
      s.send({ re, ok: false, code: 'UNKNOWN_INTERACTION', message: `interaction '${interactionId}' is not known, or its history is no longer kept` });
    const read = this.journal?.readHistory?.bind(this.journal);
    if (read === undefined) return unknown();
    read(this.tenant, interactionId).then(
      (history) => (history === null ? unknown() : s.send({ re, ok: true, history })),
      (e: unknown) => s.send({ re, ok: false, code: 'STORE_UNAVAILABLE', message: `history could not be read from the store: ${(e as Error).message}` }),
    );
  }

  private expired(s: Session, re: string | number | null, after: number, oldest: number): void {
    s.send({ re, ok: false, code: 'EVENTS_EXPIRED', message: `events after ${after} are no longer kept; the oldest kept is ${oldest}`, oldest });
  }

  /**
   * A subscriber whose cursor memory no longer reaches: the answer waits for the first read (a
   * cursor older than the store keeps is EVENTS_EXPIRED), then pages follow until the ring
   * reaches back to what is still missing, and the subscriber is live.
   */
  private async catchUp(
    s: Session,
    re: string | number,
    filter: FeedFilter | null,
    after: number,
    read: (tenant: string, after: number, limit: number) => Promise<{ events: FeedEvent[]; oldest: number | null }>,
  ): Promise<void> {
    let answered = false;
    // The first answer and the ring's events sent with a page are the engine's of now: they
    // leave only while it is still the one the request found (durability.ts, answerLater).
    const standing = this.answerLater();
    try {
      for (let idle = 0; idle < CATCH_UP_IDLE_READS; ) {
        const from = answered ? this.feed.sentThrough(s) : after;
        const page = await read(this.tenant, from, CATCH_UP_PAGE);
        if (!this.sessions.has(s)) return this.feed.unsubscribe(s);
        const refused = standing();
        if (refused !== null) {
          this.feed.unsubscribe(s);
          return answered ? s.end?.(1011, 'events feed interrupted; resubscribe with your cursor') : s.send(refusalFrame(re, refused));
        }
        if (!answered) {
          if (page.oldest === null || from + 1 < page.oldest) return this.expired(s, re, after, page.oldest ?? this.feed.oldestKept());
          s.send({ re, ok: true, last: this.feed.last });
          answered = true;
          if (this.feed.subscribe(s, filter, after) === 'live') return;
        }
        if (!this.feed.isCatchingUp(s)) return;
        if (this.feed.page(s, page.events)) return;
        // Nothing new in the store yet the ring does not reach: writes still in flight.
        if (page.events.length === 0) {
          idle++;
          await new Promise((r) => setTimeout(r, 20));
        } else idle = 0;
      }
      throw new Error('the events stream does not reach the events kept in memory');
    } catch (e) {
      this.feed.unsubscribe(s);
      const message = `events could not be read from the store: ${(e as Error).message}`;
      if (!answered) s.send({ re, ok: false, code: 'STORE_UNAVAILABLE', message });
      else s.end?.(1011, 'events feed interrupted; resubscribe with your cursor');
    }
  }
}
