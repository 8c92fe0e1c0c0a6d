/**
 * One tenant: its engine, the clock and the one timer armed from `engine.nextDeadline()`, its
 * durability state, and the fan-out of engine events to the connections that care (offers to
 * the agent's desktops, event streams to subscribed platforms and supervisors), including the
 * resume of an agent's desktop.
 */
import { Engine, type ApplyResult } from '../engine/engine.ts';
import { SnapshotMismatchError } from '../engine/snapshot.ts';
import type { Command, EngineEvent } from '../engine/types.ts';
import type { JournalChunk, JournalEntry, StoredSnapshot } from '../store/journal.ts';
import { decodeSnapshot } from '../store/snapshot-codec.ts';
import { Durability, REPLAYING_REFUSAL } from './durability.ts';
import { DEFAULT_HISTORY_KEPT, DEFAULT_HISTORY_RETENTION_MS, DEFAULT_OFFER_JOURNEY, History } from './history.ts';
import { DEFAULT_EVENTS_RETAINED, EventFeed, type FeedEvent } from './event-feed.ts';
import { FeedRequests } from './feed-requests.ts';
import type { ShellOptions } from './options.ts';
import { DEFAULT_WEBHOOK_SETTINGS, WebhookDispatcher, type WebhookSettings } from './webhook-dispatcher.ts';
import { MAX_TIMER_MS, type Refusal, type Session } from './ports.ts';

export class TenantShell {
  engine: Engine;
  /** Where the engine stands against the journal, and what is journaled. */
  readonly durability = new Durability();
  /** Each agent's open desktops (a list: usually one, and walked on every push to the agent). */
  readonly agents = new Map<string, Session[]>();
  /** Its events numbered, the recent ones kept, and who is subscribed to them. */
  readonly feed: EventFeed;
  /** What happened to each interaction (its events), while it lives and after it ended. */
  readonly history: History;
  /** Its webhooks' deliveries (while this process serves it). */
  readonly webhooks: WebhookDispatcher;
  readonly sessions = new Set<Session>();
  /** Subscriptions, polls, histories and journeys: answered from memory or the store. */
  readonly requests: FeedRequests;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private armedFor = Number.POSITIVE_INFINITY;
  /** The last event seq whose journal write is confirmed (with the journal; without, every event is). */
  private durable = 0;

  constructor(
    readonly tenant: string,
    private readonly options: ShellOptions,
    private readonly now: () => number,
    /** Asks for a journal write soon: engine calls made outside a request's turn (timers, webhook cursors). */
    private readonly kick: () => void = () => {},
  ) {
    this.engine = new Engine({ ordering: options.ordering, agentSelection: options.agentSelection });
    this.feed = new EventFeed(options.eventsRetained ?? DEFAULT_EVENTS_RETAINED);
    this.history = new History(
      options.historyKept ?? DEFAULT_HISTORY_KEPT,
      options.historyRetentionMs ?? DEFAULT_HISTORY_RETENTION_MS,
      options.journal?.readHistory !== undefined,
    );
    const journal = options.journal;
    this.requests = new FeedRequests(tenant, this.feed, this.history, journal, this.sessions, () => this.durability.answerLater());
    const read = journal?.readEvents?.bind(journal);
    this.webhooks = new WebhookDispatcher(
      {
        tenant,
        serving: () => this.durability.refusal() === null && this.durability.state.kind !== 'following',
        durableSeq: () => this.durableSeq(),
        webhooks: () => this.engine.webhookMap(),
        since: (after, limit) => this.feed.since(after, limit),
        ...(read ? { read: (after: number, limit: number) => read(tenant, after, limit) } : {}),
        apply: (cmd) => {
          const r = this.apply(cmd);
          this.kick();
          return r;
        },
        now,
        delivered: (outcome, events) => options.metrics?.webhookDelivery(tenant, outcome, events),
        warn: (fields, message) => options.log?.warn(fields, message),
      },
      this.webhookSettings,
    );
  }

  get webhookSettings(): WebhookSettings {
    return this.options.webhooks ?? DEFAULT_WEBHOOK_SETTINGS;
  }

  /** The last event seq a crash cannot take back: its journal write is confirmed. */
  durableSeq(): number {
    return this.options.journal ? this.durable : this.feed.last;
  }

  /** A journal write through event `seq` was confirmed: webhooks may deliver up to it. */
  confirmed(seq: number): void {
    if (seq > this.durable) this.durable = seq;
    this.webhooks.wake();
  }

  apply(cmd: Command): ApplyResult {
    const now = this.now();
    if (cmd.type === 'SubmitInteraction') this.history.expect(cmd.interaction.id, cmd.interaction.customerId);
    if (this.options.journal) {
      this.durability.pending.push({ n: now, c: cmd });
      this.durability.lineage.used = true;
    }
    const started = this.options.metrics ? performance.now() : 0;
    const out = this.engine.apply(cmd, now);
    this.after(out.events, started, 'command');
    this.noteCommand(cmd, out);
    if (!out.ok && (out.code === 'QUEUE_REFUSED' || out.code === 'QUEUE_CLOSED') && cmd.type === 'SubmitInteraction')
      this.options.metrics?.submissionRefused(this.tenant, cmd.interaction.queue);
    return out;
  }

  /** Replays one journal entry (recovery): events feed the metrics but reach no session. */
  replay(e: JournalEntry): void {
    const replica = this.options.replica === true;
    if (!replica && e.c?.type === 'SubmitInteraction') this.history.expect(e.c.interaction.id, e.c.interaction.customerId);
    const r = e.c ? this.engine.apply(e.c, e.n) : null;
    const out = r !== null ? r.events : this.engine.tick(e.n);
    if (out.length === 0 || replica) return;
    this.history.record(this.feed.number(out, this.engine.eventSeq));
    if (e.c) this.noteCommand(e.c, r!);
    // What ended in a replayed turn was written with it.
    this.history.drain();
    this.durable = this.engine.eventSeq;
    this.options.metrics?.onEvents(this.tenant, out);
  }

  /** A fresh engine, or one restored from a snapshot (before replaying the journal after it). */
  reset(snapshot: StoredSnapshot | null = null): void {
    this.stop();
    this.armedFor = Number.POSITIVE_INFINITY;
    this.durability.restart(snapshot?.through ?? 0);
    this.history.restart();
    if (!snapshot) {
      this.engine = new Engine({ ordering: this.options.ordering, agentSelection: this.options.agentSelection });
      this.feed.restart(0);
      this.durable = 0;
      return;
    }
    const restored = Engine.restore(decodeSnapshot(snapshot.bytes));
    const { ordering, agentSelection } = restored.options;
    if (ordering !== this.options.ordering || agentSelection !== this.options.agentSelection)
      throw new SnapshotMismatchError(
        `tenant '${this.tenant}' was snapshotted under ordering=${ordering} agentSelection=${agentSelection}; this server runs ordering=${this.options.ordering} agentSelection=${this.options.agentSelection}: start it with the tenant's policies`,
      );
    this.engine = restored;
    this.feed.restart(restored.eventSeq);
    this.durable = restored.eventSeq;
  }

  /** Replays journal chunks after the engine's state; a chunk that does not follow on is a hole. */
  replayChunk(chunk: JournalChunk): void {
    const d = this.durability;
    if (chunk.first !== d.journaled + 1) throw new Error(`tenant '${this.tenant}': the journal jumps from entry ${d.journaled} to ${chunk.first}`);
    for (const e of chunk.entries) this.replay(e);
    d.journaled = chunk.last;
  }

  /** Fires the engine's due timers (the tenant's one timer went off). */
  private tick(): void {
    const now = this.now();
    if (this.options.journal) {
      this.durability.pending.push({ n: now });
      this.durability.lineage.used = true;
    }
    const started = this.options.metrics ? performance.now() : 0;
    const events = this.engine.tick(now);
    this.after(events, started, 'timer');
    // A timer's events are journaled (and reach webhooks) even when no connection is sent anything.
    if (events.length > 0 && this.options.journal) this.kick();
  }

  /** After an engine call that began at `started`: metrics, events to sessions, the timer re-armed. */
  private after(events: EngineEvent[], started: number, kind: 'command' | 'timer'): void {
    if (events.length > 0) {
      const numbered = this.feed.number(events, this.engine.eventSeq);
      this.history.record(numbered);
      if (this.options.journal) this.durability.pendingEvents.push(numbered);
    }
    const metrics = this.options.metrics;
    if (metrics) {
      metrics.observeDecision(kind, (performance.now() - started) / 1000);
      if (events.length > 0) metrics.onEvents(this.tenant, events);
    }
    this.deliver(events);
    this.arm();
    if (events.length > 0 && !this.options.journal) this.webhooks.wake();
  }

  /**
   * Keeps the tenant's one timer due no later than the engine's next deadline. A timer due
   * earlier is left as it is, and when it fires before anything is due it only re-arms:
   * deadlines move later on almost every call (an accepted offer's expiry gives way to the next
   * offer's), and moving the timer each time cost a clearTimeout and a setTimeout per call.
   */
  arm(): void {
    const next = this.engine.nextDeadline();
    if (next === null) return this.disarm();
    if (this.timer && this.armedFor <= next) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next;
    this.timer = setTimeout(this.fire, Math.min(MAX_TIMER_MS, Math.max(0, next - this.now())));
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    if (this.durability.refusal()) return;
    const next = this.engine.nextDeadline();
    if (next !== null && next <= this.now()) this.tick();
    else this.arm();
  };

  /**
   * Stops the timer and the webhooks' deliveries, and answers the polls waiting with `why` (by
   * default the tenant's refusal: it stops because it refuses, or is being replaced).
   */
  stop(why: Refusal = this.durability.refusal() ?? REPLAYING_REFUSAL): void {
    this.feed.stopPolls(why);
    this.webhooks.stop();
    this.disarm();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private toAgent(agentId: string, frame: Record<string, unknown>): void {
    const list = this.agents.get(agentId);
    if (list) for (let i = 0; i < list.length; i++) list[i].send(frame);
  }

  private deliver(events: EngineEvent[]): void {
    if (events.length === 0) return;
    this.feed.deliver(events as FeedEvent[]);
    for (const e of events) {
      switch (e.type) {
        case 'InteractionOffered':
          this.toAgent(e.agentId, this.offerFrame(e.interactionId, e.offerId, e.expiresAt));
          break;
        case 'InteractionAssigned':
          this.toAgent(e.agentId, this.assignedFrame(e.interactionId, e.offerId, e.at));
          break;
        case 'OfferRejected':
        case 'OfferTimedOut':
          this.toAgent(e.agentId, { push: 'offerClosed', offerId: e.offerId, interactionId: e.interactionId, reason: e.type });
          break;
        case 'OfferRescinded':
          // detail: why it was withdrawn (`taken`: another agent accepted it first).
          this.toAgent(e.agentId, { push: 'offerClosed', offerId: e.offerId, interactionId: e.interactionId, reason: e.type, detail: e.reason });
          break;
        case 'AgentStateChanged':
          this.toAgent(e.agentId, { push: 'state', state: e.to, ...(e.reason ? { reason: e.reason } : {}) });
          break;
        case 'InteractionCancelled':
        case 'InteractionAbandoned':
          if (e.agentId) this.toAgent(e.agentId, { push: 'ended', interactionId: e.interactionId, reason: e.type });
          break;
        case 'InteractionWrapUpStarted':
          this.toAgent(e.agentId, { push: 'wrapUp', interactionId: e.interactionId, until: e.until });
          break;
        case 'InteractionActivityChanged':
          this.toAgent(e.agentId, { push: 'activity', interactionId: e.interactionId, active: e.active });
          break;
        default:
          break;
      }
    }
  }

  offerFrame(interactionId: string, offerId: string, expiresAt: number | null): Record<string, unknown> {
    return this.workFrame({ push: 'offer', offerId, interactionId, expiresAt }, interactionId);
  }

  /**
   * An `assigned` push: the work's channel, queue, context and journey as its offer had them, and
   * since when, so a desktop that reconnects shows each conversation with its context again.
   */
  assignedFrame(interactionId: string, offerId: string, since: number): Record<string, unknown> {
    return this.workFrame({ push: 'assigned', interactionId, offerId, since }, interactionId);
  }

  private workFrame(frame: Record<string, unknown>, interactionId: string): Record<string, unknown> {
    const info = this.engine.offered(interactionId);
    frame.channel = info?.channel;
    frame.queueId = info?.queueId;
    if (info?.context !== undefined) frame.context = info.context;
    // The customer's recent interactions, so the agent sees the chat before the call.
    const n = info?.offerJourney ?? this.options.offerJourney ?? DEFAULT_OFFER_JOURNEY;
    const customerId = n > 0 ? this.history.get(interactionId)?.customerId : undefined;
    if (customerId !== undefined) {
      const journey = this.history.journey(customerId, n + 1).filter((i) => i.interactionId !== interactionId);
      if (journey.length > 0) frame.journey = journey.slice(0, n);
    }
    return frame;
  }

  /** What the history keeps of a command that no event carries: a completion's disposition and note. */
  private noteCommand(cmd: Command, out: ApplyResult): void {
    if (!out.ok || out.duplicate) return;
    if (cmd.type === 'CompleteInteraction' && (cmd.disposition !== undefined || cmd.note !== undefined))
      this.history.completedWith(cmd.interactionId, cmd.disposition, cmd.note);
  }

  /** Re-sends an agent's state, open offers and assignments (on connect and on Resume). */
  resume(s: Session): void {
    this.durability.lineage.used = true;
    const load = this.engine.agentLoad(s.principal.agentId!);
    if (!load) return;
    s.send({ push: 'state', state: load.state, ...(load.reason ? { reason: load.reason } : {}) });
    for (const o of load.offers) s.send(this.offerFrame(o.interactionId, o.offerId, o.expiresAt));
    for (const x of load.assigned) s.send(this.assignedFrame(x.interactionId, x.offerId, x.since));
    for (const id of load.inactive) s.send({ push: 'activity', interactionId: id, active: false });
  }
}
