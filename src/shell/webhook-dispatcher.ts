/**
 * One tenant's webhook deliveries: each webhook (kept by the engine with its cursor, see
 * engine/webhooks.ts) is a consumer of the event feed. While this process serves the tenant,
 * every webhook behind the durable end of the feed (events whose journal write is confirmed:
 * nothing is delivered that a crash could renumber) gets a batch of its events, in order, one
 * delivery in flight at a time, signed (webhook-signature.ts), POSTed (webhook-post.ts). A
 * confirmed delivery moves the cursor by a journaled command (AckWebhook), so a recovery or a
 * standby goes on from it: delivery is at least once, in order. A failure is retried with
 * exponential backoff and jitter (or the receiver's Retry-After); after `pauseAfterFailures`
 * failures in a row the webhook is paused with the reason (journaled; UpsertWebhook resumes it).
 */
import type { ApplyResult } from '../engine/engine.ts';
import type { Command } from '../engine/types.ts';
import type { WebhookRecord } from '../engine/webhooks.ts';
import type { FeedEvent } from './event-feed.ts';
import { feedFilter, filtered } from './event-feed.ts';
import { type PostOutcome, post } from './webhook-post.ts';
import { SIGNATURE_HEADER, sign } from './webhook-signature.ts';

export interface WebhookSettings {
  /** Deliver to private and loopback addresses too. */
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  /** Events per delivery at most. */
  readonly batchEvents: number;
  /** A delivery's body in bytes at most (a batch is cut to fit; one event always goes). */
  readonly maxBodyBytes: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly pauseAfterFailures: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  allowPrivate: false,
  timeoutMs: 10_000,
  batchEvents: 100,
  maxBodyBytes: 1024 * 1024,
  retryBaseMs: 1_000,
  retryMaxMs: 300_000,
  pauseAfterFailures: 50,
};

/** Outcomes of one delivery attempt, as counted. */
export type DeliveryOutcome = 'delivered' | 'status' | 'timeout' | 'network' | 'refused';

/** What the dispatcher needs of its tenant. */
export interface WebhookHost {
  readonly tenant: string;
  /** Whether this process serves the tenant now (not a standby, not refusing). */
  serving(): boolean;
  /** The last event seq whose journal write is confirmed. */
  durableSeq(): number;
  /** The tenant's webhooks as the engine keeps them (read, never changed here). */
  webhooks(): ReadonlyMap<string, Readonly<WebhookRecord>>;
  /** Events after `after` from memory (at most `limit`); null when memory no longer reaches back. */
  since(after: number, limit: number): FeedEvent[] | null;
  /** Events after `after` from the store; absent: the store keeps none. */
  read?(after: number, limit: number): Promise<{ events: FeedEvent[]; oldest: number | null }>;
  /** Applies one of the shell's own commands (AckWebhook, PauseWebhook), journaled. */
  apply(cmd: Command): ApplyResult;
  now(): number;
  delivered?(outcome: DeliveryOutcome, events: number): void;
  warn?(fields: Record<string, unknown>, message: string): void;
}

/** What a webhook's deliveries look like from outside (GetWebhooks). */
interface Runtime {
  busy: boolean;
  /** Delivered through here (its AckWebhook may not be journaled yet). */
  sent: number;
  failures: number;
  lastError: { at: number; message: string } | null;
  lastDeliveredAt: number | null;
  retryAt: number | null;
  timer: ReturnType<typeof setTimeout> | null;
  wake: (() => void) | null;
  /** Cancels the delivery in flight (the tenant is left). */
  abort: AbortController | null;
  /** Bumped when the webhook is replaced or removed: a delivery begun before it counts for nothing. */
  version: number;
}

export class WebhookDispatcher {
  private readonly runtimes = new Map<string, Runtime>();
  /** Bumped by stop(): work begun before it ends without touching the tenant. */
  private generation = 0;
  /** The server is shutting down: nothing starts again. */
  private closed = false;

  constructor(
    private readonly host: WebhookHost,
    private readonly settings: WebhookSettings,
  ) {}

  /** Starts a delivery for every webhook behind the durable end of the feed (idle ones only). */
  wake(): void {
    const hooks = this.host.webhooks();
    if ((hooks.size === 0 && this.runtimes.size === 0) || this.closed || !this.host.serving()) return;
    const durable = this.host.durableSeq();
    for (const w of hooks.values()) {
      if (w.paused !== null) continue;
      const rt = this.runtime(w.id);
      if (rt.busy || this.cursor(w) >= durable) continue;
      if (rt.timer !== null) continue; // waiting to retry
      this.run(w.id, rt).catch((e: unknown) => {
        // A fault of ours, not the receiver's: said, and tried again later rather than left stuck.
        this.host.warn?.({ tenant: this.host.tenant, webhook: w.id, err: (e as Error).message }, 'webhook delivery failed unexpectedly');
        setTimeout(() => this.wake(), this.settings.retryBaseMs).unref();
      });
    }
    // Forget the runtime of webhooks removed.
    if (this.runtimes.size > hooks.size) for (const [id, rt] of this.runtimes) if (!hooks.has(id) && !rt.busy) this.drop(id, rt);
  }

  /** A copy of a webhook as kept now (to tell afterwards whether a command changed it). */
  copyOf(id: string): WebhookRecord | undefined {
    const w = this.find(id);
    return w === undefined ? undefined : { ...w };
  }

  /**
   * A webhook may have been replaced or removed (`before`: its copy before the command): if it
   * was, a retry it waits for starts over now and a delivery in flight counts for nothing. An
   * upsert that changed nothing (a configuration applied again) leaves its deliveries alone.
   */
  changed(id: string, before: WebhookRecord | undefined): void {
    const now = this.find(id);
    const same =
      before !== undefined &&
      now !== undefined &&
      now.url === before.url &&
      now.secret === before.secret &&
      now.delivered === before.delivered &&
      now.paused === before.paused &&
      String(now.types) === String(before.types) &&
      String(now.queues) === String(before.queues);
    const rt = same ? undefined : this.runtimes.get(id);
    if (rt) {
      rt.version++;
      rt.failures = 0;
      rt.sent = 0;
      if (rt.timer !== null) {
        clearTimeout(rt.timer);
        rt.timer = null;
        rt.retryAt = null;
        rt.wake?.();
      }
    }
    this.wake();
  }

  /** The server shuts down: no delivery goes on, and none starts again. */
  close(): void {
    this.closed = true;
    this.stop();
  }

  /** This process stops serving the tenant (or its engine is replaced): no delivery goes on (one in flight is cancelled). */
  stop(): void {
    this.generation++;
    for (const [id, rt] of this.runtimes) this.drop(id, rt);
  }

  /** GetWebhooks: each webhook without its secret, with its delivery state. */
  status(): Record<string, unknown>[] {
    const last = this.host.durableSeq();
    return [...this.host.webhooks().values()].map((w) => {
      const rt = this.runtimes.get(w.id);
      const delivered = this.cursor(w);
      const state = w.paused !== null ? 'paused' : rt?.retryAt != null ? 'retrying' : rt?.busy ? 'delivering' : 'idle';
      return {
        webhookId: w.id,
        url: w.url,
        ...(w.types ? { types: w.types } : {}),
        ...(w.queues ? { queues: w.queues } : {}),
        delivered,
        lag: Math.max(0, last - delivered),
        state,
        ...(w.paused !== null ? { pausedReason: w.paused } : {}),
        failures: rt?.failures ?? 0,
        ...(rt?.lastError ? { lastError: rt.lastError } : {}),
        ...(rt?.lastDeliveredAt != null ? { lastDeliveredAt: rt.lastDeliveredAt } : {}),
        ...(rt?.retryAt != null ? { retryAt: rt.retryAt } : {}),
      };
    });
  }

  /** Each webhook's lag in events (metrics). */
  lags(): { webhookId: string; lag: number; paused: boolean }[] {
    const last = this.host.durableSeq();
    return [...this.host.webhooks().values()].map((w) => ({
      webhookId: w.id,
      lag: Math.max(0, last - this.cursor(w)),
      paused: w.paused !== null,
    }));
  }

  private runtime(id: string): Runtime {
    let rt = this.runtimes.get(id);
    if (!rt) {
      rt = { busy: false, sent: 0, failures: 0, lastError: null, lastDeliveredAt: null, retryAt: null, timer: null, wake: null, abort: null, version: 0 };
      this.runtimes.set(id, rt);
    }
    return rt;
  }

  private drop(id: string, rt: Runtime): void {
    rt.abort?.abort();
    if (rt.timer !== null) clearTimeout(rt.timer);
    rt.timer = null;
    rt.retryAt = null;
    rt.wake?.();
    this.runtimes.delete(id);
  }

  /** Where a webhook's deliveries stand: its journaled cursor, or past it what was confirmed and not journaled yet. */
  private cursor(w: Readonly<WebhookRecord>): number {
    return Math.max(w.delivered, this.runtimes.get(w.id)?.sent ?? 0);
  }

  private find(id: string): Readonly<WebhookRecord> | undefined {
    return this.host.webhooks().get(id);
  }

  /** Delivers to one webhook until it is at the durable end, paused, removed, or the tenant is left. */
  private async run(id: string, rt: Runtime): Promise<void> {
    const gen = this.generation;
    const live = () => gen === this.generation && this.host.serving() && this.runtimes.get(id) === rt;
    rt.busy = true;
    try {
      while (live()) {
        const w = this.find(id);
        if (w === undefined || w.paused !== null) return;
        // Replaced or removed during an await below: what was read or sent for it counts for nothing.
        const version = rt.version;
        const current = () => live() && rt.version === version && this.find(id) === w;
        const from = this.cursor(w);
        const durable = this.host.durableSeq();
        if (from >= durable) {
          // The cursor's own command may fire timers whose events are new: look again after it.
          this.ack(w, rt);
          if (this.host.durableSeq() > durable) continue;
          return;
        }
        const raw = await this.read(w, from, Math.min(this.settings.batchEvents * 4, durable - from), rt);
        if (!current() || raw === 'again') continue;
        if (raw === null) return;
        const ready = raw.filter((e) => e.seq <= durable);
        if (ready.length === 0) return;
        const filter = feedFilter(w.types ?? undefined, w.queues ?? undefined);
        const all = filtered(filter, ready);
        if (all.length === 0) {
          rt.sent = ready[ready.length - 1].seq;
          continue;
        }
        const mine = all.length > this.settings.batchEvents ? all.slice(0, this.settings.batchEvents) : all;
        const { body, sentEvents } = this.body(w, mine);
        // Past the events filtered out after the last one sent, when every one of `all` went.
        const through = sentEvents === all.length ? ready[ready.length - 1].seq : mine[sentEvents - 1].seq;
        const t = Math.floor(this.host.now() / 1000);
        const abort = new AbortController();
        rt.abort = abort;
        const outcome: PostOutcome = await post(
          w.url,
          body,
          { [SIGNATURE_HEADER]: sign(w.secret, t, body), 'switchboard-webhook': w.id, 'switchboard-events': `${mine[0].seq}-${mine[sentEvents - 1].seq}` },
          { timeoutMs: this.settings.timeoutMs, allowPrivate: this.settings.allowPrivate, signal: abort.signal },
        ).catch((e: unknown): PostOutcome => ({ ok: false, outcome: 'network', message: (e as Error).message }));
        rt.abort = null;
        if (!current()) continue;
        if (outcome.ok) {
          this.host.delivered?.('delivered', sentEvents);
          rt.sent = Math.max(rt.sent, through);
          rt.failures = 0;
          rt.lastDeliveredAt = this.host.now();
          this.ack(w, rt);
          continue;
        }
        this.host.delivered?.(outcome.outcome, 0);
        rt.failures++;
        rt.lastError = { at: this.host.now(), message: outcome.message };
        if (rt.failures >= this.settings.pauseAfterFailures) {
          this.ack(w, rt);
          this.pause(w, `${rt.failures} deliveries in a row failed; the last: ${outcome.message}`);
          return;
        }
        await this.sleep(rt, this.backoff(rt.failures, outcome.retryAfterMs));
      }
    } finally {
      rt.busy = false;
    }
  }

  /** The wait before retry `failures`: doubling from the base to the bound, jittered over its upper half, or the receiver's Retry-After. */
  private backoff(failures: number, retryAfterMs = 0): number {
    const b = Math.min(this.settings.retryMaxMs, this.settings.retryBaseMs * 2 ** Math.min(30, failures - 1));
    // Receivers that failed together do not retry together.
    return Math.min(this.settings.retryMaxMs, Math.max(retryAfterMs, b * (0.5 + Math.random() * 0.5)));
  }

  /**
   * Events after `from`: from memory, else the store; null (and the webhook paused) when they are
   * no longer kept; `again` after a wait when the store did not answer.
   */
  private async read(w: Readonly<WebhookRecord>, from: number, limit: number, rt: Runtime): Promise<FeedEvent[] | null | 'again'> {
    const mem = this.host.since(from, limit);
    if (mem !== null) return mem;
    const page = this.host.read ? await this.host.read(from, limit).catch((e: unknown) => e as Error) : null;
    if (page instanceof Error) {
      // The store did not answer: tried again after a wait (not the receiver's failure: not counted).
      rt.lastError = { at: this.host.now(), message: `events could not be read from the store: ${page.message}` };
      await this.sleep(rt, this.backoff(1));
      return 'again';
    }
    if (page === null || page.oldest === null || from + 1 < page.oldest) {
      this.pause(
        w,
        `events after ${from} are no longer kept${page?.oldest != null ? ` (the oldest kept is ${page.oldest})` : ''}; upsert it with after to go on`,
      );
      return null;
    }
    return page.events;
  }

  /** The body of a delivery: as many of `events` as fit the size bound (at least one). */
  private body(w: Readonly<WebhookRecord>, events: FeedEvent[]): { body: string; sentEvents: number } {
    let n = events.length;
    for (;;) {
      const body = JSON.stringify({ tenant: this.host.tenant, webhookId: w.id, events: n === events.length ? events : events.slice(0, n) });
      if (n === 1 || Buffer.byteLength(body) <= this.settings.maxBodyBytes) return { body, sentEvents: n };
      n = Math.max(1, Math.floor(n / 2));
    }
  }

  /** Journals the cursor when it moved past what the engine keeps. */
  private ack(w: Readonly<WebhookRecord>, rt: Runtime): void {
    if (rt.sent > w.delivered) this.host.apply({ type: 'AckWebhook', webhookId: w.id, through: rt.sent });
  }

  private pause(w: Readonly<WebhookRecord>, reason: string): void {
    this.host.warn?.({ tenant: this.host.tenant, webhook: w.id, reason }, 'webhook paused');
    this.host.apply({ type: 'PauseWebhook', webhookId: w.id, reason });
  }

  private sleep(rt: Runtime, ms: number): Promise<void> {
    rt.retryAt = this.host.now() + ms;
    return new Promise((resolve) => {
      rt.wake = () => {
        rt.wake = null;
        resolve();
      };
      rt.timer = setTimeout(() => {
        rt.timer = null;
        rt.retryAt = null;
        rt.wake?.();
      }, ms);
      rt.timer.unref();
    });
  }
}
