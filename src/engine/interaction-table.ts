/**
 * The interaction table: every live interaction by id and by slot, and one record of numbers per
 * slot (its ordering key, sequence, band, times and timers) in a single Float64Array, so an
 * interaction's hot numbers sit in one or two cache lines and never box on the object. Slots are
 * reused; a finished interaction's slot goes back to the free list.
 *
 * The table also counts what belongs to the interactions as a whole: the arrival sequence, the
 * offer sequence (offer numbers carry a slot, see OFFER_SLOT_SPAN), open offers and queued ones.
 */
import { BAND_NORMAL, type Interaction, type InteractionMore, type Queue, type Signature } from './entities.ts';
import { requirementsOfSignature, type Requirements } from './requirements.ts';
import type { InteractionSpec } from './types.ts';
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

  /**
   * A new interaction of `spec` in queue `q` at `now`: its record filled in (arrival, deadline,
   * sequence; no timers yet) and filed by id and slot. Its signatures' use counts and its entry
   * into the queue are the caller's (waiting.ts).
   */
  create(spec: InteractionSpec, q: Queue, ch: number, req: Requirements | null, sig: Signature, now: number): Interaction {
    const slot = this.allocate();
    const explicitDeadline = spec.slaDeadline ?? null;
    const ix: Interaction = {
      slot,
      id: spec.id,
      seq: ++this.seq,
      channel: spec.channel,
      ch,
      queue: q,
      req,
      sig,
      alts: null,
      status: 'queued',
      priority: spec.priority ?? q.defaultPriority,
      valueTier: spec.valueTier ?? 0,
      customerId: spec.customerId,
      context: spec.context,
      offer: null,
      open: null,
      agent: null,
      rejectedBy: null,
      preferred: null,
      required: false,
      relaxation: spec.relaxation && spec.relaxation.length > 0 ? spec.relaxation : null,
      relaxStep: 0,
      more: null,
    };
    const rec = this.rec;
    const r = slot * R_SIZE;
    rec[r + R_ARRIVAL] = now;
    rec[r + R_BAND] = BAND_NORMAL;
    rec[r + R_ENTERED] = now;
    rec[r + R_EXPLICIT] = explicitDeadline ?? Number.NaN;
    rec[r + R_DEADLINE] = explicitDeadline ?? now + q.objective.thresholdMs;
    rec[r + R_ASSIGNED] = 0;
    rec[r + R_PREF_UNTIL] = Number.NaN;
    rec[r + R_LATE] = Number.NaN;
    rec[r + R_ESCALATE] = Number.NaN;
    rec[r + R_MAX_WAIT] = Number.NaN;
    rec[r + R_DECLINED] = 0;
    rec[r + R_SEQ] = ix.seq;
    this.bySlot[slot] = ix;
    this.byId.set(ix.id, ix);
    return ix;
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

/** The interaction's rarely used state, made now if it has none. */
export function moreOf(ix: Interaction): InteractionMore {
  return (ix.more ??= { transferId: null, heldUntil: 0, fired: 0, activity: 0 });
}

/** Scheduled work: held until then (0: not held). */
export function heldUntil(ix: Interaction): number {
  return ix.more === null ? 0 : ix.more.heldUntil;
}

/** Its queue's exception rules that fired since it entered the queue, bit per rule. */
export function firedRules(ix: Interaction): number {
  return ix.more === null ? 0 : ix.more.fired;
}

/** What the interaction requires, as written or as its signature says. */
export function requirementsOfIx(ix: Interaction): Requirements {
  return ix.req ?? requirementsOfSignature(ix.sig.skills, ix.sig.selectors);
}
