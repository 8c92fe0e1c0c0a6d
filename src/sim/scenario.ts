/**
 * The simulator's scenario format (JSON). Times in the file are seconds and hours, for people;
 * the simulator converts to the engine's milliseconds. The one exception is a queue's
 * `exceptions`, written exactly as on the wire (`QueueSpec.exceptions`), so a rule list is
 * copied between a scenario and a real configuration unchanged: the thresholds of `waitMs` and
 * `estimatedWaitMs` are milliseconds, as their names say. So are a queue's overload settings
 * (`reserveWhen`, `reserveUntil`, `deferrable`) and a membership's `reserve`, the engine's
 * `QueueSpec` and `AgentSpec.queues` fields under the same names and in the same shapes, and so
 * are a queue's `hours` (`QueueSpec.hours`: local `HH:MM` times in an IANA time zone). The
 * scenario's `start` (an ISO-8601 date-time with its offset) is the instant its clock starts at,
 * which gives those hours a date and time to apply to. An agent group's `capacity` is the wire's
 * `CapacitySpec`, `inactiveMax` included; a queue's `conversation` (how its messaging
 * conversations go: exchanges, the agent's time on each, the customer's reply delays and when the
 * platform makes a quiet one inactive) is the simulator's own. So is a queue's `repeatCalls` (which
 * of its customers call again, and when), while its `repeatContact` is the wire's
 * (`QueueSpec.repeatContact`, `withinMs` in milliseconds).
 */
import { z } from 'zod';
import {
  DEFAULT_LIMITS,
  MAX_DEFER_QUEUES,
  MAX_EXCEPTION_RULES,
  MAX_INACTIVE_PER_CHANNEL,
  MAX_OFFER_FANOUT,
  MAX_PRIORITY,
  MAX_QUEUE_LEVEL,
  MAX_REPEAT_WITHIN_MS,
  MAX_RESERVED_IDLE,
  MAX_OVERLOAD_WAIT_MS,
} from '../engine/options.ts';
import { knownTimeZone, minutesOf } from '../engine/hours.ts';
import { OPERANDS_RULE, SELECTOR_OPS, operandsFit } from '../engine/selectors.ts';

const Name = z.string().min(1).max(64);
const Levels = z.record(Name, z.number().int().min(1).max(10));

const bounded = <T extends z.ZodType>(schema: T, max: number, what: string) =>
  schema.refine((v) => Object.keys(v as object).length <= max, { message: `at most ${max} ${what}` });

/** A label's value: a string (an id) or a number (tenure, rating…). */
const LabelValue = z.union([Name, z.number()]);

/**
 * A condition on an agent's label: eq and ne take a `value`; gt, gte, lt and lte a number
 * `value`; in and notIn a non-empty `values` list; exists and notExists neither. ne and notIn
 * hold for an agent without the label.
 */
const SelectorSchema = z
  .strictObject({
    key: Name,
    op: z.enum(SELECTOR_OPS),
    value: LabelValue.optional(),
    values: z.array(LabelValue).min(1).max(DEFAULT_LIMITS.maxSelectorValues).optional(),
  })
  .refine(operandsFit, { message: OPERANDS_RULE });

/** Milliseconds, as the wire bounds them: a whole number up to 30 days. */
const WireMs = z
  .number()
  .int()
  .min(0)
  .max(30 * 24 * 3_600_000);

/**
 * An exception rule, in the wire's shape and bounds (`QueueSpec.exceptions`, docs/engine.md,
 * Exception rules); what the engine refuses besides (refuse on waitMs, an overflow into the queue
 * itself or into a queue the scenario does not define) is refused here too.
 */
export const ExceptionRuleSchema = z
  .strictObject({
    trigger: z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('queueLength'), threshold: z.number().int().min(0).max(1_000_000) }),
      z.strictObject({ type: z.literal('waitMs'), threshold: WireMs }),
      z.strictObject({ type: z.literal('estimatedWaitMs'), threshold: WireMs }),
      z.strictObject({ type: z.literal('noEligibleAgents') }),
      z.strictObject({ type: z.literal('serviceLevelBelow'), threshold: z.number().gt(0).max(1) }),
    ]),
    action: z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('overflow'), queue: Name }),
      z.strictObject({ type: z.literal('setPriority'), priority: z.number().int().min(0).max(MAX_PRIORITY) }),
      z.strictObject({
        type: z.literal('cancel'),
        reason: z
          .string()
          .min(1)
          .max(DEFAULT_LIMITS.maxIdLength)
          // biome-ignore lint/suspicious/noControlCharactersInRegex: the engine refuses control characters in ids
          .regex(/^[^\u0000-\u001f\u007f]*$/, { message: 'no control characters' })
          .optional(),
      }),
      z.strictObject({ type: z.literal('refuse') }),
    ]),
  })
  .refine((r) => r.action.type !== 'refuse' || r.trigger.type !== 'waitMs', {
    message: 'refuse applies to submissions only, not to waitMs',
    path: ['action'],
  });

export { MAX_OVERLOAD_WAIT_MS };

/** An overload threshold on a wait: whole milliseconds, 1 ms to a week. */
const OverloadMs = z.number().int().min(1).max(MAX_OVERLOAD_WAIT_MS);

/**
 * `QueueSpec.reserveWhen`: the queue goes into overload when any measure named reaches its
 * threshold (the waits at or above, the service level, 0–1, below). At least one is named.
 */
export const ReserveWhenSchema = z
  .strictObject({
    estimatedWaitMs: OverloadMs.optional(),
    oldestWaitMs: OverloadMs.optional(),
    serviceLevelBelow: z.number().gt(0).max(1).optional(),
  })
  .refine((w) => w.estimatedWaitMs !== undefined || w.oldestWaitMs !== undefined || w.serviceLevelBelow !== undefined, {
    message: 'reserveWhen must name estimatedWaitMs, oldestWaitMs or serviceLevelBelow',
  });

/**
 * `QueueSpec.reserveUntil` (hysteresis): overload ends once every measure `reserveWhen` names is
 * back, the waits below these values, the service level at or above it (default: `reserveWhen`'s
 * own thresholds). Checked against `reserveWhen` in the scenario's cross-checks.
 */
export const ReserveUntilSchema = z.strictObject({
  estimatedWaitMs: OverloadMs.optional(),
  oldestWaitMs: OverloadMs.optional(),
  serviceLevelAtLeast: z.number().gt(0).max(1).optional(),
});

/** `QueueSpec.deferrable`: the queue's work is not offered while any of these queues is in overload. */
export const DeferrableSchema = z.strictObject({ whileHealthy: z.array(Name).min(1).max(MAX_DEFER_QUEUES) });

/** The engine's bounds on a queue's hours: weekly entries, dated overrides, intervals per override. */
const MAX_WEEKLY_HOURS = 28;
const MAX_HOURS_OVERRIDES = 400;
const MAX_OVERRIDE_INTERVALS = 8;

/** A local time of day, `HH:MM` from 00:00 to 24:00 (the end of the day). */
const HourMinute = z.string().refine((v) => !Number.isNaN(minutesOf(v)), { message: 'a time is HH:MM, from 00:00 to 24:00' });

/** Close after open (a malformed time is reported by its own field). */
const closeAfterOpen = (i: { open: string; close: string }) => {
  const open = minutesOf(i.open);
  const close = minutesOf(i.close);
  return Number.isNaN(open) || Number.isNaN(close) || close > open;
};
const CLOSE_AFTER_OPEN = { message: 'close must be after open', path: ['close'] };

const HoursIntervalSchema = z.strictObject({ open: HourMinute, close: HourMinute }).refine(closeAfterOpen, CLOSE_AFTER_OPEN);

/**
 * `QueueSpec.hours`, in the wire's shape and bounds (docs/engine.md, Hours of operation): an IANA
 * `timeZone` the runtime knows, `weekly` intervals on days 0 (Sunday) to 6, dated `overrides` that
 * replace a local date's intervals (none: closed all day), and the `closedAction` a submission
 * meets while the queue is closed (default refuse). An overflow into the queue itself or into a
 * queue the scenario does not define is refused in the scenario's cross-checks.
 */
export const HoursSchema = z.strictObject({
  timeZone: z
    .string()
    .min(1)
    .max(64)
    .refine(knownTimeZone, { error: (issue) => `unknown time zone '${String(issue.input)}'` }),
  weekly: z
    .array(
      z
        .strictObject({ days: z.array(z.number().int().min(0).max(6)).min(1).max(7), open: HourMinute, close: HourMinute })
        .refine(closeAfterOpen, CLOSE_AFTER_OPEN),
    )
    .max(MAX_WEEKLY_HOURS),
  overrides: z
    .array(
      z.strictObject({
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'a date is YYYY-MM-DD' }),
        intervals: z.array(HoursIntervalSchema).max(MAX_OVERRIDE_INTERVALS).optional(),
      }),
    )
    .max(MAX_HOURS_OVERRIDES)
    .optional(),
  closedAction: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('refuse') }),
      z.strictObject({ type: z.literal('hold') }),
      z.strictObject({ type: z.literal('overflow'), queue: Name }),
    ])
    .optional(),
});

/**
 * Asynchronous messaging, the simulator's own description of a queue's conversations (the engine
 * sees only what the platform sends: `UpdateInteraction { active }`). The customer's first message
 * is the submission; the agent answers it, the customer replies after a delay, the agent answers
 * that, and so on: the conversation ends once the agent has sent its `exchanges`-th answer. Each
 * answer takes the agent a handling time (mean `agentSecondsPerExchange`, drawn like handle times
 * by the scenario's `handleTime` and `handleCv`); each reply takes the customer a delay (mean
 * `replySeconds`, by `replyTime` and `replyCv`). Once the customer has been quiet for
 * `inactiveAfterSeconds` the platform makes the conversation inactive (`active: false`), and when
 * the reply comes active again (`active: true`), the agent answering only once it is.
 */
export const ConversationSchema = z.strictObject({
  /** Exchanges in a conversation, each a customer's message and the agent's answer (the first message is the submission). */
  exchanges: z.number().int().min(1).max(1000),
  /** Mean agent handling time of one exchange (reading the customer's message and answering it). */
  agentSecondsPerExchange: z.number().positive(),
  /** Mean time the customer takes to reply to the agent's answer. */
  replySeconds: z.number().positive(),
  /** Distribution of the reply delays; lognormal with `replyCv`. */
  replyTime: z.enum(['exponential', 'lognormal']).default('exponential'),
  /** Coefficient of variation of lognormal reply delays. */
  replyCv: z.number().positive().default(1),
  /** The platform makes a conversation inactive once its customer has been quiet this long (0: as soon as the agent answers). */
  inactiveAfterSeconds: z.number().min(0),
});

/** `QueueSpec.repeatContact`, in the wire's shape and bounds (docs/engine.md, Repeat contacts). */
export const RepeatContactSchema = z.strictObject({
  withinMs: z.number().int().min(1).max(MAX_REPEAT_WITHIN_MS),
  priorityBoost: z.number().int().min(1).max(MAX_PRIORITY),
});

/**
 * Customers who call again, the simulator's own description: of the queue's callers who hang up
 * before an answer, `afterAbandon` (a share, 0–1) call again; of those answered, `afterAnswer`
 * (their problem was not solved after all). The next call comes after an exponential delay of
 * mean `delaySeconds` from hanging up (or from the end of the call), to `queue` (default the
 * queue itself), by the same customer: its customerId, value tier and priority. A repeat call may
 * be repeated in turn, by the rules of the queue it went to.
 */
export const RepeatCallsSchema = z.strictObject({
  afterAbandon: z.number().min(0).max(1).default(0),
  afterAnswer: z.number().min(0).max(1).default(0),
  delaySeconds: z.number().positive(),
  queue: Name.optional(),
});

export const QueueScenarioSchema = z.strictObject({
  id: Name,
  /** Mean Poisson arrival rate; multiplied by the scenario's hourly profile if it has one. */
  arrivalsPerHour: z.number().min(0),
  /** Mean handle time; a queue with a `conversation` has none (its exchanges make its handling). */
  ahtSeconds: z.number().positive().optional(),
  /** Mean of exponential patience; null: nobody abandons. */
  patienceSeconds: z.number().positive().nullable().default(null),
  serviceObjective: z.strictObject({ percent: z.number().min(0).max(100), thresholdSeconds: z.number().positive() }),
  wrapUpSeconds: z.number().min(0).default(0),
  channel: z.string().min(1).max(32).default('voice'),
  /** Required skills with minimum levels. */
  skills: Levels.default({}),
  /**
   * Age after which an interaction outranks all non-escalated work (the engine's starvation
   * bound); omitted: the engine default (10 × threshold); null: never.
   */
  escalateAfterSeconds: z.number().positive().nullable().optional(),
  /** Class weight c_q of the service-objective rule. */
  weight: z.number().positive().default(1),
  /** Mix of customer value tiers (shares are normalised). */
  tiers: z.array(z.strictObject({ tier: z.number().int().min(0).max(10), share: z.number().min(0) })).default([{ tier: 0, share: 1 }]),
  /** Mix of priorities (shares are normalised). */
  priorities: z.array(z.strictObject({ priority: z.number().int().min(0).max(100), share: z.number().min(0) })).default([{ priority: 0, share: 1 }]),
  /** Optional bullseye: after this many seconds, required skills become `skills`. */
  relaxation: z.array(z.strictObject({ afterSeconds: z.number().min(0), skills: Levels })).default([]),
  /** Only agent groups that list this queue in their `queues` may take its work. */
  membersOnly: z.boolean().default(false),
  /** Conditions on the agent's labels that every interaction of this queue carries (all must hold). */
  selectors: z.array(SelectorSchema).max(DEFAULT_LIMITS.maxSelectorsPerInteraction).default([]),
  /**
   * Multi-offer (ring-all): each interaction is offered to up to this many eligible agents at
   * once; the first to answer takes it and the others' offers are rescinded.
   */
  offerFanout: z.number().int().min(1).max(MAX_OFFER_FANOUT).default(1),
  /**
   * Mean time an agent takes to answer an offer (exponential), during which the offer holds the
   * agent's capacity; 0: at once. At most 600 s, far inside the simulator's offer timeout.
   */
  answerSeconds: z.number().min(0).max(600).default(0),
  /**
   * Trunk reservation: keep up to this many of the queue's members (agents of groups that list it
   * in `queues`) idle for its work; an idle member is not offered other queues' work while that
   * would leave fewer idle. 0: none held.
   */
  reservedIdle: z.number().int().min(0).max(MAX_RESERVED_IDLE).default(0),
  /**
   * Exception rules (at most 8), in order, exactly as the engine's `QueueSpec.exceptions`:
   * `{ trigger, action }`, thresholds of waitMs and estimatedWaitMs in milliseconds.
   */
  exceptions: z.array(ExceptionRuleSchema).max(MAX_EXCEPTION_RULES).default([]),
  /**
   * Overload (the engine's `QueueSpec.reserveWhen`, thresholds in milliseconds and service levels
   * 0–1): while any measure named is at its threshold the queue is in overload, its reserve
   * members take its work and deferrable queues that name it wait. Null: never in overload.
   */
  reserveWhen: ReserveWhenSchema.nullable().default(null),
  /** Hysteresis: when overload ends (`QueueSpec.reserveUntil`); null: at `reserveWhen`'s own thresholds. */
  reserveUntil: ReserveUntilSchema.nullable().default(null),
  /** Blending (`QueueSpec.deferrable`): not offered while a queue it names is in overload; null: never deferred. */
  deferrable: DeferrableSchema.nullable().default(null),
  /**
   * Hours of operation (the engine's `QueueSpec.hours`): while the queue is closed a submission is
   * refused (QUEUE_CLOSED), held until it opens, or overflowed, as its `closedAction` says. Null:
   * always open. Needs the scenario's `start`.
   */
  hours: HoursSchema.nullable().default(null),
  /**
   * Asynchronous messaging: how the queue's conversations go, in exchanges with quiet spells
   * between them that the platform reports to the engine (`UpdateInteraction { active }`). Null:
   * each interaction is handled in one piece of `ahtSeconds`.
   */
  conversation: ConversationSchema.nullable().default(null),
  /**
   * Repeat contacts (the engine's `QueueSpec.repeatContact`): a submission to the queue whose
   * customer made another contact within `withinMs` comes in with `priorityBoost` more priority.
   * Null: none.
   */
  repeatContact: RepeatContactSchema.nullable().default(null),
  /** Customers who call again after they hung up or were answered (the simulator's own); null: nobody does. */
  repeatCalls: RepeatCallsSchema.nullable().default(null),
});

/** A group's place in one queue's routing profile. */
const MembershipSchema = z.strictObject({
  /** 1–99, 1 first: a freed agent takes work of its best level that has any waiting. */
  priority: z.number().int().min(1).max(MAX_QUEUE_LEVEL).default(1),
  /**
   * Work of this queue that has waited this long competes with the group's best level by the
   * ordering policy; 0: only when no better level has work.
   */
  delaySeconds: z.number().min(0).default(0),
  /**
   * A reserve member (the engine's `AgentSpec.queues[q].reserve`): takes the queue's work only
   * while the queue is in overload (its `reserveWhen`), which it must have.
   */
  reserve: z.boolean().optional(),
});

export const AgentGroupSchema = z.strictObject({
  name: Name,
  count: z.number().int().min(0).max(100_000),
  skills: Levels.default({}),
  /** Labels of every agent of the group, for the queues' selectors. */
  labels: bounded(z.record(Name, LabelValue), DEFAULT_LIMITS.maxLabelsPerEntity, 'labels').default({}),
  /**
   * Routing profile: the queues the group serves, with its priority level and delay in each. A
   * group that lists queues serves only those; one that lists none serves every queue that is not
   * `membersOnly`.
   */
  queues: bounded(z.record(Name, MembershipSchema), DEFAULT_LIMITS.maxQueuesPerAgent, 'queues').optional(),
  /**
   * Channels this group serves, the engine's `CapacitySpec`; default one voice call at a time. A
   * channel's `inactiveMax` (0–100, default 0) is how many inactive conversations of it an agent
   * may hold besides its `max` active ones.
   */
  capacity: z
    .strictObject({
      total: z.number().int().min(1),
      channels: z.record(
        z.string(),
        z.strictObject({
          cost: z.number().int().min(0),
          max: z.number().int().min(1),
          interruptible: z.boolean().optional(),
          inactiveMax: z.number().int().min(0).max(MAX_INACTIVE_PER_CHANNEL).optional(),
        }),
      ),
    })
    .default({ total: 1, channels: { voice: { cost: 1, max: 1 } } }),
});

export const ScenarioSchema = z
  .strictObject({
    name: z.string().min(1).max(100),
    description: z.string().max(2000).default(''),
    /**
     * The instant the simulated clock starts at: an ISO-8601 date-time with seconds and its offset
     * (`2026-03-06T00:00:00+01:00`, or `Z`). Omitted: the epoch (1970-01-01T00:00:00Z). Queues
     * with `hours` need it; the arrival profile's hour 0 starts there.
     */
    start: z.iso
      .datetime({ offset: true, message: 'start is an ISO-8601 date-time with seconds and an offset, e.g. 2026-03-06T00:00:00+01:00' })
      .refine((v) => Date.parse(v) >= 0, { message: 'start is at or after 1970-01-01T00:00:00Z' })
      .optional(),
    hours: z.number().positive().max(10_000).default(8),
    /** Arrivals before this are simulated but not measured. */
    warmupHours: z.number().min(0).default(0.5),
    handleTime: z.enum(['exponential', 'lognormal']).default('exponential'),
    /** Coefficient of variation of lognormal handle times. */
    handleCv: z.number().positive().default(1),
    /** Hourly arrival multipliers, cycled (time-varying Poisson by thinning). */
    arrivalProfile: z.array(z.number().min(0)).min(1).max(168).optional(),
    /** Value of each customer tier in the value-weighted wait (index = tier). */
    tierValues: z.array(z.number().min(0)).min(1).default([1, 2, 5, 10]),
    queues: z.array(QueueScenarioSchema).min(1).max(200),
    agents: z.array(AgentGroupSchema).min(1).max(200),
  })
  .superRefine((s, ctx) => {
    const queues = new Set(s.queues.map((q) => q.id));
    // A queue's handling: one handle time, or a conversation's exchanges.
    s.queues.forEach((q, i) => {
      if (q.ahtSeconds === undefined && q.conversation === null)
        ctx.addIssue({ code: 'custom', path: ['queues', i, 'ahtSeconds'], message: `queue '${q.id}' needs an ahtSeconds, or a conversation` });
      if (q.ahtSeconds !== undefined && q.conversation !== null)
        ctx.addIssue({
          code: 'custom',
          path: ['queues', i, 'ahtSeconds'],
          message: `queue '${q.id}' has a conversation, whose exchanges make its handling time: it takes no ahtSeconds`,
        });
    });
    // Only conversations go inactive: an inactiveMax on a channel no conversation uses would do nothing.
    const conversing = new Set(s.queues.flatMap((q) => (q.conversation === null ? [] : [q.channel])));
    s.agents.forEach((g, i) => {
      for (const [c, spec] of Object.entries(g.capacity.channels))
        if ((spec.inactiveMax ?? 0) > 0 && !conversing.has(c))
          ctx.addIssue({
            code: 'custom',
            path: ['agents', i, 'capacity', 'channels', c, 'inactiveMax'],
            message: `agent group '${g.name}' may hold ${spec.inactiveMax} inactive '${c}' conversations, but no queue on channel '${c}' has a conversation: none would ever go inactive`,
          });
    });
    s.agents.forEach((g, i) => {
      for (const id of Object.keys(g.queues ?? {}))
        if (!queues.has(id))
          ctx.addIssue({
            code: 'custom',
            path: ['agents', i, 'queues', id],
            message: `agent group '${g.name}' lists queue '${id}', which the scenario does not define`,
          });
    });
    // Only members are held: a reserve no group can fill would silently do nothing.
    s.queues.forEach((q, i) => {
      if (q.reservedIdle > 0 && !s.agents.some((g) => g.count > 0 && g.queues?.[q.id] !== undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['queues', i, 'reservedIdle'],
          message: `queue '${q.id}' reserves ${q.reservedIdle} idle members, but no agent group lists it in its queues`,
        });
    });
    // Overload: reserveUntil against reserveWhen (the engine's checks), deferral on other queues
    // of the scenario that can be in overload, reserve members of queues that can.
    const byId = new Map(s.queues.map((q) => [q.id, q]));
    s.queues.forEach((q, i) => {
      const u = q.reserveUntil;
      const w = q.reserveWhen;
      if (u !== null) {
        const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: ['queues', i, 'reserveUntil', ...(key ? [key] : [])], message });
        if (w === null) issue('', `queue '${q.id}' has a reserveUntil but no reserveWhen`);
        else {
          for (const k of ['estimatedWaitMs', 'oldestWaitMs'] as const) {
            const until = u[k];
            const when = w[k];
            if (until === undefined) continue;
            if (when === undefined) issue(k, `queue '${q.id}': reserveUntil.${k} needs reserveWhen.${k}`);
            else if (until > when) issue(k, `queue '${q.id}': reserveUntil.${k} must be at most reserveWhen.${k} (${when})`);
          }
          if (u.serviceLevelAtLeast !== undefined) {
            if (w.serviceLevelBelow === undefined)
              issue('serviceLevelAtLeast', `queue '${q.id}': reserveUntil.serviceLevelAtLeast needs reserveWhen.serviceLevelBelow`);
            else if (u.serviceLevelAtLeast < w.serviceLevelBelow)
              issue('serviceLevelAtLeast', `queue '${q.id}': reserveUntil.serviceLevelAtLeast must be in [${w.serviceLevelBelow}, 1]`);
          }
        }
      }
      q.deferrable?.whileHealthy.forEach((id, j) => {
        const on = byId.get(id);
        const message =
          id === q.id
            ? `queue '${q.id}' cannot defer to itself`
            : on === undefined
              ? `queue '${q.id}' is deferrable while queue '${id}' is healthy, which the scenario does not define`
              : on.reserveWhen === null
                ? `queue '${q.id}' is deferrable while queue '${id}' is healthy, but '${id}' has no reserveWhen: it is never in overload, so nothing would ever be deferred`
                : null;
        if (message !== null) ctx.addIssue({ code: 'custom', path: ['queues', i, 'deferrable', 'whileHealthy', j], message });
      });
    });
    s.agents.forEach((g, i) => {
      for (const [id, m] of Object.entries(g.queues ?? {})) {
        const q = byId.get(id);
        if (m.reserve === true && q !== undefined && q.reserveWhen === null)
          ctx.addIssue({
            code: 'custom',
            path: ['agents', i, 'queues', id, 'reserve'],
            message: `agent group '${g.name}' is a reserve of queue '${id}', which has no reserveWhen: it is never in overload, so the group would never take its work`,
          });
      }
    });
    // Overflow rules: into another queue of the scenario (the engine refuses the rest).
    s.queues.forEach((q, i) => {
      q.exceptions.forEach((r, j) => {
        if (r.action.type !== 'overflow') return;
        const to = r.action.queue;
        if (to === q.id || !queues.has(to))
          ctx.addIssue({
            code: 'custom',
            path: ['queues', i, 'exceptions', j, 'action', 'queue'],
            message: to === q.id ? `queue '${q.id}' overflows into itself` : `queue '${q.id}' overflows into queue '${to}', which the scenario does not define`,
          });
      });
    });
    // Repeat calls into a queue of the scenario.
    s.queues.forEach((q, i) => {
      const to = q.repeatCalls?.queue;
      if (to !== undefined && !queues.has(to))
        ctx.addIssue({
          code: 'custom',
          path: ['queues', i, 'repeatCalls', 'queue'],
          message: `queue '${q.id}' sends its repeat calls to queue '${to}', which the scenario does not define`,
        });
    });
    // Hours: a start to give them a date, and a closed overflow into another queue of the scenario.
    s.queues.forEach((q, i) => {
      if (q.hours === null) return;
      if (s.start === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['queues', i, 'hours'],
          message: `queue '${q.id}' has hours, so the scenario needs a start (an ISO-8601 date-time with its offset, e.g. 2026-03-06T00:00:00+01:00) to give them a date and time`,
        });
      const a = q.hours.closedAction;
      if (a?.type === 'overflow' && (a.queue === q.id || !queues.has(a.queue)))
        ctx.addIssue({
          code: 'custom',
          path: ['queues', i, 'hours', 'closedAction', 'queue'],
          message:
            a.queue === q.id
              ? `queue '${q.id}' overflows into itself while closed`
              : `queue '${q.id}' overflows while closed into queue '${a.queue}', which the scenario does not define`,
        });
    });
    // A ring of overflows after waiting 0 ms would move work around it for ever without the
    // clock moving: the engine allows it, a simulation could not end.
    const instant = new Map<string, string[]>();
    for (const q of s.queues)
      instant.set(
        q.id,
        q.exceptions.flatMap((r) => (r.trigger.type === 'waitMs' && r.trigger.threshold === 0 && r.action.type === 'overflow' ? [r.action.queue] : [])),
      );
    const ring = instantRing(instant);
    if (ring !== null)
      ctx.addIssue({
        code: 'custom',
        path: ['queues'],
        message: `queues ${ring.map((id) => `'${id}'`).join(' → ')} overflow into each other after 0 ms: work would circle for ever`,
      });
  });

/** A cycle in the graph `edges` (queue → queues it moves work into at once), as a path back to its start; or null. */
function instantRing(edges: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, 1 | 2>(); // 1: on the path, 2: done
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    state.set(id, 1);
    path.push(id);
    for (const to of edges.get(id) ?? []) {
      if (state.get(to) === 1) return [...path.slice(path.indexOf(to)), to];
      if (state.get(to) === undefined) {
        const found = visit(to);
        if (found) return found;
      }
    }
    path.pop();
    state.set(id, 2);
    return null;
  };
  for (const id of edges.keys())
    if (state.get(id) === undefined) {
      const found = visit(id);
      if (found) return found;
    }
  return null;
}

export type Scenario = z.output<typeof ScenarioSchema>;
export type Conversation = z.output<typeof ConversationSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;

export function parseScenario(input: unknown): Scenario {
  return ScenarioSchema.parse(input);
}

/** One queue, one agent group: the shape of the Erlang C/A formulas. */
export function singleQueue(o: {
  agents: number;
  arrivalsPerHour: number;
  ahtSeconds: number;
  thresholdSeconds: number;
  patienceSeconds: number | null;
  hours: number;
  warmupHours?: number;
  handleTime?: 'exponential' | 'lognormal';
  handleCv?: number;
}): Scenario {
  return parseScenario({
    name: `${o.agents} agents, ${o.arrivalsPerHour}/h, AHT ${o.ahtSeconds}s`,
    hours: o.hours,
    warmupHours: o.warmupHours ?? Math.min(1, o.hours / 10),
    handleTime: o.handleTime ?? 'exponential',
    handleCv: o.handleCv ?? 1,
    queues: [
      {
        id: 'main',
        arrivalsPerHour: o.arrivalsPerHour,
        ahtSeconds: o.ahtSeconds,
        patienceSeconds: o.patienceSeconds,
        serviceObjective: { percent: 80, thresholdSeconds: o.thresholdSeconds },
      },
    ],
    agents: [{ name: 'agents', count: o.agents }],
  });
}
