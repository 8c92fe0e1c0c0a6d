/**
 * Engine options: policies, ordering parameters and resource limits. Every field has a default;
 * the server's config schema exposes them.
 */

/**
 * How waiting interactions are ordered (one global order over all signatures):
 * - `fifo`: oldest arrival first.
 * - `priority-age`: higher priority first, then oldest (TaskRouter-style).
 * - `deadline`: earliest effective deadline (SLA deadline minus value boost) first.
 * - `service-objective`: head-of-line delay ratio (Kleinrock / Avaya Service Objective / gcμ with
 *   quadratic cost): the head maximising weight·(now − arrival + boost)/threshold wins; an
 *   interaction that already missed its deadline drops to a late band (save the saveable first)
 *   until it escalates.
 */
export const ORDERING_POLICIES = ['fifo', 'priority-age', 'deadline', 'service-objective'] as const;
export type OrderingPolicy = (typeof ORDERING_POLICIES)[number];

/**
 * Which available agent takes work:
 * - `longest-idle`: the agent waiting longest since its last offer or since it became available.
 * - `least-occupied`: lowest load ratio, then longest idle.
 * - `best-skill`: highest summed proficiency in the required skills, then longest idle.
 * - `round-robin`: the agent whose last offer is oldest (never offered: first), whatever it did
 *   since: logging out and in again does not move it to the back of the ring.
 */
export const AGENT_SELECTION_POLICIES = ['longest-idle', 'least-occupied', 'best-skill', 'round-robin'] as const;
export type AgentSelectionPolicy = (typeof AGENT_SELECTION_POLICIES)[number];

export interface EngineLimits {
  /** Ids of agents, queues, skills, interactions, customers, offers (characters). */
  readonly maxIdLength: number;
  readonly maxSkills: number;
  readonly maxQueues: number;
  readonly maxAgents: number;
  /** Distinct channels the engine tracks. */
  readonly maxChannels: number;
  /** Interactions held at once (waiting, offered, assigned, wrapping up); at most 4,194,304. */
  readonly maxInteractions: number;
  readonly maxSkillsPerAgent: number;
  readonly maxLabelsPerEntity: number;
  /** Selectors of one interaction (with its `labels` shorthand counted among them). */
  readonly maxSelectorsPerInteraction: number;
  /** Values of one `in` or `notIn` selector. */
  readonly maxSelectorValues: number;
  /** Alternatives of one interaction (or of one relaxation step). */
  readonly maxAlternatives: number;
  /** Queues one agent lists in its `queues`. */
  readonly maxQueuesPerAgent: number;
  readonly maxRequirementsPerInteraction: number;
  readonly maxPreferredAgents: number;
  readonly maxRelaxationSteps: number;
  /** Agents named in one SetAgentState. */
  readonly maxAgentsPerCommand: number;
  /**
   * Interactions waiting for one preferred agent (beyond it new ones skip the preference) or
   * required by name (beyond it a submission or transfer naming the agent is refused).
   */
  readonly maxPreferredPerAgent: number;
  /** Distinct requirement signatures (channel + queue + requirements + selectors). */
  readonly maxSignatures: number;
  /** Distinct agent profiles (skills + levels + labels + capacity + queue memberships). */
  readonly maxProfiles: number;
  /**
   * Profiles no agent has and signatures no live interaction has are collected, oldest first,
   * once more than a quarter of their table, and more than this many, are idle.
   */
  readonly minIdleKept: number;
  /** Per-agent capacity total and per-channel maximum. */
  readonly maxCapacityUnits: number;
  /** Webhook subscriptions per tenant. */
  readonly maxWebhooks: number;
}

export interface EngineOptions {
  readonly ordering: OrderingPolicy;
  readonly agentSelection: AgentSelectionPolicy;
  /** Ordering boost in ms per customer value tier (index = tier); tiers beyond use the last. */
  readonly valueTierBoostMs: readonly number[];
  /** Ordering boost in ms per priority point, used by `deadline` and `service-objective`. */
  readonly priorityBoostMs: number;
  /** Customers whose last agent is remembered, and for how long. */
  readonly lastAgentMaxEntries: number;
  readonly lastAgentTtlMs: number;
  /** Customers whose last contact is remembered for repeat contacts (QueueSpec.repeatContact; kept MAX_REPEAT_WITHIN_MS). */
  readonly lastContactMaxEntries: number;
  /** Finished interaction ids kept to make retries idempotent, and for how long. */
  readonly idempotencyMaxEntries: number;
  readonly idempotencyTtlMs: number;
  /** Closed offer ids kept to tell "closed" from "unknown". */
  readonly closedOfferMaxEntries: number;
  readonly limits: EngineLimits;
}

export const DEFAULT_LIMITS: EngineLimits = {
  maxIdLength: 128,
  maxSkills: 4096,
  maxQueues: 4096,
  maxWebhooks: 20,
  maxAgents: 200_000,
  maxChannels: 16,
  maxInteractions: 4_000_000,
  maxSkillsPerAgent: 256,
  maxLabelsPerEntity: 32,
  maxSelectorsPerInteraction: 32,
  maxSelectorValues: 32,
  maxQueuesPerAgent: 64,
  maxAlternatives: 8,
  maxRequirementsPerInteraction: 32,
  maxPreferredAgents: 16,
  maxRelaxationSteps: 8,
  maxAgentsPerCommand: 10_000,
  maxPreferredPerAgent: 1_000,
  maxSignatures: 100_000,
  maxProfiles: 50_000,
  minIdleKept: 64,
  maxCapacityUnits: 1_000,
};

export const DEFAULT_OPTIONS: EngineOptions = {
  ordering: 'service-objective',
  agentSelection: 'longest-idle',
  valueTierBoostMs: [0, 5_000, 15_000, 30_000],
  priorityBoostMs: 1_000,
  lastAgentMaxEntries: 100_000,
  lastAgentTtlMs: 24 * 3600_000,
  lastContactMaxEntries: 1_000_000,
  idempotencyMaxEntries: 1_000_000,
  idempotencyTtlMs: 24 * 3600_000,
  closedOfferMaxEntries: 100_000,
  limits: DEFAULT_LIMITS,
};

export type EngineOptionsInput = Partial<Omit<EngineOptions, 'limits'>> & { limits?: Partial<EngineLimits> };

/** Interactions held at once can never exceed this: offer numbers carry an interaction slot. */
export const MAX_INTERACTIONS = 2 ** 22;

export function resolveOptions(input: EngineOptionsInput = {}): EngineOptions {
  const limits = { ...DEFAULT_LIMITS, ...(input.limits ?? {}) };
  // Clamped, not rejected: a larger value cannot be honoured (see MAX_INTERACTIONS).
  limits.maxInteractions = Math.min(limits.maxInteractions, MAX_INTERACTIONS);
  return { ...DEFAULT_OPTIONS, ...input, limits };
}

/** Queue defaults applied to fields a QueueSpec leaves out (escalateAfterMs defaults to 10 × the threshold). */
export const QUEUE_DEFAULTS = {
  serviceObjective: { percent: 80, thresholdMs: 20_000 },
  weight: 1,
  defaultPriority: 0,
  offerTimeoutMs: 20_000,
  wrapUpMs: 0,
  wrapUpMode: 'timed',
  maxWaitMs: null,
  overflowQueue: null,
  noAnswerAway: true,
  preferredWindowMs: 15_000,
  membersOnly: false,
  offerFanout: 1,
  reservedIdle: 0,
  exceptions: [] as readonly never[],
} as const;

/** The longest overload threshold on a wait (QueueSpec.reserveWhen, reserveUntil): a week. */
export const MAX_OVERLOAD_WAIT_MS = 7 * 24 * 3600_000;

/** The most queues one deferrable queue may wait on (QueueSpec.deferrable.whileHealthy). */
export const MAX_DEFER_QUEUES = 8;

/** Most inactive conversations of one channel an agent may hold (CapacitySpec.channels[c].inactiveMax). */
export const MAX_INACTIVE_PER_CHANNEL = 100;

/** The most exception rules one queue may have. */
export const MAX_EXCEPTION_RULES = 8;

/** How far ahead scheduled work may be held (InteractionSpec.notBefore, ConvertToCallback). */
export const MAX_HOLD_MS = 30 * 24 * 3600_000;

/** The most idle members a queue may hold back (QueueSpec.reservedIdle). */
export const MAX_RESERVED_IDLE = 10_000;

/** The most agents one interaction is offered to at once (QueueSpec.offerFanout). */
export const MAX_OFFER_FANOUT = 50;

export const MAX_PRIORITY = 100;
/** The longest window of a repeat contact (QueueSpec.repeatContact.withinMs). */
export const MAX_REPEAT_WITHIN_MS = 7 * 24 * 3600_000;
/** The most of a customer's recent interactions an offer shows (QueueSpec.offerJourney). */
export const MAX_OFFER_JOURNEY = 20;
export const MAX_LEVEL = 10;
/** Queue membership priority levels: 1 (first) to 99. */
export const MAX_QUEUE_LEVEL = 99;
