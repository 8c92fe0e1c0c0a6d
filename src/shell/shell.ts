/**
 * The shell around the engines: the registry of tenants (one `TenantShell` each, made on first
 * use), and the face the transport calls (`ShellPort`): connections opened and closed, requests
 * routed, turns released through group commit. The journal's side is `persistence.ts`.
 */
import type { Engine, EngineCounts, QueueStats } from '../engine/engine.ts';
import type { QueueSource } from '../metrics/metrics.ts';
import { GroupCommit } from './group-commit.ts';
import { Persistence, type TenantRegistry } from './persistence.ts';
import type { ShellOptions } from './options.ts';
import type { FeedStats } from './event-feed.ts';
import { type AnyRequest, type EventsPoll, type Frames, type Refusal, refusalFrame, type Session, type ShellPort, type TenantStatus } from './ports.ts';
import { route } from './request-router.ts';
import { TenantShell } from './tenant-shell.ts';

/** What a poll waiting when the process stops is answered. */
const SHUTTING_DOWN: Refusal = { code: 'UNAVAILABLE', message: 'the server is shutting down' };

export class Shell implements ShellPort, QueueSource, TenantRegistry {
  private readonly tenantShells = new Map<string, TenantShell>();
  readonly now: () => number;
  private readonly persistence: Persistence | null;
  private readonly groupCommit: GroupCommit;

  constructor(private readonly options: ShellOptions) {
    this.now = options.now ?? Date.now;
    this.persistence = options.journal ? new Persistence(options.journal, options, this) : null;
    const persistence = this.persistence;
    this.groupCommit = new GroupCommit(
      (endsTurn) => (persistence ? persistence.commit(endsTurn) : null),
      (err) => (options.log ?? console).error({ err }, 'a turn could not be committed or sent'),
    );
  }

  /** A tenant's engine (queries and tests), or undefined when the tenant has no state. */
  engineOf(tenant: string): Engine | undefined {
    return this.tenantShells.get(tenant)?.engine;
  }

  tenants(): Iterable<string> {
    return this.tenantShells.keys();
  }

  all(): Iterable<TenantShell> {
    return this.tenantShells.values();
  }

  feed(tenant: string): FeedStats | null {
    return this.tenantShells.get(tenant)?.feed.stats() ?? null;
  }

  webhooks(tenant: string): { webhookId: string; lag: number; paused: boolean }[] | null {
    return this.tenantShells.get(tenant)?.webhooks.lags() ?? null;
  }

  counts(tenant: string): EngineCounts | null {
    return this.tenantShells.get(tenant)?.engine.counts() ?? null;
  }

  queueStats(tenant: string): QueueStats[] {
    const t = this.tenantShells.get(tenant);
    if (!t) return [];
    const now = this.now();
    return t.engine.queueIds().map((id) => t.engine.queueStats(id, now)!);
  }

  tenant(id: string): TenantShell {
    let t = this.tenantShells.get(id);
    if (!t) {
      t = new TenantShell(id, this.options, this.now, this.kick);
      this.tenantShells.set(id, t);
    }
    return t;
  }

  private kicked = false;
  /** Commits soon what engine calls outside a request's turn left pending (a turn of its own). */
  private readonly kick = (): void => {
    if (this.kicked || !this.persistence) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.groupCommit.release([], [], () => {});
    });
  };

  connections(tenant: string): number {
    return this.tenantShells.get(tenant)?.sessions.size ?? 0;
  }

  status(tenant: string): { tenants: number; tenant: TenantStatus } {
    const t = this.tenantShells.get(tenant);
    const f = t?.feed.stats();
    return {
      tenants: this.tenantShells.size,
      tenant: {
        state: t ? t.durability.state.kind : 'absent',
        journaled: t?.durability.journaled ?? 0,
        snapshotAt: t?.durability.snapshotAt ?? 0,
        events: { last: f?.last ?? 0, oldest: f?.oldest ?? 0, live: f?.live ?? 0, catchingUp: f?.catchingUp ?? 0, polling: f?.polls ?? 0, lag: f?.lag ?? 0 },
        connections: t?.sessions.size ?? 0,
      },
    };
  }

  open(s: Session): void {
    const t = this.tenant(s.principal.tenant);
    t.sessions.add(s);
    if (s.principal.role === 'agent') {
      const id = s.principal.agentId!;
      const list = t.agents.get(id);
      if (list) list.push(s);
      else t.agents.set(id, [s]);
      // A tenant that refuses has an engine that is not the journal's (or is being replayed):
      // its rebuild resumes every agent once it serves again.
      if (!t.durability.refusal()) t.resume(s);
    }
  }

  close(s: Session): void {
    const t = this.tenantShells.get(s.principal.tenant);
    if (!t) return;
    t.sessions.delete(s);
    t.feed.unsubscribe(s);
    if (s.principal.agentId) {
      const list = t.agents.get(s.principal.agentId);
      const at = list ? list.indexOf(s) : -1;
      if (at >= 0) list!.splice(at, 1);
      if (list && list.length === 0) t.agents.delete(s.principal.agentId);
    }
  }

  handle(s: Session, req: AnyRequest): void {
    route(this.tenant(s.principal.tenant), s, req, this.now);
  }

  pollEvents(s: Session, q: EventsPoll): void {
    const t = this.tenant(s.principal.tenant);
    const refusal = t.durability.refusal();
    if (refusal) return s.send(refusalFrame(null, refusal));
    t.durability.lineage.used = true;
    t.requests.poll(s, q);
  }

  release<S extends Session>(sessions: S[], frames: Frames[], send: (sessions: S[], frames: Frames[]) => void): void {
    this.groupCommit.release(sessions, frames, send);
  }

  /** Rebuilds every journaled tenant from the journal (at start); the entries replayed. */
  recover(): Promise<number> {
    return this.persistence ? this.persistence.recover() : Promise.resolve(0);
  }

  /** The lease taken again after it lapsed: rebuilds the tenants another process fenced meanwhile. */
  regain(): Promise<number> {
    return this.persistence ? this.persistence.regain() : Promise.resolve(0);
  }

  /** Standby: applies what the leader journaled since the last call; the entries applied. */
  async follow(): Promise<number> {
    return this.journaled().follow();
  }

  /** Standby becoming leader: fences every tenant, applies the rest, arms the timers. */
  async takeOver(): Promise<number> {
    return this.journaled().takeOver();
  }

  private journaled(): Persistence {
    if (!this.persistence) throw new Error('a standby needs a journal');
    return this.persistence;
  }

  /** The process stops: timers and webhooks end, and the polls waiting are answered UNAVAILABLE. */
  stop(): void {
    for (const t of this.tenantShells.values()) {
      t.stop(SHUTTING_DOWN);
      t.webhooks.close();
    }
  }
}
