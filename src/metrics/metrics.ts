/**
 * Prometheus metrics (prom-client), fed from engine events and transport callbacks. Nothing
 * here polls the engine on a hot path: counters and histograms move with events; the few
 * gauges that describe a queue's present (depth, oldest wait, objective) are read at scrape
 * time from the engine's O(1) per-queue summary through the `QueueSource` the shell provides.
 *
 * Labels are bounded: tenant, queue, channel, outcome, state, role, code. Never an
 * interaction or agent id. Every metric is listed, with what it counts, in docs/metrics.md.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TallyCounter, TallyHistogram } from './tally.ts';
import type { EngineCounts, QueueStats } from '../engine/engine.ts';
import type { AgentStateName, EngineEvent } from '../engine/types.ts';

/** What the scrape reads from the shell: each tenant's queue summaries at the shell's now. */
export interface QueueSource {
  tenants(): Iterable<string>;
  queueStats(tenant: string): QueueStats[];
  /** The tenant engine's counts (inactive conversations); null: no such tenant. */
  counts(tenant: string): EngineCounts | null;
  /** The tenant's event feed; null: no such tenant (or none kept). */
  feed?(tenant: string): { last: number; oldest: number; live: number; catchingUp: number; lag: number; polls: number } | null;
  /** The tenant's webhooks: each one's lag in events and whether it is paused. */
  webhooks?(tenant: string): { webhookId: string; lag: number; paused: boolean }[] | null;
  now(): number;
}

export interface MetricsOptions {
  /** Rolling window of the service-level gauge, in milliseconds (default 15 minutes). */
  readonly serviceLevelWindowMs?: number;
  /** Export Node's default process metrics and event-loop lag (default true). */
  readonly processMetrics?: boolean;
}

const AGENT_STATES: readonly AgentStateName[] = ['offline', 'available', 'away', 'wrap_up'];
/** Buckets of the rolling service-level window: the gauge moves in steps of window / 30. */
const SL_BUCKETS = 30;

/** Answered-within / answered / abandoned / expired counts in a ring of time buckets. */
class RollingServiceLevel {
  private readonly within = new Float64Array(SL_BUCKETS);
  private readonly settled = new Float64Array(SL_BUCKETS);
  private readonly index = new Float64Array(SL_BUCKETS).fill(-1);
  constructor(private readonly bucketMs: number) {}

  add(at: number, within: boolean): void {
    const b = Math.floor(at / this.bucketMs);
    const i = b % SL_BUCKETS;
    if (this.index[i] !== b) {
      this.index[i] = b;
      this.within[i] = 0;
      this.settled[i] = 0;
    }
    this.settled[i]++;
    if (within) this.within[i]++;
  }

  /** Within over settled in the window ending at `now`; null when nothing settled. */
  ratio(now: number): number | null {
    const current = Math.floor(now / this.bucketMs);
    let w = 0;
    let s = 0;
    for (let i = 0; i < SL_BUCKETS; i++) {
      if (this.index[i] > current - SL_BUCKETS && this.index[i] <= current) {
        w += this.within[i];
        s += this.settled[i];
      }
    }
    return s === 0 ? null : w / s;
  }
}

/** Per-tenant bookkeeping kept from events: agents' states and how many interactions each holds. */
class TenantAgents {
  readonly state = new Map<string, AgentStateName>();
  /** Assigned or wrapping interactions per agent (agents that held one since they were upserted). */
  readonly holding = new Map<string, number>();
  readonly byState: Record<AgentStateName, number> = { offline: 0, available: 0, away: 0, wrap_up: 0 };
  occupied = 0;

  private move(agentId: string, to: AgentStateName | null): void {
    const from = this.state.get(agentId);
    if (from !== undefined) this.byState[from]--;
    if (to === null) this.state.delete(agentId);
    else {
      this.state.set(agentId, to);
      this.byState[to]++;
    }
  }
  upserted(agentId: string): void {
    if (!this.state.has(agentId)) this.move(agentId, 'offline');
  }
  removed(agentId: string): void {
    this.move(agentId, null);
    if ((this.holding.get(agentId) ?? 0) > 0) this.occupied--;
    this.holding.delete(agentId);
  }
  changed(agentId: string, to: AgentStateName): void {
    this.move(agentId, to);
  }
  hold(agentId: string, delta: number): void {
    // An agent's count stays in the map at zero (until the agent is removed): deleting and
    // re-adding it on every interaction made the map shrink and grow its table all the time.
    const before = this.holding.get(agentId) ?? 0;
    const n = Math.max(0, before + delta);
    if (before > 0 !== n > 0) this.occupied += n > 0 ? 1 : -1;
    this.holding.set(agentId, n);
  }
}

export class Metrics {
  readonly registry = new Registry();
  private readonly slWindowMs: number;
  /** Rolling service level by tenant, then queue. */
  private readonly sl = new Map<string, Map<string, RollingServiceLevel>>();
  private readonly agents = new Map<string, TenantAgents>();

  private readonly submitted = new TallyCounter({
    name: 'switchboard_interactions_submitted_total',
    help: 'Interactions accepted by the engine (new submissions), by queue and channel',
    labelNames: ['tenant', 'queue', 'channel'],
    registers: [this.registry],
  });
  private readonly ended = new TallyCounter({
    name: 'switchboard_interactions_ended_total',
    help: 'Interactions that reached an end, by the queue they ended in and outcome (completed, cancelled, abandoned, expired)',
    labelNames: ['tenant', 'queue', 'outcome'],
    registers: [this.registry],
  });
  private readonly moved = new TallyCounter({
    name: 'switchboard_interactions_moved_total',
    help: 'Interactions moved out of a queue, by kind (overflowed, transferred)',
    labelNames: ['tenant', 'queue', 'kind'],
    registers: [this.registry],
  });
  private readonly answered = new TallyCounter({
    name: 'switchboard_interactions_answered_total',
    help: 'Interactions assigned to an agent, by whether the wait in the queue was within its service-objective threshold',
    labelNames: ['tenant', 'queue', 'within_objective'],
    registers: [this.registry],
  });
  private readonly waitSeconds = new TallyHistogram({
    name: 'switchboard_wait_seconds',
    help: 'Time from entering the queue to assignment',
    labelNames: ['tenant', 'queue'],
    buckets: [1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800],
    registers: [this.registry],
  });
  private readonly handleSeconds = new TallyHistogram({
    name: 'switchboard_handle_seconds',
    help: 'Time from assignment to completion, wrap-up included',
    labelNames: ['tenant', 'queue'],
    buckets: [10, 30, 60, 120, 180, 240, 300, 450, 600, 900, 1200, 1800, 3600],
    registers: [this.registry],
  });
  private readonly offers = new TallyCounter({
    name: 'switchboard_offers_total',
    help: 'Offers closed, by outcome (accepted, rejected, timed_out, rescinded)',
    labelNames: ['tenant', 'outcome'],
    registers: [this.registry],
  });
  // Exception rules fire seldom: prom-client's own counters serve.
  private readonly exceptions = new Counter({
    name: 'switchboard_exceptions_total',
    help: 'Exception rules fired on interactions, by the queue whose rule it is, its trigger and action',
    labelNames: ['tenant', 'queue', 'trigger', 'action'],
    registers: [this.registry],
  });
  private readonly overloads = new Counter({
    name: 'switchboard_queue_overloads_total',
    help: 'Times the queue went into overload, by the measure that started it',
    labelNames: ['tenant', 'queue', 'measure'],
    registers: [this.registry],
  });
  private readonly refused = new Counter({
    name: 'switchboard_submissions_refused_total',
    help: 'Submissions the queue refused, by an exception rule (QUEUE_REFUSED) or while closed (QUEUE_CLOSED): nothing was created',
    labelNames: ['tenant', 'queue'],
    registers: [this.registry],
  });
  private readonly webhookDeliveries = new Counter({
    name: 'switchboard_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome: delivered, status (the receiver answered other than 2xx), timeout, network, refused (a private or loopback address)',
    labelNames: ['tenant', 'outcome'],
    registers: [this.registry],
  });
  private readonly webhookEvents = new Counter({
    name: 'switchboard_webhook_events_delivered_total',
    help: 'Events webhook receivers confirmed (a retried batch counts once it is confirmed)',
    labelNames: ['tenant'],
    registers: [this.registry],
  });
  private readonly offersMade = new TallyCounter({
    name: 'switchboard_offers_made_total',
    help: 'Offers made to agents',
    labelNames: ['tenant'],
    registers: [this.registry],
  });
  private readonly decision = new TallyHistogram({
    name: 'switchboard_routing_decision_seconds',
    help: 'Duration of one engine call (a command or a timer tick), routing decisions included',
    labelNames: ['kind'],
    buckets: [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 5e-3, 0.025],
    registers: [this.registry],
  });
  private readonly journalWrite = new Histogram({
    name: 'switchboard_journal_write_seconds',
    help: "One turn's journal write for one tenant, from the call to Redis's confirmation (redis store)",
    labelNames: ['outcome'],
    buckets: [1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.5, 2],
    registers: [this.registry],
  });
  private readonly snapshotSeconds = new Histogram({
    name: 'switchboard_snapshot_seconds',
    help: "A tenant's engine snapshot by phase, in the snapshot replica's thread: copy (the replica's state copied), encode, store (parts written and published); redis store",
    labelNames: ['phase'],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly snapshots = new Counter({
    name: 'switchboard_snapshots_total',
    help: 'Snapshots by outcome: published (the journal was trimmed up to it) or failed (the journal keeps everything; the next one retries)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly snapshotBytes = new Gauge({
    name: 'switchboard_snapshot_bytes',
    help: 'Size of the latest snapshot taken, encoded',
    registers: [this.registry],
  });
  private readonly journalBatch = new Histogram({
    name: 'switchboard_journal_batch_entries',
    help: 'Engine calls per journal write (group commit: one write per tenant per turn)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
    registers: [this.registry],
  });
  private readonly wsConnections = new Gauge({
    name: 'switchboard_ws_connections',
    help: 'Open WebSocket connections',
    labelNames: ['tenant', 'role'],
    registers: [this.registry],
  });
  private readonly wsReceived = new TallyCounter({
    name: 'switchboard_ws_messages_received_total',
    help: 'WebSocket messages received',
    labelNames: ['role'],
    registers: [this.registry],
  });
  private readonly wsSent = new TallyCounter({
    name: 'switchboard_ws_messages_sent_total',
    help: 'WebSocket messages sent',
    labelNames: ['role'],
    registers: [this.registry],
  });
  private readonly wsRejected = new Counter({
    name: 'switchboard_ws_rejected_total',
    help: 'Messages refused by the transport before the engine (bad frame, validation, rate limit, forbidden), by code',
    labelNames: ['role', 'code'],
    registers: [this.registry],
  });
  private readonly wsClosed = new Counter({
    name: 'switchboard_ws_closes_total',
    help: 'WebSocket connections closed, by reason (normal, going_away, backpressure, policy, too_big, token_expired, shutdown, other)',
    labelNames: ['role', 'reason'],
    registers: [this.registry],
  });
  private readonly wsRefused = new Counter({
    name: 'switchboard_ws_upgrades_refused_total',
    help: 'WebSocket upgrades refused, by HTTP status',
    labelNames: ['status'],
    registers: [this.registry],
  });

  private source: QueueSource | null = null;

  constructor(options: MetricsOptions = {}) {
    this.slWindowMs = options.serviceLevelWindowMs ?? 15 * 60_000;
    const reg = [this.registry];
    const queues = () => {
      const out: { tenant: string; s: QueueStats }[] = [];
      const source = this.source;
      if (source) for (const tenant of source.tenants()) for (const s of source.queueStats(tenant)) out.push({ tenant, s });
      return out;
    };
    const now = () => this.source?.now() ?? 0;
    /** A gauge of one value per queue, read at scrape time. */
    const perQueue = (name: string, help: string, value: (s: QueueStats) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['tenant', 'queue'],
        registers: reg,
        collect() {
          this.reset();
          for (const { tenant, s } of queues()) this.set({ tenant, queue: s.queueId }, value(s));
        },
      });
    new Gauge({
      name: 'switchboard_queue_depth',
      help: 'Interactions in the queue, waiting or offered (read at scrape time)',
      labelNames: ['tenant', 'queue', 'stage'],
      registers: reg,
      collect() {
        this.reset();
        for (const { tenant, s } of queues()) {
          this.set({ tenant, queue: s.queueId, stage: 'waiting' }, s.waiting);
          this.set({ tenant, queue: s.queueId, stage: 'offered' }, s.offered);
        }
      },
    });
    perQueue(
      'switchboard_queue_oldest_wait_seconds',
      'Age in the queue of its oldest interaction not yet assigned; 0 when empty (read at scrape time)',
      (s) => s.oldestWaitMs / 1000,
    );
    perQueue(
      'switchboard_queue_overloaded',
      'Overload state of the queue (1: in overload by its reserveWhen, its reserve agents take its work; read at scrape time)',
      (s) => (s.overloaded ? 1 : 0),
    );
    perQueue('switchboard_queue_open', 'Whether the queue is within its hours of operation (1; always 1 without hours; read at scrape time)', (s) =>
      s.open ? 1 : 0,
    );
    perQueue(
      'switchboard_queue_deferred',
      'Deferral state of the queue (1: deferrable and waiting on a queue in overload, its work is not offered; read at scrape time)',
      (s) => (s.deferred ? 1 : 0),
    );
    perQueue(
      'switchboard_service_level_objective_ratio',
      "The queue's service-objective target, as a ratio (0.8 for 80% within the threshold)",
      (s) => s.objective.percent / 100,
    );
    perQueue('switchboard_service_level_threshold_seconds', "The queue's service-objective threshold", (s) => s.objective.thresholdMs / 1000);
    const sl = this.sl;
    const windowMs = this.slWindowMs;
    new Gauge({
      name: 'switchboard_service_level_ratio',
      help: `Service level over the last ${windowMs / 1000} s: answered within the threshold / (answered + abandoned before answer + expired); absent while nothing settled`,
      labelNames: ['tenant', 'queue'],
      registers: reg,
      collect() {
        this.reset();
        const at = now();
        for (const [tenant, queues] of sl)
          for (const [queue, ring] of queues) {
            const r = ring.ratio(at);
            if (r !== null) this.set({ tenant, queue }, r);
          }
      },
    });
    /** What `read` gives for each tenant, leaving out those it gives nothing for (read at scrape time). */
    const perTenant = <T>(read: (source: QueueSource, tenant: string) => T | null | undefined) => {
      const out: { tenant: string; v: T }[] = [];
      const source = this.source;
      if (source)
        for (const tenant of source.tenants()) {
          const v = read(source, tenant);
          if (v !== null && v !== undefined) out.push({ tenant, v });
        }
      return out;
    };
    new Gauge({
      name: 'switchboard_conversations_inactive',
      help: 'Assigned conversations holding no capacity: inactive, or waiting for their agent to have room to be active again (read at scrape time)',
      labelNames: ['tenant', 'state'],
      registers: reg,
      collect() {
        this.reset();
        for (const { tenant, v: c } of perTenant((source, t) => source.counts(t))) {
          this.set({ tenant, state: 'inactive' }, c.inactive - c.waitingForRoom);
          this.set({ tenant, state: 'waiting_for_room' }, c.waitingForRoom);
        }
      },
    });
    new Gauge({
      name: 'switchboard_event_feed_seq',
      help: "The number of the tenant's last event, and of the oldest kept in memory (a consumer's lag is `last` minus its cursor)",
      labelNames: ['tenant', 'which'],
      registers: reg,
      collect() {
        this.reset();
        for (const { tenant, v: f } of perTenant((source, t) => source.feed?.(t))) {
          this.set({ tenant, which: 'last' }, f.last);
          this.set({ tenant, which: 'oldest_in_memory' }, f.oldest);
        }
      },
    });
    new Gauge({
      name: 'switchboard_event_feed_subscribers',
      help: 'Event subscribers: live, catching up from a cursor, and HTTP polls waiting',
      labelNames: ['tenant', 'state'],
      registers: reg,
      collect() {
        this.reset();
        for (const { tenant, v: f } of perTenant((source, t) => source.feed?.(t))) {
          this.set({ tenant, state: 'live' }, f.live);
          this.set({ tenant, state: 'catching_up' }, f.catchingUp);
          this.set({ tenant, state: 'polling' }, f.polls);
        }
      },
    });
    new Gauge({
      name: 'switchboard_event_feed_lag_events',
      help: 'The most events a subscriber catching up from a cursor is behind the last event (0: none behind)',
      labelNames: ['tenant'],
      registers: reg,
      collect() {
        this.reset();
        for (const { tenant, v: f } of perTenant((source, t) => source.feed?.(t))) this.set({ tenant }, f.lag);
      },
    });
    new Gauge({
      name: 'switchboard_webhook_lag_events',
      help: "How many events each webhook is behind the tenant's last durable event",
      labelNames: ['tenant', 'webhook'],
      registers: reg,
      collect() {
        this.reset();
        for (const { tenant, v } of perTenant((source, t) => source.webhooks?.(t))) for (const w of v) this.set({ tenant, webhook: w.webhookId }, w.lag);
      },
    });
    new Gauge({
      name: 'switchboard_webhooks',
      help: 'Webhooks by state: active, or paused after failing (UpsertWebhook resumes one)',
      labelNames: ['tenant', 'state'],
      registers: reg,
      collect() {
        this.reset();
        for (const { tenant, v } of perTenant((source, t) => source.webhooks?.(t))) {
          const paused = v.filter((w) => w.paused).length;
          this.set({ tenant, state: 'active' }, v.length - paused);
          this.set({ tenant, state: 'paused' }, paused);
        }
      },
    });
    const agents = this.agents;
    new Gauge({
      name: 'switchboard_agents',
      help: 'Agents by state (offline, available, away, wrap_up)',
      labelNames: ['tenant', 'state'],
      registers: reg,
      collect() {
        this.reset();
        for (const [tenant, t] of agents) for (const state of AGENT_STATES) this.set({ tenant, state }, t.byState[state]);
      },
    });
    new Gauge({
      name: 'switchboard_agents_occupied',
      help: 'Agents holding at least one assigned or wrapping interaction',
      labelNames: ['tenant'],
      registers: reg,
      collect() {
        this.reset();
        for (const [tenant, t] of agents) this.set({ tenant }, t.occupied);
      },
    });
    new Gauge({
      name: 'switchboard_agent_occupancy_ratio',
      help: 'Occupied agents over logged-in agents (available or wrap_up); absent when none is logged in',
      labelNames: ['tenant'],
      registers: reg,
      collect() {
        this.reset();
        for (const [tenant, t] of agents) {
          const on = t.byState.available + t.byState.wrap_up;
          if (on > 0) this.set({ tenant }, t.occupied / on);
        }
      },
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the scrape reads queue summaries and the clock (the shell). */
  observeQueues(source: QueueSource): void {
    this.source = source;
  }

  /** Feeds one engine call's events. */
  onEvents(tenant: string, events: readonly EngineEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'InteractionQueued':
          this.submitted.inc(1, tenant, e.queueId, e.channel);
          break;
        case 'InteractionOffered':
          this.offersMade.inc(1, tenant);
          break;
        case 'InteractionAssigned':
          this.offers.inc(1, tenant, 'accepted');
          this.answered.inc(1, tenant, e.queueId, String(e.withinObjective));
          this.waitSeconds.observe(e.queueWaitMs / 1000, tenant, e.queueId);
          this.ring(tenant, e.queueId).add(e.at, e.withinObjective);
          this.tenantAgents(tenant).hold(e.agentId, 1);
          break;
        case 'OfferRejected':
          this.offers.inc(1, tenant, 'rejected');
          break;
        case 'OfferTimedOut':
          this.offers.inc(1, tenant, 'timed_out');
          break;
        case 'OfferRescinded':
          this.offers.inc(1, tenant, 'rescinded');
          break;
        case 'InteractionCompleted':
          this.ended.inc(1, tenant, e.queueId, 'completed');
          this.handleSeconds.observe(e.handleMs / 1000, tenant, e.queueId);
          this.tenantAgents(tenant).hold(e.agentId, -1);
          break;
        case 'InteractionCancelled':
        case 'InteractionAbandoned': {
          const abandoned = e.type === 'InteractionAbandoned';
          this.ended.inc(1, tenant, e.queueId, abandoned ? 'abandoned' : 'cancelled');
          if (e.stage === 'assigned' && e.agentId !== undefined) this.tenantAgents(tenant).hold(e.agentId, -1);
          else if (abandoned) this.ring(tenant, e.queueId).add(e.at, false);
          break;
        }
        case 'InteractionExpired':
          this.ended.inc(1, tenant, e.queueId, 'expired');
          this.ring(tenant, e.queueId).add(e.at, false);
          break;
        case 'InteractionOverflowed':
        case 'InteractionTransferred':
          this.moved.inc(1, tenant, e.fromQueue, e.type === 'InteractionOverflowed' ? 'overflowed' : 'transferred');
          if (e.releasedAgentId !== undefined) this.tenantAgents(tenant).hold(e.releasedAgentId, -1);
          break;
        case 'ExceptionTriggered':
          this.exceptions.labels(tenant, e.queueId, e.trigger, e.action).inc();
          break;
        case 'QueueOverloadStarted':
          this.overloads.labels(tenant, e.queueId, e.measure).inc();
          break;
        case 'AgentUpserted':
          this.tenantAgents(tenant).upserted(e.agentId);
          break;
        case 'AgentRemoved':
          this.tenantAgents(tenant).removed(e.agentId);
          break;
        case 'AgentStateChanged':
          this.tenantAgents(tenant).changed(e.agentId, e.to);
          break;
        default:
          break;
      }
    }
  }

  /** One engine call took `seconds`; kind is `command` or `timer`. */
  observeDecision(kind: 'command' | 'timer', seconds: number): void {
    this.decision.observe(seconds, kind);
  }

  /**
   * A step of the snapshot replica took `seconds`: `copy` (its engine's state copied), `encode`
   * (`bytes` long), then `published` or `failed`.
   */
  observeSnapshot(step: 'copy' | 'encode' | 'published' | 'failed', seconds: number, bytes?: number): void {
    if (step === 'copy' || step === 'encode') {
      this.snapshotSeconds.labels(step).observe(seconds);
      if (bytes !== undefined) this.snapshotBytes.set(bytes);
      return;
    }
    if (step === 'published') this.snapshotSeconds.labels('store').observe(seconds);
    this.snapshots.labels(step).inc();
  }

  /** A journal write finished (`ok` or `failed`) after `seconds`, carrying `entries` engine calls. */
  /** One webhook delivery attempt, and the events it delivered. */
  webhookDelivery(tenant: string, outcome: string, events: number): void {
    this.webhookDeliveries.labels(tenant, outcome).inc();
    if (events > 0) this.webhookEvents.labels(tenant).inc(events);
  }

  observeJournalWrite(outcome: 'ok' | 'failed', seconds: number, entries: number): void {
    this.journalWrite.labels(outcome).observe(seconds);
    this.journalBatch.observe(entries);
  }

  connectionOpened(tenant: string, role: string): void {
    this.wsConnections.labels(tenant, role).inc();
  }
  connectionClosed(tenant: string, role: string, reason: string): void {
    this.wsConnections.labels(tenant, role).dec();
    this.wsClosed.labels(role, reason).inc();
  }
  messageReceived(role: string): void {
    this.wsReceived.inc(1, role);
  }
  messagesSent(role: string, n: number): void {
    this.wsSent.inc(n, role);
  }
  /** A submission an exception rule of `queue` refused (no event: nothing was created). */
  submissionRefused(tenant: string, queue: string): void {
    this.refused.labels(tenant, queue).inc();
  }

  messageRejected(role: string, code: string): void {
    this.wsRejected.labels(role, code).inc();
  }
  upgradeRefused(status: number): void {
    this.wsRefused.labels(String(status)).inc();
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private ring(tenant: string, queue: string): RollingServiceLevel {
    let queues = this.sl.get(tenant);
    if (!queues) this.sl.set(tenant, (queues = new Map()));
    let r = queues.get(queue);
    if (!r) queues.set(queue, (r = new RollingServiceLevel(this.slWindowMs / SL_BUCKETS)));
    return r;
  }

  private tenantAgents(tenant: string): TenantAgents {
    let t = this.agents.get(tenant);
    if (!t) this.agents.set(tenant, (t = new TenantAgents()));
    return t;
  }
}
