/**
 * Discrete-event routing simulator: drives the real Engine with a virtual clock.
 *
 * Arrivals are Poisson per queue (time-varying by thinning against the scenario's hourly
 * profile); handle times exponential or lognormal; patience exponential (abandonment); wrap-up
 * by the engine's own timers. Agents accept every offer at once (no ring time), so measured
 * waits are the routing's own, unless the queue has an `answerSeconds`: then each offer is
 * accepted after an exponential answer time of that mean, and an answer to an offer closed
 * meanwhile (rescinded because another agent took the interaction, or withdrawn when the caller
 * hung up) is dropped. A queue's `offerFanout` offers each interaction to that many agents at
 * once (ring-all). Each random stream (arrivals, handle times, patience, mixes, answer times) has
 * its own generator: runs of different policies with the same seed see the same customers
 * (common random numbers), and a scenario without answer times draws exactly what it drew
 * before they existed. Routing is the engine's own: the scenario's skills, the agent groups'
 * labels and routing profiles (delays converted to milliseconds), and the queues' selectors,
 * members-only flag, offer fanout, reserved idle members, exception rules, overload settings
 * (reserveWhen, reserveUntil, deferrable; the groups' reserve memberships) and hours of operation
 * go to it unchanged.
 *
 * The engine's clock starts at the scenario's `start` (epoch milliseconds; the epoch when it has
 * none), so that a queue's hours apply to a date and a local time. A queue closed to a caller
 * acts as its `closedAction` says: refused (QUEUE_CLOSED), the caller is lost like one an
 * exception rule refuses; held, its wait, and so its service level, count from the opening (as
 * the engine's do) while its patience runs from its arrival; overflowed, it enters the other
 * queue at once and is followed there like a rule's overflow. Agents stay logged in for the whole
 * run: closing a queue stops its new work, and work already waiting is still answered.
 *
 * Messaging: a queue's `conversation` runs each of its interactions as exchanges once assigned:
 * the agent answers the customer's message (a handling time), the customer replies after a delay,
 * and so on until the agent's last answer completes it. Each conversation's handling times and
 * reply delays are drawn on arrival from their own stream, so that the same customer says the same
 * in every run of a seed. Once the customer has been quiet for the queue's `inactiveAfterSeconds`,
 * the platform sends `UpdateInteraction { active: false }` (not to an agent whose channel's
 * inactiveMax is 0; INACTIVE_LIMIT leaves it active); when the reply comes to an inactive
 * conversation it sends `active: true`, and the agent answers once the engine says it is active
 * (at once, or at the agent's next free room after AGENT_AT_CAPACITY). An agent works its active
 * conversations side by side: the model takes concurrency up to the channel's `max` to cost
 * nothing, and a customer's wait inside the conversation is only its wait for room.
 *
 * Repeat calls: of a queue's callers who hang up before an answer, its `repeatCalls.afterAbandon`
 * share call again, and of those answered its `afterAnswer` share, after an exponential delay from
 * hanging up or from the end of the call (drawn on arrival, for every caller, from a stream of
 * their own: a first call's draws are the same in every run of a seed). The repeat call is the same
 * customer (its customerId, the first call's id; its value tier and priority), into the queue
 * `repeatCalls.queue` names (default the same), with its patience (and a conversation's script)
 * drawn from the repeat calls' own stream. Calls carry a customerId only in scenarios with repeat
 * calls. A queue's `repeatContact` goes to the engine unchanged, which boosts those within its
 * window.
 *
 * Exception rules act on the callers: a submission refused (QUEUE_REFUSED) is a caller who hears
 * a busy message and is lost; a rule's cancel ends the caller's wait (sent to voicemail, say); an
 * overflow moves the caller to another queue, where it keeps its arrival, requirements and
 * patience. Every caller is counted in the queue it called, whichever queue answers it, and
 * judged against that queue's objective; its handle time is drawn from that queue's AHT, and
 * the wrap-up and answer time are those of the queue that offers it.
 *
 * Metric definitions (per queue and overall, over interactions that arrive after warm-up and
 * before the end; the run continues until each of them is answered, abandoned or ended by a
 * rule):
 * - offered: those interactions, refused ones included; answered, abandoned, refused,
 *   refusedClosed, cancelledByRule: how each ended (they add up to offered). overflowedByRule:
 *   those a rule moved to another queue (once each, however often).
 * - serviceLevel = answered within the queue's threshold ÷ offered (abandoned, refused and
 *   cancelled count against), less those refused because the queue was closed: the objective
 *   applies to the callers the queue took, while open or by its closed action.
 * - serviceLevelOfAnswered = answered within threshold ÷ answered.
 * - asa: mean wait of answered; meanWait: mean wait of all offered who entered a queue (not the
 *   refused; abandoned and cancelled: time to leaving). A wait held until a queue opened counts
 *   from the opening.
 * - pWait: share of those who entered not answered on arrival; pAbandon: abandoned ÷ offered;
 *   pLost: (abandoned + refused + refusedClosed + cancelledByRule) ÷ offered.
 * - occupancy: agent-time spent on interactions (handle + wrap-up) of answered ones ÷ staffed
 *   agent-time of the measured window.
 * - valueWeightedWait: Σ value(tier)·wait ÷ those who entered a queue.
 * - asaByPriority: mean wait of answered per priority class (the priority drawn on arrival).
 * - offersRescinded: offers of those interactions rescinded because another agent took it first.
 * - ringOccupancy: agent-time held by their offers while ringing (from the offer until it was
 *   accepted, rescinded or withdrawn) ÷ staffed agent-time; rescindedOccupancy: the part of it
 *   held by offers that were then rescinded as taken.
 * - p90Wait: the 90th percentile (nearest rank) of the waits of the answered, seconds.
 * - overloadShare: the part of the measured window the queue spent in overload (from the
 *   engine's QueueOverloadStarted to its QueueOverloadEnded); overloadEpisodes: the overloads
 *   that started in the window; deferredShare: the part of the window a deferrable queue's work
 *   was held back (a queue it names in overload). Overall: the time any queue was in overload
 *   (deferred), and the episodes of all queues. answeredByReserve: the answered whose agent is a
 *   reserve member of the queue that assigned it.
 * - openShare: the part of the measured window the queue was open by its hours (1 without
 *   hours; overall: any queue). refusedClosed: submissions refused because the queue was closed
 *   (QUEUE_CLOSED); heldUntilOpen: those held until a queue opened; overflowedClosed: those a
 *   closed queue sent into another (one the target holds counts in both).
 * - Messaging, per queue over its measured conversations: replies (the customers' messages after
 *   the first), madeInactive (active: false taken) and inactiveLimited (refused INACTIVE_LIMIT),
 *   activations (active: true sent: a reply to an inactive conversation) and
 *   activationsAtCapacity (answered AGENT_AT_CAPACITY), roomWait (the mean time those waited for
 *   room), roomWaitPerReply (every wait for room ÷ replies), inactiveShare (time inactive ÷ time
 *   assigned). Per agent group and channel, over the measured window: occupancy (active
 *   interactions held ÷ agents × the channel's max), meanInactive (inactive ones held per agent),
 *   inactiveShare, completedPerAgentHour, and the same counts of the replies that came in the
 *   window.
 * - Repeat calls, per queue they call: repeatContacts (of offered, the calls that repeat an
 *   earlier one of the same customer) and repeatBoosted (those the engine boosted: its
 *   InteractionQueued names the contact they repeat); for first and repeat calls apart, asaFirst
 *   and asaRepeat, serviceLevelFirst and serviceLevelRepeat, pAbandonFirst and pAbandonRepeat,
 *   defined as asa, serviceLevel and pAbandon are.
 */
import { Engine } from '../engine/engine.ts';
import type { AgentSelectionPolicy, OrderingPolicy } from '../engine/options.ts';
import { openAt } from '../engine/hours.ts';
import type { Command, EngineEvent, QueueHours, QueueSpec } from '../engine/types.ts';
import { exponential, lognormal, prng } from './random.ts';
import type { Conversation, Scenario } from './scenario.ts';

export interface SimOptions {
  readonly ordering: OrderingPolicy;
  readonly agentSelection?: AgentSelectionPolicy;
  readonly seed: number;
  /** Sees every engine event, in order, before the simulator acts on it (tests, tracing). */
  readonly trace?: (e: EngineEvent) => void;
}

export interface QueueMetrics {
  readonly offered: number;
  readonly answered: number;
  readonly abandoned: number;
  /** Submissions an exception rule refused (QUEUE_REFUSED): lost callers, never queued. */
  readonly refused: number;
  /** Ended by an exception rule's cancel while waiting. */
  readonly cancelledByRule: number;
  /** Moved to another queue by an exception rule's overflow (each caller once). */
  readonly overflowedByRule: number;
  readonly serviceLevel: number;
  readonly serviceLevelOfAnswered: number;
  readonly objectivePercent: number | null;
  readonly asa: number;
  readonly meanWait: number;
  readonly pWait: number;
  readonly pAbandon: number;
  /** (abandoned + refused + cancelledByRule) ÷ offered: callers not served. */
  readonly pLost: number;
  readonly occupancy: number;
  readonly valueWeightedWait: number;
  readonly asaByPriority: Readonly<Record<string, number>>;
  /** Offers rescinded because another agent took the interaction first (multi-offer). */
  readonly offersRescinded: number;
  /** Agent-time held by ringing offers ÷ staffed agent-time (0 when agents answer at once). */
  readonly ringOccupancy: number;
  /** The part of ringOccupancy held by offers then rescinded as taken. */
  readonly rescindedOccupancy: number;
  /** The 90th percentile of the answered's waits, seconds (nearest rank). */
  readonly p90Wait: number;
  /** Share of the measured window spent in overload (`reserveWhen`); overall: any queue. */
  readonly overloadShare: number;
  /** Overloads started in the measured window; overall: of every queue. */
  readonly overloadEpisodes: number;
  /** Share of the measured window a deferrable queue's work was held back; overall: any queue's. */
  readonly deferredShare: number;
  /** Answered by a reserve member of the queue that assigned it. */
  readonly answeredByReserve: number;
  /** Share of the measured window the queue was open by its hours (1 without); overall: any queue. */
  readonly openShare: number;
  /** Submissions refused because the queue was closed (QUEUE_CLOSED): lost callers, never queued. */
  readonly refusedClosed: number;
  /** Submissions held until the queue (or the queue a closed one overflowed into) opened. */
  readonly heldUntilOpen: number;
  /** Submissions a closed queue overflowed into another queue. */
  readonly overflowedClosed: number;
  /** Messaging: the customers' replies (messages after the first) in the queue's conversations. */
  readonly replies: number;
  /** Conversations made inactive (`active: false` taken), each time it was. */
  readonly madeInactive: number;
  /** `active: false` refused INACTIVE_LIMIT: the agent held its inactiveMax, the conversation kept its units. */
  readonly inactiveLimited: number;
  /** Replies to an inactive conversation (`active: true` sent). */
  readonly activations: number;
  /** Of those, answered AGENT_AT_CAPACITY: the customer waited for the agent's room. */
  readonly activationsAtCapacity: number;
  /** Mean time the activations answered AGENT_AT_CAPACITY waited for room, seconds. */
  readonly roomWait: number;
  /** All waits for room ÷ replies: what they add to a reply's answer on average, seconds. */
  readonly roomWaitPerReply: number;
  /** Time the conversations spent inactive (waiting for room included) ÷ their time assigned. */
  readonly inactiveShare: number;
  /** Repeat calls: of offered, the calls that repeat an earlier call of the same customer. */
  readonly repeatContacts: number;
  /** Of those, the ones the engine boosted (the queue's repeatContact window held). */
  readonly repeatBoosted: number;
  /** asa, serviceLevel and pAbandon of the first calls and of the repeat calls apart. */
  readonly asaFirst: number;
  readonly asaRepeat: number;
  readonly serviceLevelFirst: number;
  readonly serviceLevelRepeat: number;
  readonly pAbandonFirst: number;
  readonly pAbandonRepeat: number;
}

/** An agent group's figures on one channel, over the measured window. */
export interface AgentChannelMetrics {
  readonly agents: number;
  /** Active interactions held ÷ (agents × the channel's max), time-averaged: the share of its slots in use. */
  readonly occupancy: number;
  /** Inactive conversations held per agent, time-averaged (waiting for room included). */
  readonly meanInactive: number;
  /** Inactive conversation-time ÷ all conversation-time held. */
  readonly inactiveShare: number;
  /** Interactions completed per agent and hour. */
  readonly completedPerAgentHour: number;
  readonly madeInactive: number;
  readonly inactiveLimited: number;
  readonly activations: number;
  readonly activationsAtCapacity: number;
  /** Mean time the activations answered AGENT_AT_CAPACITY waited for room, seconds. */
  readonly roomWait: number;
}

export interface SimResult {
  readonly scenario: string;
  readonly ordering: OrderingPolicy;
  readonly agentSelection: AgentSelectionPolicy;
  readonly seed: number;
  readonly queues: Readonly<Record<string, QueueMetrics>>;
  readonly overall: QueueMetrics;
  /** Agent group → channel of its capacity → its figures (groups with agents). */
  readonly agents: Readonly<Record<string, Readonly<Record<string, AgentChannelMetrics>>>>;
  /** Queues whose service level met their objective. */
  readonly objectivesMet: number;
  readonly interactions: number;
  readonly engineCommands: number;
}

interface Rec {
  /** The queue it called (where it is counted). */
  q: number;
  /** The queue it waits in now (another after an overflow). */
  at: number;
  overflowed: boolean;
  arrival: number;
  /** When its wait starts: its arrival, or the opening it was held until. */
  from: number;
  tier: number;
  priority: number;
  measured: boolean;
  assignedAt: number;
  done: boolean;
  /** Its agent's group and channel, once assigned. */
  desk: Desk | null;
  /** A messaging conversation (its queue has a `conversation`); null: handled in one piece. */
  chat: Chat | null;
  /** The customer (the id of its first call) and whether this call repeats an earlier one. */
  customer: string;
  repeat: boolean;
  /** Drawn on arrival when its queue has repeat calls: the uniform that says whether the customer calls again, and after how long (ms). */
  recallU: number;
  recallDelay: number;
}

/** First or repeat calls' tallies, for their own waits, service levels and abandons. */
interface Calls {
  offered: number;
  /** Refused because the queue was closed (out of the service level, as for all). */
  closed: number;
  answered: number;
  answeredInT: number;
  waitAnswered: number;
  abandoned: number;
}

/** A conversation under way. */
interface Chat {
  /**
   * Drawn on arrival, ms: the agent's handling of exchange k at 2k, the customer's reply delay
   * after it at 2k + 1 (none after the last).
   */
  readonly script: Float64Array;
  /** The script's entry of the agent's next (or current) handling. */
  step: number;
  /** Its agent, once assigned. */
  agentId: string;
  /** The engine holds it inactive (made inactive, or waiting for room), since `since`. */
  inactive: boolean;
  since: number;
  inactiveMs: number;
  /** When the reply it waits to be answered came; -1: none waits. */
  replyAt: number;
  /** Its activation was answered AGENT_AT_CAPACITY: it waits for room. */
  atCapacity: boolean;
}

/** An agent group's tallies on one channel. */
interface Desk {
  readonly agents: number;
  readonly max: number;
  readonly inactiveMax: number;
  /** Interactions its agents hold now, active and inactive, since `last`. */
  active: number;
  inactive: number;
  last: number;
  /** Held interaction-time within the window, ms. */
  activeMs: number;
  inactiveMs: number;
  /** Counts within the window (completions; replies that came in it and what they met). */
  completed: number;
  madeInactive: number;
  inactiveLimited: number;
  activations: number;
  atCapacity: number;
  roomMs: number;
}

interface Acc {
  offered: number;
  answered: number;
  answeredInT: number;
  abandoned: number;
  refused: number;
  cancelled: number;
  overflowed: number;
  waitAnswered: number;
  waitAll: number;
  waited: number;
  busyMs: number;
  vww: number;
  byPriority: Map<number, { n: number; wait: number }>;
  rescinded: number;
  ringMs: number;
  rescindedMs: number;
  /** Waits of the answered, ms (for the percentile). */
  waits: number[];
  overloadMs: number;
  episodes: number;
  deferredMs: number;
  byReserve: number;
  openMs: number;
  refusedClosed: number;
  held: number;
  overflowedClosed: number;
  replies: number;
  madeInactive: number;
  inactiveLimited: number;
  activations: number;
  atCapacity: number;
  roomMs: number;
  /** The conversations' time inactive and assigned, ms. */
  inactiveMs: number;
  assignedMs: number;
  first: Calls;
  again: Calls;
  boosted: number;
}

const NONE: readonly string[] = [];
/** An agent's answer finds its offer closed when it was rescinded or withdrawn meanwhile. */
const LATE_ANSWERS: readonly string[] = ['OFFER_CLOSED', 'UNKNOWN_OFFER'];
/** A submission an exception rule of its queue refuses, or its queue's hours (closed). */
const REFUSALS: readonly string[] = ['QUEUE_REFUSED', 'QUEUE_CLOSED'];
/** `active: false` when the agent holds its inactiveMax already. */
const INACTIVE_LIMITED: readonly string[] = ['INACTIVE_LIMIT'];
/** `active: true` when the agent has no room: it becomes active at the agent's next free room. */
const NO_ROOM: readonly string[] = ['AGENT_AT_CAPACITY'];

const ARRIVAL = 0;
const COMPLETE = 1;
const PATIENCE = 2;
/** An agent answers (accepts) an offer: ref the offer id, ref2 the agent id. */
const ANSWER = 3;
/** Messaging (ref the interaction id): the agent has answered the customer's message; a reply is due. */
const ANSWERED = 4;
/** The customer has been quiet for the queue's inactiveAfterSeconds: the platform makes it inactive. */
const QUIET = 5;
/** The customer replies. */
const REPLY = 6;
/** A customer calls again (ref: the repeat call's entry in `recalls`). */
const RECALL = 7;

/** A binary heap of simulator events ordered by (time, sequence). */
class EventQueue {
  private t: number[] = [];
  private s: number[] = [];
  private kind: number[] = [];
  private ref: (string | number)[] = [];
  private ref2: string[] = [];
  private seq = 0;

  get size(): number {
    return this.t.length;
  }

  peekTime(): number {
    return this.t.length === 0 ? Number.POSITIVE_INFINITY : this.t[0];
  }

  push(t: number, kind: number, ref: string | number, ref2 = ''): void {
    this.t.push(t);
    this.s.push(this.seq++);
    this.kind.push(kind);
    this.ref.push(ref);
    this.ref2.push(ref2);
    let i = this.t.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): { t: number; kind: number; ref: string | number; ref2: string } {
    const out = { t: this.t[0], kind: this.kind[0], ref: this.ref[0], ref2: this.ref2[0] };
    const last = this.t.length - 1;
    this.swap(0, last);
    this.t.pop();
    this.s.pop();
    this.kind.pop();
    this.ref.pop();
    this.ref2.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.t.length && this.less(l, m)) m = l;
      if (r < this.t.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return out;
  }

  private less(a: number, b: number): boolean {
    return this.t[a] !== this.t[b] ? this.t[a] < this.t[b] : this.s[a] < this.s[b];
  }

  private swap(a: number, b: number): void {
    [this.t[a], this.t[b]] = [this.t[b], this.t[a]];
    [this.s[a], this.s[b]] = [this.s[b], this.s[a]];
    [this.kind[a], this.kind[b]] = [this.kind[b], this.kind[a]];
    [this.ref[a], this.ref[b]] = [this.ref[b], this.ref[a]];
    [this.ref2[a], this.ref2[b]] = [this.ref2[b], this.ref2[a]];
  }
}

function pickShare<T extends { share: number }>(items: readonly T[], u: number): T {
  const total = items.reduce((a, b) => a + b.share, 0);
  let x = u * total;
  for (const it of items) {
    x -= it.share;
    if (x < 0) return it;
  }
  return items[items.length - 1];
}

export function simulate(scenario: Scenario, options: SimOptions): SimResult {
  const agentSelection = options.agentSelection ?? 'longest-idle';
  const engine = new Engine({
    ordering: options.ordering,
    agentSelection,
    limits: { maxInteractions: 10_000_000, maxAgents: 1_000_000, maxQueues: 1000 },
  });
  const HOUR = 3_600_000;
  // Times are the engine's: epoch milliseconds from the scenario's start.
  const origin = scenario.start === undefined ? 0 : Date.parse(scenario.start);
  const end = origin + scenario.hours * HOUR;
  const warmup = origin + scenario.warmupHours * HOUR;
  const seed = options.seed;
  const arrivalRand = prng(seed * 7 + 1);
  const handleRand = prng(seed * 7 + 2);
  const patienceRand = prng(seed * 7 + 3);
  const mixRand = prng(seed * 7 + 4);
  const answerRand = prng(seed * 7 + 5);
  const conversationRand = prng(seed * 7 + 6);
  // Repeat calls: the first calls' draws (whether and when they call again), and the repeat calls'
  // own (theirs too, with their patience and script), apart from every other seed's streams.
  const recallRand = prng(0x9e3779b9 + seed * 2);
  const repeatRand = prng(0x9e3779b9 + seed * 2 + 1);
  const repeatCalls = scenario.queues.some((q) => q.repeatCalls !== null);
  const profile = scenario.arrivalProfile ?? [1];
  const peak = Math.max(...profile);
  let commands = 0;
  let now = origin;

  const events = new EventQueue();
  const recs = new Map<string, Rec>();
  const queueIndex = new Map(scenario.queues.map((q, i) => [q.id, i]));
  const acc: Acc[] = scenario.queues.map(emptyAcc);
  let pendingMeasured = 0;
  /** Offers accepted at once, in the order they were made (queues without answer times). */
  const pendingAccepts: { agentId: string; offerId: string }[] = [];
  /** When each offer still ringing was made (queues with answer times). */
  const ringing = new Map<string, number>();
  /** Ends an offer's ringing: the agent-time it held counts for its interaction's queue. */
  const ringEnded = (offerId: string, interactionId: string, at: number, taken: boolean) => {
    const since = ringing.get(offerId);
    if (since === undefined) return;
    ringing.delete(offerId);
    const r = recs.get(interactionId);
    if (!r?.measured) return;
    acc[r.q].ringMs += at - since;
    if (taken) acc[r.q].rescindedMs += at - since;
  };

  /** How long the run goes on past the end for the measured interactions to finish, and past a hold's end. */
  const DRAIN = 48 * HOUR;
  let drainLimit = end + DRAIN;
  /** The code of the engine's last refusal (an expected one: a refused submission's reason). */
  let lastRefusal = '';

  // Overload and deferral, from the engine's events: since when each queue is in overload (is
  // deferred), null: it is not; the same for any queue, for the overall figures.
  const overloadedSince: (number | null)[] = scenario.queues.map(() => null);
  const deferredSince: (number | null)[] = scenario.queues.map(() => null);
  const any = { overloaded: 0, overloadSince: 0, overloadMs: 0, deferred: 0, deferredSince: 0, deferredMs: 0 };
  /** The part of [from, to) inside the measured window. */
  const inWindow = (from: number, to: number) => Math.max(0, Math.min(to, end) - Math.max(from, warmup));
  /** The deferrable queues that name each queue. */
  const dependents = scenario.queues.map((q) => scenario.queues.flatMap((d, i) => (d.deferrable?.whileHealthy.includes(q.id) ? [i] : [])));
  const overloadChanged = (q: number, on: boolean, at: number) => {
    const since = overloadedSince[q];
    if (on === (since !== null)) return;
    if (on) {
      overloadedSince[q] = at;
      if (at >= warmup && at < end) acc[q].episodes++;
      if (any.overloaded++ === 0) any.overloadSince = at;
    } else {
      acc[q].overloadMs += inWindow(since!, at);
      overloadedSince[q] = null;
      if (--any.overloaded === 0) any.overloadMs += inWindow(any.overloadSince, at);
    }
    for (const d of dependents[q]) {
      const deferred = scenario.queues[d].deferrable!.whileHealthy.some((id) => overloadedSince[queueIndex.get(id)!] !== null);
      const from = deferredSince[d];
      if (deferred && from === null) {
        deferredSince[d] = at;
        if (any.deferred++ === 0) any.deferredSince = at;
      } else if (!deferred && from !== null) {
        acc[d].deferredMs += inWindow(from, at);
        deferredSince[d] = null;
        if (--any.deferred === 0) any.deferredMs += inWindow(any.deferredSince, at);
      }
    }
  };

  // Messaging: each agent group's tallies per channel of its capacity, and each agent's group.
  const desks = scenario.agents.map(
    (g) =>
      new Map(
        Object.entries(g.capacity.channels).map(([c, spec]): [string, Desk] => [
          c,
          {
            agents: g.count,
            max: spec.max,
            inactiveMax: spec.inactiveMax ?? 0,
            active: 0,
            inactive: 0,
            last: origin,
            activeMs: 0,
            inactiveMs: 0,
            completed: 0,
            madeInactive: 0,
            inactiveLimited: 0,
            activations: 0,
            atCapacity: 0,
            roomMs: 0,
          },
        ]),
      ),
  );
  const groupOf = new Map<string, number>();
  /** The desk's counts change at `at`: the time held so far is added first. */
  const deskChanged = (d: Desk, at: number, active: number, inactive: number) => {
    const held = inWindow(d.last, at);
    d.activeMs += d.active * held;
    d.inactiveMs += d.inactive * held;
    d.active += active;
    d.inactive += inactive;
    d.last = Math.max(d.last, at);
  };
  const inWindowAt = (t: number) => t >= warmup && t < end;
  /** A conversation's script: the agent's handling times (the scenario's handle-time law) and the reply delays between them. */
  const scriptOf = (c: Conversation, rand: () => number): Float64Array => {
    const script = new Float64Array(2 * c.exchanges - 1);
    for (let k = 0; k < script.length; k++)
      script[k] =
        k % 2 === 0
          ? scenario.handleTime === 'lognormal'
            ? lognormal(rand, c.agentSecondsPerExchange * 1000, scenario.handleCv)
            : exponential(rand, c.agentSecondsPerExchange * 1000)
          : c.replyTime === 'lognormal'
            ? lognormal(rand, c.replySeconds * 1000, c.replyCv)
            : exponential(rand, c.replySeconds * 1000);
    return script;
  };
  /** First or repeat calls' tallies of the queue the call is counted in. */
  const callsOf = (r: Rec): Calls => (r.repeat ? acc[r.q].again : acc[r.q].first);
  /** Repeat calls not yet made: the queue, the customer, its tier and priority. */
  const recalls = new Map<number, { q: number; customer: string; tier: number; priority: number }>();
  let recallSeq = 0;
  /** The call ended now (the customer hung up, or the agent finished): the customer calls again as its queue's repeatCalls say. */
  const callAgain = (r: Rec, abandoned: boolean) => {
    const rc = scenario.queues[r.q].repeatCalls;
    if (rc === null || r.recallU >= (abandoned ? rc.afterAbandon : rc.afterAnswer)) return;
    const t = now + r.recallDelay;
    if (t >= end) return;
    recalls.set(recallSeq, { q: rc.queue === undefined ? r.q : queueIndex.get(rc.queue)!, customer: r.customer, tier: r.tier, priority: r.priority });
    events.push(t, RECALL, recallSeq++);
  };
  /** The agent starts on the conversation's next exchange at `at`: its answer, or its last (the end). */
  const handleExchange = (id: string, r: Rec, at: number) => {
    const c = r.chat!;
    const done = at + c.script[c.step];
    if (c.step === c.script.length - 1) events.push(done, COMPLETE, id, c.agentId);
    else events.push(done, ANSWERED, id);
  };

  const handleEvents = (evs: EngineEvent[]) => {
    for (const e of evs) {
      options.trace?.(e);
      if (e.type === 'InteractionOffered') {
        if (e.expiresAt === null) continue; // accepted by the engine itself
        const answerMs = scenario.queues[recs.get(e.interactionId)!.at].answerSeconds * 1000;
        if (answerMs === 0) pendingAccepts.push({ agentId: e.agentId, offerId: e.offerId });
        else {
          ringing.set(e.offerId, e.at);
          events.push(e.at + exponential(answerRand, answerMs), ANSWER, e.offerId, e.agentId);
        }
      } else if (e.type === 'OfferRescinded' || e.type === 'OfferTimedOut' || e.type === 'OfferRejected') {
        const taken = e.type === 'OfferRescinded' && e.reason === 'taken';
        if (taken) {
          const r = recs.get(e.interactionId);
          if (r?.measured) acc[r.q].rescinded++;
        }
        ringEnded(e.offerId, e.interactionId, e.at, taken);
        // Offered to several agents at once, with answers at once: the first accept took it.
        if (pendingAccepts.length > 0) {
          const i = pendingAccepts.findIndex((o) => o.offerId === e.offerId);
          if (i >= 0) pendingAccepts.splice(i, 1);
        }
      } else if (e.type === 'InteractionAssigned') {
        ringEnded(e.offerId, e.interactionId, e.at, false);
        const r = recs.get(e.interactionId)!;
        r.assignedAt = e.at;
        const qs = scenario.queues[r.q];
        r.desk = desks[groupOf.get(e.agentId)!].get(qs.channel)!;
        deskChanged(r.desk, e.at, 1, 0);
        // A conversation's handling is its exchanges, the first from now; the rest in one piece.
        let handle = 0;
        if (r.chat !== null) {
          r.chat.agentId = e.agentId;
          handleExchange(e.interactionId, r, e.at);
        } else {
          const mean = qs.ahtSeconds! * 1000;
          handle = scenario.handleTime === 'lognormal' ? lognormal(handleRand, mean, scenario.handleCv) : exponential(handleRand, mean);
          events.push(e.at + handle, COMPLETE, e.interactionId, e.agentId);
        }
        if (r.measured) {
          const a = acc[r.q];
          const wait = e.at - r.from;
          a.answered++;
          if (reserveOf.get(e.agentId)?.has(scenario.queues[r.at].id)) a.byReserve++;
          if (wait <= qs.serviceObjective.thresholdSeconds * 1000) a.answeredInT++;
          const calls = callsOf(r);
          calls.answered++;
          calls.waitAnswered += wait;
          if (wait <= qs.serviceObjective.thresholdSeconds * 1000) calls.answeredInT++;
          if (wait > 0) a.waited++;
          a.waitAnswered += wait;
          a.waits.push(wait);
          a.waitAll += wait;
          a.vww += (scenario.tierValues[Math.min(r.tier, scenario.tierValues.length - 1)] ?? 1) * wait;
          // The engine runs the wrap-up of the queue that assigned it (a conversation's: at its end).
          if (r.chat === null) a.busyMs += handle + scenario.queues[r.at].wrapUpSeconds * 1000;
          const bp = a.byPriority.get(r.priority) ?? { n: 0, wait: 0 };
          bp.n++;
          bp.wait += wait;
          a.byPriority.set(r.priority, bp);
          r.done = true;
          pendingMeasured--;
        }
      } else if (e.type === 'InteractionActivityChanged') {
        // Messaging: made inactive by the platform, or active again (its reply came, and room).
        const r = recs.get(e.interactionId)!;
        const c = r.chat!;
        const d = r.desk!;
        if (!e.active) {
          c.inactive = true;
          c.since = e.at;
          deskChanged(d, e.at, -1, 1);
          if (inWindowAt(e.at)) d.madeInactive++;
          if (r.measured) acc[r.q].madeInactive++;
          continue;
        }
        if (c.replyAt < 0) throw new Error(`conversation ${e.interactionId} made active with no reply of its customer waiting`);
        c.inactive = false;
        c.inactiveMs += e.at - c.since;
        deskChanged(d, e.at, 1, -1);
        if (c.atCapacity) {
          if (inWindowAt(c.replyAt)) d.roomMs += e.at - c.replyAt;
          if (r.measured) acc[r.q].roomMs += e.at - c.replyAt;
          c.atCapacity = false;
        }
        c.replyAt = -1;
        handleExchange(e.interactionId, r, e.at);
      } else if (e.type === 'QueueOverloadStarted' || e.type === 'QueueOverloadEnded') {
        overloadChanged(queueIndex.get(e.queueId)!, e.type === 'QueueOverloadStarted', e.at);
      } else if (e.type === 'InteractionOverflowed') {
        // By a rule: the simulator sets no max wait. It waits on in the other queue.
        const r = recs.get(e.interactionId)!;
        r.at = queueIndex.get(e.toQueue)!;
        if (r.measured && !r.overflowed) acc[r.q].overflowed++;
        r.overflowed = true;
      } else if (e.type === 'InteractionQueued') {
        // Under its queue's hours a submission may enter another queue (a closed one's
        // overflow) or be held until a queue opens; its wait counts from then.
        const r = recs.get(e.interactionId)!;
        const at = queueIndex.get(e.queueId)!;
        if (e.repeatOf !== undefined && r.measured) acc[r.q].boosted++;
        if (at !== r.q) {
          r.at = at;
          if (r.measured) acc[r.q].overflowedClosed++;
        }
        if (e.notBefore !== undefined) {
          r.from = e.notBefore;
          if (r.measured) acc[r.q].held++;
          drainLimit = Math.max(drainLimit, e.notBefore + DRAIN);
        }
      } else if (e.type === 'InteractionCancelled') {
        // By a rule's cancel (the simulator's own cancels are abandons): the caller leaves.
        const r = recs.get(e.interactionId)!;
        recs.delete(e.interactionId);
        if (r.measured) {
          const a = acc[r.q];
          const wait = Math.max(0, e.at - r.from);
          a.cancelled++;
          a.waited++;
          a.waitAll += wait;
          a.vww += (scenario.tierValues[Math.min(r.tier, scenario.tierValues.length - 1)] ?? 1) * wait;
          pendingMeasured--;
        }
      }
    }
  };
  /**
   * `expected`: the refusals that are part of the model (an agent's answer that finds its offer
   * rescinded or withdrawn meanwhile; a submission an exception rule refuses), for which it
   * returns false; any other refusal is a fault of the simulator.
   */
  const apply = (cmd: Command, expected: readonly string[] = NONE): boolean => {
    commands++;
    const r = engine.apply(cmd, now);
    if (!r.ok) {
      lastRefusal = r.code;
      if (!expected.includes(r.code)) throw new Error(`simulator command ${cmd.type} rejected: ${r.code} ${r.message}`);
    }
    // A refusal's events too: AGENT_AT_CAPACITY leaves the agent to be filed again.
    handleEvents(r.events);
    while (pendingAccepts.length > 0) {
      const o = pendingAccepts.shift()!;
      commands++;
      const ar = engine.apply({ type: 'AcceptOffer', agentId: o.agentId, offerId: o.offerId }, now);
      if (!ar.ok) throw new Error(`accept rejected: ${ar.code} ${ar.message}`);
      handleEvents(ar.events);
    }
    return r.ok;
  };

  // Configuration.
  const skills = new Set<string>();
  for (const q of scenario.queues) for (const s of Object.keys(q.skills)) skills.add(s);
  for (const q of scenario.queues) for (const st of q.relaxation) for (const s of Object.keys(st.skills)) skills.add(s);
  for (const g of scenario.agents) for (const s of Object.keys(g.skills)) skills.add(s);
  for (const s of skills) apply({ type: 'DefineSkill', skill: s });
  const queueSpec = (q: Scenario['queues'][number]): QueueSpec => ({
    id: q.id,
    serviceObjective: { percent: Math.round(q.serviceObjective.percent), thresholdMs: Math.round(q.serviceObjective.thresholdSeconds * 1000) },
    weight: q.weight,
    wrapUpMs: q.wrapUpSeconds * 1000,
    offerTimeoutMs: 24 * HOUR,
    preferredWindowMs: 0,
    ...(q.escalateAfterSeconds !== undefined ? { escalateAfterMs: q.escalateAfterSeconds === null ? null : q.escalateAfterSeconds * 1000 } : {}),
    ...(q.membersOnly ? { membersOnly: true } : {}),
    offerFanout: q.offerFanout,
    reservedIdle: q.reservedIdle,
    ...(q.reserveWhen !== null ? { reserveWhen: q.reserveWhen } : {}),
    ...(q.reserveUntil !== null ? { reserveUntil: q.reserveUntil } : {}),
    ...(q.repeatContact !== null ? { repeatContact: q.repeatContact } : {}),
  });
  for (const q of scenario.queues) apply({ type: 'UpsertQueue', queue: queueSpec(q) });
  // Exception rules, deferral and hours once every queue exists, since the queues they name must.
  for (const q of scenario.queues)
    if (q.exceptions.length > 0 || q.deferrable !== null || q.hours !== null)
      apply({
        type: 'UpsertQueue',
        queue: {
          ...queueSpec(q),
          ...(q.exceptions.length > 0 ? { exceptions: q.exceptions } : {}),
          ...(q.deferrable !== null ? { deferrable: q.deferrable } : {}),
          ...(q.hours !== null ? { hours: q.hours } : {}),
        },
      });
  const agentIds: string[] = [];
  /** Agent id → the queues it is a reserve member of (agents of groups with reserve memberships only). */
  const reserveOf = new Map<string, ReadonlySet<string>>();
  for (const [gi, g] of scenario.agents.entries()) {
    const memberships =
      g.queues === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(g.queues).map(([id, m]) => [
              id,
              { priority: m.priority, delayMs: Math.round(m.delaySeconds * 1000), ...(m.reserve ? { reserve: true } : {}) },
            ]),
          );
    const reserves = new Set(Object.entries(g.queues ?? {}).flatMap(([id, m]) => (m.reserve ? [id] : [])));
    for (let i = 0; i < g.count; i++) {
      const id = `${g.name}-${i}`;
      agentIds.push(id);
      groupOf.set(id, gi);
      if (reserves.size > 0) reserveOf.set(id, reserves);
      apply({ type: 'UpsertAgent', agent: { id, skills: g.skills, labels: g.labels, capacity: g.capacity, ...(memberships ? { queues: memberships } : {}) } });
    }
  }
  let staffedUnits = 0;
  for (const g of scenario.agents) staffedUnits += g.count * g.capacity.total;
  for (let i = 0; i < agentIds.length; i += 5000) apply({ type: 'SetAgentState', agentIds: agentIds.slice(i, i + 5000), state: 'available' });

  const nextArrival = (q: number, from: number): void => {
    const rate = scenario.queues[q].arrivalsPerHour * peak; // per hour at the peak of the profile
    if (rate <= 0) return;
    let t = from;
    for (;;) {
      t += exponential(arrivalRand, HOUR / rate);
      if (t >= end) return;
      const mult = profile[Math.floor((t - origin) / HOUR) % profile.length];
      if (arrivalRand() * peak <= mult) break;
    }
    events.push(t, ARRIVAL, q);
  };
  scenario.queues.forEach((_, q) => {
    nextArrival(q, origin);
  });

  let seq = 0;
  /** A call into queue `q` now: a first call (`customer` null: a new customer) or a repeat call of `customer`. */
  const call = (q: number, tier: number, priority: number, customer: string | null) => {
    const qs = scenario.queues[q];
    const id = `x${seq++}`;
    const repeat = customer !== null;
    const measured = now >= warmup;
    // A conversation's script is drawn now, for a caller refused too, like its patience.
    const chat: Chat | null =
      qs.conversation === null
        ? null
        : {
            script: scriptOf(qs.conversation, repeat ? repeatRand : conversationRand),
            step: 0,
            agentId: '',
            inactive: false,
            since: 0,
            inactiveMs: 0,
            replyAt: -1,
            atCapacity: false,
          };
    // Whether and when the customer calls again, drawn now for every caller of a queue with repeat calls.
    const rc = qs.repeatCalls;
    const draws = repeat ? repeatRand : recallRand;
    const recallU = rc === null ? 1 : draws();
    const recallDelay = rc === null ? 0 : exponential(draws, rc.delaySeconds * 1000);
    const r: Rec = {
      q,
      at: q,
      overflowed: false,
      arrival: now,
      from: now,
      tier,
      priority,
      measured,
      assignedAt: -1,
      done: false,
      desk: null,
      chat,
      customer: customer ?? id,
      repeat,
      recallU,
      recallDelay,
    };
    recs.set(id, r);
    if (measured) {
      acc[q].offered++;
      callsOf(r).offered++;
      pendingMeasured++;
    }
    // Drawn for a caller refused too, so that the other callers keep theirs; the refused
    // caller's is skipped when it comes.
    if (qs.patienceSeconds !== null) events.push(now + exponential(repeat ? repeatRand : patienceRand, qs.patienceSeconds * 1000), PATIENCE, id);
    const submitted = apply(
      {
        type: 'SubmitInteraction',
        interaction: {
          id,
          channel: qs.channel,
          queue: qs.id,
          skills: qs.skills,
          valueTier: tier,
          priority,
          ...(repeatCalls ? { customerId: r.customer } : {}),
          ...(qs.selectors.length > 0 ? { selectors: qs.selectors } : {}),
          ...(qs.relaxation.length > 0 ? { relaxation: qs.relaxation.map((x) => ({ afterMs: x.afterSeconds * 1000, skills: x.skills })) } : {}),
        },
      },
      REFUSALS,
    );
    if (!submitted) {
      recs.delete(id);
      if (measured) {
        if (lastRefusal === 'QUEUE_CLOSED') {
          acc[q].refusedClosed++;
          callsOf(r).closed++;
        } else acc[q].refused++;
        pendingMeasured--;
      }
    }
  };
  while (events.size > 0 || pendingMeasured > 0) {
    const tEvent = events.peekTime();
    const tEngine = engine.nextDeadline() ?? Number.POSITIVE_INFINITY;
    if (tEvent === Number.POSITIVE_INFINITY && tEngine === Number.POSITIVE_INFINITY) break;
    if (Math.min(tEvent, tEngine) > drainLimit) break;
    if (tEngine <= tEvent) {
      now = tEngine;
      commands++;
      handleEvents(engine.tick(now));
      while (pendingAccepts.length > 0) {
        const o = pendingAccepts.shift()!;
        apply({ type: 'AcceptOffer', agentId: o.agentId, offerId: o.offerId });
      }
      continue;
    }
    const ev = events.pop();
    now = ev.t;
    if (ev.kind === ARRIVAL) {
      const q = ev.ref as number;
      const qs = scenario.queues[q];
      nextArrival(q, now);
      const tier = pickShare(qs.tiers, mixRand()).tier;
      const priority = pickShare(qs.priorities, mixRand()).priority;
      call(q, tier, priority, null);
    } else if (ev.kind === RECALL) {
      const c = recalls.get(ev.ref as number)!;
      recalls.delete(ev.ref as number);
      call(c.q, c.tier, c.priority, c.customer);
    } else if (ev.kind === ANSWER) {
      apply({ type: 'AcceptOffer', agentId: ev.ref2, offerId: ev.ref as string }, LATE_ANSWERS);
    } else if (ev.kind === COMPLETE) {
      const id = ev.ref as string;
      apply({ type: 'CompleteInteraction', agentId: ev.ref2, interactionId: id });
      const r = recs.get(id)!;
      recs.delete(id);
      callAgain(r, false);
      deskChanged(r.desk!, now, -1, 0);
      if (inWindowAt(now)) r.desk!.completed++;
      const c = r.chat;
      if (c !== null && r.measured) {
        // Its units were held while it was active; the wrap-up follows its last answer.
        const a = acc[r.q];
        a.busyMs += now - r.assignedAt - c.inactiveMs + scenario.queues[r.at].wrapUpSeconds * 1000;
        a.inactiveMs += c.inactiveMs;
        a.assignedMs += now - r.assignedAt;
      }
    } else if (ev.kind === ANSWERED) {
      // The agent has answered; the customer replies after its delay, and may go quiet first.
      const id = ev.ref as string;
      const r = recs.get(id)!;
      const c = r.chat!;
      const delay = c.script[c.step + 1];
      c.step += 2;
      events.push(now + delay, REPLY, id);
      const quietMs = scenario.queues[r.q].conversation!.inactiveAfterSeconds * 1000;
      // Not to an agent that may hold no inactive conversation (the engine would refuse it, INVALID_STATE).
      if (delay > quietMs && r.desk!.inactiveMax > 0) events.push(now + quietMs, QUIET, id);
    } else if (ev.kind === QUIET) {
      const id = ev.ref as string;
      const r = recs.get(id)!;
      if (!apply({ type: 'UpdateInteraction', interactionId: id, active: false }, INACTIVE_LIMITED)) {
        if (inWindowAt(now)) r.desk!.inactiveLimited++;
        if (r.measured) acc[r.q].inactiveLimited++;
      }
    } else if (ev.kind === REPLY) {
      const id = ev.ref as string;
      const r = recs.get(id)!;
      const c = r.chat!;
      const d = r.desk!;
      const counted = inWindowAt(now);
      if (r.measured) acc[r.q].replies++;
      c.replyAt = now;
      if (!c.inactive) {
        // Still active: the agent answers at once.
        c.replyAt = -1;
        handleExchange(id, r, now);
        continue;
      }
      if (counted) d.activations++;
      if (r.measured) acc[r.q].activations++;
      if (!apply({ type: 'UpdateInteraction', interactionId: id, active: true }, NO_ROOM)) {
        c.atCapacity = true;
        if (counted) d.atCapacity++;
        if (r.measured) acc[r.q].atCapacity++;
      }
    } else {
      const id = ev.ref as string;
      const r = recs.get(id);
      if (!r || r.assignedAt >= 0) continue;
      apply({ type: 'CancelInteraction', interactionId: id, reason: 'abandoned' });
      recs.delete(id);
      callAgain(r, true);
      if (r.measured) {
        const a = acc[r.q];
        // A caller held until an opening who hangs up before it waited nothing in queue.
        const wait = Math.max(0, now - r.from);
        a.abandoned++;
        callsOf(r).abandoned++;
        a.waited++;
        a.waitAll += wait;
        a.vww += (scenario.tierValues[Math.min(r.tier, scenario.tierValues.length - 1)] ?? 1) * wait;
        pendingMeasured--;
      }
    }
  }

  // Overloads still on at the end are counted to the end of the window.
  scenario.queues.forEach((_, q) => {
    overloadChanged(q, false, end);
  });
  const windowMs = end - warmup;
  // Hours: when each queue was open within the window, as the engine works it out; overall, when any was.
  const openSpans = scenario.queues.map((q) => (q.hours === null ? [[warmup, end] as const] : openSpansOf(q.hours, warmup, end)));
  scenario.queues.forEach((_, q) => {
    acc[q].openMs = openSpans[q].reduce((t, [from, to]) => t + to - from, 0);
  });
  const metrics = (a: Acc, objective: number | null): QueueMetrics => {
    const byPriority: Record<string, number> = {};
    for (const [p, v] of [...a.byPriority].sort((x, y) => y[0] - x[0])) byPriority[String(p)] = v.wait / v.n / 1000;
    // Those who entered a queue: a refused caller waited nothing, and a zero wait for it would
    // make refusing look like answering faster.
    const entered = a.offered - a.refused - a.refusedClosed;
    // Those the queue took: its objective applies while it is open, not to callers it refused as closed.
    const admitted = a.offered - a.refusedClosed;
    return {
      offered: a.offered,
      answered: a.answered,
      abandoned: a.abandoned,
      refused: a.refused,
      cancelledByRule: a.cancelled,
      overflowedByRule: a.overflowed,
      serviceLevel: admitted ? a.answeredInT / admitted : Number.NaN,
      serviceLevelOfAnswered: a.answered ? a.answeredInT / a.answered : Number.NaN,
      objectivePercent: objective,
      asa: a.answered ? a.waitAnswered / a.answered / 1000 : Number.NaN,
      meanWait: entered ? a.waitAll / entered / 1000 : Number.NaN,
      pWait: entered ? a.waited / entered : Number.NaN,
      pAbandon: a.offered ? a.abandoned / a.offered : Number.NaN,
      pLost: a.offered ? (a.abandoned + a.refused + a.refusedClosed + a.cancelled) / a.offered : Number.NaN,
      occupancy: a.busyMs / (staffedUnits * windowMs),
      valueWeightedWait: entered ? a.vww / entered / 1000 : Number.NaN,
      asaByPriority: byPriority,
      offersRescinded: a.rescinded,
      ringOccupancy: a.ringMs / (staffedUnits * windowMs),
      rescindedOccupancy: a.rescindedMs / (staffedUnits * windowMs),
      p90Wait: percentile(a.waits, 0.9) / 1000,
      overloadShare: a.overloadMs / windowMs,
      overloadEpisodes: a.episodes,
      deferredShare: a.deferredMs / windowMs,
      answeredByReserve: a.byReserve,
      openShare: a.openMs / windowMs,
      refusedClosed: a.refusedClosed,
      heldUntilOpen: a.held,
      overflowedClosed: a.overflowedClosed,
      replies: a.replies,
      madeInactive: a.madeInactive,
      inactiveLimited: a.inactiveLimited,
      activations: a.activations,
      activationsAtCapacity: a.atCapacity,
      roomWait: a.atCapacity ? a.roomMs / a.atCapacity / 1000 : Number.NaN,
      roomWaitPerReply: a.replies ? a.roomMs / a.replies / 1000 : Number.NaN,
      inactiveShare: a.assignedMs ? a.inactiveMs / a.assignedMs : Number.NaN,
      repeatContacts: a.again.offered,
      repeatBoosted: a.boosted,
      asaFirst: a.first.answered ? a.first.waitAnswered / a.first.answered / 1000 : Number.NaN,
      asaRepeat: a.again.answered ? a.again.waitAnswered / a.again.answered / 1000 : Number.NaN,
      serviceLevelFirst: a.first.offered - a.first.closed ? a.first.answeredInT / (a.first.offered - a.first.closed) : Number.NaN,
      serviceLevelRepeat: a.again.offered - a.again.closed ? a.again.answeredInT / (a.again.offered - a.again.closed) : Number.NaN,
      pAbandonFirst: a.first.offered ? a.first.abandoned / a.first.offered : Number.NaN,
      pAbandonRepeat: a.again.offered ? a.again.abandoned / a.again.offered : Number.NaN,
    };
  };
  const queues: Record<string, QueueMetrics> = {};
  let met = 0;
  scenario.queues.forEach((q, i) => {
    // Per-queue occupancy is this queue's share of the staffed agent-time.
    const m = metrics(acc[i], q.serviceObjective.percent);
    queues[q.id] = m;
    if (m.serviceLevel * 100 >= q.serviceObjective.percent) met++;
  });
  const total: Acc = acc.reduce((t, a) => {
    t.offered += a.offered;
    t.answered += a.answered;
    t.answeredInT += a.answeredInT;
    t.abandoned += a.abandoned;
    t.refused += a.refused;
    t.cancelled += a.cancelled;
    t.overflowed += a.overflowed;
    t.waitAnswered += a.waitAnswered;
    t.waitAll += a.waitAll;
    t.waited += a.waited;
    t.busyMs += a.busyMs;
    t.vww += a.vww;
    t.rescinded += a.rescinded;
    t.ringMs += a.ringMs;
    t.rescindedMs += a.rescindedMs;
    for (const w of a.waits) t.waits.push(w);
    t.episodes += a.episodes;
    t.byReserve += a.byReserve;
    t.refusedClosed += a.refusedClosed;
    t.held += a.held;
    t.overflowedClosed += a.overflowedClosed;
    t.replies += a.replies;
    t.madeInactive += a.madeInactive;
    t.inactiveLimited += a.inactiveLimited;
    t.activations += a.activations;
    t.atCapacity += a.atCapacity;
    t.roomMs += a.roomMs;
    t.inactiveMs += a.inactiveMs;
    t.assignedMs += a.assignedMs;
    t.boosted += a.boosted;
    for (const k of Object.keys(a.first) as (keyof Calls)[]) {
      t.first[k] += a.first[k];
      t.again[k] += a.again[k];
    }
    for (const [p, v] of a.byPriority) {
      const x = t.byPriority.get(p) ?? { n: 0, wait: 0 };
      x.n += v.n;
      x.wait += v.wait;
      t.byPriority.set(p, x);
    }
    return t;
  }, emptyAcc());
  total.overloadMs = any.overloadMs;
  total.deferredMs = any.deferredMs;
  total.openMs = unionLength(openSpans.flat());
  // Each agent group's channels: their held time counted to the end of the window.
  const agents: Record<string, Record<string, AgentChannelMetrics>> = {};
  scenario.agents.forEach((g, i) => {
    if (g.count === 0) return;
    const byChannel: Record<string, AgentChannelMetrics> = {};
    for (const [c, d] of desks[i]) {
      deskChanged(d, end, 0, 0);
      byChannel[c] = {
        agents: d.agents,
        occupancy: d.activeMs / (d.agents * d.max * windowMs),
        meanInactive: d.inactiveMs / (d.agents * windowMs),
        inactiveShare: d.activeMs + d.inactiveMs > 0 ? d.inactiveMs / (d.activeMs + d.inactiveMs) : Number.NaN,
        completedPerAgentHour: d.completed / d.agents / (windowMs / HOUR),
        madeInactive: d.madeInactive,
        inactiveLimited: d.inactiveLimited,
        activations: d.activations,
        activationsAtCapacity: d.atCapacity,
        roomWait: d.atCapacity ? d.roomMs / d.atCapacity / 1000 : Number.NaN,
      };
    }
    agents[g.name] = byChannel;
  });
  return {
    scenario: scenario.name,
    ordering: options.ordering,
    agentSelection,
    seed,
    queues,
    overall: metrics(total, null),
    agents,
    objectivesMet: met,
    interactions: seq,
    engineCommands: commands,
  };
}

/** A queue's tallies before anything happened. */
function emptyAcc(): Acc {
  return {
    offered: 0,
    answered: 0,
    answeredInT: 0,
    abandoned: 0,
    refused: 0,
    cancelled: 0,
    overflowed: 0,
    waitAnswered: 0,
    waitAll: 0,
    waited: 0,
    busyMs: 0,
    vww: 0,
    byPriority: new Map(),
    rescinded: 0,
    ringMs: 0,
    rescindedMs: 0,
    waits: [],
    overloadMs: 0,
    episodes: 0,
    deferredMs: 0,
    byReserve: 0,
    openMs: 0,
    refusedClosed: 0,
    held: 0,
    overflowedClosed: 0,
    replies: 0,
    madeInactive: 0,
    inactiveLimited: 0,
    activations: 0,
    atCapacity: 0,
    roomMs: 0,
    inactiveMs: 0,
    assignedMs: 0,
    first: emptyCalls(),
    again: emptyCalls(),
    boosted: 0,
  };
}

const emptyCalls = (): Calls => ({ offered: 0, closed: 0, answered: 0, answeredInT: 0, waitAnswered: 0, abandoned: 0 });

/** The intervals of [from, to) in which a queue with hours `h` is open, by the engine's own arithmetic. */
function openSpansOf(h: QueueHours, from: number, to: number): (readonly [number, number])[] {
  const spans: (readonly [number, number])[] = [];
  for (let t = from; t < to; ) {
    const { open, until } = openAt(h, t);
    // The engine takes the answer to hold until `until` (for ever when no change is in sight).
    const next = Math.min(until, to);
    if (open) spans.push([t, next]);
    t = next;
  }
  return spans;
}

/** The length of the union of intervals. */
function unionLength(spans: readonly (readonly [number, number])[]): number {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const [from, to] of sorted) {
    if (to > reach) total += to - Math.max(from, reach);
    reach = Math.max(reach, to);
  }
  return total;
}

/** The `p` quantile of `xs` by nearest rank; NaN for none. */
function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}
