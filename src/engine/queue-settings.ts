/**
 * A queue's settings: a QueueSpec resolved against the queue's current settings (an upsert
 * changes only the fields it names) or, for a new queue, the defaults (options.ts).
 */
import { newListHead } from '../queues/linked-list.ts';
import type { Queue } from './entities.ts';
import { QUEUE_DEFAULTS } from './options.ts';
import type { QueueSpec } from './types.ts';

type Settings = Omit<
  Queue,
  'idx' | 'id' | 'waiting' | 'offered' | 'counters' | 'idleMembers' | 'overloaded' | 'deferred' | 'staffed' | 'hoursOpen' | 'hoursFrom' | 'hoursUntil'
>;

/** The settings `spec` gives, on top of `q`'s (or the defaults when `q` is undefined). */
export function queueSettings(spec: QueueSpec, q: Queue | undefined): Settings {
  const objective = spec.serviceObjective ?? q?.objective ?? QUEUE_DEFAULTS.serviceObjective;
  const weight = spec.weight ?? q?.weight ?? QUEUE_DEFAULTS.weight;
  return {
    objective: { percent: objective.percent, thresholdMs: objective.thresholdMs },
    weight,
    w: weight / objective.thresholdMs,
    defaultPriority: spec.defaultPriority ?? q?.defaultPriority ?? QUEUE_DEFAULTS.defaultPriority,
    offerTimeoutMs: spec.offerTimeoutMs ?? q?.offerTimeoutMs ?? QUEUE_DEFAULTS.offerTimeoutMs,
    wrapUpMs: spec.wrapUpMs ?? q?.wrapUpMs ?? QUEUE_DEFAULTS.wrapUpMs,
    wrapUpMode: spec.wrapUpMode ?? q?.wrapUpMode ?? QUEUE_DEFAULTS.wrapUpMode,
    maxWaitMs: spec.maxWaitMs !== undefined ? spec.maxWaitMs : (q?.maxWaitMs ?? QUEUE_DEFAULTS.maxWaitMs),
    overflowQueue: spec.overflowQueue !== undefined ? spec.overflowQueue : (q?.overflowQueue ?? QUEUE_DEFAULTS.overflowQueue),
    escalateAfterMs: spec.escalateAfterMs !== undefined ? spec.escalateAfterMs : q ? q.escalateAfterMs : 10 * objective.thresholdMs,
    noAnswerAway: spec.noAnswerAway ?? q?.noAnswerAway ?? QUEUE_DEFAULTS.noAnswerAway,
    preferredWindowMs: spec.preferredWindowMs ?? q?.preferredWindowMs ?? QUEUE_DEFAULTS.preferredWindowMs,
    membersOnly: spec.membersOnly ?? q?.membersOnly ?? QUEUE_DEFAULTS.membersOnly,
    offerFanout: spec.offerFanout ?? q?.offerFanout ?? QUEUE_DEFAULTS.offerFanout,
    reservedIdle: spec.reservedIdle ?? q?.reservedIdle ?? QUEUE_DEFAULTS.reservedIdle,
    exceptions: spec.exceptions ?? q?.exceptions ?? QUEUE_DEFAULTS.exceptions,
    reserveWhen: spec.reserveWhen !== undefined ? spec.reserveWhen : (q?.reserveWhen ?? null),
    // Without an overload rule there is nothing to recover from.
    reserveUntil:
      (spec.reserveWhen ?? q?.reserveWhen ?? null) === null ? null : spec.reserveUntil !== undefined ? spec.reserveUntil : (q?.reserveUntil ?? null),
    deferrable: spec.deferrable !== undefined ? spec.deferrable : (q?.deferrable ?? null),
    hours: spec.hours !== undefined ? spec.hours : (q?.hours ?? null),
    repeatContact:
      spec.repeatContact !== undefined
        ? spec.repeatContact === null
          ? null
          : { withinMs: spec.repeatContact.withinMs, priorityBoost: spec.repeatContact.priorityBoost }
        : (q?.repeatContact ?? null),
    offerJourney: spec.offerJourney !== undefined ? spec.offerJourney : (q?.offerJourney ?? null),
  };
}

/** A new, empty queue at index `idx`. */
export function newQueue(idx: number, spec: QueueSpec): Queue {
  return {
    idx,
    id: spec.id,
    ...queueSettings(spec, undefined),
    waiting: newListHead(idx),
    idleMembers: new Set(),
    overloaded: false,
    deferred: false,
    hoursOpen: true,
    hoursFrom: 0,
    hoursUntil: Number.NEGATIVE_INFINITY,
    staffed: 0,
    offered: 0,
    counters: {
      arrived: 0,
      answered: 0,
      answeredWithinThreshold: 0,
      abandoned: 0,
      cancelled: 0,
      expired: 0,
      overflowed: 0,
      transferredOut: 0,
      completed: 0,
      offersRejected: 0,
      offersTimedOut: 0,
      handleMsTotal: 0,
      handled: 0,
    },
  };
}
