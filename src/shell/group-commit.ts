/**
 * Group commit: a turn's output leaves only once the turn's journal writes are confirmed, and
 * turns leave in the order they ended. Every engine call of a turn, across all its requests and
 * timers, goes to the journal in one write per tenant, so a burst of requests costs one round
 * trip, not one each. Without a journal (or with nothing to write and nothing ahead of it) a
 * turn's output leaves at once, synchronously. For a tenant whose write failed nothing of the
 * turn leaves but refusals of its answers: not done (the store provably did not take the
 * write), or OUTCOME_UNKNOWN (sent, not confirmed); either is safe to retry.
 */
import type { Frames, Refusal, Session } from './ports.ts';

export class GroupCommit {
  /** The turns waiting on a write, in order. */
  private chain: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(
    /**
     * Hands this turn's engine calls to the journal; null when there is nothing to wait for.
     * Resolves to the tenants whose write failed, with what their answers must say instead.
     */
    private readonly commit: () => Promise<Map<string, Refusal>> | null,
    private readonly onError: (err: unknown) => void,
  ) {}

  release<S extends Session>(sessions: S[], frames: Frames[], send: (sessions: S[], frames: Frames[]) => void): void {
    const commit = this.commit();
    if (commit === null && this.waiting === 0) return send(sessions, frames); // the in-memory path
    this.waiting++;
    this.chain = this.chain
      .then(() => commit)
      .then(
        (failed) => {
          if (failed && failed.size > 0) this.refuseFailed(sessions, frames, failed);
          send(sessions, frames);
        },
        (err: unknown) => this.onError(err),
      )
      .finally(() => this.waiting--);
  }

  /** Replaces the output of the tenants whose write failed by refusals of their answers. */
  private refuseFailed(sessions: Session[], frames: Frames[], failed: Map<string, Refusal>): void {
    for (let i = 0; i < sessions.length; i++) {
      const why = failed.get(sessions[i].principal.tenant);
      if (why === undefined) continue;
      frames[i] = frames[i].filter((f) => f.re !== undefined).map((f) => ({ re: f.re, ok: false, code: why.code, message: why.message }));
    }
  }
}
