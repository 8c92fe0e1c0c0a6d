/**
 * The journal side of every tenant: each turn's engine calls appended (one write per tenant),
 * recovery at start, the standby following the leader and taking over, and a failed write
 * turning the tenant unavailable until it is rebuilt. Every change of a tenant's durability
 * state (durability.ts) is made here. Snapshots are not taken here: the snapshot replica
 * (snapshotter.ts) follows the journal with engines of its own and publishes them.
 */
import { DEFAULT_HISTORY_RETENTION_MS } from './history.ts';
import { StaleLeaderError, StoreUnavailableError, type Journal, type JournalChunk } from '../store/journal.ts';
import {
  FENCED_REFUSAL,
  FOLLOWING,
  type Lineage,
  OUTCOME_UNKNOWN_REFUSAL,
  REPLAYING_REFUSAL,
  SERVING,
  UNAVAILABLE_REFUSAL,
  type DurabilityState,
} from './durability.ts';
import type { Verdict } from './group-commit.ts';
import type { ShellOptions } from './options.ts';
import type { Refusal } from './ports.ts';
import type { TenantShell } from './tenant-shell.ts';

/** The tenants as persistence reaches them (the shell's registry). */
export interface TenantRegistry {
  /** The tenant's shell, created when it has none yet. */
  tenant(id: string): TenantShell;
  all(): Iterable<TenantShell>;
}

export class Persistence {
  /** Standby: the tenants whose engines follow the journal. */
  private readonly followed = new Set<string>();
  /** Writes handed to the journal so far (each write's number). */
  private written = 0;
  /** Turns ended so far (each commit with frames ends one; the next one is under way). */
  private turns = 0;
  /** Tenants whose lineage may have a write unsettled or failed (pruned at each commit). */
  private readonly unsettled = new Set<TenantShell>();

  constructor(
    private readonly journal: Journal,
    private readonly options: ShellOptions,
    private readonly tenants: TenantRegistry,
  ) {}

  /**
   * Rebuilds every journaled tenant from the journal (at start): the same commands at the same
   * times through a fresh engine give the same state; timers that fell due meanwhile fire at the
   * next tick. Returns the number of entries replayed.
   */
  async recover(): Promise<number> {
    let total = 0;
    for (const id of await this.journal.tenants()) total += await this.rebuild(this.tenants.tenant(id));
    return total;
  }

  /**
   * The lease was taken again after it lapsed: rebuilds the tenants another process fenced
   * meanwhile (it may have written), and only those: one nobody fenced had no other writer, so
   * its engine is still the journal's state. Returns the entries replayed.
   */
  async regain(): Promise<number> {
    let total = 0;
    for (const id of await this.journal.tenants()) {
      const t = this.tenants.tenant(id);
      if (t.durability.needsOpen() || (await this.journal.fencedOff(id))) total += await this.rebuild(t);
    }
    return total;
  }

  private async rebuild(t: TenantShell): Promise<number> {
    // No request reaches the tenant while it is rebuilt: it would be journaled under the epoch
    // the rebuild is replacing, and refused as stale.
    const d = t.durability;
    const previous = d.state;
    const refusing = d.refusal();
    const rebuilding: DurabilityState = refusing
      ? { kind: 'rebuilding', refusal: refusing, previous }
      : { kind: 'replaying', refusal: REPLAYING_REFUSAL, previous };
    d.state = rebuilding;
    try {
      const opened = await this.journal.open(t.tenant);
      let { snapshot, entries } = opened;
      let n = 0;
      for (let attempt = 0; ; attempt++) {
        t.reset(snapshot);
        const read = await this.replay(t, entries);
        n += read.entries;
        if (!read.behind) break;
        // The snapshot replica published a newer snapshot meanwhile and trimmed the journal past
        // this engine: start again from that one.
        if (attempt >= 5) throw new StoreUnavailableError(`tenant '${t.tenant}': the journal kept moving past the rebuild`);
        snapshot = await this.journal.snapshot(t.tenant);
        entries = this.journal.read(t.tenant, snapshot?.through ?? 0);
      }
      d.state = SERVING;
      t.arm();
      t.webhooks.wake();
      // Agents connected meanwhile were sent nothing, and those connected before were sent what
      // the replaced engine held: each is sent its state, offers and assignments as they are now.
      for (const s of t.sessions) if (s.principal.role === 'agent') t.resume(s);
      return n;
    } catch (e) {
      if (refusing) {
        // A retry of a refusing tenant: back to what it was; its caller retries.
        if (d.state === rebuilding) d.state = previous;
      } else if (d.refusal()) {
        // It was serving: unavailable, and retried (unless a rebuild begun meanwhile already
        // serves it again).
        d.state = previous;
        this.fail(t, e);
      }
      throw e;
    }
  }

  /**
   * Appends every tenant's engine calls of this turn to the journal, one write per tenant. Null
   * when nothing changed and no write is unsettled. Resolves, once the turn's writes settled, to
   * its verdict: asked when the turn's frames are about to leave (every write handed over before
   * then has settled by then), it names the tenants whose answers must not leave, each with what
   * they must say instead: a write of the tenant's lineage (durability.ts) up to this turn's
   * failed, wherever the turn's engine calls went. Such a tenant refuses requests until its engine
   * is rebuilt from the journal. A write the store provably did not take answers the tenant's
   * refusal; one sent but not confirmed (it may yet apply) answers OUTCOME_UNKNOWN.
   */
  commit(endsTurn = true): Promise<Verdict> | null {
    const journal = this.journal;
    // A release with no frames (what a timer's engine calls left pending) ends no turn: the
    // answers of the turn under way are computed on both sides of it.
    const turn = endsTurn ? ++this.turns : this.turns + 1;
    const writes: Promise<void>[] = [];
    for (const t of this.tenants.all()) {
      const d = t.durability;
      if (endsTurn) d.lineage.used = false;
      if (d.pending.length === 0) continue;
      const entries = d.pending;
      d.pending = [];
      const numbered = d.pendingEvents;
      d.pendingEvents = [];
      const events = { events: numbered.length === 1 ? numbered[0] : numbered.flat(), at: entries[entries.length - 1].n };
      const lastSeq = events.events.length > 0 ? events.events[events.events.length - 1].seq : 0;
      const ended = t.history.drain();
      const history = ended.length === 0 ? undefined : { records: ended, retentionMs: this.options.historyRetentionMs ?? DEFAULT_HISTORY_RETENTION_MS };
      const first = d.journaled + 1;
      d.journaled += entries.length;
      const lineage = d.lineage;
      const number = ++this.written;
      lineage.inFlight++;
      this.unsettled.add(t);
      const write = async () => {
        if (d.needsOpen()) {
          // A new tenant: nothing to replay. One open for all the turns waiting on it (each open
          // bumps the fencing epoch, and a write under the older epoch would be refused).
          if (d.state.kind !== 'opening') {
            const opening: DurabilityState = {
              kind: 'opening',
              opened: journal.open(t.tenant).then(() => {
                if (d.state === opening) d.state = SERVING;
              }),
            };
            d.state = opening;
          }
          await (d.state as { opened: Promise<void> }).opened;
        }
        await journal.append(t.tenant, first, entries, events, history);
      };
      const metrics = this.options.metrics;
      const started = performance.now();
      writes.push(
        write().then(
          () => {
            lineage.inFlight--;
            metrics?.observeJournalWrite('ok', (performance.now() - started) / 1000, entries.length);
            t.confirmed(lastSeq);
          },
          (e: unknown) => {
            lineage.inFlight--;
            metrics?.observeJournalWrite('failed', (performance.now() - started) / 1000, entries.length);
            // A write of an engine since replaced (rebuilt from the journal) says nothing of the
            // one serving now: its calls were replayed from the journal or never happened.
            if (lineage === d.lineage) this.fail(t, e);
            const provablyNotWritten = e instanceof StaleLeaderError || e instanceof StoreUnavailableError;
            if (number < lineage.failedAt) {
              lineage.failedAt = number;
              lineage.refusal = provablyNotWritten ? (d.refusal() ?? UNAVAILABLE_REFUSAL) : OUTCOME_UNKNOWN_REFUSAL;
            }
            if (lineage.knownIn === Number.POSITIVE_INFINITY) {
              lineage.knownIn = this.turns + 1;
              lineage.usedBeforeKnown = lineage.used;
            }
          },
        ),
      );
    }
    // The lineages this turn's answers stand on: every tenant's with a write unsettled or failed.
    // One settled before this turn leaves the set (a fenced tenant would otherwise stay for good,
    // and every turn of every tenant would wait on the chain).
    let held: { tenant: string; lineage: Lineage }[] | null = null;
    for (const t of this.unsettled) {
      const lineage = t.durability.lineage;
      if (lineage.settledBefore(turn)) this.unsettled.delete(t);
      else (held ??= []).push({ tenant: t.tenant, lineage });
    }
    if (held === null) return null;
    const lineages = held;
    const upTo = this.written;
    const verdict: Verdict = () => {
      let refused: Map<string, Refusal> | null = null;
      for (const { tenant, lineage } of lineages) if (lineage.refuses(upTo, turn)) (refused ??= new Map()).set(tenant, lineage.refusal);
      return refused;
    };
    return writes.length === 0 ? Promise.resolve(verdict) : Promise.all(writes).then(() => verdict);
  }

  /**
   * Standby: applies what the leader journaled since the last call, for every tenant, to warm
   * engines that fire no timers and serve no one. A tenant the standby meets first, or whose
   * entries were folded into a snapshot before it read them, starts from the latest snapshot.
   * Returns the entries applied.
   */
  async follow(): Promise<number> {
    const journal = this.journal;
    let n = 0;
    for (const id of await journal.tenants()) {
      const t = this.tenants.tenant(id);
      const d = t.durability;
      for (let attempt = 0; ; attempt++) {
        if (!this.followed.has(id)) {
          t.reset(await journal.snapshot(id));
          if (!d.refusal()) d.state = FOLLOWING;
          this.followed.add(id);
        }
        const read = await this.replay(t, journal.read(id, d.journaled));
        n += read.entries;
        const behind = read.behind;
        if (!behind) break;
        this.followed.delete(id);
        if (attempt >= 5) throw new StoreUnavailableError(`tenant '${id}': the journal kept moving past this standby`);
      }
    }
    return n;
  }

  /**
   * Replays chunks that follow on the engine's state; stops at the first that does not (`behind`:
   * those entries were folded into a snapshot since, and trimmed: load it and go on from it).
   */
  private async replay(t: TenantShell, entries: AsyncIterable<JournalChunk>): Promise<{ entries: number; behind: boolean }> {
    let n = 0;
    for await (const chunk of entries) {
      if (chunk.first !== t.durability.journaled + 1) return { entries: n, behind: true };
      t.replayChunk(chunk);
      n += chunk.entries.length;
    }
    return { entries: n, behind: false };
  }

  /**
   * Standby becoming leader: fences every tenant (the old leader's writes are refused from here
   * on), applies what it journaled last, and arms the timers.
   */
  async takeOver(): Promise<number> {
    const journal = this.journal;
    for (const id of await journal.tenants()) await journal.fence(id);
    const n = await this.follow();
    for (const t of this.tenants.all()) {
      if (!t.durability.refusal()) t.durability.state = SERVING;
      t.arm();
      t.webhooks.wake();
    }
    return n;
  }

  /** A journal write failed: stop the tenant and rebuild it from the journal once it answers. */
  private fail(t: TenantShell, e: unknown): void {
    const log = this.options.log;
    const d = t.durability;
    if (d.refusal()) return;
    if (e instanceof StaleLeaderError) {
      // Another process took the tenant over: never write again; clients move to the leader.
      d.state = { kind: 'fenced', refusal: FENCED_REFUSAL };
      t.stop();
      log?.error({ tenant: t.tenant, err: e.message }, 'fenced off: another server took the tenant over');
      for (const s of t.sessions) s.end?.(1012, 'tenant moved to another server');
      return;
    }
    d.state = { kind: 'unavailable', refusal: UNAVAILABLE_REFUSAL };
    t.stop();
    log?.warn({ tenant: t.tenant, err: (e as Error).message }, 'journal write failed: tenant unavailable until rebuilt');
    const retry = () => {
      this.rebuild(t).then(
        (n) => log?.info({ tenant: t.tenant, entries: n }, 'tenant rebuilt from the journal'),
        () => setTimeout(retry, 500),
      );
    };
    setTimeout(retry, 200);
  }
}
