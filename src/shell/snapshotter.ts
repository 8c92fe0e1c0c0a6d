/**
 * The snapshot replica: engines of its own follow every tenant's journal, as a standby's do, and
 * each time one of them is `every` entries past its tenant's last snapshot it is copied, encoded
 * and published (which trims the journal up to it). The leader's engines are never copied, so a
 * snapshot holds none of the leader's turns: the server runs the replica in a worker thread
 * (snapshot-thread.ts), where its copy, its encoding and its garbage stay off the leader's event
 * loop. Tests run it in process beside the shell.
 *
 * What it publishes is right whoever leads: a snapshot through entry N is the state after the
 * journal's entries 1…N, which never change once written. It still publishes only under the
 * fencing epoch its own server holds the tenant by (`epochOf`): a standby's replica copies
 * nothing, and a fenced leader's publishes nothing.
 */
import type { AgentSelectionPolicy, OrderingPolicy } from '../engine/options.ts';
import type { Journal } from '../store/journal.ts';
import { encodeSnapshot } from '../store/snapshot-codec.ts';
import { Persistence, type TenantRegistry } from './persistence.ts';
import { TenantShell } from './tenant-shell.ts';

/** What the replica reports: the steps of each snapshot (the server's metrics, through the thread). */
export interface SnapshotObserver {
  observeSnapshot(step: 'copy' | 'encode' | 'published' | 'failed', seconds: number, bytes?: number): void;
}

export interface SnapshotterOptions {
  readonly ordering: OrderingPolicy;
  readonly agentSelection: AgentSelectionPolicy;
  /** Snapshot a tenant once its engine is this many entries past the tenant's last snapshot. */
  readonly every: number;
  readonly metrics?: SnapshotObserver;
  readonly log?: { info(o: object, msg: string): void; warn(o: object, msg: string): void };
  /**
   * The epoch this server holds the tenant under, adopted for publishing (null: it does not lead
   * the tenant, which is then not copied). Without it the journal handle's own epoch is used (the
   * replica shares the leader's journal handle).
   */
  readonly epochOf?: (tenant: string) => Promise<string | null>;
}

/** After a failed publication, the tenant's next snapshot waits this long (each one is a full copy). */
const RETRY_MS = 5_000;

export class Snapshotter implements TenantRegistry {
  private readonly replicas = new Map<string, TenantShell>();
  private readonly persistence: Persistence;
  /** Tenants whose last publication failed: not copied again before this time (performance.now()). */
  private readonly retryAt = new Map<string, number>();
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Ends the wait between two rounds early. */
  private wake: (() => void) | null = null;

  constructor(
    private readonly journal: Journal,
    private readonly options: SnapshotterOptions,
  ) {
    // No metrics and no log for the replicas' replays: the leader counts every event once.
    this.persistence = new Persistence(journal, { ordering: options.ordering, agentSelection: options.agentSelection }, this);
  }

  tenant(id: string): TenantShell {
    let t = this.replicas.get(id);
    if (!t) {
      t = new TenantShell(id, { ordering: this.options.ordering, agentSelection: this.options.agentSelection, replica: true }, Date.now);
      this.replicas.set(id, t);
    }
    return t;
  }

  all(): Iterable<TenantShell> {
    return this.replicas.values();
  }

  /**
   * One round: every tenant's replica catches up with the journal, and those due are snapshotted
   * and published, one after the other. Returns the snapshots published. A failed publication
   * is counted and retried a few seconds later; the journal still holds everything.
   */
  async round(): Promise<number> {
    await this.persistence.follow();
    let published = 0;
    for (const t of this.replicas.values()) {
      const d = t.durability;
      if (this.options.every <= 0 || d.journaled - d.snapshotAt < this.options.every) continue;
      if ((this.retryAt.get(t.tenant) ?? 0) > performance.now()) continue;
      // A tenant this server does not lead (a standby's, or one another server took over) is
      // not copied at all.
      const epoch = this.options.epochOf ? await this.options.epochOf(t.tenant) : null;
      if (this.options.epochOf && epoch === null) continue;
      if (await this.snapshot(t, epoch)) published++;
    }
    return published;
  }

  /**
   * Rounds one after the other, `intervalMs` apart, until `stop()`. A failed round (the store
   * away) is logged and the next one tries again.
   */
  start(intervalMs: number): void {
    if (this.running) return;
    this.stopped = false;
    this.running = (async () => {
      while (!this.stopped) {
        await this.round().catch((e: unknown) => this.options.log?.warn({ err: (e as Error).message }, 'snapshot replica: round failed; retrying'));
        if (this.stopped) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    })();
  }

  /** Ends the rounds: resolves once the round under way (if any) is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const running = this.running;
    this.running = null;
    await running;
  }

  /** Copies, encodes and publishes the replica's state (the state after entry `journaled`). */
  private async snapshot(t: TenantShell, epoch: string | null): Promise<boolean> {
    const { metrics, log } = this.options;
    const d = t.durability;
    const through = d.journaled;
    let started = performance.now();
    const snap = t.engine.snapshot();
    metrics?.observeSnapshot('copy', (performance.now() - started) / 1000);
    started = performance.now();
    const bytes = await encodeSnapshot(snap);
    metrics?.observeSnapshot('encode', (performance.now() - started) / 1000, bytes.length);
    started = performance.now();
    try {
      if (epoch !== null) this.journal.adopt(t.tenant, epoch);
      await this.journal.saveSnapshot(t.tenant, through, bytes);
    } catch (e) {
      metrics?.observeSnapshot('failed', (performance.now() - started) / 1000);
      log?.warn({ tenant: t.tenant, through, err: (e as Error).message }, 'snapshot not published (the journal still holds everything)');
      this.retryAt.set(t.tenant, performance.now() + RETRY_MS);
      return false;
    }
    this.retryAt.delete(t.tenant);
    d.snapshotAt = through;
    metrics?.observeSnapshot('published', (performance.now() - started) / 1000);
    log?.info({ tenant: t.tenant, through, bytes: bytes.length }, 'snapshot published; journal trimmed');
    return true;
  }
}
