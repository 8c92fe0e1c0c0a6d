/**
 * The closed-offer ring: who held each of the last `closedOfferMaxEntries` closed offers and how
 * it ended, so a late answer is told OFFER_CLOSED or OFFER_NOT_YOURS instead of UNKNOWN_OFFER.
 * Offer ids are `o<number>` with an increasing sequence in the number's high part, so the ring is
 * indexed by sequence modulo its size and needs no Map.
 */
import { OFFER_SLOT_SPAN } from './interaction-table.ts';

export const OFFER_OUTCOMES = ['accepted', 'rejected', 'timed_out', 'rescinded'] as const;
export type OfferOutcome = (typeof OFFER_OUTCOMES)[number];

export class ClosedOffers {
  readonly agent: (string | undefined)[];
  readonly outcome: Uint8Array;
  readonly number: Float64Array;

  constructor(entries: number) {
    const ring = Math.max(1, entries);
    this.agent = new Array(ring);
    this.outcome = new Uint8Array(ring);
    this.number = new Float64Array(ring).fill(-1);
  }

  record(offerNumber: number, agentId: string, outcome: OfferOutcome): void {
    const i = Math.floor(offerNumber / OFFER_SLOT_SPAN) % this.agent.length;
    this.agent[i] = agentId;
    this.outcome[i] = OFFER_OUTCOMES.indexOf(outcome);
    this.number[i] = offerNumber;
  }

  /** Who held the offer and how it ended, while it is still in the ring. */
  lookup(offerId: string): { agentId: string; outcome: OfferOutcome } | undefined {
    const n = offerNumber(offerId);
    if (n < 0) return undefined;
    const i = Math.floor(n / OFFER_SLOT_SPAN) % this.agent.length;
    if (this.number[i] !== n) return undefined;
    return { agentId: this.agent[i]!, outcome: OFFER_OUTCOMES[this.outcome[i]] };
  }
}

/** The number of an offer id `o<number>`, or -1 when it is not one. */
export function offerNumber(offerId: string): number {
  if (offerId.length < 2 || offerId.charCodeAt(0) !== 111 /* o */) return -1;
  let n = 0;
  for (let i = 1; i < offerId.length; i++) {
    const c = offerId.charCodeAt(i) - 48;
    if (c < 0 || c > 9 || (i === 1 && c === 0)) return -1;
    n = n * 10 + c;
    if (n > Number.MAX_SAFE_INTEGER) return -1;
  }
  return n;
}
