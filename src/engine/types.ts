/**
 * The engine's vocabulary: entity specs, commands (imperative) and events (past tense), both
 * discriminated unions on `type`. Times are milliseconds on the caller's clock (the engine never
 * reads one); durations are milliseconds.
 */

export type AgentStateName = 'offline' | 'available' | 'away' | 'wrap_up';
export type InteractionStatus = 'queued' | 'offered' | 'assigned' | 'wrap_up' | 'completed' | 'cancelled' | 'abandoned' | 'expired';

export const TERMINAL_STATUSES: ReadonlySet<InteractionStatus> = new Set(['completed', 'cancelled', 'abandoned', 'expired']);

/** Minimum proficiency per skill id, 1–10. */
export type SkillLevels = Readonly<Record<string, number>>;
/** A label's value: a string (an id) or a finite number (tenure, rating…). */
export type LabelValue = string | number;
/** An agent's labels, or an interaction's exact-match shorthand: key → value. */
export type Labels = Readonly<Record<string, LabelValue>>;

/**
 * Operators of a label selector (docs/engine.md, Selectors). Values compare by type: a number
 * never equals a string. `ne` and `notIn` hold for an agent without the label; the order
 * operators hold only between numbers.
 */
export type SelectorOp = 'eq' | 'ne' | 'in' | 'notIn' | 'gt' | 'gte' | 'lt' | 'lte' | 'exists' | 'notExists';

/** One condition on an agent's label: `value` for eq, ne and the order operators, `values` for in and notIn, neither for exists and notExists. */
export interface Selector {
  readonly key: string;
  readonly op: SelectorOp;
  readonly value?: LabelValue;
  readonly values?: readonly LabelValue[];
}

/** An agent's place in one queue's routing profile. */
export interface QueueMembership {
  /** 1–99, 1 first (default 1): the agent takes work of its best level that has any. */
  readonly priority?: number;
  /** Work of this queue that has waited this long in it competes with the agent's best level (default 0: never). */
  readonly delayMs?: number;
  /**
   * A reserve agent of this queue: it takes the queue's work only while the queue is in overload
   * (`QueueSpec.reserveWhen`), except work that names it (default false).
   */
  readonly reserve?: boolean;
}

export interface ChannelCapacity {
  /** Units one interaction of this channel takes from the agent's total. */
  readonly cost: number;
  /** Most interactions of this channel at once. */
  readonly max: number;
  /** Offers on this channel are accepted on the agent's behalf at once. */
  readonly autoAccept?: boolean;
  /**
   * Work on this channel does not count against the total when a non-interruptible channel is
   * offered (an email is put aside for a call).
   */
  readonly interruptible?: boolean;
  /**
   * Messaging: how many inactive conversations of this channel the agent may hold at once
   * (UpdateInteraction { active: false } frees a conversation's units while the customer is
   * quiet); 0 or absent: none, every assigned conversation holds its units.
   */
  readonly inactiveMax?: number;
}

export interface CapacitySpec {
  readonly total: number;
  readonly channels: Readonly<Record<string, ChannelCapacity>>;
}

export interface AgentSpec {
  readonly id: string;
  readonly skills?: SkillLevels;
  readonly labels?: Labels;
  readonly capacity?: CapacitySpec;
  /**
   * The queues the agent serves, with its priority level and delay in each. An agent that lists
   * queues serves only those; one that lists none serves every queue that is not `membersOnly`.
   */
  readonly queues?: Readonly<Record<string, QueueMembership>>;
}

export interface ServiceObjective {
  /** Target share answered within the threshold, 0–100. */
  readonly percent: number;
  readonly thresholdMs: number;
}

export interface QueueSpec {
  readonly id: string;
  readonly serviceObjective?: ServiceObjective;
  /** Class weight c_q in the service-objective rule (docs/routing.md §2). */
  readonly weight?: number;
  readonly defaultPriority?: number;
  readonly offerTimeoutMs?: number;
  readonly wrapUpMs?: number;
  /**
   * `timed` (default): wrap-up lasts `wrapUpMs` (none when 0), or until EndWrapUp. `manual`:
   * every completion starts a wrap-up that lasts until EndWrapUp, at most `wrapUpMs` when it
   * is above 0 (a ceiling).
   */
  readonly wrapUpMode?: 'timed' | 'manual';
  /** Longest time in this queue; then overflow to `overflowQueue`, or expire. */
  readonly maxWaitMs?: number | null;
  readonly overflowQueue?: string | null;
  /**
   * Age after which an interaction outranks every non-escalated one (FIFO among escalated): the
   * starvation bound. Null disables it.
   */
  readonly escalateAfterMs?: number | null;
  /** An agent who lets an offer time out is set away(no_answer). */
  readonly noAnswerAway?: boolean;
  /** How long preferred agents (and the customer's last agent) get the interaction first. */
  readonly preferredWindowMs?: number;
  /** Only agents that list this queue in their `queues` may take its work (default false). */
  readonly membersOnly?: boolean;
  /**
   * Multi-offer: how many eligible agents are offered one interaction at once (1–50, default 1).
   * Each offer holds capacity on its agent; the first accept assigns it and the others are
   * rescinded with reason `taken`.
   */
  readonly offerFanout?: number;
  /**
   * Trunk reservation: keep up to this many of the queue's members (agents whose `queues` list
   * it) idle for its work; an idle member is not offered other queues' work while that would
   * leave fewer idle (0–10,000, default 0).
   */
  readonly reservedIdle?: number;
  /**
   * Exception rules (at most 8), in order: when a rule's trigger holds for an interaction of this
   * queue, its action is taken (see docs/engine.md, Exception rules).
   */
  readonly exceptions?: readonly ExceptionRule[];
  /**
   * When the queue is in overload: any measure named above its threshold starts it. While in
   * overload its reserve agents take its work, and deferrable work that names it waits. Null: never.
   */
  readonly reserveWhen?: OverloadThresholds | null;
  /**
   * Hysteresis: overload ends once every measure `reserveWhen` names is back at these (default:
   * `reserveWhen`'s own thresholds). May name only measures `reserveWhen` names.
   */
  readonly reserveUntil?: OverloadRecovery | null;
  /**
   * Deferrable work (blending): offered only while none of the `whileHealthy` queues is in
   * overload. Null: never deferred.
   */
  readonly deferrable?: { readonly whileHealthy: readonly string[] } | null;
  /** Hours of operation: while closed, a submission meets `closedAction` (null: always open). */
  readonly hours?: QueueHours | null;
  /**
   * A repeat contact: a submission to this queue from a customer who made another contact (a
   * submission with the same customerId, any channel or queue) within `withinMs` before gets
   * `priorityBoost` more priority (up to 100). Null: no boost.
   */
  readonly repeatContact?: RepeatContact | null;
  /**
   * How many of the customer's recent interactions an offer from this queue shows the agent
   * (0–20; null: the server's default, `--offer-journey`). The engine keeps it for the server.
   */
  readonly offerJourney?: number | null;
}

export interface RepeatContact {
  /** 1 ms to 7 days. */
  readonly withinMs: number;
  /** 1–100 priority points. */
  readonly priorityBoost: number;
}

/** An opening interval, local times `HH:MM` (00:00–24:00), close after open. */
export interface HoursInterval {
  readonly open: string;
  readonly close: string;
}

export interface WeeklyHours extends HoursInterval {
  /** Days of the week, 0 = Sunday … 6 = Saturday. */
  readonly days: readonly number[];
}

export interface HoursOverride {
  /** A local date, YYYY-MM-DD. */
  readonly date: string;
  /** That date's intervals instead of the week's (empty or absent: closed all day). */
  readonly intervals?: readonly HoursInterval[];
}

export interface HoursSpec {
  /** An IANA time zone, e.g. `Europe/Paris`. */
  readonly timeZone: string;
  readonly weekly: readonly WeeklyHours[];
  readonly overrides?: readonly HoursOverride[];
}

/** A queue's opening hours in its time zone (docs/engine.md, Hours of operation). */
export interface QueueHours extends HoursSpec {
  /**
   * What a submission meets while the queue is closed: `refuse` (QUEUE_CLOSED, nothing created;
   * the default), `hold` (held until the queue opens, its wait counting from then), or
   * `overflow` into another queue (which applies its own hours).
   */
  readonly closedAction?: { readonly type: 'refuse' } | { readonly type: 'hold' } | { readonly type: 'overflow'; readonly queue: string };
  /**
   * Service-level accounting pauses while the queue is closed: for work that waits across a
   * closing, the time closed is left out of its wait against the objective's threshold
   * (`withinObjective`, the queue's service level). Default false: the whole wait counts.
   */
  readonly pauseServiceLevel?: boolean;
}

/** Overload starts when any of these holds (at least one is named). */
export interface OverloadThresholds {
  /** The estimated wait of the next arrival is at or above this (ms). */
  readonly estimatedWaitMs?: number;
  /** The queue's oldest waiting interaction has waited this long in it (ms). */
  readonly oldestWaitMs?: number;
  /** The queue's service level (0–1) is below this. */
  readonly serviceLevelBelow?: number;
}

/**
 * Overload ends when every measure `reserveWhen` names is back: a wait below the value named here
 * (default: its `reserveWhen` threshold), the service level at or above it.
 */
export interface OverloadRecovery {
  readonly estimatedWaitMs?: number;
  readonly oldestWaitMs?: number;
  readonly serviceLevelAtLeast?: number;
}

/** A queue's overload measures, as the engine reads them. */
export type OverloadMeasure = 'estimatedWaitMs' | 'oldestWaitMs' | 'serviceLevelBelow';

/** What makes an exception rule fire. */
export type ExceptionTrigger =
  /** On submission: at least `threshold` interactions wait in the queue (queued or offered). */
  | { readonly type: 'queueLength'; readonly threshold: number }
  /** It has waited `threshold` ms in the queue, queued (not while offered). */
  | { readonly type: 'waitMs'; readonly threshold: number }
  /** On submission: its estimated wait is above `threshold` ms (unknown until the queue handled work). */
  | { readonly type: 'estimatedWaitMs'; readonly threshold: number }
  /** On submission, and when the last agent who could take it logs out: nobody logged in could take it. */
  | { readonly type: 'noEligibleAgents' }
  /** On submission: the queue's service level (0–1) is below `threshold` (unknown until work settled). */
  | { readonly type: 'serviceLevelBelow'; readonly threshold: number };

/** What a fired exception rule does. */
export type ExceptionAction =
  /** Moves it to `queue`, keeping its arrival. */
  | { readonly type: 'overflow'; readonly queue: string }
  | { readonly type: 'setPriority'; readonly priority: number }
  /** Ends it `cancelled`, with `reason` on the event. */
  | { readonly type: 'cancel'; readonly reason?: string }
  /** Submission triggers only: the submission is refused (QUEUE_REFUSED) and nothing is created. */
  | { readonly type: 'refuse' };

export interface ExceptionRule {
  readonly trigger: ExceptionTrigger;
  readonly action: ExceptionAction;
}

/**
 * One set of requirements an agent may meet. As an alternative it adds to the interaction's own
 * requirements (a skill it names takes its level from here; labels and selectors add up).
 */
export interface Requirement {
  readonly skills?: SkillLevels;
  readonly labels?: Labels;
  readonly selectors?: readonly Selector[];
}

/**
 * A relaxation step (bullseye): at `afterMs` after arrival it replaces the fields it names and
 * keeps the others; at least one besides `afterMs`.
 */
export interface RelaxationStep {
  /** Milliseconds after arrival. */
  readonly afterMs: number;
  /** The skill requirements from then on (drop a skill by leaving it out, lower it by a smaller level). */
  readonly skills?: SkillLevels;
  readonly labels?: Labels;
  readonly selectors?: readonly Selector[];
  /** Replaces the alternatives; an empty list removes them. */
  readonly alternatives?: readonly Requirement[];
  /** Moves the interaction to this queue, keeping its arrival (its place in line). */
  readonly queue?: string;
  readonly priority?: number;
  /**
   * When the step applies and no agent who is logged in (not offline) could ever take its
   * requirements, the next step applies at once.
   */
  readonly skipIfNoneLoggedIn?: boolean;
}

export interface InteractionSpec {
  /** Idempotency id, chosen by the platform. */
  readonly id: string;
  readonly channel: string;
  readonly queue: string;
  readonly skills?: SkillLevels;
  /** Exact-match shorthand: `{ k: v }` is the selector `{ key: k, op: 'eq', value: v }`. */
  readonly labels?: Labels;
  /** Conditions on the agent's labels, all of which must hold (with `labels`). */
  readonly selectors?: readonly Selector[];
  /**
   * Any one of these (each added to the requirements above) lets an agent take it; the
   * interaction waits for all of them at once and is offered to one agent at a time.
   */
  readonly alternatives?: readonly Requirement[];
  /**
   * Only these agents may take it (they need a channel for it and room, not the requirements),
   * for `requiredForMs` (default: for ever); then it routes normally, keeping its arrival.
   */
  readonly requiredAgents?: readonly string[];
  readonly requiredForMs?: number;
  /**
   * Scheduled work: held, out of routing's sight, until this time (epoch ms, at most 30 days
   * ahead); its wait in queue, preference window and requirement by name count from then. At or
   * before now: not held.
   */
  readonly notBefore?: number;
  readonly customerId?: string;
  /** Customer value tier, 0 (none) and up; boosts ordering by the engine's tier table. */
  readonly valueTier?: number;
  /** 0–100; defaults to the queue's default priority. */
  readonly priority?: number;
  /** Absolute SLA deadline; defaults to arrival + the queue's service-objective threshold. */
  readonly slaDeadline?: number;
  readonly preferredAgents?: readonly string[];
  readonly relaxation?: readonly RelaxationStep[];
  /** Free-form, travels with the interaction; the engine never reads it. */
  readonly context?: unknown;
}

export type Command =
  | { readonly type: 'DefineSkill'; readonly skill: string }
  | { readonly type: 'UpsertQueue'; readonly queue: QueueSpec }
  /**
   * Removes a queue nothing refers to (no agent's membership, no other queue's overflow, no
   * assigned or wrapping work); its waiting work moves to `moveTo` keeping its arrival, and
   * without `moveTo` the queue must hold none.
   */
  | { readonly type: 'RemoveQueue'; readonly queueId: string; readonly moveTo?: string }
  /** Removes a skill no agent has and no live interaction requires (now or in a relaxation step). */
  | { readonly type: 'RemoveSkill'; readonly skill: string }
  | { readonly type: 'UpsertAgent'; readonly agent: AgentSpec }
  /** Many agents in one command (at most maxAgentsPerCommand), all or nothing, matched as one batch. */
  | { readonly type: 'UpsertAgents'; readonly agents: readonly AgentSpec[] }
  | { readonly type: 'RemoveAgent'; readonly agentId: string }
  | {
      readonly type: 'SetAgentState';
      /** One agent, or a whole shift at once (matched as one batch). */
      readonly agentIds: readonly string[];
      readonly state: 'offline' | 'available' | 'away';
      readonly reason?: string;
    }
  | { readonly type: 'SubmitInteraction'; readonly interaction: InteractionSpec }
  | {
      readonly type: 'UpdateInteraction';
      readonly interactionId: string;
      readonly priority?: number;
      readonly context?: unknown;
      /**
       * An assigned conversation goes inactive (false: its units are freed, up to the channel's
       * inactiveMax) or active again (true; AGENT_AT_CAPACITY when the agent has no room: it then
       * waits for the agent's next free room). Not combined with priority or context.
       */
      readonly active?: boolean;
    }
  /**
   * A waiting interaction becomes a callback: it keeps its arrival and place in line, moves to
   * `channel` (default its own) and, with `notBefore`, is held until then.
   */
  | { readonly type: 'ConvertToCallback'; readonly interactionId: string; readonly channel?: string; readonly notBefore?: number }
  | {
      readonly type: 'TransferInteraction';
      readonly interactionId: string;
      readonly queue: string;
      /** New skill requirements (its alternatives are dropped); by default the interaction keeps its own. */
      readonly skills?: SkillLevels;
      /** Directed transfer: only this agent may take it, for `requiredForMs` (default: for ever). */
      readonly agentId?: string;
      readonly requiredForMs?: number;
      /**
       * Makes the transfer safe to retry: a transfer with the id of the last one applied to the
       * interaction changes nothing and answers `duplicate`.
       */
      readonly transferId?: string;
    }
  | {
      readonly type: 'CancelInteraction';
      readonly interactionId: string;
      /** `abandoned`: the customer left; `cancelled`: the platform withdrew it. */
      readonly reason: 'cancelled' | 'abandoned';
    }
  | { readonly type: 'AcceptOffer'; readonly agentId: string; readonly offerId: string }
  | { readonly type: 'RejectOffer'; readonly agentId: string; readonly offerId: string }
  | {
      readonly type: 'CompleteInteraction';
      readonly agentId: string;
      readonly interactionId: string;
      /** What the agent recorded (kept in the interaction's history; the engine does not read them). */
      readonly disposition?: string;
      readonly note?: string;
    }
  | { readonly type: 'EndWrapUp'; readonly agentId: string }
  /** Webhook subscriptions (webhooks.ts): kept with the tenant's configuration, emitting no event. */
  | { readonly type: 'UpsertWebhook'; readonly webhook: WebhookSpec }
  | { readonly type: 'RemoveWebhook'; readonly webhookId: string }
  /** The shell's own: a webhook's receiver confirmed every event through `through`. */
  | { readonly type: 'AckWebhook'; readonly webhookId: string; readonly through: number }
  /** The shell's own: a webhook that kept failing is paused (UpsertWebhook resumes it). */
  | { readonly type: 'PauseWebhook'; readonly webhookId: string; readonly reason: string };

export type CommandType = Command['type'];

/**
 * Where the shell delivers the tenant's events: `url` (checked by the shell), signed with
 * `secret`, only `types` and events about `queues` when given; a new webhook starts after event
 * `after` (default: the last one emitted).
 */
export interface WebhookSpec {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
  readonly types?: readonly string[];
  readonly queues?: readonly string[];
  readonly after?: number;
}

/**
 * Why an open offer was withdrawn: its agent left or was changed (`agent_unavailable`), its
 * interaction ended or moved, another agent accepted it first (`taken`, multi-offer), or it became
 * a callback (`converted`).
 */
export type OfferEndReason = 'agent_unavailable' | 'interaction_cancelled' | 'interaction_transferred' | 'taken' | 'converted';

/**
 * What the engine emits. The four events of every routed interaction (queued, offered, assigned,
 * completed) are made with `seq: 0`, which the tenant's event feed sets to the event's number:
 * numbering an object made without it adds a property, which costs the object a second
 * allocation and a change of shape, and these are the events kept longest in memory (the feed's
 * ring and the interaction's history).
 */
export type EngineEvent =
  | { readonly type: 'SkillDefined'; readonly at: number; readonly skill: string }
  | { readonly type: 'QueueUpserted'; readonly at: number; readonly queueId: string }
  | { readonly type: 'QueueRemoved'; readonly at: number; readonly queueId: string }
  | { readonly type: 'SkillRemoved'; readonly at: number; readonly skill: string }
  | { readonly type: 'AgentUpserted'; readonly at: number; readonly agentId: string }
  | { readonly type: 'AgentRemoved'; readonly at: number; readonly agentId: string }
  | {
      readonly type: 'AgentStateChanged';
      readonly at: number;
      readonly agentId: string;
      readonly from: AgentStateName;
      readonly to: AgentStateName;
      readonly reason?: string;
    }
  | {
      readonly type: 'InteractionQueued';
      /** Its number in the tenant's event feed, set as the feed numbers it (0 until then). */
      seq?: number;
      readonly at: number;
      readonly interactionId: string;
      readonly queueId: string;
      readonly channel: string;
      /** Held until then (scheduled work); absent when routed at once. */
      readonly notBefore?: number;
      /** A repeat contact (QueueSpec.repeatContact): the customer's previous contact, whose window gave it its boost. */
      readonly repeatOf?: string;
    }
  /** A hold (`notBefore`) ended: it is routed from now on. */
  | { readonly type: 'InteractionReleased'; readonly at: number; readonly interactionId: string }
  /** ConvertToCallback: its channel now, and until when it is held (null: not held). */
  | { readonly type: 'InteractionConverted'; readonly at: number; readonly interactionId: string; readonly channel: string; readonly notBefore: number | null }
  | {
      readonly type: 'InteractionOffered';
      /** Its number in the tenant's event feed, set as the feed numbers it (0 until then). */
      seq?: number;
      readonly at: number;
      readonly interactionId: string;
      readonly agentId: string;
      readonly offerId: string;
      readonly expiresAt: number | null;
    }
  | {
      readonly type: 'InteractionAssigned';
      /** Its number in the tenant's event feed, set as the feed numbers it (0 until then). */
      seq?: number;
      readonly at: number;
      readonly interactionId: string;
      readonly agentId: string;
      readonly offerId: string;
      readonly queueId: string;
      /** Time since arrival. */
      readonly waitMs: number;
      /** Time since entering this queue (after a transfer or overflow, since that move). */
      readonly queueWaitMs: number;
      /** queueWaitMs within the queue's service-objective threshold (counts toward its service level). */
      readonly withinObjective: boolean;
    }
  | {
      readonly type: 'OfferRejected';
      readonly at: number;
      readonly interactionId: string;
      readonly agentId: string;
      readonly offerId: string;
    }
  | {
      readonly type: 'OfferTimedOut';
      readonly at: number;
      readonly interactionId: string;
      readonly agentId: string;
      readonly offerId: string;
    }
  | {
      readonly type: 'OfferRescinded';
      readonly at: number;
      readonly interactionId: string;
      readonly agentId: string;
      readonly offerId: string;
      readonly reason: OfferEndReason;
    }
  | {
      readonly type: 'InteractionWrapUpStarted';
      readonly at: number;
      readonly interactionId: string;
      readonly agentId: string;
      /** When the agent's wrap-up ends by itself; null: only when the agent ends it (manual wrap-up). */
      readonly until: number | null;
    }
  | {
      readonly type: 'InteractionCompleted';
      /** Its number in the tenant's event feed, set as the feed numbers it (0 until then). */
      seq?: number;
      readonly at: number;
      readonly interactionId: string;
      readonly agentId: string;
      readonly queueId: string;
      /** From assignment to completion, wrap-up included. */
      readonly handleMs: number;
    }
  | {
      readonly type: 'InteractionCancelled' | 'InteractionAbandoned';
      readonly at: number;
      readonly interactionId: string;
      readonly queueId: string;
      readonly stage: 'queued' | 'offered' | 'assigned';
      readonly agentId?: string;
      /** Cancelled by an exception rule: its `reason`. */
      readonly reason?: string;
    }
  /** An exception rule of the queue fired for the interaction (`rule`: its 0-based place in the list). */
  | {
      readonly type: 'ExceptionTriggered';
      readonly at: number;
      readonly interactionId: string;
      readonly queueId: string;
      readonly rule: number;
      readonly trigger: ExceptionTrigger['type'];
      readonly action: ExceptionAction['type'];
    }
  | { readonly type: 'InteractionExpired'; readonly at: number; readonly interactionId: string; readonly queueId: string }
  /**
   * The queue went into overload (`reserveWhen`): `measure` reached its threshold with `value`
   * (ms, or a service level 0–1; null: an unbounded wait estimate, work waits and no regular member is logged in).
   */
  | { readonly type: 'QueueOverloadStarted'; readonly at: number; readonly queueId: string; readonly measure: OverloadMeasure; readonly value: number | null }
  /** The queue's overload ended (`reserveUntil`). */
  | { readonly type: 'QueueOverloadEnded'; readonly at: number; readonly queueId: string }
  | {
      readonly type: 'InteractionOverflowed' | 'InteractionTransferred';
      readonly at: number;
      readonly interactionId: string;
      readonly fromQueue: string;
      readonly toQueue: string;
      /** A transfer of an assigned interaction releases its agent: that agent. */
      readonly releasedAgentId?: string;
    }
  | {
      readonly type: 'InteractionRelaxed';
      readonly at: number;
      readonly interactionId: string;
      /** The step's 1-based position in the interaction's relaxation list. */
      readonly step: number;
      /** A step that moved it to another queue (keeping its arrival): from where to where. */
      readonly fromQueue?: string;
      readonly toQueue?: string;
    }
  | {
      readonly type: 'InteractionReclassified';
      readonly at: number;
      readonly interactionId: string;
      /** `late`: missed its deadline (service-objective policy); `escalated`: past escalateAfterMs. */
      readonly band: 'late' | 'escalated';
    }
  | { readonly type: 'InteractionUpdated'; readonly at: number; readonly interactionId: string }
  /** An assigned conversation went inactive (its units freed) or active again (UpdateInteraction, or its agent's room came). */
  | { readonly type: 'InteractionActivityChanged'; readonly at: number; readonly interactionId: string; readonly agentId: string; readonly active: boolean }
  | { readonly type: 'PreferenceWindowEnded'; readonly at: number; readonly interactionId: string };

export type EventType = EngineEvent['type'];

/** Every event type, at run time (a subscriber's `types` filter is checked against it). */
export const EVENT_TYPES = [
  'AgentRemoved',
  'AgentStateChanged',
  'AgentUpserted',
  'ExceptionTriggered',
  'InteractionAbandoned',
  'InteractionActivityChanged',
  'InteractionAssigned',
  'InteractionCancelled',
  'InteractionCompleted',
  'InteractionConverted',
  'InteractionExpired',
  'InteractionOffered',
  'InteractionOverflowed',
  'InteractionQueued',
  'InteractionReclassified',
  'InteractionRelaxed',
  'InteractionReleased',
  'InteractionTransferred',
  'InteractionUpdated',
  'InteractionWrapUpStarted',
  'OfferRejected',
  'OfferRescinded',
  'OfferTimedOut',
  'PreferenceWindowEnded',
  'QueueOverloadEnded',
  'QueueOverloadStarted',
  'QueueRemoved',
  'QueueUpserted',
  'SkillDefined',
  'SkillRemoved',
] as const satisfies readonly EventType[];

/** Fails to compile when an event type is missing from EVENT_TYPES. */
type MissingEventType = Exclude<EventType, (typeof EVENT_TYPES)[number]>;
const everyEventTypeListed: MissingEventType extends never ? true : never = true;
void everyEventTypeListed;
