/**
 * The shell around the engines: one Engine per tenant, the clock, one timer per tenant armed
 * from `engine.nextDeadline()`, and the routing of engine events to the connections that care
 * (offers to the agent's desktops, event streams to subscribed platforms and supervisors).
 * Sessions queue their output; the transport sends it once the turn's work is done.
 */
import type { Logger } from 'pino';
import { Engine, type ApplyResult, type QueueStats } from './engine/engine.ts';
import type { AgentSelectionPolicy, OrderingPolicy } from './engine/options.ts';
import type { Command, EngineEvent } from './engine/types.ts';
import { ProtocolCode } from './protocol/codes.ts';
import type { Metrics, QueueSource } from './metrics/metrics.ts';
import { SnapshotMismatchError } from './engine/snapshot.ts';
import { StaleLeaderError, StoreUnavailableError, type Journal, type JournalChunk, type JournalEntry, type StoredSnapshot } from './store/journal.ts';
import { decodeSnapshot, encodeSnapshot } from './store/snapshot-codec.ts';
import type { AgentRequest, PlatformRequest, Role, SupervisorRequest } from './protocol/schemas.ts';
import type { Principal } from './transport/auth.ts';

/** The longest a timer can wait: Node fires a longer one at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A connection as the shell sees it; the transport implements it. */
export interface Session {
  readonly id: number;
  readonly principal: Principal;
  /** Queues a frame; it leaves after the current turn. */
  send(frame: Record<string, unknown>): void;
  /** Closes the connection with a code (the transport implements it). */
  end?(code: number, reason: string): void;
}

export interface ShellOptions {
  readonly ordering: OrderingPolicy;
  readonly agentSelection: AgentSelectionPolicy;
  readonly now?: () => number;
  /** Fed with every engine call's events and duration. */
  readonly metrics?: Metrics;
  /** Write-ahead journal (the redis store); without it state lives in memory only. */
  readonly journal?: Journal;
  readonly log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /**
   * With a journal: snapshot a tenant's engine after this many journal entries (0: never), so
   * recovery replays at most about this many and the journal stays this short.
   */
  readonly snapshotEveryEntries?: number;
}

type AnyRequest = PlatformRequest | AgentRequest | SupervisorRequest;

class TenantShell {
  engine: Engine;
  /** This turn's engine calls, not yet in the journal. */
  pending: JournalEntry[] = [];
  /** Number of the last journal entry in the engine's state (handed to the journal or replayed). */
  journaled = 0;
  /** Entry number of the latest snapshot taken (or loaded), and whether one is being written. */
  snapshotAt = 0;
  snapshotting = false;
  /** Set while the journal refused a write: requests are refused until the engine is rebuilt. */
  unavailable: { code: 'STORE_UNAVAILABLE' | 'STALE_LEADER'; message: string } | null = null;
  opened = false;
  opening: Promise<void> | null = null;
  /** Each agent's open desktops (a list: usually one, and walked on every push to the agent). */
  readonly agents = new Map<string, Session[]>();
  readonly subscribers = new Set<Session>();
  readonly sessions = new Set<Session>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(
    readonly tenant: string,
    private readonly options: ShellOptions,
    private readonly now: () => number,
  ) {
    this.engine = new Engine({ ordering: options.ordering, agentSelection: options.agentSelection });
  }

  apply(cmd: Command): ApplyResult {
    const now = this.now();
    if (this.options.journal) this.pending.push({ n: now, c: cmd });
    const started = this.options.metrics ? performance.now() : 0;
    const out = this.engine.apply(cmd, now);
    this.after(out.events, started, 'command');
    return out;
  }

  /** Replays one journal entry (recovery): events feed the metrics but reach no session. */
  replay(e: JournalEntry): void {
    const out = e.c ? this.engine.apply(e.c, e.n).events : this.engine.tick(e.n);
    if (out.length > 0) this.options.metrics?.onEvents(this.tenant, out);
  }

  /** A fresh engine, or one restored from a snapshot (before replaying the journal after it). */
  reset(snapshot: StoredSnapshot | null = null): void {
    this.stop();
    this.armedFor = Number.POSITIVE_INFINITY;
    this.pending = [];
    this.journaled = snapshot?.through ?? 0;
    this.snapshotAt = this.journaled;
    if (!snapshot) {
      this.engine = new Engine({ ordering: this.options.ordering, agentSelection: this.options.agentSelection });
      return;
    }
    const restored = Engine.restore(decodeSnapshot(snapshot.bytes));
    const { ordering, agentSelection } = restored.options;
    if (ordering !== this.options.ordering || agentSelection !== this.options.agentSelection)
      throw new SnapshotMismatchError(
        `tenant '${this.tenant}' was snapshotted under ordering=${ordering} agentSelection=${agentSelection}; this server runs ordering=${this.options.ordering} agentSelection=${this.options.agentSelection}: start it with the tenant's policies`,
      );
    this.engine = restored;
  }

  /** Replays journal chunks after the engine's state; a chunk that does not follow on is a hole. */
  replayChunk(chunk: JournalChunk): void {
    if (chunk.first !== this.journaled + 1) throw new Error(`tenant '${this.tenant}': the journal jumps from entry ${this.journaled} to ${chunk.first}`);
    for (const e of chunk.entries) this.replay(e);
    this.journaled = chunk.last;
  }

  /** Fires the engine's due timers (the tenant's one timer went off). */
  private tick(): void {
    const now = this.now();
    if (this.options.journal) this.pending.push({ n: now });
    const started = this.options.metrics ? performance.now() : 0;
    this.after(this.engine.tick(now), started, 'timer');
  }

  /** After an engine call that began at `started`: metrics, events to sessions, the timer re-armed. */
  private after(events: EngineEvent[], started: number, kind: 'command' | 'timer'): void {
    const metrics = this.options.metrics;
    if (metrics) {
      metrics.observeDecision(kind, (performance.now() - started) / 1000);
      if (events.length > 0) metrics.onEvents(this.tenant, events);
    }
    this.deliver(events);
    this.arm();
  }

  arm(): void {
    const next = this.engine.nextDeadline();
    if (next === null) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.armedFor = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.timer && next === this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.armedFor = Number.POSITIVE_INFINITY;
      if (this.unavailable) return;
      this.tick();
    }, Math.min(MAX_TIMER_MS, Math.max(0, next - this.now())));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private toAgent(agentId: string, frame: Record<string, unknown>): void {
    const list = this.agents.get(agentId);
    if (list) for (let i = 0; i < list.length; i++) list[i].send(frame);
  }

  private deliver(events: EngineEvent[]): void {
    if (events.length === 0) return;
    for (const s of this.subscribers) s.send({ push: 'events', events });
    for (const e of events) {
      switch (e.type) {
        case 'InteractionOffered':
          this.toAgent(e.agentId, this.offerFrame(e.interactionId, e.offerId, e.expiresAt));
          break;
        case 'InteractionAssigned':
          this.toAgent(e.agentId, { push: 'assigned', interactionId: e.interactionId, offerId: e.offerId });
          break;
        case 'OfferRejected':
        case 'OfferTimedOut':
        case 'OfferRescinded':
          this.toAgent(e.agentId, { push: 'offerClosed', offerId: e.offerId, interactionId: e.interactionId, reason: e.type });
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
        default:
          break;
      }
    }
  }

  offerFrame(interactionId: string, offerId: string, expiresAt: number | null): Record<string, unknown> {
    const info = this.engine.offered(interactionId);
    const frame: Record<string, unknown> = { push: 'offer', offerId, interactionId, expiresAt, channel: info?.channel, queueId: info?.queueId };
    if (info?.context !== undefined) frame.context = info.context;
    return frame;
  }
}

export class Shell implements QueueSource {
  private readonly tenantShells = new Map<string, TenantShell>();
  readonly now: () => number;

  constructor(private readonly options: ShellOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Why a tenant refuses requests now (its journal refused a write), or null. */
  refusal(tenant: string): { code: string; message: string } | null {
    return this.tenantShells.get(tenant)?.unavailable ?? null;
  }

  /** A tenant's engine (queries and tests), or undefined when the tenant has no state. */
  engineOf(tenant: string): Engine | undefined {
    return this.tenantShells.get(tenant)?.engine;
  }

  tenants(): Iterable<string> {
    return this.tenantShells.keys();
  }

  queueStats(tenant: string): QueueStats[] {
    const t = this.tenantShells.get(tenant);
    if (!t) return [];
    const now = this.now();
    return t.engine.queueIds().map((id) => t.engine.queueStats(id, now)!);
  }

  private tenant(id: string): TenantShell {
    let t = this.tenantShells.get(id);
    if (!t) {
      t = new TenantShell(id, this.options, this.now);
      this.tenantShells.set(id, t);
    }
    return t;
  }

  connections(tenant: string): number {
    return this.tenantShells.get(tenant)?.sessions.size ?? 0;
  }

  open(s: Session): void {
    const t = this.tenant(s.principal.tenant);
    t.sessions.add(s);
    if (s.principal.role === 'agent') {
      const id = s.principal.agentId!;
      const list = t.agents.get(id);
      if (list) list.push(s);
      else t.agents.set(id, [s]);
      this.resume(t, s);
    }
  }

  close(s: Session): void {
    const t = this.tenantShells.get(s.principal.tenant);
    if (!t) return;
    t.sessions.delete(s);
    t.subscribers.delete(s);
    if (s.principal.agentId) {
      const list = t.agents.get(s.principal.agentId);
      const at = list ? list.indexOf(s) : -1;
      if (at >= 0) list!.splice(at, 1);
      if (list && list.length === 0) t.agents.delete(s.principal.agentId);
    }
  }

  /**
   * Rebuilds every journaled tenant from the journal (at start): the same commands at the same
   * times through a fresh engine give the same state; timers that fell due meanwhile fire at the
   * next tick. Returns the number of entries replayed.
   */
  async recover(): Promise<number> {
    const journal = this.options.journal;
    if (!journal) return 0;
    let total = 0;
    for (const id of await journal.tenants()) total += await this.rebuild(this.tenant(id));
    return total;
  }

  private async rebuild(t: TenantShell): Promise<number> {
    // No request reaches the tenant while it is rebuilt: it would be journaled under the epoch
    // the rebuild is replacing, and refused as stale.
    const before = t.unavailable;
    t.unavailable = before ?? { code: 'STORE_UNAVAILABLE', message: 'the tenant is being rebuilt from the journal; retry shortly' };
    try {
      const { snapshot, entries } = await this.options.journal!.open(t.tenant);
      t.reset(snapshot);
      let n = 0;
      for await (const chunk of entries) {
        t.replayChunk(chunk);
        n += chunk.entries.length;
      }
      t.opened = true;
      t.unavailable = null;
      t.arm();
      return n;
    } catch (e) {
      if (before === null) {
        t.unavailable = null;
        this.fail(t, e); // keeps it unavailable and retries
      }
      throw e;
    }
  }

  /**
   * Group commit: appends every tenant's engine calls of this turn to the journal, one write per
   * tenant. Null when there is nothing to wait for (no journal, or nothing changed). Resolves to
   * the tenants whose write failed: their results must not leave the server; they refuse
   * requests until their engine is rebuilt from the journal.
   */
  commit(): Promise<Set<string>> | null {
    const journal = this.options.journal;
    if (!journal) return null;
    const writes: Promise<void>[] = [];
    const failed = new Set<string>();
    for (const t of this.tenantShells.values()) {
      if (t.pending.length === 0) continue;
      const entries = t.pending;
      t.pending = [];
      const first = t.journaled + 1;
      t.journaled += entries.length;
      // The engine's state is exactly "after entry t.journaled" now: the moment to snapshot.
      const snapshot = this.snapshotDue(t) ? this.takeSnapshot(t) : null;
      const write = async () => {
        if (!t.opened) {
          // A new tenant: nothing to replay. One open for all the turns waiting on it (each open
          // bumps the fencing epoch, and a write under the older epoch would be refused).
          t.opening ??= journal.open(t.tenant).then(() => {
            t.opened = true;
          });
          await t.opening;
        }
        try {
          await journal.append(t.tenant, first, entries);
        } catch (e) {
          if (snapshot) void snapshot.then(
            () => (t.snapshotting = false),
            () => (t.snapshotting = false),
          );
          throw e;
        }
        if (snapshot)
          void snapshot.then(
            (s) => this.saveSnapshot(t, s),
            (e: unknown) => {
              t.snapshotting = false;
              this.options.log?.error({ tenant: t.tenant, err: (e as Error).message }, 'snapshot not encoded');
            },
          );
      };
      const metrics = this.options.metrics;
      const started = performance.now();
      writes.push(
        write().then(
          () => metrics?.observeJournalWrite('ok', (performance.now() - started) / 1000, entries.length),
          (e: unknown) => {
            metrics?.observeJournalWrite('failed', (performance.now() - started) / 1000, entries.length);
            failed.add(t.tenant);
            this.fail(t, e);
          },
        ),
      );
    }
    if (writes.length === 0) return null;
    return Promise.all(writes).then(() => failed);
  }

  /** Standby: the tenants whose engines follow the journal. */
  private readonly followed = new Set<string>();

  /**
   * Standby: applies what the leader journaled since the last call, for every tenant, to warm
   * engines that fire no timers and serve no one. A tenant the standby meets first, or whose
   * entries were folded into a snapshot before it read them, starts from the latest snapshot.
   * Returns the entries applied.
   */
  async follow(): Promise<number> {
    const journal = this.options.journal!;
    let n = 0;
    for (const id of await journal.tenants()) {
      const t = this.tenant(id);
      for (let attempt = 0; ; attempt++) {
        if (!this.followed.has(id)) {
          t.reset(await journal.snapshot(id));
          this.followed.add(id);
        }
        let behind = false;
        for await (const chunk of journal.read(id, t.journaled)) {
          if (chunk.first !== t.journaled + 1) {
            behind = true; // trimmed past this engine: start again from the newer snapshot
            break;
          }
          t.replayChunk(chunk);
          n += chunk.entries.length;
        }
        if (!behind) break;
        this.followed.delete(id);
        if (attempt >= 5) throw new StoreUnavailableError(`tenant '${id}': the journal kept moving past this standby`);
      }
    }
    return n;
  }

  /** Whether the tenant's engine is due for a snapshot. */
  private snapshotDue(t: TenantShell): boolean {
    const every = this.options.snapshotEveryEntries ?? 0;
    return every > 0 && !t.snapshotting && t.journaled - t.snapshotAt >= every;
  }

  /**
   * Copies the engine's state now (synchronously: it is the state after entry t.journaled), then
   * encodes the copy a slice per turn, so the event loop is held only for the copy.
   */
  private takeSnapshot(t: TenantShell): Promise<StoredSnapshot> {
    const metrics = this.options.metrics;
    let started = performance.now();
    const snap = t.engine.snapshot();
    const through = t.journaled;
    t.snapshotting = true;
    t.snapshotAt = through;
    metrics?.observeSnapshot('copy', (performance.now() - started) / 1000);
    started = performance.now();
    return encodeSnapshot(snap, () => new Promise<void>((resolve) => setImmediate(resolve))).then((bytes) => {
      metrics?.observeSnapshot('encode', (performance.now() - started) / 1000, bytes.length);
      return { through, bytes };
    });
  }

  /** Stores and publishes a snapshot once its last entry is in the journal (trimming what it covers). */
  private async saveSnapshot(t: TenantShell, snapshot: StoredSnapshot): Promise<void> {
    const started = performance.now();
    try {
      await this.options.journal!.saveSnapshot(t.tenant, snapshot.through, snapshot.bytes);
      this.options.metrics?.observeSnapshot('published', (performance.now() - started) / 1000);
      this.options.log?.info({ tenant: t.tenant, through: snapshot.through, bytes: snapshot.bytes.length }, 'snapshot published; journal trimmed');
    } catch (e) {
      this.options.metrics?.observeSnapshot('failed', (performance.now() - started) / 1000);
      this.options.log?.warn({ tenant: t.tenant, through: snapshot.through, err: (e as Error).message }, 'snapshot not published (the journal still holds everything)');
    } finally {
      t.snapshotting = false;
    }
  }

  /**
   * Standby becoming leader: fences every tenant (the old leader's writes are refused from here
   * on), applies what it journaled last, and arms the timers.
   */
  async takeOver(): Promise<number> {
    const journal = this.options.journal!;
    for (const id of await journal.tenants()) await journal.fence(id);
    const n = await this.follow();
    for (const t of this.tenantShells.values()) {
      t.opened = true;
      t.arm();
    }
    return n;
  }

  /** A journal write failed: stop the tenant and rebuild it from the journal once it answers. */
  private fail(t: TenantShell, e: unknown): void {
    const log = this.options.log;
    if (t.unavailable) return;
    t.stop();
    t.opening = null;
    if (e instanceof StaleLeaderError) {
      // Another process took the tenant over: never write again; clients move to the leader.
      t.unavailable = { code: 'STALE_LEADER', message: 'this server no longer leads the tenant; reconnect' };
      log?.error({ tenant: t.tenant, err: e.message }, 'fenced off: another server took the tenant over');
      for (const s of t.sessions) s.end?.(1012, 'tenant moved to another server');
      return;
    }
    t.unavailable = { code: 'STORE_UNAVAILABLE', message: 'the store is unavailable; retry shortly' };
    log?.warn({ tenant: t.tenant, err: (e as Error).message }, 'journal write failed: tenant unavailable until rebuilt');
    const retry = () => {
      this.rebuild(t).then(
        (n) => {
          log?.info({ tenant: t.tenant, entries: n }, 'tenant rebuilt from the journal');
          for (const s of t.sessions) if (s.principal.role === 'agent') this.resume(t, s);
        },
        () => setTimeout(retry, 500),
      );
    };
    setTimeout(retry, 200);
  }

  /** Re-sends an agent's state, open offers and assignments (on connect and on Resume). */
  private resume(t: TenantShell, s: Session): void {
    const load = t.engine.agentLoad(s.principal.agentId!);
    if (!load) return;
    s.send({ push: 'state', state: load.state, ...(load.reason ? { reason: load.reason } : {}) });
    for (const o of load.offers) s.send(t.offerFrame(o.interactionId, o.offerId, o.expiresAt));
    for (const id of load.assignments) s.send({ push: 'assigned', interactionId: id });
  }

  /**
   * Runs an engine command for a request and queues its answer: `{ re, ok: true }`, or the
   * refusal. (A method, not a closure per request: this is the path every command takes.)
   */
  private command(t: TenantShell, s: Session, re: string | number, cmd: Command): void {
    const r = t.apply(cmd);
    if (r.ok) s.send({ re, ok: true });
    else s.send({ re, ok: false, code: r.code, message: r.message });
  }

  /** Queues the answer to request `re`. */
  private reply(s: Session, re: string | number, body: Record<string, unknown>): void {
    s.send({ re, ...body });
  }

  /** Handles one validated request of the session's role and queues the response. */
  handle(s: Session, req: AnyRequest): void {
    const t = this.tenant(s.principal.tenant);
    const role: Role = s.principal.role;
    // While the tenant is unavailable (being rebuilt, or its store refused a write) its engine is
    // not the tenant's state: commands and queries alike are refused, retryable.
    if (t.unavailable) return this.reply(s, req.id, { ok: false, code: t.unavailable.code, message: t.unavailable.message });
    if (role === 'agent') {
      const me = s.principal.agentId!;
      const a = req as AgentRequest;
      switch (a.type) {
        case 'SetState':
          return this.command(t, s, req.id, { type: 'SetAgentState', agentIds: [me], state: a.state, ...(a.reason ? { reason: a.reason } : {}) });
        case 'Accept':
          return this.command(t, s, req.id, { type: 'AcceptOffer', agentId: me, offerId: a.offerId });
        case 'Reject':
          return this.command(t, s, req.id, { type: 'RejectOffer', agentId: me, offerId: a.offerId });
        case 'Complete':
          return this.command(t, s, req.id, { type: 'CompleteInteraction', agentId: me, interactionId: a.interactionId });
        case 'EndWrapUp':
          return this.command(t, s, req.id, { type: 'EndWrapUp', agentId: me });
        case 'Resume':
          this.reply(s, req.id, { ok: true });
          return this.resume(t, s);
      }
    }
    const p = req as PlatformRequest;
    switch (p.type) {
      case 'GetQueueStats': {
        const ids = p.queueId ? [p.queueId] : t.engine.queueIds();
        const stats = ids.map((id) => t.engine.queueStats(id, this.now())).filter((x) => x !== null);
        if (p.queueId && stats.length === 0) return this.reply(s, req.id, { ok: false, code: 'UNKNOWN_QUEUE', message: `queue '${p.queueId}' is not defined` });
        return this.reply(s, req.id, { ok: true, queues: stats });
      }
      case 'GetInteraction': {
        const info = t.engine.interaction(p.interactionId, this.now());
        if (info) return this.reply(s, req.id, { ok: true, interaction: info });
        const status = t.engine.finishedStatus(p.interactionId);
        return status ? this.reply(s, req.id, { ok: true, interaction: { interactionId: p.interactionId, status } }) : this.reply(s, req.id, { ok: false, code: 'UNKNOWN_INTERACTION', message: `interaction '${p.interactionId}' is not known` });
      }
      case 'GetAgent': {
        const load = t.engine.agentLoad(p.agentId);
        return load ? this.reply(s, req.id, { ok: true, agent: load }) : this.reply(s, req.id, { ok: false, code: 'UNKNOWN_AGENT', message: `agent '${p.agentId}' is not defined` });
      }
      case 'GetAgentSummary':
        return this.reply(s, req.id, { ok: true, summary: t.engine.agentSummary() });
      case 'ExplainInteraction': {
        const explanation = t.engine.explain(p.interactionId, p.limit);
        if (explanation) return this.reply(s, req.id, { ok: true, explanation });
        const status = t.engine.finishedStatus(p.interactionId);
        return status
          ? this.reply(s, req.id, { ok: false, code: 'INVALID_STATE', message: `interaction '${p.interactionId}' has finished (${status}); nothing waits` })
          : this.reply(s, req.id, { ok: false, code: 'UNKNOWN_INTERACTION', message: `interaction '${p.interactionId}' is not known` });
      }
      case 'Subscribe':
        if (p.events) t.subscribers.add(s);
        else t.subscribers.delete(s);
        return this.reply(s, req.id, { ok: true });
    }
    if (role !== 'platform') return this.reply(s, req.id, { ok: false, code: ProtocolCode.FORBIDDEN, message: `not allowed for a ${role}` });
    switch (p.type) {
      case 'SubmitInteraction': {
        const r = t.apply({ type: 'SubmitInteraction', interaction: p.interaction });
        if (!r.ok) return this.reply(s, req.id, { ok: false, code: r.code, message: r.message });
        if (r.duplicate) return this.reply(s, req.id, { ok: true, interactionId: p.interaction.id, duplicate: true, status: r.status });
        return s.send({ re: p.id, ok: true, interactionId: p.interaction.id });
      }
      case 'DefineSkill':
        return this.command(t, s, req.id, { type: 'DefineSkill', skill: p.skill });
      case 'UpsertQueue':
        return this.command(t, s, req.id, { type: 'UpsertQueue', queue: p.queue });
      case 'UpsertAgent':
        return this.command(t, s, req.id, { type: 'UpsertAgent', agent: p.agent });
      case 'RemoveAgent':
        return this.command(t, s, req.id, { type: 'RemoveAgent', agentId: p.agentId });
      case 'SetAgentState':
        return this.command(t, s, req.id, { type: 'SetAgentState', agentIds: p.agentIds, state: p.state, ...(p.reason ? { reason: p.reason } : {}) });
      case 'UpdateInteraction':
        return this.command(t, s, req.id, {
          type: 'UpdateInteraction',
          interactionId: p.interactionId,
          ...(p.priority !== undefined ? { priority: p.priority } : {}),
          ...('context' in p ? { context: p.context } : {}),
        });
      case 'TransferInteraction':
        return this.command(t, s, req.id, { type: 'TransferInteraction', interactionId: p.interactionId, queue: p.queue, ...(p.skills ? { skills: p.skills } : {}) });
      case 'CancelInteraction':
        return this.command(t, s, req.id, { type: 'CancelInteraction', interactionId: p.interactionId, reason: p.reason });
    }
  }

  stop(): void {
    for (const t of this.tenantShells.values()) t.stop();
  }
}
