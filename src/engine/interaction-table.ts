/**
 * The interaction table: every live interaction by id and by slot, and one record of numbers per
 * slot (its ordering key, sequence, band, times and timers) in a single Float64Array, so an
 * interaction's hot numbers sit in one or two cache lines and never box on the object. Slots are
 * reused; a finished interaction's slot goes back to the free list.
 *
 * The table also counts what belongs to the interactions as a whole: the arrival sequence, the
 * offer sequence (offer numbers carry a slot, see OFFER_SLOT_SPAN), open offers and queued ones.
 */
import type { Interaction } from './entities.ts';
import { MAX_INTERACTIONS } from './options.ts';

// Fields of an interaction's per-slot record (hot ones first). NaN: not set.
/** Ordering key within its band (docs/routing.md §2); smaller is better. */
export const R_KEY = 0;
/** Arrival sequence: the FIFO tie-break. */
export const R_SEQ = 1;
/** BAND_ESCALATED, BAND_NORMAL or BAND_LATE. */
export const R_BAND = 2;
/** 1 once any agent declined it (the slow path of a head). */
export const R_DECLINED = 3;
export const R_ARRIVAL = 4;
/** When it entered its current queue. */
export const R_ENTERED = 5;
export const R_DEADLINE = 6;
/** The open offer's expiry. */
export const R_OFFER_AT = 7;
/** When it moves to the late band (service-objective ordering only). */
export const R_LATE = 8;
export const R_ESCALATE = 9;
export const R_MAX_WAIT = 10;
export const R_PREF_UNTIL = 11;
export const R_ASSIGNED = 12;
/** The platform's explicit SLA deadline, or NaN. */
export const R_EXPLICIT = 13;
export const R_SIZE = 14;

/** Interaction slots fit below this; offer numbers are `sequence × OFFER_SLOT_SPAN + slot`. */
export const OFFER_SLOT_SPAN = MAX_INTERACTIONS;

export class InteractionTable {
  readonly byId = new Map<string, Interaction>();
  bySlot: (Interaction | undefined)[] = [];
  readonly freeSlots: number[] = [];
  /** R_SIZE numbers per slot. Reallocated as the table grows: read it into a local per call. */
  rec = new Float64Array(1024 * R_SIZE);
  /** The last arrival sequence handed out. */
  seq = 0;
  /** The last offer sequence handed out. */
  offerSeq = 0;
  /** Interactions in a signature heap (queued, outside a preference window). */
  queuedCount = 0;
  /** Offers open and awaiting an answer (auto-accepted ones never count). */
  openOffers = 0;

  /** A free slot with room in `rec`. */
  allocate(): number {
    const slot = this.freeSlots.pop() ?? this.bySlot.length;
    this.ensureSlot(slot);
    return slot;
  }

  /** Forgets a finished interaction; its slot is reused. */
  release(ix: Interaction): void {
    this.byId.delete(ix.id);
    this.bySlot[ix.slot] = undefined;
    this.freeSlots.push(ix.slot);
  }

  /** Is `ix` still the interaction in its slot (not finished, its slot not reused)? */
  alive(ix: Interaction): boolean {
    return this.bySlot[ix.slot] === ix;
  }

  private ensureSlot(slot: number): void {
    if ((slot + 1) * R_SIZE <= this.rec.length) return;
    const slots = Math.max(slot + 1, Math.ceil((this.rec.length / R_SIZE) * 1.5));
    const next = new Float64Array(slots * R_SIZE);
    next.set(this.rec);
    this.rec = next;
  }
}
