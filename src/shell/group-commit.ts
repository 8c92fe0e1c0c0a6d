/**
 * Group commit: a turn's output leaves only once the turn's journal writes are confirmed, and
 * turns leave in the order they ended. Every engine call of a turn, across all its requests and
 * timers, goes to the journal in one write per tenant, so a burst of requests costs one round
 * trip, not one each. Without a journal (or with nothing to write and nothing ahead of it) a
 * turn's output leaves at once, synchronously. For a tenant whose write failed nothing of the
 * turn leaves but refusals of its answers: not done (the store provably did not take the
 * write), or OUTCOME_UNKNOWN (sent, not confirmed); either is safe to retry. Which tenants those
 * are is asked only when the turn is about to leave: a turn's engine calls may have gone in an
 * earlier turn's write (a timer's), settled by then.
 */
import { OUTCOME_UNKNOWN_REFUSAL } from './durability.ts';
import type { Frames, Refusal, Session } from './ports.ts';

/**
 * A turn's verdict, asked once every write before it has settled: the tenants whose answers must
 * be refused, with what they say instead (null: none).
 */
export type Verdict = () => ReadonlyMap<string, Refusal> | null;

export class GroupCommit {
  /** The turns waiting on a write, in order. */
  private chain: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(
    /**
     * Hands this turn's engine calls to the journal; null when there is nothing to wait for.
     * Resolves, once the turn's writes settled, to its verdict. `endsTurn` is false for a
     * release with no sessions (engine calls outside a request's turn, committed soon).
     */
    private readonly commit: (endsTurn: boolean) => Promise<Verdict> | null,
    private readonly onError: (err: unknown) => void,
  ) {}

  release<S extends Session>(sessions: S[], frames: Frames[], send: (sessions: S[], frames: Frames[]) => void): void {
    const commit = this.commit(sessions.length > 0);
    if (commit === null && this.waiting === 0) return this.deliver(sessions, frames, send, null); // the in-memory path
    this.waiting++;
    this.chain = this.chain
      .then(() => commit)
      .then(
        (verdict) => this.deliver(sessions, frames, send, verdict === null ? null : verdict()),
        (err: unknown) => {
          // The write's outcome is not known: the answers say so (nothing of the turn is lost
          // silently, and later turns still leave).
          this.onError(err);
          const unknown = new Map<string, Refusal>();
          for (const s of sessions) unknown.set(s.principal.tenant, OUTCOME_UNKNOWN_REFUSAL);
          this.deliver(sessions, frames, send, unknown);
        },
      )
      .finally(() => this.waiting--);
  }

  /** Sends a turn's frames (refusals for failed tenants); a send that throws is reported, never breaks the chain. */
  private deliver<S extends Session>(
    sessions: S[],
    frames: Frames[],
    send: (sessions: S[], frames: Frames[]) => void,
    failed: ReadonlyMap<string, Refusal> | null,
  ): void {
    try {
      if (failed !== null && failed.size > 0) this.refuseFailed(sessions, frames, failed);
      send(sessions, frames);
    } catch (err) {
      this.onError(err);
    }
  }

  /** Replaces the output of the tenants whose write failed by refusals of their answers. */
  private refuseFailed(sessions: Session[], frames: Frames[], failed: ReadonlyMap<string, Refusal>): void {
    for (let i = 0; i < sessions.length; i++) {
      const why = failed.get(sessions[i].principal.tenant);
      if (why === undefined) continue;
      frames[i] = frames[i].filter((f) => f.re !== undefined).map((f) => ({ re: f.re, ok: false, code: why.code, message: why.message }));
    }
  }
}
