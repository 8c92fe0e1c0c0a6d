/**
 * Wire messages, as strict zod schemas (unknown keys rejected; every string, list and map
 * bounded). A request is `{ id, type, ...fields }`; the server answers `{ re: id, ok: true, ... }`
 * or `{ re: id, ok: false, code, message }`. Bounds follow the engine's default limits; the
 * engine checks its configured limits again.
 */
import { z } from 'zod';
import {
  DEFAULT_LIMITS,
  MAX_DEFER_QUEUES,
  MAX_INACTIVE_PER_CHANNEL,
  MAX_EXCEPTION_RULES,
  MAX_OFFER_FANOUT,
  MAX_OVERLOAD_WAIT_MS,
  MAX_QUEUE_LEVEL,
  MAX_OFFER_JOURNEY,
  MAX_PRIORITY,
  MAX_REPEAT_WITHIN_MS,
  MAX_RESERVED_IDLE,
} from '../engine/options.ts';
import { OPERANDS_RULE, SELECTOR_OPS, operandsFit } from '../engine/selectors.ts';
import { EVENT_TYPES } from '../engine/types.ts';
import { MAX_WAITING_LIST } from '../engine/queries.ts';
import { MAX_WEBHOOK_FILTER, MAX_WEBHOOK_SECRET_LENGTH, MAX_WEBHOOK_URL_LENGTH, MIN_WEBHOOK_SECRET_LENGTH } from '../engine/webhooks.ts';
import { ProtocolCode } from './codes.ts';
import { compileSchema, type Predicate } from './compiled-schema.ts';

const L = DEFAULT_LIMITS;
/** An engine event's type (a subscription's filter). */
export const EventTypeName = z.enum(EVENT_TYPES);
/** The longest note an agent may leave on completion. */
export const MAX_NOTE_LENGTH = 1_000;
/** The most queues a subscription's filter names. */
export const MAX_SUBSCRIBE_QUEUES = 100;

export const Id = z.string().min(1).max(L.maxIdLength);
export const RequestId = z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().min(1).max(64)]);

const bounded = <T extends z.ZodType>(schema: T, max: number, what: string) =>
  schema.refine((v) => Object.keys(v as object).length <= max, { message: `at most ${max} ${what}` });

export const SkillLevels = bounded(z.record(Id, z.number().int().min(1).max(10)), L.maxSkillsPerAgent, 'skills');
export const Requirements = bounded(z.record(Id, z.number().int().min(1).max(10)), L.maxRequirementsPerInteraction, 'skills');
/** A label's value: an id-like string or a finite number. */
export const LabelValue = z.union([Id, z.number()]);
export const Labels = bounded(z.record(Id, LabelValue), L.maxLabelsPerEntity, 'labels');
const Duration = z
  .number()
  .int()
  .min(0)
  .max(30 * 24 * 3600_000);

export const Selector = z
  .strictObject({
    key: Id,
    op: z.enum(SELECTOR_OPS),
    value: LabelValue.optional(),
    values: z.array(LabelValue).min(1).max(L.maxSelectorValues).optional(),
  })
  .refine(operandsFit, { message: OPERANDS_RULE });
export const Selectors = z.array(Selector).max(L.maxSelectorsPerInteraction);

/** One requirement an agent may meet (an alternative adds it to the interaction's own). */
export const Requirement = z.strictObject({ skills: Requirements.optional(), labels: Labels.optional(), selectors: Selectors.optional() });
export const Alternatives = z.array(Requirement).max(L.maxAlternatives);

export const RelaxationStep = z.strictObject({
  afterMs: Duration,
  skills: Requirements.optional(),
  labels: Labels.optional(),
  selectors: Selectors.optional(),
  alternatives: Alternatives.optional(),
  queue: Id.optional(),
  priority: z.number().int().min(0).max(100).optional(),
  skipIfNoneLoggedIn: z.boolean().optional(),
});

export const QueueMembership = z.strictObject({
  priority: z.number().int().min(1).max(MAX_QUEUE_LEVEL).optional(),
  delayMs: Duration.optional(),
  reserve: z.boolean().optional(),
});

/** An overload threshold on a wait: whole milliseconds, 1 ms to a week. */
const OverloadWait = z.number().int().min(1).max(MAX_OVERLOAD_WAIT_MS);
export const OverloadThresholds = z
  .strictObject({ estimatedWaitMs: OverloadWait.optional(), oldestWaitMs: OverloadWait.optional(), serviceLevelBelow: z.number().gt(0).max(1).optional() })
  .refine((w) => w.estimatedWaitMs !== undefined || w.oldestWaitMs !== undefined || w.serviceLevelBelow !== undefined, {
    message: 'name estimatedWaitMs, oldestWaitMs or serviceLevelBelow',
  });
const HourMinute = z
  .string()
  .max(5)
  .refine((v) => /^\d\d:\d\d$/.test(v), { message: 'a time is HH:MM' });
const HoursInterval = z.strictObject({ open: HourMinute, close: HourMinute });
const LocalDate = z
  .string()
  .max(10)
  .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v), { message: 'a date is YYYY-MM-DD' });
export const QueueHours = z.strictObject({
  timeZone: z.string().min(1).max(64),
  weekly: z.array(z.strictObject({ open: HourMinute, close: HourMinute, days: z.array(z.number().int().min(0).max(6)).min(1).max(7) })).max(28),
  overrides: z
    .array(z.strictObject({ date: LocalDate, intervals: z.array(HoursInterval).max(8).optional() }))
    .max(400)
    .optional(),
  pauseServiceLevel: z.boolean().optional(),
  closedAction: z
    .union([
      z.strictObject({ type: z.literal('refuse') }),
      z.strictObject({ type: z.literal('hold') }),
      z.strictObject({ type: z.literal('overflow'), queue: Id }),
    ])
    .optional(),
});
export const OverloadRecovery = z.strictObject({
  estimatedWaitMs: OverloadWait.optional(),
  oldestWaitMs: OverloadWait.optional(),
  serviceLevelAtLeast: z.number().gt(0).max(1).optional(),
});
const Priority = z.number().int().min(0).max(100);

export const ChannelCapacity = z.strictObject({
  cost: z.number().int().min(0).max(L.maxCapacityUnits),
  max: z.number().int().min(1).max(L.maxCapacityUnits),
  autoAccept: z.boolean().optional(),
  interruptible: z.boolean().optional(),
  inactiveMax: z.number().int().min(0).max(MAX_INACTIVE_PER_CHANNEL).optional(),
});

export const CapacitySpec = z.strictObject({
  total: z.number().int().min(1).max(L.maxCapacityUnits),
  channels: bounded(z.record(Id, ChannelCapacity), L.maxChannels, 'channels'),
});

export const AgentSpec = z.strictObject({
  id: Id,
  skills: SkillLevels.optional(),
  labels: Labels.optional(),
  capacity: CapacitySpec.optional(),
  queues: bounded(z.record(Id, QueueMembership), L.maxQueuesPerAgent, 'queues').optional(),
});

/** An exception rule of a queue (docs/engine.md, Exception rules). */
const ExceptionRule = z.strictObject({
  trigger: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('queueLength'), threshold: z.number().int().min(0).max(1_000_000) }),
    z.strictObject({ type: z.literal('waitMs'), threshold: Duration }),
    z.strictObject({ type: z.literal('estimatedWaitMs'), threshold: Duration }),
    z.strictObject({ type: z.literal('noEligibleAgents') }),
    z.strictObject({ type: z.literal('serviceLevelBelow'), threshold: z.number().gt(0).max(1) }),
  ]),
  action: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('overflow'), queue: Id }),
    z.strictObject({ type: z.literal('setPriority'), priority: Priority }),
    z.strictObject({ type: z.literal('cancel'), reason: Id.optional() }),
    z.strictObject({ type: z.literal('refuse') }),
  ]),
});

export const QueueSpec = z.strictObject({
  id: Id,
  serviceObjective: z
    .strictObject({
      percent: z.number().int().min(0).max(100),
      thresholdMs: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 3600_000),
    })
    .optional(),
  weight: z.number().gt(0).max(1000).optional(),
  defaultPriority: Priority.optional(),
  offerTimeoutMs: Duration.optional(),
  wrapUpMs: Duration.optional(),
  maxWaitMs: Duration.nullable().optional(),
  overflowQueue: Id.nullable().optional(),
  escalateAfterMs: Duration.nullable().optional(),
  noAnswerAway: z.boolean().optional(),
  preferredWindowMs: Duration.optional(),
  membersOnly: z.boolean().optional(),
  wrapUpMode: z.enum(['timed', 'manual']).optional(),
  offerFanout: z.number().int().min(1).max(MAX_OFFER_FANOUT).optional(),
  reservedIdle: z.number().int().min(0).max(MAX_RESERVED_IDLE).optional(),
  exceptions: z.array(ExceptionRule).max(MAX_EXCEPTION_RULES).optional(),
  reserveWhen: OverloadThresholds.nullable().optional(),
  reserveUntil: OverloadRecovery.nullable().optional(),
  deferrable: z
    .strictObject({ whileHealthy: z.array(Id).min(1).max(MAX_DEFER_QUEUES) })
    .nullable()
    .optional(),
  offerJourney: z.number().int().min(0).max(MAX_OFFER_JOURNEY).nullable().optional(),
  hours: QueueHours.nullable().optional(),
  repeatContact: z
    .strictObject({ withinMs: z.number().int().min(1).max(MAX_REPEAT_WITHIN_MS), priorityBoost: z.number().int().min(1).max(MAX_PRIORITY) })
    .nullable()
    .optional(),
});

/** A time on the server's clock: epoch milliseconds (the engine bounds how far ahead). */
const EpochMs = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const InteractionSpec = z.strictObject({
  id: Id,
  channel: Id,
  queue: Id,
  skills: Requirements.optional(),
  labels: Labels.optional(),
  selectors: Selectors.optional(),
  alternatives: Alternatives.optional(),
  requiredAgents: z.array(Id).min(1).max(L.maxPreferredAgents).optional(),
  requiredForMs: Duration.optional(),
  notBefore: EpochMs.optional(),
  customerId: Id.optional(),
  valueTier: z.number().int().min(0).max(100).optional(),
  priority: Priority.optional(),
  slaDeadline: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  preferredAgents: z.array(Id).max(L.maxPreferredAgents).optional(),
  relaxation: z.array(RelaxationStep).max(L.maxRelaxationSteps).optional(),
  /** Free-form; bounded by the frame's value bounds (depth, size, keys). */
  context: z.unknown().optional(),
});

const request = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.strictObject({ id: RequestId, type: z.literal(type), ...shape });

/** Read-only queries, for platforms and supervisors. */
const queries = [
  request('GetQueueStats', { queueId: Id.optional() }),
  request('GetInteraction', { interactionId: Id }),
  /** Every event about an interaction, live or ended (within the history's retention). */
  request('GetInteractionHistory', { interactionId: Id }),
  /** A customer's interactions across channels and queues, newest first (live, and ended within the history's retention). */
  request('ListCustomerInteractions', {
    customerId: Id,
    limit: z.number().int().min(1).max(100).optional(),
    /** Only those that arrived before this time (epoch ms): the next page's cursor. */
    before: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
  request('GetAgent', { agentId: Id }),
  request('GetAgentSummary', {}),
  /** A queue's waiting interactions in routing order (offered, then queued as they will be offered, then held). */
  request('ListWaitingInteractions', { queueId: Id, limit: z.number().int().min(1).max(MAX_WAITING_LIST).optional() }),
  /** Why an interaction waits (each agent's verdict) and how its agent was chosen. */
  request('ExplainInteraction', { interactionId: Id, limit: z.number().int().min(1).max(1000).optional() }),
  request('Subscribe', {
    events: z.boolean(),
    /** Resume after this event number: what was missed is sent first (EVENTS_EXPIRED past retention). */
    after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    types: z.array(EventTypeName).min(1).max(EVENT_TYPES.length).optional(),
    queues: z.array(Id).min(1).max(MAX_SUBSCRIBE_QUEUES).optional(),
  }),
  /** Skills, queues and agents as specs; agents paged (the first page, without a cursor, has skills and queues). */
  request('GetConfiguration', { cursor: z.string().min(1).max(16).optional(), limit: z.number().int().min(1).max(1000).optional() }),
] as const;

export const PlatformRequest = z.discriminatedUnion('type', [
  request('DefineSkill', { skill: Id }),
  request('UpsertQueue', { queue: QueueSpec }),
  request('RemoveQueue', { queueId: Id, moveTo: Id.optional() }),
  request('RemoveSkill', { skill: Id }),
  request('UpsertAgent', { agent: AgentSpec }),
  /** Bounded by maxAgentsPerCommand and, in practice, by the frame size (--max-payload-bytes). */
  request('UpsertAgents', { agents: z.array(AgentSpec).min(1).max(L.maxAgentsPerCommand) }),
  request('RemoveAgent', { agentId: Id }),
  request('SetAgentState', { agentIds: z.array(Id).min(1).max(L.maxAgentsPerCommand), state: z.enum(['offline', 'available', 'away']), reason: Id.optional() }),
  request('SubmitInteraction', { interaction: InteractionSpec }),
  request('UpdateInteraction', { interactionId: Id, priority: Priority.optional(), context: z.unknown().optional(), active: z.boolean().optional() }),
  request('TransferInteraction', {
    interactionId: Id,
    queue: Id,
    skills: Requirements.optional(),
    agentId: Id.optional(),
    requiredForMs: Duration.optional(),
    transferId: Id.optional(),
  }),
  request('CancelInteraction', { interactionId: Id, reason: z.enum(['cancelled', 'abandoned']) }),
  request('ConvertToCallback', { interactionId: Id, channel: Id.optional(), notBefore: EpochMs.optional() }),
  /**
   * Delivers the tenant's events to `url` (http or https; private and loopback addresses only
   * when the server allows them), signed with `secret`, only `types` and events about `queues`
   * when given. A new webhook starts after `after` (default: from now); a replaced one keeps its
   * cursor unless `after` is given, and resumes if it was paused.
   */
  request('UpsertWebhook', {
    webhookId: Id,
    url: z.string().min(1).max(MAX_WEBHOOK_URL_LENGTH),
    secret: z.string().min(MIN_WEBHOOK_SECRET_LENGTH).max(MAX_WEBHOOK_SECRET_LENGTH),
    types: z.array(EventTypeName).min(1).max(EVENT_TYPES.length).optional(),
    queues: z.array(Id).min(1).max(MAX_WEBHOOK_FILTER).optional(),
    after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
  request('RemoveWebhook', { webhookId: Id }),
  /** Every webhook with its delivered seq, lag, state and last error (never its secret). */
  request('GetWebhooks', {}),
  ...queries,
]);

/** An agent acts only as itself: the agent id comes from its token, never from a message. */
export const AgentRequest = z.discriminatedUnion('type', [
  request('SetState', { state: z.enum(['offline', 'available', 'away']), reason: Id.optional() }),
  request('Accept', { offerId: Id }),
  request('Reject', { offerId: Id }),
  request('Complete', { interactionId: Id, disposition: Id.optional(), note: z.string().max(MAX_NOTE_LENGTH).optional() }),
  request('EndWrapUp', {}),
  request('Resume', {}),
]);

export const SupervisorRequest = z.discriminatedUnion('type', [...queries]);

export type PlatformRequest = z.output<typeof PlatformRequest>;
export type AgentRequest = z.output<typeof AgentRequest>;
export type SupervisorRequest = z.output<typeof SupervisorRequest>;
export type Role = 'platform' | 'agent' | 'supervisor';
export type RequestFor<R extends Role> = R extends 'platform' ? PlatformRequest : R extends 'agent' ? AgentRequest : SupervisorRequest;

const SCHEMAS = { platform: PlatformRequest, agent: AgentRequest, supervisor: SupervisorRequest } as const;
const TYPES: Record<Role, ReadonlySet<string>> = {
  platform: new Set(PlatformRequest.options.map((o) => o.shape.type.value)),
  agent: new Set(AgentRequest.options.map((o) => o.shape.type.value)),
  supervisor: new Set(SupervisorRequest.options.map((o) => o.shape.type.value)),
};

/**
 * Each request type compiled to a predicate (compiled-schema.ts): a request it accepts is valid
 * as it is; zod itself runs only for the ones it refuses, to say why.
 */
const COMPILED: Record<Role, ReadonlyMap<string, Predicate | null>> = {
  platform: new Map(PlatformRequest.options.map((o) => [o.shape.type.value, compileSchema(o)])),
  agent: new Map(AgentRequest.options.map((o) => [o.shape.type.value, compileSchema(o)])),
  supervisor: new Map(SupervisorRequest.options.map((o) => [o.shape.type.value, compileSchema(o)])),
};

/** Each role's request types that are validated by zod alone (none today; a test keeps it so). */
export function uncompiledTypes(role: Role): string[] {
  return [...COMPILED[role]].filter(([, p]) => p === null).map(([t]) => t);
}

export type Parsed<R extends Role> =
  | { readonly ok: true; readonly request: RequestFor<R> }
  | { readonly ok: false; readonly re: string | number | null; readonly code: ProtocolCode; readonly message: string };

/**
 * The request id of a decoded frame that is refused, when it has a valid one (a valid request
 * has it parsed); null for anything but an object. Nothing else of the frame is looked at.
 */
export function requestIdOf(value: unknown): string | number | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const rid = RequestId.safeParse((value as { id?: unknown }).id);
  return rid.success ? rid.data : null;
}

/**
 * Validates a decoded frame as a request of `role`. Errors carry the request id when one could
 * be read, a stable code, and a message naming the offending fields (never echoing values).
 */
export function parseRequest<R extends Role>(value: unknown, role: R): Parsed<R> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, re: null, code: ProtocolCode.VALIDATION_FAILED, message: 'a request is an object' };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !TYPES[role].has(type))
    return { ok: false, re: requestIdOf(value), code: ProtocolCode.UNKNOWN_TYPE, message: `unknown request type for a ${role} connection` };
  const compiled = COMPILED[role].get(type);
  if (compiled?.(value)) return { ok: true, request: value as RequestFor<R> };
  const parsed = SCHEMAS[role].safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.map(String).join('.') || '(request)'}: ${i.message}`)
      .join('; ');
    return { ok: false, re: requestIdOf(value), code: ProtocolCode.VALIDATION_FAILED, message: issues };
  }
  return { ok: true, request: parsed.data as RequestFor<R> };
}

/** JSON Schema of every request, per role (docs/protocol.schema.json is generated from it). */
export function protocolJsonSchema(): Record<Role, unknown> {
  return {
    platform: z.toJSONSchema(PlatformRequest, { unrepresentable: 'any' }),
    agent: z.toJSONSchema(AgentRequest, { unrepresentable: 'any' }),
    supervisor: z.toJSONSchema(SupervisorRequest, { unrepresentable: 'any' }),
  };
}
