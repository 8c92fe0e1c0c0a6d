/**
 * One tenant's durability: where its engine stands against the journal, as one explicit state,
 * and the counters of what is journaled and snapshotted. The transitions are made by
 * `persistence.ts`; this file says what the states are and what each answers.
 *
 *   fresh ──first write──▶ opening ──opened──▶ serving          (a tenant new to the journal)
 *   replaying ──replayed──▶ serving                              (at start, or the lease regained)
 *   serving | opening ──a write refused──▶ unavailable ──retry──▶ rebuilding ──replayed──▶ serving
 *                                                    ◀──failed──╯
 *   serving | opening ──another leader fenced the tenant──▶ fenced
 *   following ──take over──▶ serving                             (a standby's warm copy)
 *
 * Without a journal a tenant stays `fresh` and serves. `replaying`, `unavailable`, `rebuilding`
 * and `fenced` refuse every request (the engine is not the tenant's state) and fire no timers.
 */
import type { JournalEntry, NumberedEvent } from '../store/journal.ts';
import type { Refusal } from './ports.ts';

export type DurabilityState =
  /** Serves; nothing of it is in the journal yet: the first write opens it there. */
  | { readonly kind: 'fresh' }
  /** Serves; the journal is being opened for its first write (one open for every turn waiting). */
  | { readonly kind: 'opening'; readonly opened: Promise<void> }
  /** Serves; every turn's calls are appended to the journal. */
  | { readonly kind: 'serving' }
  /**
   * A standby's copy: follows what the leader journals. Nothing arms its timer, and the standby
   * refuses every upgrade (the serve gate), so it serves no one though it refuses nothing.
   */
  | { readonly kind: 'following' }
  /** Being rebuilt from the journal; `previous` is the state to return to if that fails. */
  | { readonly kind: 'replaying' | 'rebuilding'; readonly refusal: Refusal; readonly previous: DurabilityState }
  /** A journal write failed: refuses until a rebuild from the journal succeeds (retried). */
  | { readonly kind: 'unavailable'; readonly refusal: Refusal }
  /** Another server took the tenant over: never writes again; clients move to the leader. */
  | { readonly kind: 'fenced'; readonly refusal: Refusal };

export const FRESH: DurabilityState = { kind: 'fresh' };
export const SERVING: DurabilityState = { kind: 'serving' };
export const FOLLOWING: DurabilityState = { kind: 'following' };

export const REPLAYING_REFUSAL: Refusal = { code: 'STORE_UNAVAILABLE', message: 'the tenant is being rebuilt from the journal; retry shortly' };
export const UNAVAILABLE_REFUSAL: Refusal = { code: 'STORE_UNAVAILABLE', message: 'the store is unavailable; retry shortly' };
/** The answer to a request whose turn's write was sent but not confirmed: it may yet apply. */
export const OUTCOME_UNKNOWN_REFUSAL: Refusal = {
  code: 'OUTCOME_UNKNOWN',
  message: 'the store did not confirm the write: the request may yet take effect; retry it (every mutating request is safe to retry)',
};
export const FENCED_REFUSAL: Refusal = { code: 'STALE_LEADER', message: 'this server no longer leads the tenant; reconnect' };
/** The answer to a read whose memory part came from an engine replaced while the store was read. */
export const REBUILT_REFUSAL: Refusal = {
  code: 'STORE_UNAVAILABLE',
  message: 'the tenant was rebuilt from the journal while this was read; retry',
};

/**
 * The engine's state since it last was the journal's (the tenant's start, or a rebuild): the
 * writes taken from it and the first of them that failed. A turn's answers were computed on the
 * lineage current when the turn ended, and every engine call made by then is in a write numbered
 * up to the last one handed over then, whichever turn's write carried it (a timer's turn commits
 * what requests left pending too). So the answers may leave only if none of those writes failed;
 * once one did, the engine holds what the journal does not, until it is rebuilt (a new lineage).
 * Answers computed after the failure is known need not look: the tenant refuses requests from
 * then on (the answers already say so) until that rebuild; so a turn during which it became
 * known looks only if the engine was used in it before.
 */
export class Lineage {
  /** Writes of it not settled yet. */
  inFlight = 0;
  /** Number of its first failed write (infinity: none failed), and what answers say instead. */
  failedAt = Number.POSITIVE_INFINITY;
  refusal: Refusal = UNAVAILABLE_REFUSAL;
  /** The turn during which that failure became known (numbered as persistence ends them). */
  knownIn = Number.POSITIVE_INFINITY;
  /** Whether the engine answered or acted in the turn under way (reset as each turn ends). */
  used = false;
  /** Whether it had, in that turn, before the failure became known. */
  usedBeforeKnown = false;

  /** Whether the answers of turn `turn`, whose writes go up to number `upTo`, must be refused. */
  refuses(upTo: number, turn: number): boolean {
    return this.failedAt <= upTo && (this.knownIn > turn || (this.knownIn === turn && this.usedBeforeKnown));
  }

  /** No write of it unsettled, and none failed or its failure known before turn `turn`: it weighs on no answer of that turn or later. */
  settledBefore(turn: number): boolean {
    return this.inFlight === 0 && (this.failedAt === Number.POSITIVE_INFINITY || this.knownIn < turn);
  }
}

export class Durability {
  state: DurabilityState = FRESH;
  lineage = new Lineage();
  /** This turn's engine calls, not yet handed to the journal. */
  pending: JournalEntry[] = [];
  /** Their events, numbered (one list per call that emitted any): written with them. */
  pendingEvents: NumberedEvent[][] = [];
  /** Number of the last journal entry in the engine's state (handed to the journal or replayed). */
  journaled = 0;
  /** Entry number of the latest snapshot published (or loaded). */
  snapshotAt = 0;

  /** Why the tenant refuses requests now, or null when it serves. */
  refusal(): Refusal | null {
    const s = this.state;
    return s.kind === 'replaying' || s.kind === 'rebuilding' || s.kind === 'unavailable' || s.kind === 'fenced' ? s.refusal : null;
  }

  /**
   * For an answer that takes something from memory now and leaves after a read of the store:
   * asked when it is sent, the refusal it must give instead, or null. It is refused when the
   * tenant refuses by then (a failed write of its lineage makes it refuse until it is rebuilt),
   * or its engine was replaced meanwhile (what it took may be what a failed write held);
   * otherwise the engine counts as used in the turn it leaves with, so a failure that turn
   * learns of refuses it as well.
   */
  answerLater(): () => Refusal | null {
    const lineage = this.lineage;
    return () => {
      const refusal = this.refusal();
      if (refusal !== null) return refusal;
      if (lineage !== this.lineage) return REBUILT_REFUSAL;
      lineage.used = true;
      return null;
    };
  }

  /** The engine was replaced by one whose state is "after entry `through`". */
  restart(through: number): void {
    this.lineage = new Lineage();
    this.pending = [];
    this.pendingEvents = [];
    this.journaled = through;
    this.snapshotAt = through;
  }

  /** Whether the journal must be opened before this tenant's next write. */
  needsOpen(): boolean {
    const k = this.state.kind;
    return k === 'fresh' || k === 'opening' || k === 'following';
  }
}
