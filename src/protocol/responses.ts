/**
 * The answers, as zod schemas: `{ re, ok: true, …result }` per request type, and the refusal
 * `{ re, ok: false, code, message }` every type may get. They describe what the server sends
 * (docs/protocol.md, Query results) for the OpenAPI document (openapi.ts) and for tests that
 * check real answers against them; the server never validates its own answers. Objects are
 * open (`z.object`): a field added later does not break a client that validates against an
 * older copy.
 */
import { z } from 'zod';
import { AGENT_SELECTION_POLICIES, ORDERING_POLICIES } from '../engine/options.ts';
import { WIRE_CODES } from './http-status.ts';
import { AgentSpec, Id, LabelValue, QueueSpec, RequestId, Selector } from './schemas.ts';

/** `re`: the request's `id` (over HTTP, only when the body carried one). */
const re = RequestId.nullable().optional();
const EpochMs = z.number();
const Count = z.number().int().min(0);

export const WireCode = z.enum(WIRE_CODES as [string, ...string[]]);

export const Refusal = z.object({ re, ok: z.literal(false), code: WireCode, message: z.string() });

/** A command's answer: `duplicate` when it was a retry of one that took effect (nothing changed). */
export const CommandOk = z.object({ re, ok: z.literal(true), duplicate: z.literal(true).optional() });

const InteractionStatus = z.enum(['queued', 'offered', 'assigned', 'wrap_up', 'completed', 'cancelled', 'abandoned', 'expired']);
const AgentState = z.enum(['offline', 'available', 'away', 'wrap_up']);
const Band = z.enum(['escalated', 'normal', 'late']);

export const SubmitOk = z.object({
  re,
  ok: z.literal(true),
  interactionId: Id,
  /** A submission whose id is known: nothing changed; `status` is the existing interaction's. */
  duplicate: z.literal(true).optional(),
  status: InteractionStatus.optional(),
});

export const QueueStats = z.object({
  queueId: Id,
  waiting: Count,
  offered: Count,
  oldestWaitMs: z.number().min(0),
  arrived: Count,
  answered: Count,
  answeredWithinThreshold: Count,
  abandoned: Count,
  cancelled: Count,
  expired: Count,
  overflowed: Count,
  transferredOut: Count,
  completed: Count,
  offersRejected: Count,
  offersTimedOut: Count,
  handleMsTotal: z.number().min(0),
  handled: Count,
  averageHandleMs: z.number().nullable(),
  serviceLevel: z.number().min(0).max(1).nullable(),
  objective: z.object({ percent: z.number(), thresholdMs: z.number() }),
  overloaded: z.boolean(),
  deferred: z.boolean(),
  open: z.boolean(),
  estimatedWaitMs: z.number().min(0).nullable(),
});

export const WaitingInteraction = z.object({
  interactionId: Id,
  channel: Id,
  priority: z.number(),
  valueTier: z.number().int().min(0),
  band: Band,
  waitedMs: z.number().min(0),
  state: z.enum(['offered', 'queued', 'held']),
  notBefore: EpochMs.nullable(),
});

const OpenOffer = z.object({ offerId: Id, agentId: Id, expiresAt: EpochMs.nullable() });

export const InteractionInfo = z.object({
  interactionId: Id,
  status: InteractionStatus,
  queueId: Id,
  channel: Id,
  agentId: Id.nullable(),
  offerId: Id.nullable(),
  offers: z.array(OpenOffer),
  notBefore: EpochMs.nullable(),
  arrival: EpochMs,
  deadline: EpochMs,
  priority: z.number(),
  band: Band,
  position: z.number().int().min(1).nullable(),
  estimatedWaitMs: z.number().nullable(),
  activity: z.enum(['active', 'inactive', 'waiting_for_room']).nullable(),
  /** As submitted (or updated); absent when it has none. */
  context: z.unknown().optional(),
});

/** A finished interaction within the idempotency window: its id and how it ended. */
export const FinishedInteraction = z.object({ interactionId: Id, status: InteractionStatus });

export const AgentLoad = z.object({
  agentId: Id,
  state: AgentState,
  /** With `away` only. */
  reason: z.string().optional(),
  units: Count,
  total: Count,
  channels: z.record(Id, Count),
  capacity: z.record(Id, Count),
  offers: z.array(z.object({ offerId: Id, interactionId: Id, expiresAt: EpochMs.nullable(), queueId: Id, channel: Id, since: EpochMs })),
  assignments: z.array(Id),
  assigned: z.array(z.object({ interactionId: Id, offerId: Id, queueId: Id, channel: Id, since: EpochMs })),
  wrapping: z.array(Id),
  wrapUntil: EpochMs.nullable(),
  inactive: z.array(Id),
  waitingForRoom: z.array(Id),
});

export const AgentSummary = z.object({
  agents: Count,
  byState: z.object({ offline: Count, available: Count, away: Count, wrap_up: Count }),
  occupied: Count,
  idle: Count,
});

export const Configuration = z.object({
  /** On the first page only. */
  skills: z.array(Id).optional(),
  queues: z.array(QueueSpec).optional(),
  agents: z.array(AgentSpec),
  nextCursor: z.string().nullable(),
});

const reason = <T extends string, S extends z.ZodRawShape>(name: T, shape: S) => z.object({ reason: z.literal(name), ...shape });

/** Why one agent is not taking the interaction (docs/protocol.md, Explanations, Reasons). */
export const NotTakingReason = z.discriminatedUnion('reason', [
  reason('not_member', { queue: Id, membersOnly: z.boolean() }),
  reason('missing_skill', { skill: Id, required: z.number() }),
  reason('skill_level', { skill: Id, has: z.number(), required: z.number() }),
  reason('label', { label: Id, wants: LabelValue, has: LabelValue.nullable() }),
  reason('selector', { selector: Selector, has: LabelValue.nullable() }),
  reason('no_channel', { channel: Id }),
  z.object({ reason: z.enum(['offline', 'away', 'wrap_up']), detail: z.string().optional() }),
  reason('channel_full', { channel: Id, load: Count, max: Count }),
  reason('capacity', { usedUnits: Count, cost: Count, totalUnits: Count }),
  reason('rejected_before', {}),
  reason('offered', {}),
  reason('not_before', { until: EpochMs }),
  reason('queue_closed', { queue: Id, opensAt: EpochMs }),
  reason('waiting_for_room', { interactionId: Id }),
  reason('held_for_queue', { queue: Id, reservedIdle: Count, idle: Count }),
  reason('reserve_inactive', { queue: Id }),
  reason('deferred_while', { queues: z.array(Id) }),
  reason('lower_queue_level', { level: z.number(), better: z.object({ interactionId: Id, queue: Id, level: z.number() }) }),
  reason('reserved_for_preferred', { until: EpochMs }),
  reason('required_agents', { until: EpochMs.nullable() }),
]);

const RequiredView = z.object({ skills: z.record(Id, z.number()), labels: z.record(Id, LabelValue), selectors: z.array(Selector) });

const ChoiceExplanation = z.object({
  agentId: Id,
  offerId: Id,
  offeredAt: EpochMs,
  agentSelection: z.enum(AGENT_SELECTION_POLICIES),
  idleSince: z.number(),
  occupancy: z.number().nullable(),
  proficiency: z.number(),
  preferred: z.boolean(),
});

export const Explanation = z.object({
  interactionId: Id,
  status: InteractionStatus,
  queueId: Id,
  channel: Id,
  ordering: z.enum(ORDERING_POLICIES),
  band: Band,
  priority: z.number(),
  arrival: EpochMs,
  deadline: EpochMs,
  required: RequiredView,
  alternatives: z.array(RequiredView).optional(),
  preferredAgents: z.array(Id),
  preferredUntil: EpochMs.nullable(),
  requiredAgents: z.boolean(),
  counts: z.object({ agents: Count, eligible: Count, byReason: z.record(z.string(), Count) }),
  agents: z.array(z.object({ agentId: Id, eligible: z.boolean(), alternative: z.number().int().min(0).optional(), reasons: z.array(NotTakingReason) })),
  truncated: z.boolean(),
  choice: ChoiceExplanation.nullable(),
  otherChoices: z.array(ChoiceExplanation),
});

const ok = <S extends z.ZodRawShape>(shape: S) => z.object({ re, ok: z.literal(true), ...shape });

/** The `ok: true` answer of each request type (commands: `CommandOk`). */
export const RESULTS: Readonly<Record<string, z.ZodType>> = {
  SubmitInteraction: SubmitOk,
  GetQueueStats: ok({ queues: z.array(QueueStats) }),
  GetInteraction: ok({ interaction: z.union([InteractionInfo, FinishedInteraction]) }),
  GetAgent: ok({ agent: AgentLoad }),
  GetInteractionHistory: ok({
    history: z.object({
      interactionId: Id,
      customerId: Id.optional(),
      channel: Id,
      queueId: Id,
      status: z.enum(['live', 'completed', 'cancelled', 'abandoned', 'expired']),
      arrival: EpochMs,
      endedAt: EpochMs.nullable(),
      waitMs: z.number().nullable(),
      handleMs: z.number().nullable(),
      agentId: Id.nullable(),
      events: z.array(z.object({ seq: z.number().int().min(1), type: z.string(), at: EpochMs }).loose()),
      dropped: Count,
    }),
  }),
  GetAgentSummary: ok({ summary: AgentSummary }),
  ListWaitingInteractions: ok({ total: Count, interactions: z.array(WaitingInteraction) }),
  GetConfiguration: ok({ configuration: Configuration }),
  ExplainInteraction: ok({ explanation: Explanation }),
};

/** The schema of `type`'s `ok: true` answer. */
export function resultOf(type: string): z.ZodType {
  return RESULTS[type] ?? CommandOk;
}
