/**
 * Internal engine state records. Mutable, owned by the Engine; never handed out (queries return
 * plain copies).
 */
import type { IndexedHeap } from '../queues/indexed-heap.ts';
import type { KeyedHeap } from '../queues/keyed-heap.ts';
import type { ListHead } from '../queues/linked-list.ts';
import type { Requirements } from './requirements.ts';
import type { Clause } from './selectors.ts';
import type {
  AgentStateName,
  ExceptionRule,
  InteractionStatus,
  LabelValue,
  OverloadRecovery,
  OverloadThresholds,
  QueueHours,
  RelaxationStep,
  RepeatContact,
  ServiceObjective,
} from './types.ts';

/** Ordering bands: escalated work outranks everything, late work (missed deadline) ranks last. */
export const BAND_ESCALATED = 0;
export const BAND_NORMAL = 1;
export const BAND_LATE = 2;

export interface QueueCounters {
  arrived: number;
  answered: number;
  answeredWithinThreshold: number;
  abandoned: number;
  cancelled: number;
  expired: number;
  overflowed: number;
  transferredOut: number;
  completed: number;
  offersRejected: number;
  offersTimedOut: number;
  handleMsTotal: number;
  handled: number;
}

export interface Queue {
  readonly idx: number;
  readonly id: string;
  objective: ServiceObjective;
  weight: number;
  /** weight / threshold: the slope of the head-of-line score. */
  w: number;
  defaultPriority: number;
  offerTimeoutMs: number;
  wrapUpMs: number;
  wrapUpMode: 'timed' | 'manual';
  maxWaitMs: number | null;
  overflowQueue: string | null;
  escalateAfterMs: number | null;
  noAnswerAway: boolean;
  preferredWindowMs: number;
  /** Only agents whose profile lists this queue may take its work. */
  membersOnly: boolean;
  /** How many agents one interaction is offered to at once (1: one at a time). */
  offerFanout: number;
  /** Trunk reservation: how many of its members it keeps idle for its own work (0: none). */
  reservedIdle: number;
  /** Exception rules, in order (exceptions.ts). */
  exceptions: readonly ExceptionRule[];
  /** Its idle members while it reserves (reservation.ts); derived, not in snapshots. */
  readonly idleMembers: Set<Agent>;
  /** When it goes into overload, and when that ends (overload.ts); null: never. */
  reserveWhen: OverloadThresholds | null;
  reserveUntil: OverloadRecovery | null;
  /** Deferrable work: offered only while none of these queues is in overload (null: never deferred). */
  deferrable: { readonly whileHealthy: readonly string[] } | null;
  /** Hours of operation (null: always open), and whether it is open until `hoursUntil` (derived, hours.ts). */
  hours: QueueHours | null;
  /** Priority boost of a customer's repeat contact (null: none). */
  repeatContact: RepeatContact | null;
  /** How many of the customer's recent interactions its offers show (null: the server's default). */
  offerJourney: number | null;
  hoursOpen: boolean;
  hoursFrom: number;
  hoursUntil: number;
  /** In overload now (its reserve agents take its work). */
  overloaded: boolean;
  /** Deferrable and one of its `whileHealthy` queues is in overload: its work is not offered (derived). */
  deferred: boolean;
  /** Logged-in regular (not reserve) members, for the overload's wait estimate (derived, overload.ts). */
  staffed: number;
  /** Queued and offered interactions, in order of entering this queue. */
  readonly waiting: ListHead;
  offered: number;
  readonly counters: QueueCounters;
}

export interface ProfileChannel {
  readonly profile: Profile;
  readonly ch: number;
  readonly cost: number;
  readonly max: number;
  readonly autoAccept: boolean;
  readonly interruptible: boolean;
  /** How many inactive conversations of this channel an agent may hold (conversations.ts; 0: none). */
  readonly inactiveMax: number;
  /** Available agents of the profile that can take one more interaction of this channel now. */
  readonly heap: IndexedHeap;
  /** E(p, c): signatures of this channel the profile satisfies. */
  readonly sigs: Signature[];
  /** Per entry of `sigs`: the profile's priority level in that signature's queue (1 first). */
  readonly levels: number[];
  /** Per entry of `sigs`: the wait in the queue after which its work competes at `bestLevel` (0: never). */
  readonly delays: number[];
}

/** An agent's level and delay in one queue (its routing profile's entry). */
export interface Membership {
  readonly level: number;
  readonly delayMs: number;
  /** A reserve agent of the queue: takes its work only while the queue is in overload. */
  readonly reserve: boolean;
}

export interface Profile {
  readonly id: number;
  readonly key: string;
  /** Agents of this profile (idle, and collectable, at 0). */
  members: number;
  readonly levels: ReadonlyMap<string, number>;
  readonly labels: ReadonlyMap<string, LabelValue>;
  /** Queue id → membership; empty: every queue that is not members-only, at level 1. */
  readonly queues: ReadonlyMap<string, Membership>;
  /** The smallest level among `queues` (1 when it is empty). */
  readonly bestLevel: number;
  /** Its memberships have more than one level: a freed agent ranks heads by level first. */
  readonly levelled: boolean;
  readonly total: number;
  readonly chans: ProfileChannel[];
  /** Indexed by channel index. */
  readonly byCh: (ProfileChannel | undefined)[];
  /** Members not offline (staffed), for wait estimates. */
  staffed: number;
  /** The queues it is a member of that reserve idle members (null: not worked out yet; reservation.ts). */
  reserving: Queue[] | null;
  /** Ids of the queues it is a reserve agent of; null: none. */
  readonly reserveOf: ReadonlySet<string> | null;
  /** The queues with an overload rule whose wait estimate counts its agents (null: not worked out yet; overload.ts). */
  tracked: Queue[] | null;
}

export interface Signature {
  readonly id: number;
  readonly key: string;
  /** Live interactions whose signature (or alternative's) this is (idle, and collectable, at 0). */
  refs: number;
  readonly queue: Queue;
  readonly ch: number;
  /** The alternative number it is made for (0: the first or only requirement). */
  readonly alt: number;
  readonly skills: readonly (readonly [string, number])[];
  /** Label selectors, canonical (selectors.ts). */
  readonly selectors: readonly Clause[];
  /** Waiting interactions keyed (band, key, seq). */
  readonly heap: KeyedHeap;
  /** C(σ): the eligible profiles' channel entries; sorted by proficiency for best-skill. */
  readonly pcs: ProfileChannel[];
  /** Summed proficiency of pcs[i]'s profile in this signature's skills. */
  readonly proficiency: number[];
  readonly profileIds: Set<number>;
  /** How many of `pcs` have a non-empty available-agent heap. */
  avail: number;
  /**
   * The heap's head and its ordering key, cached so a freed agent compares heads without
   * touching the interactions themselves (docs/routing.md §7: clock arithmetic only on heads).
   * hSlot is -1 when empty; hRejected: the head was declined by someone, or is
   * offered to someone already (multi-offer): the slow path.
   */
  hSlot: number;
  hBand: number;
  hKey: number;
  hSeq: number;
  hRejected: boolean;
}

export interface Offer {
  readonly id: string;
  /** The number in `id` (`o<number>`), increasing. */
  readonly number: number;
  readonly ix: Interaction;
  agent: Agent;
  pc: ProfileChannel;
  readonly expiresAt: number | null;
  /** For explanations: when, the agent's selection key then, and whether a preference routed it. */
  readonly offeredAt: number;
  agentKey: number;
  readonly preferred: boolean;
}

export interface Agent {
  readonly slot: number;
  readonly id: string;
  profile: Profile;
  state: AgentStateName;
  reason: string | undefined;
  /** Interactions per channel index (offers + assignments). */
  readonly load: Int32Array;
  units: number;
  nonInterruptibleUnits: number;
  readonly offers: Offer[];
  /** Assigned interactions (a handful at most: a plain array beats a Set here). */
  readonly assigned: Interaction[];
  wrapping: Interaction[];
  wrapUntil: number;
  idleSince: number;
  /** When it entered its state (for supervisors: time in state). */
  stateSince: number;
  /** When it was last offered work (0: never): the round-robin ring's order. */
  lastOfferAt: number;
  /** Bit i set: the agent is in profile.chans[i].heap. */
  inHeaps: number;
  /** Interactions in their preference window that name this agent, best first. */
  preferred: Interaction[] | null;
  /** Available with no offer and no assignment, while some queue reserves idle members (reservation.ts). */
  idle: boolean;
  /**
   * Its conversations asked to be active again while it had no room, oldest arrival first
   * (conversations.ts); null: none. While there are any it is offered no new work.
   */
  waitingForRoom: Interaction[] | null;
}

/** An interaction; its times live in the engine's per-slot arrays (arrival, deadline, timers). */
export interface Interaction {
  readonly slot: number;
  readonly id: string;
  readonly seq: number;
  /** Its channel (ConvertToCallback may change it). */
  channel: string;
  ch: number;
  queue: Queue;
  /**
   * What it requires as written (after relaxation steps and transfers), kept only when it has
   * alternatives or relaxation steps; null: what its signature says (requirementsOf in engine.ts).
   */
  req: Requirements | null;
  /** The signature of its first (or only) requirement. */
  sig: Signature;
  /** The signatures of its other alternatives, in order; null when it has none. */
  alts: Signature[] | null;
  status: InteractionStatus;
  priority: number;
  readonly valueTier: number;
  readonly customerId: string | undefined;
  context: unknown;
  /**
   * The open offer while offered; the accepted one while assigned or in wrap-up (its channel
   * entry is what the assignment holds, its id what the agent is told on resume); else null.
   */
  offer: Offer | null;
  /** Multi-offer: its other open offers, in the order they were made (null: none). */
  open: Offer[] | null;
  agent: Agent | null;
  rejectedBy: Set<Agent> | null;
  preferred: Agent[] | null;
  /** `preferred` holds its required agents (no requirements, no offline filter) rather than a preference. */
  required: boolean;
  relaxation: readonly RelaxationStep[] | null;
  relaxStep: number;
  /** What few interactions need (a transfer id, a hold, fired exception rules); null until then. */
  more: InteractionMore | null;
}

/** An interaction's rarely used state, made on first use (interaction-table.ts: moreOf). */
export interface InteractionMore {
  /** The id of the last transfer applied to it: a retried transfer with that id changes nothing. */
  transferId: string | null;
  /** Scheduled work: held out of routing until then (epoch ms); 0: not held. */
  heldUntil: number;
  /** Bit i: its queue's exception rule i fired since it entered the queue. */
  fired: number;
  /** While assigned: active (0), inactive (1) or inactive waiting for its agent's room (2) (conversations.ts). */
  activity: number;
}
