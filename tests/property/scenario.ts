import fc from 'fast-check';
import { expect } from 'vitest';
import {
  AGENT_SELECTION_POLICIES,
  type Engine,
  ORDERING_POLICIES,
  type AgentSpec,
  type CapacitySpec,
  type Command,
  type ExceptionRule,
  type OverloadThresholds,
  type QueueHours,
  type QueueMembership,
  type RepeatContact,
  type RelaxationStep,
  type Requirement,
  type Selector,
  type SkillLevels,
} from '../../src/index.ts';
import { HOURS_STRICT, MINUTE_MS, hhmm, isoDate, localDay, localMinute, nextBoundary, openAt, weekday } from '../helpers/hours-model.ts';
import { Model } from '../helpers/model.ts';

/**
 * Random command sequences for the property tests: a small world (three skills, two queues and
 * a third that only overflow by hours of operation reaches, six agents with mixed capacity, some
 * of them with inactiveMax on a channel), optionally with hours of operation and a start time
 * (World), and actions interpreted against the model's current state.
 */
export const TOTAL_RUNS = Number(process.env.SWITCHBOARD_PROPERTY_RUNS ?? 12_000);
export const PAIRS = ORDERING_POLICIES.flatMap((o) => AGENT_SELECTION_POLICIES.map((a) => [o, a] as const));
export const RUNS = Math.max(10, Math.ceil(TOTAL_RUNS / PAIRS.length));

const SKILLS = ['s1', 's2', 's3'];
const QUEUES = {
  sales: { preferredWindowMs: 4000, offerTimeoutMs: 5000, wrapUpMs: 0, maxWaitMs: 40_000, overflowQueue: 'support' },
  support: { preferredWindowMs: 2000, offerTimeoutMs: 3000, wrapUpMs: 2000, maxWaitMs: 60_000, overflowQueue: null },
  night: { preferredWindowMs: 3000, offerTimeoutMs: 4000, wrapUpMs: 0, maxWaitMs: 30_000, overflowQueue: null },
} as const;
type QueueId = keyof typeof QUEUES;
const QUEUE_IDS = Object.keys(QUEUES) as QueueId[];
const CHANNELS = ['voice', 'chat', 'email'];

const levels = fc.dictionary(fc.constantFrom(...SKILLS), fc.integer({ min: 1, max: 10 }), { maxKeys: 3 }) as fc.Arbitrary<SkillLevels>;

/** Routing profiles: none (every queue that is not members-only) or some queues with levels and delays. */
const member = fc
  .record({ priority: fc.integer({ min: 1, max: 3 }), delayMs: fc.constantFrom(0, 3000, 10_000), reserve: fc.boolean() })
  .map(({ reserve, ...m }) => (reserve ? { ...m, reserve } : m)) as fc.Arbitrary<QueueMembership>;
const membership = fc.option(
  fc.oneof(
    fc.record({ sales: member, support: member }),
    fc.dictionary(fc.constantFrom('sales', 'support'), member, { minKeys: 1, maxKeys: 1 }),
  ) as fc.Arbitrary<Record<string, QueueMembership>>,
  { nil: undefined, freq: 2 },
);

/** Selectors over the agents' labels: lang (string), tenure (number), site (present on some). */
const selector: fc.Arbitrary<Selector> = fc.oneof(
  fc.record({
    key: fc.constant('tenure'),
    op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const),
    value: fc.integer({ min: 0, max: 24 }),
  }),
  fc.record({
    key: fc.constantFrom('lang', 'tenure', 'site'),
    op: fc.constantFrom('eq' as const, 'ne' as const),
    value: fc.constantFrom<string | number>('en', 'fr', 'x', 6, 12),
  }),
  fc.record({
    key: fc.constantFrom('lang', 'site'),
    op: fc.constantFrom('in' as const, 'notIn' as const),
    values: fc.uniqueArray(fc.constantFrom<string | number>('en', 'fr', 'de', 'x', 'y', 1), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ key: fc.constantFrom('site', 'lang', 'team'), op: fc.constantFrom('exists' as const, 'notExists' as const) }),
);

/** Alternatives: a few requirement sets over skills and labels. */
const requirement: fc.Arbitrary<Requirement> = fc.record(
  {
    skills: levels,
    labels: fc.dictionary(fc.constantFrom('lang', 'site'), fc.constantFrom<string | number>('en', 'fr', 'x'), { maxKeys: 1 }),
    selectors: fc.array(selector, { maxLength: 1 }),
  },
  { requiredKeys: [] },
);
const alternatives = fc.array(requirement, { minLength: 1, maxLength: 3 });

/** Relaxation steps that change anything: requirements, alternatives, queue, priority; some skipped when nobody logged in could take them. */
const relaxation: fc.Arbitrary<RelaxationStep[]> = fc
  .array(
    fc.record(
      {
        gap: fc.integer({ min: 1, max: 9000 }),
        skills: levels,
        selectors: fc.array(selector, { maxLength: 1 }),
        alternatives: fc.oneof(fc.constant([]), alternatives),
        queue: fc.constantFrom('sales', 'support'),
        priority: fc.integer({ min: 0, max: 10 }),
        skipIfNoneLoggedIn: fc.boolean(),
      },
      { requiredKeys: ['gap'] },
    ),
    { maxLength: 3 },
  )
  .map((steps) => {
    let at = 0;
    return steps.flatMap(({ gap, ...rest }) => {
      at += gap;
      return Object.keys(rest).some((k) => k !== 'skipIfNoneLoggedIn') ? [{ afterMs: at, ...rest }] : [];
    });
  });

/** An agent; `messaging`: with inactiveMax on its channels, mostly above 0, and maybe auto-accepting chats (messagingAction's worlds). */
export const agentSpec = (id: string, messaging = false): fc.Arbitrary<AgentSpec> =>
  fc
    .record({
      skills: levels,
      lang: fc.constantFrom('en', 'fr'),
      tenure: fc.integer({ min: 0, max: 24 }),
      site: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
      queues: membership,
      cap: fc.constantFrom<CapacitySpec>(
        { total: 1, channels: { voice: { cost: 1, max: 1 } } },
        { total: 3, channels: { chat: { cost: 1, max: 3 } } },
        { total: 3, channels: { voice: { cost: 3, max: 1 }, chat: { cost: 1, max: 2 }, email: { cost: 1, max: 1, interruptible: true } } },
        { total: 2, channels: { chat: { cost: 1, max: 2, autoAccept: true }, email: { cost: 1, max: 2 } } },
      ),
      // Messaging capacity: inactiveMax on some of the agent's channels (0 says none, as absent
      // does); in worlds busy with conversations mostly on chat, where chats may be auto-accepted.
      inactiveMax: messaging
        ? fc.record({ chat: fc.constantFrom(0, 1, 1, 2, 2, 3), email: fc.constantFrom(0, 1, 2), voice: fc.constantFrom(0, 0, 1) })
        : fc.option(fc.dictionary(fc.constantFrom(...CHANNELS), fc.constantFrom(0, 1, 1, 2, 3), { minKeys: 1, maxKeys: 2 }), { nil: undefined, freq: 2 }),
      autoAcceptChat: messaging ? fc.boolean() : fc.constant(false),
    })
    .map((r) => ({
      id,
      skills: r.skills,
      labels: { lang: r.lang, tenure: r.tenure, ...(r.site ? { site: r.site } : {}) },
      capacity: withInactiveMax(r.cap, r.inactiveMax ?? {}, r.autoAcceptChat),
      ...(r.queues ? { queues: r.queues } : {}),
    }));

/** `cap` with `inactiveMax` set on those of the channels named that it has (and chats auto-accepted when `autoAcceptChat`). */
function withInactiveMax(cap: CapacitySpec, inactiveMax: Record<string, number>, autoAcceptChat: boolean): CapacitySpec {
  const channels = Object.fromEntries(
    Object.entries(cap.channels).map(([ch, c]) => [
      ch,
      { ...c, ...(Object.hasOwn(inactiveMax, ch) ? { inactiveMax: inactiveMax[ch] } : {}), ...(autoAcceptChat && ch === 'chat' ? { autoAccept: true } : {}) },
    ]),
  );
  return { ...cap, channels };
}

export type Action =
  | {
      k: 'submit';
      n: number;
      channel: string;
      queue: 'sales' | 'support';
      skills: SkillLevels;
      lang: string | null;
      /** Null: none given (the queue's defaultPriority). */
      priority: number | null;
      tier: number;
      cust: number | null;
      pref: number[];
      relax: boolean;
      selectors: Selector[];
      alternatives: Requirement[] | null;
      steps: RelaxationStep[] | null;
      required: { agents: number[]; forMs: number | undefined } | null;
      /** Scheduled work: held for this long (null: routed at once). */
      later: number | null;
    }
  | { k: 'callback'; pick: number; channel: string | null; later: number | null }
  | { k: 'accept' | 'reject' | 'complete' | 'cancel' | 'abandon' | 'transfer' | 'foreign'; pick: number }
  | { k: 'state'; agents: number[]; state: 'available' | 'away' | 'offline' }
  | { k: 'retry' }
  | { k: 'reskill'; agent: number; skills: SkillLevels }
  | { k: 'endwrap'; agent: number }
  | { k: 'members'; on: boolean }
  | { k: 'fanout'; queue: 'sales' | 'support'; n: number }
  | { k: 'reserve'; queue: 'sales' | 'support'; n: number }
  | { k: 'exceptions'; queue: 'sales' | 'support'; rules: ExceptionRule[] }
  | { k: 'overload'; queue: 'sales' | 'support'; when: OverloadThresholds | null; untilFactor: number; defer: boolean }
  | { k: 'wait'; ms: number }
  /** Repeat contacts: a queue's repeatContact (null: taken away) and defaultPriority (null: unchanged); `again` is a queue nothing else uses. */
  | { k: 'repeatQueue'; queue: QueueId | 'again'; rc: RepeatContact | null; defaultPriority: number | null }
  /** The queue `again` removed, and maybe a customer's contact at once (to sales or support) before anything else changes. */
  | { k: 'removeAgain'; contact: number | null }
  /**
   * A customer who made a contact comes back to a queue with repeatContact at the end of its
   * window from that contact (+ delta ms; at once when that has passed); with none yet, a
   * customer makes one now.
   */
  | { k: 'recontact'; pick: number; queue: number; delta: number; channel: string }
  /**
   * UpdateInteraction { active } on an assigned interaction, one of those the model says are
   * `among` when there are any (on any live one when `anyLive`): made inactive or active, or the
   * other of what the model says it is (`toggle`).
   */
  | { k: 'activity'; pick: number; mode: 'toggle' | 'inactive' | 'active'; among: 'any' | 'active' | 'inactive' | 'waiting'; anyLive: boolean };

/** A submission with no requirements on a messaging channel: any agent with room on it may take it. */
const conversation: fc.Arbitrary<Action> = fc.record({
  k: fc.constant('submit' as const),
  n: fc.integer({ min: 0, max: 40 }),
  channel: fc.constantFrom('chat', 'chat', 'email'),
  queue: fc.constantFrom('sales' as const, 'support' as const),
  skills: fc.constant({}),
  lang: fc.constant(null),
  priority: fc.integer({ min: 0, max: 10 }),
  tier: fc.integer({ min: 0, max: 3 }),
  cust: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 4 }),
  pref: fc.constant([]),
  relax: fc.constant(false),
  selectors: fc.constant([]),
  alternatives: fc.constant(null),
  steps: fc.constant(null),
  required: fc.constant(null),
  later: fc.constant(null),
});

/** UpdateInteraction { active }: mostly the other of what the model says the conversation is. */
const activity: fc.Arbitrary<Action> = fc.record({
  k: fc.constant('activity' as const),
  pick: fc.nat(),
  mode: fc.constantFrom('toggle' as const, 'toggle' as const, 'inactive' as const, 'active' as const),
  among: fc.constantFrom('any' as const, 'any' as const, 'active' as const, 'inactive' as const, 'waiting' as const),
  anyLive: fc.constantFrom(false, false, false, false, true),
});

/** QueueSpec.repeatContact: windows from 1 ms to 7 days (mostly within a run's span), boosts small and large (beyond the cap of 100). */
export const repeatContact: fc.Arbitrary<RepeatContact> = fc.record({
  withinMs: fc.oneof(fc.constantFrom(1, 1000, 5000, 30_000, 7 * 24 * 3600_000), fc.integer({ min: 1, max: 120_000 })),
  priorityBoost: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 85, max: 100 })),
});
const defaultPriority = fc.option(fc.constantFrom(0, 5, 50, 99, 100), { nil: null, freq: 2 });

/** Repeat contacts: a queue's setting changes, the queue `again` goes, a customer comes back at a window's end. */
const repeatAction: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('repeatQueue' as const),
      queue: fc.constantFrom<QueueId | 'again'>('sales', 'support', 'night', 'again', 'again'),
      rc: fc.option(repeatContact, { nil: null, freq: 3 }),
      defaultPriority,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('removeAgain' as const), contact: fc.option(fc.integer({ min: 0, max: 7 }), { nil: null }) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('recontact' as const),
      pick: fc.nat(),
      queue: fc.nat(),
      delta: fc.constantFrom(-1, 0, 0, 1, 1),
      channel: fc.constantFrom(...CHANNELS),
    }),
  },
);

/** Every action but those of repeat contacts (worlds busy with conversations run these). */
const baseAction: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('submit' as const),
      n: fc.integer({ min: 0, max: 40 }),
      channel: fc.constantFrom(...CHANNELS),
      queue: fc.constantFrom('sales' as const, 'support' as const),
      skills: levels,
      lang: fc.option(fc.constantFrom('en', 'fr'), { nil: null }),
      priority: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null, freq: 4 }),
      tier: fc.integer({ min: 0, max: 3 }),
      cust: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
      pref: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 2 }),
      relax: fc.boolean(),
      selectors: fc.array(selector, { maxLength: 2 }),
      alternatives: fc.option(alternatives, { nil: null, freq: 3 }),
      steps: fc.option(relaxation, { nil: null, freq: 2 }),
      required: fc.option(
        fc.record({
          agents: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 2 }),
          forMs: fc.option(fc.integer({ min: 1000, max: 20_000 }), { nil: undefined }),
        }),
        { nil: null, freq: 6 },
      ),
      later: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: null, freq: 6 }),
    }),
  },
  // A conversation anyone on its channel may take (messaging capacity needs assigned ones).
  { weight: 3, arbitrary: conversation },
  // A waiting interaction becomes a callback: maybe another channel, maybe held.
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('callback' as const),
      pick: fc.nat(),
      channel: fc.option(fc.constantFrom(...CHANNELS), { nil: null }),
      later: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('members' as const), on: fc.boolean() }) },
  // Multi-offer: a queue offers each interaction to up to n agents at once.
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('fanout' as const),
      queue: fc.constantFrom('sales' as const, 'support' as const),
      n: fc.integer({ min: 1, max: 3 }),
    }),
  },
  // Exception rules: queue length and no eligible agent on submission, time waited; actions that
  // overflow to the other queue, reprioritise, cancel or refuse.
  {
    weight: 1,
    arbitrary: fc
      .record({
        k: fc.constant('exceptions' as const),
        queue: fc.constantFrom('sales' as const, 'support' as const),
        raw: fc.array(
          fc.record({
            trigger: fc.oneof(
              fc.record({ type: fc.constant('queueLength' as const), threshold: fc.integer({ min: 0, max: 3 }) }),
              fc.record({ type: fc.constant('waitMs' as const), threshold: fc.constantFrom(2000, 8000) }),
              fc.record({ type: fc.constant('noEligibleAgents' as const) }),
            ),
            action: fc.oneof(
              fc.record({ type: fc.constant('overflow' as const) }),
              fc.record({ type: fc.constant('setPriority' as const), priority: fc.integer({ min: 0, max: 10 }) }),
              fc.record({ type: fc.constant('cancel' as const), reason: fc.constantFrom('closed', 'busy') }),
              fc.record({ type: fc.constant('refuse' as const) }),
            ),
          }),
          { maxLength: 2 },
        ),
      })
      .map(({ k, queue, raw }) => ({
        k,
        queue,
        rules: raw.map(
          ({ trigger, action }): ExceptionRule => ({
            trigger,
            // Overflow only from sales to support (which expires its work): a rule sending support's
            // work back to sales would loop with sales' max-wait overflow, and nothing would end.
            action:
              action.type === 'overflow'
                ? queue === 'sales'
                  ? { type: 'overflow', queue: 'support' }
                  : { type: 'setPriority', priority: 1 }
                : action.type === 'refuse' && trigger.type === 'waitMs'
                  ? { type: 'cancel' }
                  : action,
          }),
        ),
      })),
  },
  // Overload: a queue's reserveWhen (its reserve agents join while it holds), and the other
  // queue deferrable on it (its work waits meanwhile).
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('overload' as const),
      queue: fc.constantFrom('sales' as const, 'support' as const),
      when: fc.option(
        fc.oneof(
          fc.record({ oldestWaitMs: fc.constantFrom(1000, 5000, 20_000) }),
          fc.record({ estimatedWaitMs: fc.constantFrom(1000, 30_000) }),
          fc.record({ serviceLevelBelow: fc.constantFrom(0.5, 0.9) }),
          fc.record({ oldestWaitMs: fc.constantFrom(2000, 8000), serviceLevelBelow: fc.constant(0.7) }),
        ) as fc.Arbitrary<OverloadThresholds>,
        { nil: null, freq: 4 },
      ),
      untilFactor: fc.constantFrom(1, 0.5),
      defer: fc.boolean(),
    }),
  },
  // Trunk reservation: a queue holds up to n of its idle members back for its own work.
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('reserve' as const),
      queue: fc.constantFrom('sales' as const, 'support' as const),
      n: fc.integer({ min: 0, max: 2 }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ k: fc.constantFrom('accept' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constantFrom('reject' as const, 'complete' as const, 'cancel' as const, 'abandon' as const, 'transfer' as const, 'foreign' as const),
      pick: fc.nat(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('complete' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('state' as const),
      agents: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
      state: fc.constantFrom('available' as const, 'available' as const, 'away' as const, 'offline' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reskill' as const), agent: fc.integer({ min: 0, max: 5 }), skills: levels }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('endwrap' as const), agent: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('retry' as const) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 25_000 }) }) },
  // Messaging capacity: a customer goes quiet, or writes again.
  { weight: 5, arbitrary: activity },
);

/** Every action: with changes of repeatContact, and customers coming back at a window's end. */
export const action: fc.Arbitrary<Action> = fc.oneof({ weight: 15, arbitrary: baseAction }, { weight: 1, arbitrary: repeatAction });

/**
 * Hours of operation, written relative to the local wall time of the instant they are set at
 * (minutes from it), so that their openings and closings fall within the minutes a run spans:
 * weekly intervals on the local weekday they fall on (or every day), split at local midnight
 * (a day ending at 24:00 and the next opening at 00:00), and overrides of the local date it falls
 * on or the next (strict runs add dates past the engine's two-week horizon).
 */
export interface RelativeHours {
  /** Null: the world's own zone (the one whose clock changes near its start, if any). */
  zone: string | null;
  weekly: { from: number; len: number; everyDay: boolean }[];
  overrides: { day: number; intervals: { from: number; len: number }[] | null }[];
  closed: 'default' | 'refuse' | 'hold' | 'overflow';
  /** The overflow target among the other queues. */
  target: number;
}

/** A zone with daylight saving time on each side of UTC, one with a half-hour offset, and UTC. */
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC'];

/** Start times near which runs begin, each with the zone it matters to: clock changes, local midnights and an ordinary day. */
const ANCHORS: [number, string][] = [
  [Date.UTC(2024, 2, 31, 1), 'Europe/Berlin'], // 02:00 CET becomes 03:00 CEST
  [Date.UTC(2024, 9, 27, 1), 'Europe/Berlin'], // 03:00 CEST becomes 02:00 CET
  [Date.UTC(2024, 2, 10, 7), 'America/New_York'], // 02:00 EST becomes 03:00 EDT
  [Date.UTC(2024, 10, 3, 6), 'America/New_York'], // 02:00 EDT becomes 01:00 EST
  [Date.UTC(2026, 11, 6, 18, 30), 'Asia/Kolkata'], // midnight, Sunday to Monday
  [Date.UTC(2026, 11, 7, 23), 'Europe/Berlin'], // midnight, Monday to Tuesday
  [Date.UTC(2025, 6, 15, 12), 'UTC'], // an ordinary summer noon
];

/** Minutes from the reference wall time: mostly within a few minutes, so a run crosses them. */
const near = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -150, max: 150 }));
const span = fc.constantFrom(1, 2, 5, 30, 90, 600);

export const relativeHours: fc.Arbitrary<RelativeHours> = fc.record({
  zone: fc.option(fc.constantFrom(...ZONES), { nil: null, freq: 2 }),
  weekly: fc.array(fc.record({ from: near, len: span, everyDay: fc.boolean() }), { maxLength: 3 }),
  overrides: fc.array(
    fc.record({
      day: HOURS_STRICT ? fc.constantFrom(0, 1, 15, 17) : fc.constantFrom(0, 1),
      intervals: fc.option(fc.array(fc.record({ from: near, len: span }), { minLength: 1, maxLength: 2 }), { nil: null, freq: 3 }),
    }),
    { maxLength: 2 },
  ),
  closed: fc.constantFrom('default' as const, 'refuse' as const, 'hold' as const, 'hold' as const, 'overflow' as const, 'overflow' as const),
  target: fc.nat({ max: 1 }),
});

/** The queue hours `rel` stands for when set at instant `at` on queue `queue` in a world whose zone is `zone`. */
export function hoursAt(rel: RelativeHours, queue: QueueId, at: number, zone: string): QueueHours {
  const tz = rel.zone ?? zone;
  const day0 = localDay(tz, at);
  const m0 = localMinute(tz, at);
  const weekly = rel.weekly.flatMap(({ from, len, everyDay }) => {
    const a = m0 + from;
    const b = a + len;
    const out: { days: number[]; open: string; close: string }[] = [];
    for (let k = Math.floor(a / 1440); k * 1440 < b; k++) {
      const open = Math.max(a, k * 1440) - k * 1440;
      const close = Math.min(b, (k + 1) * 1440) - k * 1440;
      if (close > open) out.push({ days: everyDay ? [0, 1, 2, 3, 4, 5, 6] : [weekday(day0 + k)], open: hhmm(open), close: hhmm(close) });
    }
    return out;
  });
  const days = new Set<number>();
  const overrides = rel.overrides.flatMap(({ day, intervals }) => {
    if (days.has(day)) return [];
    days.add(day);
    const date = isoDate(day0 + day);
    if (intervals === null) return [{ date }];
    const list = intervals.flatMap(({ from, len }) => {
      const open = Math.min(1440, Math.max(0, m0 + from));
      const close = Math.min(1440, Math.max(0, m0 + from + len));
      return close > open ? [{ open: hhmm(open), close: hhmm(close) }] : [];
    });
    return [{ date, intervals: list }];
  });
  const others = QUEUE_IDS.filter((q) => q !== queue);
  const closedAction =
    rel.closed === 'default'
      ? {}
      : { closedAction: rel.closed === 'overflow' ? { type: 'overflow' as const, queue: others[rel.target % others.length] } : { type: rel.closed } };
  return { timeZone: tz, weekly, ...(overrides.length > 0 ? { overrides } : {}), ...closedAction };
}

/** Where the clock starts, the zone that start matters to, and each queue's hours of operation (absent: always open). */
export interface World {
  start: number;
  zone: string;
  hours: Partial<Record<QueueId, RelativeHours>>;
  /** Queues that boost repeat contacts from the start, and their default priority. */
  repeat?: Partial<Record<QueueId, { rc: RepeatContact; defaultPriority: number | null }>>;
}

/** No hours, the clock from 0: the world the other scenario tests run in. */
export const PLAIN_WORLD: World = { start: 0, zone: 'UTC', hours: {} };

export const world: fc.Arbitrary<World> = fc
  .tuple(
    fc.constantFrom(...ANCHORS),
    fc.integer({ min: -90, max: 90 }),
    fc.integer({ min: 0, max: 59_999 }),
    fc.record({ sales: relativeHours, support: relativeHours, night: relativeHours }, { requiredKeys: [] }) as fc.Arbitrary<World['hours']>,
    // Half the worlds start with no queue boosting repeat contacts (contacts are not remembered until one does).
    fc.option(
      fc.record(
        { sales: fc.record({ rc: repeatContact, defaultPriority }), support: fc.record({ rc: repeatContact, defaultPriority }) },
        { requiredKeys: [] },
      ) as fc.Arbitrary<NonNullable<World['repeat']>>,
      { nil: {}, freq: 2 },
    ),
  )
  .map(([[anchor, zone], minutes, ms, hours, repeat]) => ({ start: anchor + minutes * MINUTE_MS + ms, zone, hours, repeat }));

export type HoursAction =
  /** A queue's hours set anew (relative to now), or taken away. */
  | { k: 'hours'; queue: QueueId; rel: RelativeHours | null }
  /** The clock moved to a queue's next opening or closing, just before, at or after it. */
  | { k: 'jump'; queue: QueueId; delta: number };

export const hoursAction: fc.Arbitrary<HoursAction> = fc.oneof(
  fc.record({ k: fc.constant('hours' as const), queue: fc.constantFrom(...QUEUE_IDS), rel: fc.option(relativeHours, { nil: null, freq: 4 }) }),
  fc.record({ k: fc.constant('jump' as const), queue: fc.constantFrom(...QUEUE_IDS), delta: fc.constantFrom(-1, 0, 0, 1, 30_000) }),
);

/** The actions of a world with hours: every other action, with changes of hours and jumps to openings and closings. */
export const worldAction: fc.Arbitrary<Action | HoursAction> = fc.oneof({ weight: 12, arbitrary: action }, { weight: 1, arbitrary: hoursAction });

/** The actions of a world where customers come back more often: every other action, with more changes of repeatContact and returns at a window's end. */
export const repeatWorldAction: fc.Arbitrary<Action | HoursAction> = fc.oneof({ weight: 3, arbitrary: worldAction }, { weight: 1, arbitrary: repeatAction });

/**
 * The actions of a world busy with conversations (run in longer sequences): every other action,
 * with more conversations anyone may take, changes of their activity and accepts.
 */
export const messagingAction: fc.Arbitrary<Action | HoursAction> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.oneof({ weight: 12, arbitrary: baseAction }, { weight: 1, arbitrary: hoursAction }),
  },
  { weight: 5, arbitrary: conversation },
  { weight: 4, arbitrary: activity },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('accept' as const), pick: fc.nat() }) },
);

/** What the hours of operation did over the runs since the last reset (the coverage test reads it). */
export const hoursSeen = {
  runs: 0,
  refused: 0,
  held: 0,
  overflowed: 0,
  openings: 0,
  closings: 0,
  nearClockChange: 0,
  offeredWhileClosed: 0,
  releasedAtOpening: 0,
  unsure: 0,
};

/** What messaging capacity did over the runs since the last reset (the coverage test reads it): Model.messagingSeen, summed. */
export const messagingSeen: Model['messagingSeen'] & { runs: number } = {
  runs: 0,
  inactive: 0,
  active: 0,
  duplicate: 0,
  waitingToInactive: 0,
  invalidState: 0,
  inactiveLimit: 0,
  atCapacity: 0,
  swaps: 0,
  filled: 0,
  exemptWhileWaiting: 0,
};

/** What repeat contacts did over the runs since the last reset (the coverage test reads it): Model.repeatSeen, summed. */
export const repeatSeen: Model['repeatSeen'] & { runs: number } = {
  runs: 0,
  boosted: 0,
  capped: 0,
  atWindowEnd: 0,
  expired: 0,
  justPast: 0,
  otherQueue: 0,
  passedLower: 0,
  boostedFirst: 0,
  forgotten: 0,
  forgottenAfterRemoval: 0,
};

export function runScenario(engine: Engine, agents: AgentSpec[], actions: (Action | HoursAction)[], w: World = PLAIN_WORLD): void {
  const model = new Model(QUEUES);
  model.ordering = engine.options.ordering;
  let now = w.start;
  const specs = new Map(agents.map((a) => [a.id, a]));

  // The last accept, reject, complete, cancel, transfer (with a transfer id) or change of activity
  // that took effect: sent again at once it must answer ok, duplicate, and change nothing (a safe retry).
  let retriable: Command | null = null;
  let retriableAt = -1;
  let transfers = 0;
  let recontacts = 0;
  const send = (cmd: Command): boolean => {
    const r = engine.apply(cmd, now);
    model.observe(cmd, r.events, r.ok, r.ok && r.duplicate === true, r.ok ? undefined : r.code, now);
    // QUEUE_CLOSED creates nothing.
    if (!r.ok && r.code === 'QUEUE_CLOSED' && cmd.type === 'SubmitInteraction' && engine.interaction(cmd.interaction.id, now) !== null)
      model.violations.push(`${cmd.interaction.id} refused QUEUE_CLOSED, yet the engine holds it`);
    if (r.ok && r.duplicate !== true) {
      const t = cmd.type;
      retriable =
        t === 'AcceptOffer' ||
        t === 'RejectOffer' ||
        t === 'CompleteInteraction' ||
        t === 'CancelInteraction' ||
        t === 'ConvertToCallback' ||
        (t === 'TransferInteraction' && cmd.transferId !== undefined) ||
        (t === 'UpdateInteraction' && cmd.active !== undefined)
          ? cmd
          : null;
      retriableAt = now;
    }
    return r.ok;
  };
  const step = (cmd: Command) => {
    send(cmd);
    check();
  };
  const check = () => {
    model.checkState(now);
    // Hours of operation: the engine's open agrees with the model's wherever the docs settle it.
    model.clock(now);
    for (const q of QUEUE_IDS) {
      const hours = model.hours.get(q);
      const open = hours === undefined ? true : openAt(hours, now);
      const says = engine.queueStats(q, now)?.open;
      if (open !== null && says !== open)
        model.violations.push(`hours: the engine says ${q} is ${says ? 'open' : 'closed'} at ${now}, the model ${open ? 'open' : 'closed'}`);
    }
    // The engine's own view agrees with the model built from its events.
    for (const ix of model.live()) {
      const info = engine.interaction(ix.id, now);
      if (!info || info.status !== ix.status) model.violations.push(`engine says ${ix.id} is ${info?.status}, events say ${ix.status}`);
      // Its priority: as submitted (or its queue's default), boosted as a repeat contact, then set by rules and steps.
      else if (info.priority !== ix.priority) model.violations.push(`engine says ${ix.id} has priority ${info.priority}, the model ${ix.priority}`);
      // Its band: every band other than normal the engine orders it by was said by an event
      // (by a timer, or on entering a queue past its escalation age or deadline).
      else if (info.band !== 'normal' && !ix.reclassified) model.violations.push(`engine says ${ix.id} is ${info.band}, no InteractionReclassified said so`);
    }
    let inactive = 0;
    let waiting = 0;
    for (const [id, a] of model.agents) {
      const load = engine.agentLoad(id)!;
      if (load.state !== a.state || load.units !== model.units(a, false)) model.violations.push(`engine load of ${id} disagrees`);
      // Messaging capacity: its inactive conversations, and those waiting for its room in the order they take it.
      const mine = [...a.work.values()].filter((w) => w.assigned && w.activity !== 'active').map((w) => w.ix);
      const waits = model.waitingOf(a).map((w) => w.ix);
      inactive += mine.length;
      waiting += waits.length;
      if (JSON.stringify([...load.inactive].sort()) !== JSON.stringify(mine.sort()) || JSON.stringify(load.waitingForRoom) !== JSON.stringify(waits))
        model.violations.push(
          `engine says ${id} holds inactive ${JSON.stringify(load.inactive)}, waiting ${JSON.stringify(load.waitingForRoom)}; the model ${JSON.stringify(mine)}, ${JSON.stringify(waits)}`,
        );
      for (const w of a.work.values()) {
        if (!w.assigned) continue;
        const said = engine.interaction(w.ix, now)?.activity;
        const expected = w.activity === 'waiting' ? 'waiting_for_room' : w.activity;
        if (said !== expected) model.violations.push(`engine says ${w.ix} is ${said}, the model ${expected}`);
      }
    }
    const counts = engine.counts();
    if (counts.inactive !== inactive || counts.waitingForRoom !== waiting)
      model.violations.push(`engine counts ${counts.inactive} inactive, ${counts.waitingForRoom} waiting; the model ${inactive}, ${waiting}`);
    if (model.violations.length > 0) throw new Error(model.violations.join('\n'));
  };

  for (const s of SKILLS) send({ type: 'DefineSkill', skill: s });
  send({ type: 'UpsertQueue', queue: { id: 'support', ...QUEUES.support } });
  send({ type: 'UpsertQueue', queue: { id: 'sales', ...QUEUES.sales } });
  send({ type: 'UpsertQueue', queue: { id: 'night', ...QUEUES.night } });
  // Hours once every queue is defined (one may overflow into any other).
  for (const q of QUEUE_IDS) {
    const rel = w.hours[q];
    if (rel !== undefined && !send({ type: 'UpsertQueue', queue: { id: q, hours: hoursAt(rel, q, now, w.zone) } }))
      model.violations.push(`hours of ${q} refused: ${JSON.stringify(hoursAt(rel, q, now, w.zone))}`);
  }
  // Repeat contacts from the start, on the queues the world gives them.
  for (const [q, r] of Object.entries(w.repeat ?? {}))
    if (!send({ type: 'UpsertQueue', queue: { id: q, repeatContact: r.rc, ...(r.defaultPriority !== null ? { defaultPriority: r.defaultPriority } : {}) } }))
      model.violations.push(`repeatContact of ${q} refused: ${JSON.stringify(r)}`);
  for (const a of agents) send({ type: 'UpsertAgent', agent: a });
  step({ type: 'SetAgentState', agentIds: agents.slice(0, 4).map((a) => a.id), state: 'available' });

  const pick = <T>(list: T[], n: number): T | undefined => (list.length === 0 ? undefined : list[n % list.length]);
  for (const a of actions) {
    if (a.k !== 'retry') now += 1; // a retry comes at the instant of what it repeats: no timer fires between
    switch (a.k) {
      case 'retry': {
        if (retriable === null || retriableAt !== now) break;
        const cmd: Command = retriable;
        // Timers the command itself made due at this instant fire first, on their own: what is
        // left is the retry's own effect, which must be nothing.
        model.observe({ type: 'EndWrapUp', agentId: '' }, engine.tick(now), true, false);
        check();
        const r = engine.apply(cmd, now);
        model.observe(cmd, r.events, r.ok, r.ok && r.duplicate === true, r.ok ? undefined : r.code);
        if (!r.ok || r.duplicate !== true || r.events.length > 0)
          model.violations.push(
            `retry of ${JSON.stringify(cmd)} answered ${JSON.stringify({ ok: r.ok, duplicate: r.ok ? r.duplicate : undefined, events: r.events })}`,
          );
        check();
        break;
      }
      case 'submit':
        step({
          type: 'SubmitInteraction',
          interaction: {
            id: `i${a.n}`,
            channel: a.channel,
            queue: a.queue,
            skills: a.skills,
            ...(a.lang ? { labels: { lang: a.lang } } : {}),
            ...(a.priority !== null ? { priority: a.priority } : {}),
            valueTier: a.tier,
            ...(a.cust !== null ? { customerId: `c${a.cust}` } : {}),
            ...(a.pref.length ? { preferredAgents: [...new Set(a.pref)].map((p) => agents[p % agents.length].id) } : {}),
            ...(a.steps ? { relaxation: a.steps } : a.relax ? { relaxation: [{ afterMs: 7000, skills: {} }] } : {}),
            ...(a.selectors.length ? { selectors: a.selectors } : {}),
            ...(a.alternatives ? { alternatives: a.alternatives } : {}),
            ...(a.required
              ? {
                  requiredAgents: [...new Set(a.required.agents)].map((i) => agents[i % agents.length].id),
                  ...(a.required.forMs ? { requiredForMs: a.required.forMs } : {}),
                }
              : {}),
            ...(a.later !== null ? { notBefore: now + a.later } : {}),
          },
        });
        break;
      case 'members':
        step({ type: 'UpsertQueue', queue: { id: 'sales', membersOnly: a.on } });
        break;
      case 'callback': {
        const ix = pick(
          model.live().filter((x) => x.status === 'queued' || x.status === 'offered'),
          a.pick,
        );
        if (ix)
          step({
            type: 'ConvertToCallback',
            interactionId: ix.id,
            ...(a.channel !== null ? { channel: a.channel } : {}),
            ...(a.later !== null ? { notBefore: now + a.later } : {}),
          });
        break;
      }
      case 'fanout':
        step({ type: 'UpsertQueue', queue: { id: a.queue, offerFanout: a.n } });
        break;
      case 'reserve':
        step({ type: 'UpsertQueue', queue: { id: a.queue, reservedIdle: a.n } });
        break;
      case 'exceptions':
        step({ type: 'UpsertQueue', queue: { id: a.queue, exceptions: a.rules } });
        break;
      case 'overload': {
        const w = a.when;
        const until =
          w === null || a.untilFactor === 1
            ? null
            : {
                ...(w.oldestWaitMs === undefined ? {} : { oldestWaitMs: Math.max(1, Math.round(w.oldestWaitMs * a.untilFactor)) }),
                ...(w.estimatedWaitMs === undefined ? {} : { estimatedWaitMs: Math.max(1, Math.round(w.estimatedWaitMs * a.untilFactor)) }),
                ...(w.serviceLevelBelow === undefined ? {} : { serviceLevelAtLeast: Math.min(1, w.serviceLevelBelow + 0.1) }),
              };
        step({ type: 'UpsertQueue', queue: { id: a.queue, reserveWhen: w, reserveUntil: until } });
        const other = a.queue === 'sales' ? 'support' : 'sales';
        step({ type: 'UpsertQueue', queue: { id: other, deferrable: a.defer ? { whileHealthy: [a.queue] } : null } });
        break;
      }
      case 'accept':
      case 'reject': {
        const o = pick(model.openOffers(), a.pick);
        if (o) step({ type: a.k === 'accept' ? 'AcceptOffer' : 'RejectOffer', agentId: o.agent, offerId: o.offerId });
        break;
      }
      case 'foreign': {
        const o = pick(model.openOffers(), a.pick);
        if (!o) break;
        const other = agents.find((x) => x.id !== o.agent)!;
        const r = engine.apply({ type: 'AcceptOffer', agentId: other.id, offerId: o.offerId }, now);
        model.observe({ type: 'AcceptOffer', agentId: other.id, offerId: o.offerId }, r.events, r.ok, false);
        expect(r.ok).toBe(false);
        check();
        break;
      }
      case 'complete': {
        const w = pick(model.assignments(), a.pick);
        if (w) step({ type: 'CompleteInteraction', agentId: w.agent, interactionId: w.ix });
        break;
      }
      case 'cancel':
      case 'abandon':
      case 'transfer': {
        const ix = pick(model.live(), a.pick);
        if (!ix) break;
        if (a.k === 'transfer')
          step({
            type: 'TransferInteraction',
            interactionId: ix.id,
            queue: ix.queue === 'sales' ? 'support' : 'sales',
            ...(a.pick % 2 ? { skills: {} } : {}),
            ...(a.pick % 3 === 0 ? { transferId: `t${++transfers}` } : {}),
            ...(a.pick % 5 === 1 ? { agentId: agents[a.pick % agents.length].id, ...(a.pick % 10 === 1 ? { requiredForMs: 5000 } : {}) } : {}),
          });
        else step({ type: 'CancelInteraction', interactionId: ix.id, reason: a.k === 'cancel' ? 'cancelled' : 'abandoned' });
        break;
      }
      case 'state':
        step({ type: 'SetAgentState', agentIds: a.agents.map((i) => agents[i % agents.length].id), state: a.state });
        break;
      case 'reskill': {
        // Odd agents are reskilled together with their neighbour in one UpsertAgents.
        const spec = { ...specs.get(agents[a.agent % agents.length].id)!, skills: a.skills };
        specs.set(spec.id, spec);
        if (a.agent % 2 === 0) step({ type: 'UpsertAgent', agent: spec });
        else step({ type: 'UpsertAgents', agents: [spec, specs.get(agents[(a.agent + 1) % agents.length].id)!] });
        break;
      }
      case 'endwrap':
        step({ type: 'EndWrapUp', agentId: agents[a.agent % agents.length].id });
        break;
      case 'activity': {
        // The model predicts the answer from the state before the command: the timers due at this
        // instant fire first, on their own.
        model.observe({ type: 'EndWrapUp', agentId: '' }, engine.tick(now), true, false);
        check();
        const activityOf = (id: string) => {
          const ix = model.ixs.get(id)!;
          return ix.status === 'assigned' ? model.agents.get(ix.agent!)?.work.get(id)?.activity : undefined;
        };
        const assigned = model.assignments().map((w) => w.ix);
        const among = assigned.filter((id) => activityOf(id) === a.among);
        const ids = a.anyLive ? model.live().map((x) => x.id) : among.length > 0 ? among : assigned;
        const id = pick(ids, a.pick);
        if (id === undefined) break;
        const current = activityOf(id);
        const active = a.mode === 'toggle' ? current !== undefined && current !== 'active' : a.mode === 'active';
        step({ type: 'UpdateInteraction', interactionId: id, active });
        break;
      }
      case 'wait': {
        now += a.ms;
        const ev = engine.tick(now);
        model.observe({ type: 'EndWrapUp', agentId: '' }, ev, true, false);
        check();
        break;
      }
      case 'repeatQueue':
        step({
          type: 'UpsertQueue',
          queue: { id: a.queue, repeatContact: a.rc, ...(a.defaultPriority !== null ? { defaultPriority: a.defaultPriority } : {}) },
        });
        break;
      case 'removeAgain':
        step({ type: 'RemoveQueue', queueId: 'again' });
        if (a.contact !== null)
          step({
            type: 'SubmitInteraction',
            interaction: { id: `r${++recontacts}`, channel: 'voice', queue: a.contact % 2 ? 'sales' : 'support', customerId: `c${a.contact % 4}` },
          });
        break;
      case 'recontact': {
        // From its last contact, remembered or not (made while no queue had the setting); a
        // customer who made none, or no queue with the setting: a contact now.
        // Half the time the customer who made the latest contact.
        const contacts = [...model.contactAt].sort((x, y) => y[1] - x[1]);
        const customer = (a.pick % 2 === 0 ? contacts[0]?.[0] : pick(contacts, a.pick >> 1)?.[0]) ?? `c${a.pick % 4}`;
        const last = model.contactAt.get(customer);
        const queue = pick(
          [...model.repeatContact.keys()].filter((q) => q !== 'again'),
          a.queue,
        );
        if (last !== undefined && queue !== undefined) {
          now = Math.max(now, last + model.repeatContact.get(queue)!.withinMs + a.delta);
          model.observe({ type: 'EndWrapUp', agentId: '' }, engine.tick(now), true, false);
          check();
        }
        step({
          type: 'SubmitInteraction',
          interaction: { id: `r${++recontacts}`, channel: a.channel, queue: queue ?? (a.queue % 2 ? 'sales' : 'support'), customerId: customer },
        });
        break;
      }
      case 'hours': {
        const hours = a.rel === null ? null : hoursAt(a.rel, a.queue, now, w.zone);
        if (!send({ type: 'UpsertQueue', queue: { id: a.queue, hours } })) model.violations.push(`hours of ${a.queue} refused: ${JSON.stringify(hours)}`);
        check();
        break;
      }
      case 'jump': {
        const hours = model.hours.get(a.queue);
        const next = hours === undefined ? null : nextBoundary(hours, now, 8);
        if (next !== null) now = Math.max(now, next + a.delta);
        model.observe({ type: 'EndWrapUp', agentId: '' }, engine.tick(now), true, false);
        check();
        break;
      }
    }
  }

  // I1: drain. Everyone works; offers are accepted, work completed, time runs past every max wait.
  step({ type: 'SetAgentState', agentIds: agents.map((a) => a.id), state: 'available' });
  for (let round = 0; round < 200 && model.live().length > 0; round++) {
    for (const o of model.openOffers()) step({ type: 'AcceptOffer', agentId: o.agent, offerId: o.offerId });
    for (const w of model.assignments()) step({ type: 'CompleteInteraction', agentId: w.agent, interactionId: w.ix });
    const next = engine.nextDeadline();
    now = Math.max(now + 1, next ?? now + 1);
    model.observe({ type: 'EndWrapUp', agentId: '' }, engine.tick(now), true, false);
    check();
    for (const a of agents)
      if (engine.agentLoad(a.id)!.state !== 'available' && engine.agentLoad(a.id)!.wrapping.length === 0)
        step({ type: 'SetAgentState', agentIds: [a.id], state: 'available' });
  }
  hoursSeen.runs++;
  for (const k of Object.keys(model.hoursSeen) as (keyof Model['hoursSeen'])[]) hoursSeen[k] += model.hoursSeen[k];
  repeatSeen.runs++;
  for (const k of Object.keys(model.repeatSeen) as (keyof Model['repeatSeen'])[]) repeatSeen[k] += model.repeatSeen[k];
  messagingSeen.runs++;
  for (const k of Object.keys(model.messagingSeen) as (keyof Model['messagingSeen'])[]) messagingSeen[k] += model.messagingSeen[k];
  const stuck = model.live().map((ix) => `${ix.id}:${ix.status}`);
  expect(stuck, 'I1: every accepted submission ends').toEqual([]);
  for (const id of model.accepted) expect(model.ixs.has(id), `I1: ${id} was acknowledged but never queued`).toBe(true);
  expect(engine.counts().interactions).toBe(0);
}
