/**
 * Deadlines: every time-dependent change is a timer entry, never a scan (docs/routing.md §5).
 * Three heaps, one entry per owner at most:
 * - interaction timers, keyed (due, seq): the next of its preference-window end, relaxation
 *   step, late band, escalation and max wait (`arm` computes it from the record);
 * - offer timers: an open offer's expiry (R_OFFER_AT), ties by arrival sequence;
 * - agent timers: a wrap-up's end (AgentTable.timerAt), ties by slot.
 * The shell arms one real timer for `next()`.
 */
import { IndexedHeap, PositionIndex } from '../queues/indexed-heap.ts';
import { KeyedHeap } from '../queues/keyed-heap.ts';
import type { AgentTable } from './agent-table.ts';
import { BAND_ESCALATED, BAND_NORMAL, type Interaction } from './entities.ts';
import {
  firedRules,
  heldUntil,
  R_ARRIVAL,
  R_BAND,
  R_ENTERED,
  R_ESCALATE,
  R_LATE,
  R_MAX_WAIT,
  R_OFFER_AT,
  R_PREF_UNTIL,
  R_SEQ,
  R_SIZE,
  type InteractionTable,
} from './interaction-table.ts';
import { nextWaitDue } from './exceptions.ts';

export class Deadlines {
  readonly ixTimerPos = new PositionIndex();
  /** Each live interaction's next due time, keyed (time, seq). */
  readonly ixTimers = new KeyedHeap(this.ixTimerPos);
  readonly offerTimerPos = new PositionIndex();
  readonly offerTimers: IndexedHeap;
  readonly agentTimerPos = new PositionIndex();
  readonly agentTimers: IndexedHeap;

  constructor(
    private readonly ixs: InteractionTable,
    private readonly agents: AgentTable,
  ) {
    this.offerTimers = new IndexedHeap(this.offerTimerPos, (a, b) => {
      const rec = this.ixs.rec;
      const ta = rec[a * R_SIZE + R_OFFER_AT];
      const tb = rec[b * R_SIZE + R_OFFER_AT];
      return ta !== tb ? ta < tb : rec[a * R_SIZE + R_SEQ] < rec[b * R_SIZE + R_SEQ];
    });
    this.agentTimers = new IndexedHeap(this.agentTimerPos, (a, b) => {
      const ta = this.agents.timerAt[a];
      const tb = this.agents.timerAt[b];
      return ta !== tb ? ta < tb : a < b;
    });
  }

  /** The earliest time a timer falls due, or +∞. */
  next(): number {
    return Math.min(this.ixHead(), this.offerHead(), this.agentHead());
  }

  ixHead(): number {
    return this.ixTimers.size === 0 ? Number.POSITIVE_INFINITY : this.ixTimers.topA();
  }

  offerHead(): number {
    const h = this.offerTimers.peek();
    return h < 0 ? Number.POSITIVE_INFINITY : this.ixs.rec[h * R_SIZE + R_OFFER_AT];
  }

  agentHead(): number {
    const h = this.agentTimers.peek();
    return h < 0 ? Number.POSITIVE_INFINITY : this.agents.timerAt[h];
  }

  /** Files the interaction's next due time (window, relaxation, bands, max wait), or none. */
  arm(ix: Interaction): void {
    const rec = this.ixs.rec;
    const r = ix.slot * R_SIZE;
    let t = Number.POSITIVE_INFINITY;
    if (ix.status === 'queued' || ix.status === 'offered') {
      if (rec[r + R_PREF_UNTIL] < t) t = rec[r + R_PREF_UNTIL];
      if (ix.relaxation !== null && ix.relaxStep < ix.relaxation.length) {
        const due = rec[r + R_ARRIVAL] + ix.relaxation[ix.relaxStep].afterMs;
        if (due < t) t = due;
      }
      const band = rec[r + R_BAND];
      if (band === BAND_NORMAL && rec[r + R_LATE] < t) t = rec[r + R_LATE];
      if (band !== BAND_ESCALATED && rec[r + R_ESCALATE] < t) t = rec[r + R_ESCALATE];
      if (ix.status === 'queued' && rec[r + R_MAX_WAIT] < t) t = rec[r + R_MAX_WAIT];
      const held = heldUntil(ix);
      if (held !== 0 && held < t) t = held;
      if (ix.status === 'queued' && ix.queue.exceptions.length > 0) {
        const due = nextWaitDue(ix.queue, firedRules(ix), rec[r + R_ENTERED]);
        if (due < t) t = due;
      }
    }
    if (t === Number.POSITIVE_INFINITY) {
      this.ixTimers.remove(ix.slot);
      return;
    }
    this.ixTimers.set(ix.slot, t, rec[r + R_SEQ], 0);
  }

  /** Files an open offer's expiry (already written to R_OFFER_AT). */
  armOffer(slot: number): void {
    this.offerTimers.push(slot);
  }

  /** Files or moves the interaction's offer timer (multi-offer: its earliest open offer). */
  rearmOffer(slot: number): void {
    if (this.offerTimers.has(slot)) this.offerTimers.update(slot);
    else this.offerTimers.push(slot);
  }

  /** Files or moves the agent's wrap-up end. */
  armWrapUp(slot: number, until: number): void {
    this.agents.timerAt[slot] = until;
    if (this.agentTimers.has(slot)) this.agentTimers.update(slot);
    else this.agentTimers.push(slot);
  }

  /** Drops every timer of a finished or assigned interaction. */
  dropInteraction(slot: number): void {
    this.ixTimers.remove(slot);
    this.offerTimers.remove(slot);
  }
}
