/**
 * The engine's state as plain data: what a snapshot stores. It is a faithful copy of every
 * record, index and heap (heaps in their exact array order, slots and free lists as they are),
 * so an engine restored from it answers every later command exactly as the original would, event
 * for event. References between records are slot numbers, ids or indexes. Typed arrays stay
 * typed arrays; the store encodes them.
 */
import type { BoundedMapDump } from '../queues/bounded-map.ts';
import type { KeyedHeapDump } from '../queues/keyed-heap.ts';
import type { EngineOptions } from './options.ts';
import type { Clause } from './selectors.ts';
import type { WebhookRecord } from './webhooks.ts';
import type {
  AgentStateName,
  ExceptionRule,
  InteractionStatus,
  LabelValue,
  Labels,
  OverloadRecovery,
  OverloadThresholds,
  QueueHours,
  RelaxationStep,
  RepeatContact,
  Requirement,
  Selector,
  ServiceObjective,
} from './types.ts';

/**
 * Bumped whenever the layout below changes. A restore reads this format and the ones before it
 * that are listed in READABLE_SNAPSHOT_FORMATS (format 1: no queue memberships, label selectors
 * as exact-match `labels` pairs; format 2: no multi-offer, trunk reservation, scheduled work or
 * exception rules; format 3: no overload rules, reserve agents, deferrable work or hours;
 * format 4: no inactive conversations; format 5: no webhooks, repeat contacts; each read with their defaults), and refuses any other: a
 * build that would drop what a newer snapshot holds (other open offers, holds, rules, inactive
 * conversations) refuses it instead.
 */
export const SNAPSHOT_FORMAT = 6;
export const READABLE_SNAPSHOT_FORMATS: readonly number[] = [1, 2, 3, 4, 5, 6];

export interface QueueSnapshot {
  readonly id: string;
  /** Format 2: its index (format 1: its position; queues could not be removed). */
  readonly idx?: number;
  readonly objective: ServiceObjective;
  readonly weight: number;
  readonly w: number;
  readonly defaultPriority: number;
  readonly offerTimeoutMs: number;
  readonly wrapUpMs: number;
  readonly maxWaitMs: number | null;
  readonly overflowQueue: string | null;
  readonly escalateAfterMs: number | null;
  readonly noAnswerAway: boolean;
  readonly preferredWindowMs: number;
  /** Absent in format 1 (false). */
  readonly membersOnly?: boolean;
  /** Absent in format 1 (timed). */
  readonly wrapUpMode?: 'timed' | 'manual';
  /** Absent before multi-offer (1). */
  readonly offerFanout?: number;
  /** Absent before trunk reservation (0). */
  readonly reservedIdle?: number;
  /** Absent before exception rules (none). */
  readonly exceptions?: readonly ExceptionRule[];
  /** Absent before overload rules (none, never deferred, not in overload). */
  readonly reserveWhen?: OverloadThresholds | null;
  readonly reserveUntil?: OverloadRecovery | null;
  readonly deferrable?: { readonly whileHealthy: readonly string[] } | null;
  readonly overloaded?: boolean;
  readonly hours?: QueueHours | null;
  /** Absent before format 6 (none). */
  readonly repeatContact?: RepeatContact | null;
  readonly offerJourney?: number | null;
  readonly waiting: { readonly head: number; readonly tail: number; readonly size: number };
  readonly offered: number;
  readonly counters: Readonly<Record<string, number>>;
}

export interface ProfileSnapshot {
  readonly key: string;
  readonly levels: [string, number][];
  readonly labels: [string, LabelValue][];
  /** [queue id, level, delayMs, reserve?] of each membership; absent in format 1 (none). */
  readonly queues?: [string, number, number, boolean?][];
  readonly total: number;
  readonly staffed: number;
  /** Per channel: [channel index, cost, max, autoAccept, interruptible, heap handles, signature ids, inactiveMax (format 5)]. */
  readonly chans: [number, number, number, boolean, boolean, Int32Array, number[], number?][];
}

export interface SignatureSnapshot {
  readonly key: string;
  readonly queue: number;
  readonly ch: number;
  /** The alternative number it is made for; absent in format 1 (0). */
  readonly alt?: number;
  readonly skills: [string, number][];
  /** Format 2 and later. */
  readonly selectors?: Clause[];
  /** Format 1: exact-match label pairs. */
  readonly labels?: [string, string][];
  readonly heap: KeyedHeapDump;
  /** [profile id, channel index] of each entry of C(σ), in order. */
  readonly pcs: [number, number][];
  readonly proficiency: number[];
  readonly profileIds: number[];
  readonly avail: number;
  readonly head: [number, number, number, number, boolean];
}

/** [slot, id, profile, state, reason, load, units, nonInterruptibleUnits, offers, assigned, wrapping, wrapUntil, idleSince, inHeaps, preferred, lastOfferAt, stateSince] */
export type AgentSnapshot = [
  number,
  string,
  number,
  AgentStateName,
  string | undefined,
  number[],
  number,
  number,
  number[],
  number[],
  number[],
  number,
  number,
  number,
  number[] | null,
  /** Format 2: last offered at (round-robin). */
  number?,
  /** Format 6: when it entered its state (absent: unknown, 0). */
  number?,
];

/** [number, agent slot, profile id, channel index, expiresAt, offeredAt, agentKey, preferred] */
export type OfferSnapshot = [number, number, number, number, number | null, number, number, boolean];

/**
 * [slot, id, seq, channel, ch, queue, skills, rest of the requirements, signature, status,
 * priority, valueTier, customerId, context, offer, agent, rejectedBy, preferred, relaxation,
 * relaxStep, transferId, other alternatives' signatures, required, other open offers, held until,
 * exception rules fired, activity]: the requirements' skills,
 * then their labels, selectors and alternatives (in format 1 an exact-match labels record).
 */
export type InteractionSnapshot = [
  number,
  string,
  number,
  string,
  number,
  number,
  Record<string, number>,
  /** Null: kept by the signature (format 2). */
  RequirementsRest | Record<string, string> | null,
  number,
  InteractionStatus,
  number,
  number,
  string | undefined,
  unknown,
  OfferSnapshot | null,
  number | null,
  number[] | null,
  number[] | null,
  readonly RelaxationStep[] | null,
  number,
  /** The last transfer's id (absent in snapshots written before transfers carried one). */
  (string | null)?,
  /** Format 2: the signatures of its alternatives after the first. */
  (number[] | null)?,
  /** Format 2: its preferred agents are required ones. */
  boolean?,
  /** Multi-offer: its other open offers (absent: none). */
  (OfferSnapshot[] | null)?,
  /** Scheduled work: held until then (absent or 0: not held). */
  number?,
  /** The exception rules that fired for it in its queue, bit per rule (absent: none). */
  number?,
  /** Format 5: assigned and inactive (1) or waiting for its agent's room (2); absent or 0: active. */
  number?,
];

/** An interaction's requirements besides their skills (format 2). */
export interface RequirementsRest {
  readonly labels: Labels | undefined;
  readonly selectors: readonly Selector[] | undefined;
  readonly alternatives: readonly Requirement[] | null;
}

export interface EngineSnapshot {
  readonly format: number;
  readonly options: EngineOptions;
  readonly now: number;
  readonly seq: number;
  readonly offerSeq: number;
  /** Events emitted so far (Engine.eventSeq); absent before events were numbered (0). */
  readonly eventSeq?: number;
  /** Each customer's last contact (repeat contacts); absent before format 6 (none). */
  readonly lastContact?: BoundedMapDump;
  /** Webhook subscriptions and their cursors; absent before format 6 (none). */
  readonly webhooks?: readonly WebhookRecord[];
  readonly queuedCount: number;
  readonly openOffers: number;
  readonly skills: string[];
  readonly channels: string[];
  readonly queues: QueueSnapshot[];
  /** By id; null where one was collected. */
  readonly profiles: (ProfileSnapshot | null)[];
  readonly signatures: (SignatureSnapshot | null)[];
  /** Format 2: the index the next queue gets (format 1: the number of queues). */
  readonly nextQueueIdx?: number;
  /** Format 2: the idle lists, oldest first, and the free ids (format 1: none collected yet). */
  readonly idleProfiles?: number[];
  readonly idleSignatures?: number[];
  readonly freeProfileIds?: number[];
  readonly freeSignatureIds?: number[];
  readonly agents: AgentSnapshot[];
  readonly agentSlots: number;
  readonly freeAgentSlots: number[];
  readonly agentKey: Float64Array;
  readonly agentTimerAt: Float64Array;
  readonly interactions: InteractionSnapshot[];
  readonly ixSlots: number;
  readonly freeIxSlots: number[];
  readonly rec: Float64Array;
  /** Who held each closed offer of the ring, joined by U+0000 (empty: none). */
  readonly closedAgent: string;
  readonly closedOutcome: Uint8Array;
  readonly closedNumber: Float64Array;
  readonly finished: BoundedMapDump;
  readonly lastAgent: BoundedMapDump;
  /** One per alternative number; format 1 had one. */
  readonly sigPos: Int32Array[] | Int32Array;
  readonly agentPos: Int32Array[];
  readonly lists: { prev: Int32Array; next: Int32Array; member: Int32Array };
  readonly ixTimers: KeyedHeapDump;
  readonly ixTimerPos: Int32Array;
  readonly offerTimers: Int32Array;
  readonly offerTimerPos: Int32Array;
  readonly agentTimers: Int32Array;
  readonly agentTimerPos: Int32Array;
}

/** A snapshot this build cannot restore (another format, or other routing policies). */
export class SnapshotMismatchError extends Error {
  override readonly name = 'SnapshotMismatchError';
}
