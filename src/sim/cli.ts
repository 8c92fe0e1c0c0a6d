/**
 * `npm run sim` — the routing simulator's command line.
 *
 *   npm run sim                                            default multi-skill scenario, all policies
 *   npm run sim -- --agents 12 --arrivals-per-hour 120 --aht 300 --sl-seconds 20 --patience 180
 *   npm run sim -- --scenario scenarios/overload.json --policy all --reps 10 --markdown
 *   npm run sim -- --scenario scenarios/ring-all.json --offer-fanout 1
 *   npm run sim -- --scenario scenarios/value-tiered-reserved.json --reserved-idle retention=3
 *   npm run sim -- --scenario scenarios/overflow-on-length.json --no-exceptions
 *   npm run sim -- --scenario scenarios/blended.json --no-overload
 *   npm run sim -- --scenario scenarios/hours.json --no-hours
 *   npm run sim -- --scenario scenarios/messaging.json --inactive-max chat=4
 *   npm run sim -- --scenario scenarios/repeat-contacts.json --no-repeat-contact
 *
 * Flags: --scenario FILE | (--agents N --arrivals-per-hour X --aht SECONDS --sl-seconds T
 * --patience SECONDS (0: none) --handle exponential|lognormal --cv X) --hours H --warmup H
 * --offer-fanout N --answer-seconds S --reserved-idle QUEUE=N[,QUEUE=N…] --inactive-max CHANNEL=N[,CHANNEL=N…]
 * --no-exceptions --no-overload --no-hours --no-repeat-contact
 * --policy fifo|priority-age|deadline|service-objective|all
 * --agent-policy longest-idle|least-occupied|best-skill --reps R --seed S --json --markdown
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  AGENT_SELECTION_POLICIES,
  MAX_INACTIVE_PER_CHANNEL,
  MAX_OFFER_FANOUT,
  MAX_RESERVED_IDLE,
  ORDERING_POLICIES,
  type AgentSelectionPolicy,
  type OrderingPolicy,
} from '../engine/options.ts';
import { erlangA, erlangC } from './erlang.ts';
import { estimate, type Estimate } from './random.ts';
import { parseScenario, singleQueue, type Scenario } from './scenario.ts';
import { simulate, type AgentChannelMetrics, type QueueMetrics, type SimResult } from './simulator.ts';

const METRICS = [
  'serviceLevel',
  'asa',
  'pAbandon',
  'pWait',
  'occupancy',
  'valueWeightedWait',
  'offersRescinded',
  'rescindedPerAnswered',
  'ringOccupancy',
  'rescindedOccupancy',
] as const;
/**
 * What exception rules did: counts per run, their shares of offered, and the callers lost (not
 * served) of every kind. In the JSON and the table only for scenarios with rules, so that the
 * output of every other scenario is what it was before rules existed.
 */
const RULE_METRICS = ['refused', 'cancelledByRule', 'overflowedByRule', 'pRefused', 'pCancelledByRule', 'pOverflowedByRule', 'pLost'] as const;
/**
 * What overload did (reserveWhen, deferrable): the share of time in overload, its episodes, the
 * share of time deferred, the 90th percentile of the wait, and the answered that reserve members
 * took (per run, and as a share of the answered). Only for scenarios with overload
 * settings, for the same reason.
 */
const OVERLOAD_METRICS = ['overloadShare', 'overloadEpisodes', 'deferredShare', 'p90Wait', 'answeredByReserve', 'pAnsweredByReserve'] as const;
/**
 * What hours of operation did: the share of time open, and the arrivals a closed queue refused
 * (QUEUE_CLOSED), held until it opened or overflowed into another queue (per run, and as shares
 * of offered), with the callers lost. Only for scenarios with hours, for the same reason.
 */
const HOURS_METRICS = [
  'openShare',
  'refusedClosed',
  'heldUntilOpen',
  'overflowedClosed',
  'pRefusedClosed',
  'pHeldUntilOpen',
  'pOverflowedClosed',
  'pLost',
] as const;
/**
 * What inactive conversations did (queues with a `conversation`): the customers' replies, the
 * conversations made inactive and refused INACTIVE_LIMIT, the activations and those answered
 * AGENT_AT_CAPACITY (per run, and as a share of the activations), the waits for room (mean of those
 * that waited, and per reply) and the share of the conversations' time spent inactive. Only for
 * scenarios with conversations, for the same reason.
 */
const MESSAGING_METRICS = [
  'replies',
  'madeInactive',
  'inactiveLimited',
  'activations',
  'activationsAtCapacity',
  'pAtCapacity',
  'roomWait',
  'roomWaitPerReply',
  'inactiveShare',
] as const;
/**
 * What repeat calls met (queues with `repeatCalls`): the repeat calls (per run, and as a share of
 * offered) and those the engine boosted (as a share of the repeat calls), and the first and the
 * repeat calls' ASA, service level and abandons apart. Only for scenarios with repeat calls, for
 * the same reason.
 */
const REPEAT_METRICS = [
  'repeatContacts',
  'pRepeat',
  'repeatBoosted',
  'pBoosted',
  'asaFirst',
  'asaRepeat',
  'serviceLevelFirst',
  'serviceLevelRepeat',
  'pAbandonFirst',
  'pAbandonRepeat',
] as const;
const ALL_METRICS = [...METRICS, ...RULE_METRICS, ...OVERLOAD_METRICS, ...HOURS_METRICS, ...MESSAGING_METRICS, ...REPEAT_METRICS] as const;
type Metric = (typeof ALL_METRICS)[number];

const share = (n: number, of: number) => (of ? n / of : Number.NaN);

/**
 * A metric of one run; derived: rescindedPerAnswered (offers rescinded as taken per answered
 * interaction) and the rules' shares of offered.
 */
const metricOf = (q: QueueMetrics, m: Metric): number => {
  switch (m) {
    case 'rescindedPerAnswered':
      return share(q.offersRescinded, q.answered);
    case 'pRefused':
      return share(q.refused, q.offered);
    case 'pCancelledByRule':
      return share(q.cancelledByRule, q.offered);
    case 'pOverflowedByRule':
      return share(q.overflowedByRule, q.offered);
    case 'pAnsweredByReserve':
      return share(q.answeredByReserve, q.answered);
    case 'pRefusedClosed':
      return share(q.refusedClosed, q.offered);
    case 'pHeldUntilOpen':
      return share(q.heldUntilOpen, q.offered);
    case 'pOverflowedClosed':
      return share(q.overflowedClosed, q.offered);
    case 'pAtCapacity':
      return share(q.activationsAtCapacity, q.activations);
    case 'pRepeat':
      return share(q.repeatContacts, q.offered);
    case 'pBoosted':
      return share(q.repeatBoosted, q.repeatContacts);
    default:
      return q[m];
  }
};

/** An agent group's figures on one channel (messaging scenarios): occupancy, inactive conversations, throughput, waits for room. */
const AGENT_METRICS = [
  'occupancy',
  'meanInactive',
  'inactiveShare',
  'completedPerAgentHour',
  'madeInactive',
  'inactiveLimited',
  'activations',
  'activationsAtCapacity',
  'pAtCapacity',
  'roomWait',
] as const;
type AgentMetric = (typeof AGENT_METRICS)[number];

const agentMetricOf = (a: AgentChannelMetrics, m: AgentMetric): number => (m === 'pAtCapacity' ? share(a.activationsAtCapacity, a.activations) : a[m]);

const Flags = z.strictObject({
  scenario: z.string().optional(),
  agents: z.coerce.number().int().positive().default(12),
  'arrivals-per-hour': z.coerce.number().positive().default(120),
  aht: z.coerce.number().positive().default(300),
  'sl-seconds': z.coerce.number().positive().default(20),
  patience: z.coerce.number().min(0).default(0),
  handle: z.enum(['exponential', 'lognormal']).default('exponential'),
  cv: z.coerce.number().positive().default(1),
  hours: z.coerce.number().positive().optional(),
  warmup: z.coerce.number().min(0).optional(),
  'offer-fanout': z.coerce.number().int().min(1).max(MAX_OFFER_FANOUT).optional(),
  'answer-seconds': z.coerce.number().min(0).max(600).optional(),
  /** `queue=n[,queue=n…]`: those queues' reservedIdle. */
  'reserved-idle': z
    .string()
    .regex(/^[^=,]+=\d+(,[^=,]+=\d+)*$/, { message: 'expected QUEUE=N[,QUEUE=N…]' })
    .transform((v) => v.split(',').map((p) => [p.slice(0, p.indexOf('=')), Number(p.slice(p.indexOf('=') + 1))] as const))
    .refine((ps) => ps.every(([, n]) => n <= MAX_RESERVED_IDLE), { message: `at most ${MAX_RESERVED_IDLE} idle members` })
    .optional(),
  /** Run the scenario with no exception rules: the same centre and callers, for comparison. */
  'no-exceptions': z.literal('true').optional(),
  /**
   * Run the scenario with no overload rules (reserveWhen, reserveUntil, deferrable): no queue is
   * ever in overload, so reserve members never take its work and nothing is deferred.
   */
  'no-overload': z.literal('true').optional(),
  /** Run the scenario with no queue's hours: every queue always open, on the same callers. */
  'no-hours': z.literal('true').optional(),
  /** Run the scenario with no queue's repeatContact: repeat calls come in with no boost, on the same first callers. */
  'no-repeat-contact': z.literal('true').optional(),
  /** `channel=n[,channel=n…]`: the inactiveMax of those channels in every agent group that has them. */
  'inactive-max': z
    .string()
    .regex(/^[^=,]+=\d+(,[^=,]+=\d+)*$/, { message: 'expected CHANNEL=N[,CHANNEL=N…]' })
    .transform((v) => v.split(',').map((p) => [p.slice(0, p.indexOf('=')), Number(p.slice(p.indexOf('=') + 1))] as const))
    .refine((ps) => ps.every(([, n]) => n <= MAX_INACTIVE_PER_CHANNEL), { message: `at most ${MAX_INACTIVE_PER_CHANNEL} inactive conversations` })
    .optional(),
  policy: z.enum([...ORDERING_POLICIES, 'all']).optional(),
  'agent-policy': z.enum(AGENT_SELECTION_POLICIES).default('longest-idle'),
  reps: z.coerce.number().int().min(1).max(1000).default(5),
  seed: z.coerce.number().int().min(0).default(1),
  json: z.literal('true').optional(),
  markdown: z.literal('true').optional(),
});

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
    else out[a.slice(2)] = 'true';
  }
  return out;
}

const DEFAULT_SCENARIO = new URL('../../scenarios/multi-skill.json', import.meta.url);

export interface PolicySummary {
  readonly ordering: OrderingPolicy;
  readonly queues: Record<string, Record<Metric, Estimate> & { objectivePercent: number | null }>;
  readonly overall: Record<Metric, Estimate>;
  /** Agent group → channel → its figures. */
  readonly agents: Record<string, Record<string, Record<AgentMetric, Estimate>>>;
  readonly objectivesMet: Estimate;
  readonly runs: number;
  readonly interactionsPerRun: number;
}

function summarise(ordering: OrderingPolicy, runs: SimResult[]): PolicySummary {
  const pick = (get: (r: SimResult) => QueueMetrics) =>
    Object.fromEntries(ALL_METRICS.map((m) => [m, estimate(runs.map((r) => metricOf(get(r), m)))])) as Record<Metric, Estimate>;
  const queues: PolicySummary['queues'] = {};
  for (const id of Object.keys(runs[0].queues)) queues[id] = { ...pick((r) => r.queues[id]), objectivePercent: runs[0].queues[id].objectivePercent };
  const pickAgents = (group: string, c: string) =>
    Object.fromEntries(AGENT_METRICS.map((m) => [m, estimate(runs.map((r) => agentMetricOf(r.agents[group][c], m)))])) as Record<AgentMetric, Estimate>;
  return {
    ordering,
    queues,
    overall: pick((r) => r.overall),
    agents: mapValues(runs[0].agents, (channels, group) => mapValues(channels, (_, c) => pickAgents(group, c))),
    objectivesMet: estimate(runs.map((r) => r.objectivesMet)),
    runs: runs.length,
    interactionsPerRun: runs.reduce((a, r) => a + r.interactions, 0) / runs.length,
  };
}

const pct = (e: Estimate) => `${(100 * e.mean).toFixed(1)} ± ${(100 * e.ci95).toFixed(1)}`;
const sec = (e: Estimate) => `${e.mean.toFixed(1)} ± ${e.ci95.toFixed(1)}`;

const count = (e: Estimate) => `${e.mean.toFixed(1)} ± ${e.ci95.toFixed(1)}`;
const ratio = (e: Estimate) => `${e.mean.toFixed(2)} ± ${e.ci95.toFixed(2)}`;

/** The exception rules' columns of the table: one per action the scenario's rules take, then callers lost. */
function ruleColumns(scenario: Scenario): { header: string; metric: Metric }[] {
  const actions = new Set(scenario.queues.flatMap((q) => q.exceptions.map((r) => r.action.type)));
  if (actions.size === 0) return [];
  return [
    ...(actions.has('refuse') ? [{ header: 'refused %', metric: 'pRefused' as const }] : []),
    ...(actions.has('cancel') ? [{ header: 'cancelled by rule %', metric: 'pCancelledByRule' as const }] : []),
    ...(actions.has('overflow') ? [{ header: 'overflowed %', metric: 'pOverflowedByRule' as const }] : []),
    { header: 'lost %', metric: 'pLost' as const },
  ];
}

/** The overload columns: for a scenario with overload rules, and with deferrable queues the deferral's. */
function overloadColumns(scenario: Scenario): { header: string; metric: Metric; format: (e: Estimate) => string }[] {
  if (!hasOverload(scenario)) return [];
  return [
    { header: 'p90 wait s', metric: 'p90Wait', format: sec },
    { header: 'in overload %', metric: 'overloadShare', format: pct },
    { header: 'overload episodes', metric: 'overloadEpisodes', format: count },
    ...(scenario.queues.some((q) => q.deferrable !== null) ? [{ header: 'deferred %', metric: 'deferredShare' as const, format: pct }] : []),
    ...(scenario.agents.some((g) => Object.values(g.queues ?? {}).some((m) => m.reserve))
      ? [{ header: 'answered by reserve %', metric: 'pAnsweredByReserve' as const, format: pct }]
      : []),
  ];
}

/** The hours columns: for a scenario with hours, the time open and one column per closed action its queues take. */
function hoursColumns(scenario: Scenario): { header: string; metric: Metric; format: (e: Estimate) => string }[] {
  const hours = scenario.queues.flatMap((q) => (q.hours === null ? [] : [q.hours]));
  if (hours.length === 0) return [];
  const actions = new Set(hours.map((h) => h.closedAction?.type ?? 'refuse'));
  return [
    { header: 'open %', metric: 'openShare', format: pct },
    ...(actions.has('refuse') ? [{ header: 'refused closed', metric: 'refusedClosed' as const, format: count }] : []),
    ...(actions.has('hold') ? [{ header: 'held until open', metric: 'heldUntilOpen' as const, format: count }] : []),
    ...(actions.has('overflow') ? [{ header: 'overflowed closed', metric: 'overflowedClosed' as const, format: count }] : []),
  ];
}

/** The messaging columns: for a scenario with conversations, their time inactive and the replies' waits for room. */
function messagingColumns(scenario: Scenario): { header: string; metric: Metric; format: (e: Estimate) => string }[] {
  if (!hasConversations(scenario)) return [];
  return [
    { header: 'inactive %', metric: 'inactiveShare', format: pct },
    { header: 'activations at capacity %', metric: 'pAtCapacity', format: pct },
    { header: 'room wait s', metric: 'roomWait', format: sec },
    { header: 'room wait per reply s', metric: 'roomWaitPerReply', format: sec },
  ];
}

/** The repeat calls' columns: for a scenario with repeat calls, their share, the boosted ones and the first and repeat calls' figures apart. */
function repeatColumns(scenario: Scenario): { header: string; metric: Metric; format: (e: Estimate) => string }[] {
  if (!scenario.queues.some((q) => q.repeatCalls !== null)) return [];
  return [
    { header: 'repeat %', metric: 'pRepeat', format: pct },
    { header: 'boosted %', metric: 'pBoosted', format: pct },
    { header: 'ASA first s', metric: 'asaFirst', format: sec },
    { header: 'ASA repeat s', metric: 'asaRepeat', format: sec },
    { header: 'SL first %', metric: 'serviceLevelFirst', format: pct },
    { header: 'SL repeat %', metric: 'serviceLevelRepeat', format: pct },
    { header: 'abandon first %', metric: 'pAbandonFirst', format: pct },
    { header: 'abandon repeat %', metric: 'pAbandonRepeat', format: pct },
  ];
}

/** Does any queue have conversations? */
const hasConversations = (scenario: Scenario) => scenario.queues.some((q) => q.conversation !== null);

/** The channels conversations use, each with its agent groups' inactiveMax ("chat inactiveMax 2"), for the table's title. */
function inactiveMaxes(scenario: Scenario): string[] {
  const channels = [...new Set(scenario.queues.flatMap((q) => (q.conversation === null ? [] : [q.channel])))];
  return channels.map((c) => {
    const values = scenario.agents.flatMap((g) => (g.count > 0 && g.capacity.channels[c] !== undefined ? [g.capacity.channels[c].inactiveMax ?? 0] : []));
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    return `${c} inactiveMax ${values.length === 0 ? 'none' : lo === hi ? lo : `${lo}–${hi}`}`;
  });
}

/** Does any queue have an overload rule or deferral? */
const hasOverload = (scenario: Scenario) => scenario.queues.some((q) => q.reserveWhen !== null || q.deferrable !== null);

/** What a switch took away, for the table's title. */
interface Off {
  readonly rules: boolean;
  readonly overload: boolean;
  readonly hours: boolean;
  readonly repeat: boolean;
}

/**
 * `rules`, `overload`, `hours`: the exception rules', overload and hours columns, those of the
 * file's when --no-exceptions, --no-overload or --no-hours took them away (`off`).
 */
function table(
  scenario: Scenario,
  summaries: PolicySummary[],
  markdown: boolean,
  rules: ReturnType<typeof ruleColumns>,
  overload: ReturnType<typeof overloadColumns>,
  hours: ReturnType<typeof hoursColumns>,
  messaging: ReturnType<typeof messagingColumns>,
  repeat: ReturnType<typeof repeatColumns>,
  off: Off,
): string {
  // Ring time, multi-offer and exception rule columns only for scenarios that use them.
  const ring = scenario.queues.some((q) => q.offerFanout > 1 || q.answerSeconds > 0);
  const header = ['policy', 'queue', 'SL % (objective)', 'ASA s', 'abandon %', 'value-weighted wait s', 'occupancy %'];
  if (ring) header.push('rescinded per answered', 'ringing %', 'ringing rescinded %');
  header.push(
    ...rules.map((c) => c.header),
    ...overload.map((c) => c.header),
    ...hours.map((c) => c.header),
    ...messaging.map((c) => c.header),
    ...repeat.map((c) => c.header),
  );
  const rows: string[][] = [];
  for (const s of summaries) {
    for (const [id, q] of Object.entries(s.queues))
      rows.push([
        s.ordering,
        id,
        `${pct(q.serviceLevel)} (${q.objectivePercent})`,
        sec(q.asa),
        pct(q.pAbandon),
        sec(q.valueWeightedWait),
        '',
        ...(ring ? [ratio(q.rescindedPerAnswered), '', ''] : []),
        ...rules.map((c) => pct(q[c.metric])),
        ...overload.map((c) => c.format(q[c.metric])),
        ...hours.map((c) => c.format(q[c.metric])),
        ...messaging.map((c) => c.format(q[c.metric])),
        ...repeat.map((c) => c.format(q[c.metric])),
      ]);
    rows.push([
      s.ordering,
      `**all** (objectives met: ${s.objectivesMet.mean.toFixed(1)}/${Object.keys(s.queues).length})`,
      pct(s.overall.serviceLevel),
      sec(s.overall.asa),
      pct(s.overall.pAbandon),
      sec(s.overall.valueWeightedWait),
      pct(s.overall.occupancy),
      ...(ring ? [ratio(s.overall.rescindedPerAnswered), pct(s.overall.ringOccupancy), pct(s.overall.rescindedOccupancy)] : []),
      ...rules.map((c) => pct(s.overall[c.metric])),
      ...overload.map((c) => c.format(s.overall[c.metric])),
      ...hours.map((c) => c.format(s.overall[c.metric])),
      ...messaging.map((c) => c.format(s.overall[c.metric])),
      ...repeat.map((c) => c.format(s.overall[c.metric])),
    ]);
  }
  if (markdown) return markdownTable(header, rows);
  // Reserves in the title, so the tables of a --reserved-idle sweep tell themselves apart.
  const reserves = scenario.queues.filter((q) => q.reservedIdle > 0).map((q) => `${q.id} holds ${q.reservedIdle} idle`);
  // And whether --no-exceptions took the file's rules away.
  if (off.rules) reserves.push('exception rules off');
  // And whether --no-overload took its overload rules away.
  if (off.overload) reserves.push('overload rules off');
  // And whether --no-hours opened every queue all the time.
  if (off.hours) reserves.push('hours off');
  // And whether --no-repeat-contact took the repeat contacts' boost away.
  if (off.repeat) reserves.push('repeat-contact boost off');
  // And how many inactive conversations the agents may hold, so the tables of an --inactive-max sweep tell themselves apart.
  if (messaging.length > 0) reserves.push(...inactiveMaxes(scenario));
  const title = reserves.length > 0 ? `${scenario.name} (${reserves.join(', ')})` : scenario.name;
  return [`${title}: ${summaries[0].runs} replications, mean ± 95% CI`, ...textTable(header, rows)].join('\n');
}

/** The agent groups' figures per channel (messaging scenarios): how busy they are, what they hold inactive, what replies met. */
function agentsTable(summaries: PolicySummary[], markdown: boolean): string {
  const header = [
    'policy',
    'agent group',
    'channel',
    'occupancy %',
    'inactive held per agent',
    'inactive %',
    'completed per agent-hour',
    'made inactive',
    'inactive limit',
    'activations',
    'activations at capacity %',
    'room wait s',
  ];
  const rows: string[][] = [];
  for (const s of summaries)
    for (const [group, channels] of Object.entries(s.agents))
      for (const [c, a] of Object.entries(channels))
        rows.push([
          s.ordering,
          group,
          c,
          pct(a.occupancy),
          ratio(a.meanInactive),
          pct(a.inactiveShare),
          sec(a.completedPerAgentHour),
          count(a.madeInactive),
          count(a.inactiveLimited),
          count(a.activations),
          pct(a.pAtCapacity),
          sec(a.roomWait),
        ]);
  return markdown ? markdownTable(header, rows) : textTable(header, rows).join('\n');
}

/** The record with `f` applied to each value (and its key). */
const mapValues = <T, U>(r: Readonly<Record<string, T>>, f: (v: T, k: string) => U): Record<string, U> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v, k)]));

const markdownTable = (header: string[], rows: string[][]) => {
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
};

/** The header and rows as lines of padded columns (bold marks dropped). */
const textTable = (header: string[], rows: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.replaceAll('**', '').padEnd(widths[i])).join('  ');
  return [line(header), ...rows.map(line)];
};

export function main(argv: string[]): void {
  const raw = parseArgs(argv);
  const parsed = Flags.safeParse(raw);
  if (!parsed.success) {
    console.error(`invalid flags:\n${z.prettifyError(parsed.error)}`);
    process.exitCode = 2;
    return;
  }
  const f = parsed.data;
  const singleFlags = ['agents', 'arrivals-per-hour', 'aht', 'sl-seconds', 'patience'].some((k) => k in raw);
  let scenario: Scenario;
  if (f.scenario || !singleFlags) {
    const file = f.scenario ?? DEFAULT_SCENARIO;
    const result = parseScenarioFile(file);
    if (typeof result === 'string') {
      console.error(result);
      process.exitCode = 2;
      return;
    }
    scenario = result;
    if (f.hours !== undefined) scenario = { ...scenario, hours: f.hours };
    if (f.warmup !== undefined) scenario = { ...scenario, warmupHours: f.warmup };
  } else {
    scenario = singleQueue({
      agents: f.agents,
      arrivalsPerHour: f['arrivals-per-hour'],
      ahtSeconds: f.aht,
      thresholdSeconds: f['sl-seconds'],
      patienceSeconds: f.patience > 0 ? f.patience : null,
      hours: f.hours ?? 100,
      warmupHours: f.warmup,
      handleTime: f.handle,
      handleCv: f.cv,
    });
  }
  const fanout = f['offer-fanout'];
  const answer = f['answer-seconds'];
  if (fanout !== undefined) scenario = { ...scenario, queues: scenario.queues.map((q) => ({ ...q, offerFanout: fanout })) };
  if (answer !== undefined) scenario = { ...scenario, queues: scenario.queues.map((q) => ({ ...q, answerSeconds: answer })) };
  const reserved = f['reserved-idle'];
  if (reserved !== undefined) {
    const result = withReservedIdle(scenario, new Map(reserved));
    if (typeof result === 'string') {
      console.error(result);
      process.exitCode = 2;
      return;
    }
    scenario = result;
  }
  const inactiveMax = f['inactive-max'];
  if (inactiveMax !== undefined) {
    const result = withInactiveMax(scenario, new Map(inactiveMax));
    if (typeof result === 'string') {
      console.error(result);
      process.exitCode = 2;
      return;
    }
    scenario = result;
  }
  // The rules' columns and figures stay when --no-exceptions takes them away, for comparison.
  const rules = ruleColumns(scenario);
  const rulesOff = f['no-exceptions'] === 'true' && rules.length > 0;
  if (rulesOff) scenario = { ...scenario, queues: scenario.queues.map((q) => ({ ...q, exceptions: [] })) };
  // So do the overload columns with --no-overload. Reserve memberships stay: with no queue ever in
  // overload their agents take none of its work, as the engine does for a queue without reserveWhen.
  const overload = overloadColumns(scenario);
  const overloadOff = f['no-overload'] === 'true' && overload.length > 0;
  if (overloadOff) scenario = withoutOverload(scenario);
  // And the hours columns with --no-hours.
  const hours = hoursColumns(scenario);
  const hoursOff = f['no-hours'] === 'true' && hours.length > 0;
  if (hoursOff) scenario = withoutHours(scenario);
  const messaging = messagingColumns(scenario);
  // The repeat calls' columns stay with --no-repeat-contact, for comparison.
  const repeat = repeatColumns(scenario);
  const repeatOff = f['no-repeat-contact'] === 'true' && scenario.queues.some((q) => q.repeatContact !== null);
  if (repeatOff) scenario = withoutRepeatContact(scenario);
  const policies: OrderingPolicy[] =
    f.policy === 'all' || (f.policy === undefined && !singleFlags) ? [...ORDERING_POLICIES] : [(f.policy ?? 'fifo') as OrderingPolicy];
  const summaries = policies.map((ordering) =>
    summarise(
      ordering,
      Array.from({ length: f.reps }, (_, i) => simulate(scenario, { ordering, agentSelection: f['agent-policy'] as AgentSelectionPolicy, seed: f.seed + i })),
    ),
  );

  // Closed forms, for the single-queue shape.
  let closedForm: Record<string, number> | undefined;
  // Not with answer times: ring time is outside the formulas.
  if (
    scenario.queues.length === 1 &&
    scenario.agents.length === 1 &&
    scenario.handleTime === 'exponential' &&
    !scenario.arrivalProfile &&
    scenario.queues[0].answerSeconds === 0 &&
    scenario.queues[0].ahtSeconds !== undefined &&
    // Not with repeat calls either: they add arrivals the formulas do not see.
    scenario.queues[0].repeatCalls === null
  ) {
    const q = scenario.queues[0];
    const aht = q.ahtSeconds!;
    const λ = q.arrivalsPerHour / 3600;
    const n = scenario.agents[0].count;
    closedForm =
      q.patienceSeconds === null
        ? { model: 0, ...erlangC(λ, aht, n, q.serviceObjective.thresholdSeconds) }
        : { model: 1, ...erlangA(λ, aht, n, q.patienceSeconds, q.serviceObjective.thresholdSeconds) };
  }

  if (f.json) {
    // pLost is both the rules' and the hours': once.
    const keys = [
      ...new Set([
        ...METRICS,
        ...(rules.length > 0 ? RULE_METRICS : []),
        ...(overload.length > 0 ? OVERLOAD_METRICS : []),
        ...(hours.length > 0 ? HOURS_METRICS : []),
        ...(messaging.length > 0 ? MESSAGING_METRICS : []),
        ...(repeat.length > 0 ? REPEAT_METRICS : []),
      ]),
    ];
    const flatAgent = (a: Record<AgentMetric, Estimate>) => ({
      ...Object.fromEntries(AGENT_METRICS.map((k) => [k, a[k].mean])),
      ci95: Object.fromEntries(AGENT_METRICS.map((k) => [k, a[k].ci95])),
    });
    const flat = (m: Record<Metric, Estimate>) => ({
      ...Object.fromEntries(keys.map((k) => [k, m[k].mean])),
      ci95: Object.fromEntries(keys.map((k) => [k, m[k].ci95])),
    });
    const out = {
      scenario: scenario.name,
      replications: f.reps,
      seed: f.seed,
      agentSelection: f['agent-policy'],
      policies: Object.fromEntries(
        summaries.map((s) => [
          s.ordering,
          {
            overall: flat(s.overall),
            queues: Object.fromEntries(Object.entries(s.queues).map(([id, q]) => [id, { ...flat(q), objectivePercent: q.objectivePercent }])),
            ...(messaging.length > 0 ? { agents: mapValues(s.agents, (channels) => mapValues(channels, flatAgent)) } : {}),
            objectivesMet: s.objectivesMet.mean,
            interactionsPerRun: s.interactionsPerRun,
          },
        ]),
      ),
      ...(closedForm ? { closedForm: { ...closedForm, model: closedForm.model === 0 ? 'erlang-c' : 'erlang-a' } } : {}),
    };
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  console.log(
    table(scenario, summaries, f.markdown === 'true', rules, overload, hours, messaging, repeat, {
      rules: rulesOff,
      overload: overloadOff,
      hours: hoursOff,
      repeat: repeatOff,
    }),
  );
  if (messaging.length > 0) console.log(`\n${agentsTable(summaries, f.markdown === 'true')}`);
  if (closedForm) {
    const { model, ...rest } = closedForm;
    console.log(
      `\n${model === 0 ? 'Erlang C' : 'Erlang A'}: ` +
        Object.entries(rest)
          .map(([k, v]) => `${k} ${k === 'asa' ? `${v.toFixed(2)} s` : `${(100 * v).toFixed(2)} %`}`)
          .join(', '),
    );
  }
}

/** The scenario with these queues' reservedIdle, validated again (the queue must exist and have members); or why not. */
function withReservedIdle(scenario: Scenario, reserved: ReadonlyMap<string, number>): Scenario | string {
  for (const id of reserved.keys()) if (!scenario.queues.some((q) => q.id === id)) return `--reserved-idle: the scenario has no queue '${id}'`;
  try {
    return parseScenario({ ...scenario, queues: scenario.queues.map((q) => ({ ...q, reservedIdle: reserved.get(q.id) ?? q.reservedIdle })) });
  } catch (e) {
    return e instanceof z.ZodError ? `--reserved-idle:\n${z.prettifyError(e)}` : String(e);
  }
}

/**
 * The scenario with these channels' inactiveMax in every agent group that has them, validated
 * again (a conversation must use the channel); or why not.
 */
function withInactiveMax(scenario: Scenario, inactiveMax: ReadonlyMap<string, number>): Scenario | string {
  for (const c of inactiveMax.keys())
    if (!scenario.agents.some((g) => g.capacity.channels[c] !== undefined)) return `--inactive-max: no agent group of the scenario has channel '${c}'`;
  try {
    return parseScenario({
      ...scenario,
      agents: scenario.agents.map((g) => ({
        ...g,
        capacity: {
          ...g.capacity,
          channels: Object.fromEntries(
            Object.entries(g.capacity.channels).map(([c, spec]) => [c, inactiveMax.has(c) ? { ...spec, inactiveMax: inactiveMax.get(c) } : spec]),
          ),
        },
      })),
    });
  } catch (e) {
    return e instanceof z.ZodError ? `--inactive-max:\n${z.prettifyError(e)}` : String(e);
  }
}

/**
 * The scenario with no overload rules: no queue's reserveWhen, reserveUntil or deferrable. Not
 * validated again (a reserve membership of a queue without reserveWhen is refused in a file, where
 * it would be a mistake): the engine takes it, and the reserve members take none of the queue's work.
 */
export function withoutOverload(scenario: Scenario): Scenario {
  return { ...scenario, queues: scenario.queues.map((q) => ({ ...q, reserveWhen: null, reserveUntil: null, deferrable: null })) };
}

/**
 * The scenario with no queue's hours: every queue always open. Not validated again, like
 * withoutOverload; the start stays and no longer matters.
 */
export function withoutHours(scenario: Scenario): Scenario {
  return { ...scenario, queues: scenario.queues.map((q) => ({ ...q, hours: null })) };
}

/** The scenario with no queue's repeatContact: repeat calls come in with no boost. Not validated again, like withoutOverload. */
export function withoutRepeatContact(scenario: Scenario): Scenario {
  return { ...scenario, queues: scenario.queues.map((q) => ({ ...q, repeatContact: null })) };
}

function parseScenarioFile(file: string | URL): Scenario | string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return `cannot read scenario ${String(file)}: ${(e as Error).message}`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `scenario ${String(file)} is not JSON: ${(e as Error).message}`;
  }
  try {
    return parseScenario(json);
  } catch (e) {
    return e instanceof z.ZodError ? `invalid scenario ${String(file)}:\n${z.prettifyError(e)}` : String(e);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/sim/cli.ts') || process.argv[1]?.endsWith('/sim/cli.js')) {
  main(process.argv.slice(2));
}
