/**
 * The ordering policies: the one place where the `ordering` option is read. Every waiting
 * interaction carries a time-invariant key within its band (docs/routing.md §2), so heaps stay
 * valid as time passes; only the service-objective rule compares heads of different queues by
 * clock arithmetic, and only on heads (§7).
 *
 * The policy is an integer and a switch, not a class per policy, so every call site stays
 * monomorphic.
 */
import { BAND_ESCALATED, type Interaction, type Queue, type Signature } from './entities.ts';
import { R_ARRIVAL, R_BAND, R_DEADLINE, R_KEY, R_SEQ, R_SIZE, type InteractionTable } from './interaction-table.ts';
import { MAX_PRIORITY, type EngineOptions, type OrderingPolicy } from './options.ts';

export const ORDER_FIFO = 0;
export const ORDER_PRIORITY_AGE = 1;
export const ORDER_DEADLINE = 2;
export const ORDER_SERVICE_OBJECTIVE = 3;

const POLICY_NUMBER: Readonly<Record<OrderingPolicy, number>> = {
  fifo: ORDER_FIFO,
  'priority-age': ORDER_PRIORITY_AGE,
  deadline: ORDER_DEADLINE,
  'service-objective': ORDER_SERVICE_OBJECTIVE,
};

/** priority-age: one priority point outranks any difference in arrival below this (≈ 139 years in ms). */
const PRIORITY_SPAN = 2 ** 42;

export class Ordering {
  readonly policy: number;
  private readonly valueTierBoostMs: readonly number[];
  private readonly priorityBoostMs: number;

  constructor(
    options: EngineOptions,
    private readonly ixs: InteractionTable,
  ) {
    this.policy = POLICY_NUMBER[options.ordering];
    this.valueTierBoostMs = options.valueTierBoostMs;
    this.priorityBoostMs = options.priorityBoostMs;
  }

  /** Does this policy have a late band (work past its deadline ranks after work that is not)? */
  get hasLateBand(): boolean {
    return this.policy === ORDER_SERVICE_OBJECTIVE;
  }

  /** Head start in ms for the customer's value tier and the interaction's priority. */
  boost(ix: Interaction): number {
    const t = this.valueTierBoostMs;
    const tier = t.length === 0 ? 0 : t[Math.min(ix.valueTier, t.length - 1)];
    return tier + ix.priority * this.priorityBoostMs;
  }

  /** The time-invariant key (docs/routing.md §2); smaller is better within a band. */
  key(ix: Interaction, band: number): number {
    const rec = this.ixs.rec;
    const r = ix.slot * R_SIZE;
    if (band === BAND_ESCALATED) return rec[r + R_ARRIVAL];
    switch (this.policy) {
      case ORDER_FIFO:
        return rec[r + R_ARRIVAL];
      case ORDER_PRIORITY_AGE:
        return (MAX_PRIORITY - ix.priority) * PRIORITY_SPAN + rec[r + R_ARRIVAL];
      case ORDER_DEADLINE:
        return rec[r + R_DEADLINE] - this.boost(ix);
      default:
        return rec[r + R_ARRIVAL] - this.boost(ix);
    }
  }

  /**
   * Is (band ba, key ka, seq sa) of queue qa better than (bb, kb, sb) of qb at `now`? Bands first;
   * then, for the service-objective rule across queues, the larger w_q·(now − key); otherwise the
   * smaller key; then the arrival sequence.
   */
  better(ba: number, ka: number, sa: number, qa: Queue, bb: number, kb: number, sb: number, qb: Queue, now: number): boolean {
    if (ba !== bb) return ba < bb;
    if (this.policy === ORDER_SERVICE_OBJECTIVE && ba !== BAND_ESCALATED && qa !== qb) {
      const xa = qa.w * (now - ka);
      const xb = qb.w * (now - kb);
      if (xa !== xb) return xa > xb;
    } else if (ka !== kb) return ka < kb;
    return sa < sb;
  }

  /** Is the interaction in slot `a` (of σa) better than the one in slot `b` (of σb) at `now`? */
  headBetter(a: number, sa: Signature, b: number, sb: Signature, now: number): boolean {
    const rec = this.ixs.rec;
    const ra = a * R_SIZE;
    const rb = b * R_SIZE;
    return this.better(rec[ra + R_BAND], rec[ra + R_KEY], rec[ra + R_SEQ], sa.queue, rec[rb + R_BAND], rec[rb + R_KEY], rec[rb + R_SEQ], sb.queue, now);
  }

  /** Within one signature (one queue): band, key, sequence. Orders preference lists. */
  readonly sigLess = (a: number, b: number): boolean => {
    const rec = this.ixs.rec;
    const ra = a * R_SIZE;
    const rb = b * R_SIZE;
    const ba = rec[ra + R_BAND];
    const bb = rec[rb + R_BAND];
    if (ba !== bb) return ba < bb;
    const ka = rec[ra + R_KEY];
    const kb = rec[rb + R_KEY];
    if (ka !== kb) return ka < kb;
    return rec[ra + R_SEQ] < rec[rb + R_SEQ];
  };
}
