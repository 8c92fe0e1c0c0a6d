/**
 * A simple reference model of the engine's observable state, built only from the commands sent
 * and the events received, and the invariant checks of docs/engine.md (Invariants) over it. It knows
 * nothing of signatures, profiles or heaps: eligibility (membership, skills, labels, selectors)
 * and agent-side queue levels are computed here from the specs alone.
 */
import type {
  AgentSpec,
  Command,
  EngineEvent,
  ExceptionRule,
  InteractionSpec,
  Labels,
  LabelValue,
  OverloadThresholds,
  QueueHours,
  Requirement,
  Selector,
  SkillLevels,
} from '../../src/index.ts';
import { DAY_MS, nextOpening, openAt, zoneOffset } from './hours-model.ts';

/** An interaction's requirements as they stand: a common part and its alternatives (each added to it). */
export interface ModelReq {
  skills?: SkillLevels;
  labels?: Labels;
  selectors?: readonly Selector[];
  alternatives?: readonly Requirement[];
}

/** A selector's verdict on an agent's label value (undefined: no such label), from the docs' table. */
export function selectorHolds(s: Selector, has: LabelValue | undefined): boolean {
  const num = typeof has === 'number' && typeof s.value === 'number';
  const table: Record<Selector['op'], () => boolean> = {
    eq: () => has !== undefined && has === s.value,
    ne: () => has === undefined || has !== s.value,
    in: () => has !== undefined && (s.values ?? []).some((v) => v === has),
    notIn: () => has === undefined || (s.values ?? []).every((v) => v !== has),
    gt: () => num && (has as number) > (s.value as number),
    gte: () => num && (has as number) >= (s.value as number),
    lt: () => num && (has as number) < (s.value as number),
    lte: () => num && (has as number) <= (s.value as number),
    exists: () => has !== undefined,
    notExists: () => has === undefined,
  };
  return table[s.op]();
}

export interface ModelIx {
  id: string;
  spec: InteractionSpec;
  status: string;
  queue: string;
  req: ModelReq;
  /** Agents required by name, and until when (null: none). */
  required: string[] | null;
  requiredUntil: number;
  /** The assigned agent (while assigned or in wrap-up). */
  agent: string | null;
  /** Open offers: offer id → agent (more than one on a multi-offer queue). */
  offers: Map<string, string>;
  rejectedBy: Set<string>;
  arrival: number;
  /** Its place among interactions of the same arrival: the order the engine created them in. */
  seq: number;
  /** When it entered its current queue (arrival, or its last transfer or overflow). */
  entered: number;
  /** Scheduled work: held out of routing until then (0: not held). */
  heldUntil: number;
  /** It was held at some time (its place in its queue's entry order then says nothing of its wait). */
  wasHeld: boolean;
  /** When its preference window started (arrival, or the end of its hold). */
  windowFrom: number;
  /** Its preference window's length: that of the queue it entered on submission. */
  windowMs: number;
  /** Held because its queue was closed: the opening the model worked out (0: not held for hours, or unsure). */
  opensAt: number;
  /** When it ended (null: live). */
  endedAt: number | null;
  /** Its queue's exception rules that fired since it entered the queue. */
  fired: Set<number>;
  /** The model's event count when it entered its queue or its requirements last changed (Model.events). */
  changedEv: number;
  /** Its priority as it stands: the spec's (or its queue's default), boosted as a repeat contact, then set by exception rules and relaxation steps. */
  priority: number;
  /** It came in boosted as a repeat contact. */
  boosted: boolean;
  /** It was ever reclassified (escalated or late): its band, not only its priority, orders it. */
  reclassified: boolean;
}

/** QueueSpec.repeatContact as the model keeps it. */
export interface ModelRepeatContact {
  withinMs: number;
  priorityBoost: number;
}

/** Where a submission goes under the queues' hours (Model.entryAt). */
export type HoursEntry = { queue: string; hold: number } | 'refuse' | 'unsure';

export interface ModelOffer {
  ix: string;
  agent: string;
  channel: string;
  cost: number;
  interruptible: boolean;
  assigned: boolean;
  /**
   * Messaging capacity (docs/engine.md): an assigned conversation is active (it holds its units),
   * inactive (it holds none) or waiting for its agent's room (inactive until the room comes).
   * An open offer is always active.
   */
  activity: 'active' | 'inactive' | 'waiting';
}

/** What the model predicts `UpdateInteraction { active }` answers, and what it changes beside its events. */
export interface ActivityPrediction {
  answer: { ok: true; duplicate: boolean } | { ok: false; code: string };
  /** Applied once the engine answered the same: the changes that come with no event. */
  effect?: () => void;
}

export interface ModelAgent {
  spec: AgentSpec;
  state: string;
  work: Map<string, ModelOffer>; // interaction id → open offer or assignment
}

export class Model {
  readonly ixs = new Map<string, ModelIx>();
  readonly agents = new Map<string, ModelAgent>();
  readonly accepted = new Set<string>();
  readonly violations: string[] = [];
  readonly windowMs: Record<string, number> = {};
  /** Queues defined members-only by the last UpsertQueue that set it. */
  readonly membersOnly = new Set<string>();
  /** Each queue's offer fanout (absent: 1). */
  readonly fanout = new Map<string, number>();
  /** Each queue's trunk reservation: idle members held back for it (absent: 0). */
  readonly reservedIdle = new Map<string, number>();
  /** Queues in overload now (from QueueOverloadStarted/Ended), and those with an overload rule. */
  readonly overloaded = new Set<string>();
  readonly overloadRule = new Map<string, OverloadThresholds>();
  /** Each deferrable queue's whileHealthy list (absent: not deferrable). */
  readonly deferrable = new Map<string, readonly string[]>();
  /** Each queue's exception rules (absent: none). */
  readonly exceptions = new Map<string, readonly ExceptionRule[]>();
  /** Each queue's hours of operation (absent: always open). */
  readonly hours = new Map<string, QueueHours>();
  /** Repeat contacts: each queue's repeatContact (absent: none) and defaultPriority (absent: 0). */
  readonly repeatContact = new Map<string, ModelRepeatContact>();
  readonly defaultPriority = new Map<string, number>();
  /**
   * Each customer's last contact (an accepted submission, on any channel and queue), remembered
   * only while some queue has repeatContact; and the contacts made while none had it.
   */
  readonly lastContact = new Map<string, { at: number; id: string }>();
  private readonly unremembered = new Map<string, { at: number; afterRemoval: boolean }>();
  /** No queue has repeatContact since a RemoveQueue took the last one away. */
  private lostByRemoval = false;
  /** Each customer's last accepted submission, whether remembered as a contact or not. */
  readonly contactAt = new Map<string, number>();
  /** What repeat contacts did in this run, for the coverage test. */
  readonly repeatSeen = {
    /** Submissions boosted, those whose boost the cap of 100 cut, those boosted at the window's very end. */
    boosted: 0,
    capped: 0,
    atWindowEnd: 0,
    /** Submissions to a queue with repeatContact past its window (by 1 ms: justPast). */
    expired: 0,
    justPast: 0,
    /** Submissions within another queue's window of the customer's last contact, to a queue without repeatContact. */
    otherQueue: 0,
    /** Offers under priority-age while one of lower priority the agent could take waited (checked by checkPriorityOrder), and of those, offers of a boosted interaction (the boost decided who came first). */
    passedLower: 0,
    boostedFirst: 0,
    /** Submissions to a queue with repeatContact that a contact made while no queue had it would have boosted (after a RemoveQueue took the last setting away: afterRemoval). */
    forgotten: 0,
    forgottenAfterRemoval: 0,
  };
  /** What the hours of operation did in this run, for the coverage test. */
  readonly hoursSeen = {
    refused: 0,
    held: 0,
    overflowed: 0,
    openings: 0,
    closings: 0,
    /** Openings and closings crossed within three hours of a change of the zone's offset. */
    nearClockChange: 0,
    offeredWhileClosed: 0,
    releasedAtOpening: 0,
    unsure: 0,
  };
  /** What messaging capacity did in this run, for the coverage test: each answer, swaps, rooms handed over. */
  readonly messagingSeen = {
    inactive: 0,
    active: 0,
    duplicate: 0,
    waitingToInactive: 0,
    invalidState: 0,
    inactiveLimit: 0,
    atCapacity: 0,
    swaps: 0,
    /** Waiting conversations that took their agent's room when it came. */
    filled: 0,
    /** Checks of I4 that passed over an agent with room only because a conversation of its waits. */
    exemptWhileWaiting: 0,
  };
  /** The engine's ordering policy, when the caller tells it: under priority-age the offers are checked against priority (checkPriorityOrder). */
  ordering: string | null = null;
  /** Offers made in the call being observed, and the priority inversions each would be unless the better interaction is offered in the same call. */
  private offeredInCall = new Set<string>();
  private inversions: { agent: string; y: ModelIx; x: ModelIx; ev: number; queue: string; at: number }[] = [];
  /** Creation order of interactions (ModelIx.seq). */
  private seq = 0;
  /** Each queue's open state at the last clock reading, under the hours it was read with. */
  private lastOpen = new Map<string, { hours: QueueHours; open: boolean | null }>();
  /** What the exception rules predict for the submission being observed: rules fired in order (null: unpredictable). */
  private predicted: number[] | null = null;
  /** The agents that logged out in the call being observed, with the event count then (for noEligibleAgents). */
  private loggedOut: { a: ModelAgent; ev: number }[] = [];
  /** Events observed so far: orders the changes within one call. */
  private events = 0;
  /** Interactions whose other offers were rescinded as `taken` in the current call and not yet assigned: none may be left at its end. */
  private taken = new Set<string>();

  /** `idempotencyTtlMs`: how long after it ends an interaction's id is kept (the engine's option). */
  constructor(
    readonly queues: Record<string, { preferredWindowMs: number }>,
    readonly idempotencyTtlMs = 24 * 3600_000,
  ) {}

  private fail(msg: string): void {
    this.violations.push(msg);
  }

  /**
   * Folds one accepted command and its events into the model, checking transitions. `at` is the
   * instant the command was applied at (hours of operation are checked only when it is given).
   */
  observe(cmd: Command, events: readonly EngineEvent[], ok: boolean, duplicate: boolean, code?: string, at?: number): void {
    // Exception rules read on submission, predicted from the state before it (the timers the
    // call fires first are its own events: the prediction is made when its InteractionQueued comes).
    this.predicted = null;
    this.loggedOut = [];
    this.offeredInCall.clear();
    this.inversions = [];
    // Hours of operation: where the submission goes, worked out before its events (timers never change hours).
    const entry = cmd.type === 'SubmitInteraction' && !duplicate && at !== undefined ? this.entryAt(cmd.interaction.queue, at) : null;
    if (cmd.type === 'SubmitInteraction' && entry !== null) this.checkEntry(cmd.interaction, events, ok, code, at!, entry);
    const refusing = cmd.type === 'SubmitInteraction' && !ok && code === 'QUEUE_REFUSED';
    if (refusing && entry !== 'unsure') {
      const queue = entry === null ? cmd.interaction.queue : entry === 'refuse' ? null : entry.queue;
      const p = queue === null ? null : this.predictEntry(cmd.interaction, queue);
      if (queue !== null && p !== null && (p.length === 0 || this.exceptions.get(queue)![p[p.length - 1]].action.type !== 'refuse'))
        this.fail(`${cmd.interaction.id} refused (QUEUE_REFUSED) but no refusing rule of ${queue} holds (${JSON.stringify(p)})`);
    }
    if (ok && cmd.type === 'SubmitInteraction' && !duplicate) {
      const s = cmd.interaction;
      this.accepted.add(s.id);
    }
    // UpdateInteraction { active }: the answer is predicted from the state before the call (the
    // caller fires the timers due at its instant first: runScenario ticks before sending one).
    const activity = cmd.type === 'UpdateInteraction' && cmd.active !== undefined ? this.predictActivity(cmd.interactionId, cmd.active) : null;
    if (activity !== null) {
      const p = activity.answer;
      if (p.ok !== ok || (p.ok ? p.duplicate !== duplicate : p.code !== code))
        this.fail(
          `messaging: ${JSON.stringify(cmd)} answered ${ok ? `ok${duplicate ? ' (duplicate)' : ''}` : code}, the model predicts ${p.ok ? `ok${p.duplicate ? ' (duplicate)' : ''}` : p.code}`,
        );
      else activity.effect?.();
      if (duplicate && events.length > 0) this.fail(`messaging: the repeated ${JSON.stringify(cmd)} emitted ${events.length} events`);
    }
    // Routing settles after every timer: at each instant the events move past, a waiting
    // conversation with room has already taken it.
    let lastAt: number | null = null;
    for (const e of events) {
      if (lastAt !== null && e.at > lastAt) this.checkRoom(lastAt);
      lastAt = e.at;
      this.events++;
      this.event(cmd, e);
    }
    if (activity?.answer.ok && !activity.answer.duplicate && cmd.type === 'UpdateInteraction' && ok) {
      // Its own change comes with its event in the same call (made inactive from waiting: none).
      const w = this.workOf(cmd.interactionId);
      if (w !== undefined && cmd.active !== (w.activity === 'active'))
        this.fail(`messaging: ${cmd.interactionId} made ${cmd.active ? 'active' : 'inactive'} (ok) but it is ${w.activity} after the call`);
    }
    if (cmd.type === 'UpdateInteraction' && ok && !duplicate && cmd.priority !== undefined) {
      const ix = this.ixs.get(cmd.interactionId);
      if (ix) ix.priority = cmd.priority;
    }
    if (cmd.type === 'SubmitInteraction' && ok && entry !== null && typeof entry === 'object' && entry.hold > 0) {
      const ix = this.ixs.get(cmd.interaction.id);
      if (ix) ix.opensAt = entry.hold;
    }
    if (cmd.type === 'SubmitInteraction' && ok && !duplicate && this.predicted !== null) {
      const id = cmd.interaction.id;
      const queue = events.flatMap((e) => (e.type === 'InteractionQueued' && e.interactionId === id ? [e.queueId] : []))[0];
      const fired = events.flatMap((e) =>
        e.type === 'ExceptionTriggered' && e.interactionId === id && e.trigger !== 'waitMs' && e.queueId === queue ? [e.rule] : [],
      );
      if (JSON.stringify(fired) !== JSON.stringify(this.predicted))
        this.fail(`${id}: exception rules fired on submission ${JSON.stringify(fired)}, predicted ${JSON.stringify(this.predicted)}`);
    }
    // noEligibleAgents: the last logged-in agent who could take waiting work logged out (after the
    // work entered its queue: one it moves into later in the call reads none of its rules again).
    for (const ix of this.ixs.values()) {
      if (ix.status !== 'queued' || this.loggedOut.length === 0) continue;
      const rules = this.exceptions.get(ix.queue) ?? [];
      for (let i = 0; i < rules.length; i++) {
        if (rules[i].trigger.type !== 'noEligibleAgents' || ix.fired.has(i)) continue;
        if (this.loggedOut.some(({ a, ev }) => ev > ix.changedEv && this.eligible(a, ix)) && !this.anyStaffedEligible(ix))
          this.fail(`${ix.id}: its last eligible agent logged out, noEligibleAgents rule ${i} did not fire`);
      }
    }
    // Multi-offer: `taken` means another agent's accept assigned it, in the same call.
    for (const id of this.taken) this.fail(`${id}: offers rescinded as taken, but not assigned`);
    // Priority order: the better interaction an agent was passed over for was offered to someone in the same call.
    for (const { agent, y, x, ev, queue, at } of this.inversions)
      if (!this.offeredInCall.has(x.id) && x.status === 'queued' && x.offers.size === 0 && x.queue === queue && x.changedEv <= ev)
        this.fail(
          `priority order: ${agent} offered ${y.id} (priority ${y.priority}) at ${at} while ${x.id} (priority ${x.priority}) of ${queue} waited for an agent`,
        );
    this.taken.clear();
  }

  /**
   * Repeat contacts (docs/engine.md): the priority a submission of `spec` entering `queue` at `t`
   * comes in with, checked against the `repeatOf` its InteractionQueued says. A queue with
   * repeatContact adds its priorityBoost (capped at 100) to the spec's priority or the queue's
   * default when the customer's last contact (before this one) was at most withinMs before; then
   * this submission is the customer's last contact, if some queue has repeatContact.
   */
  private repeatContactOf(spec: InteractionSpec, queue: string, t: number, repeatOf: string | undefined): number {
    const base = spec.priority ?? this.defaultPriority.get(queue) ?? 0;
    const rc = this.repeatContact.get(queue);
    const customer = spec.customerId;
    const last = customer === undefined ? undefined : this.lastContact.get(customer);
    const within = (r: ModelRepeatContact, at: number) => t - at <= r.withinMs;
    const boosted = rc !== undefined && last !== undefined && within(rc, last.at);
    const expected = boosted ? last!.id : undefined;
    if (repeatOf !== expected)
      this.fail(
        `repeat contacts: ${spec.id} of ${customer} queued in ${queue} at ${t} says repeatOf ${repeatOf}, the model ${expected} (last contact ${JSON.stringify(last)}, repeatContact ${JSON.stringify(rc)})`,
      );
    const seen = this.repeatSeen;
    if (rc !== undefined && last !== undefined) {
      if (boosted) {
        seen.boosted++;
        if (base + rc.priorityBoost > 100) seen.capped++;
        if (t - last.at === rc.withinMs) seen.atWindowEnd++;
      } else {
        seen.expired++;
        if (t - last.at === rc.withinMs + 1) seen.justPast++;
      }
    }
    if (rc === undefined && last !== undefined && [...this.repeatContact.values()].some((r) => within(r, last.at))) seen.otherQueue++;
    const unseen = customer === undefined ? undefined : this.unremembered.get(customer);
    if (rc !== undefined && !boosted && unseen !== undefined && within(rc, unseen.at)) {
      seen.forgotten++;
      if (unseen.afterRemoval) seen.forgottenAfterRemoval++;
    }
    if (customer !== undefined) {
      this.contactAt.set(customer, t);
      if (this.repeatContact.size > 0) {
        this.lastContact.set(customer, { at: t, id: spec.id });
        this.unremembered.delete(customer);
      } else this.unremembered.set(customer, { at: t, afterRemoval: this.lostByRemoval });
    }
    return boosted ? Math.min(100, base + rc!.priorityBoost) : base;
  }

  /**
   * Where a submission to `queue` at `t` goes under the queues' hours (docs/engine.md, Hours of
   * operation): the queue it enters and until when it is held (0: not held), 'refuse'
   * (QUEUE_CLOSED), or 'unsure' where the docs leave open whether a queue on the way is open, or
   * when it opens. A closed queue refuses, holds until its next opening (refused
   * when it has none), or overflows to a queue that applies its own hours, at most four hops.
   */
  entryAt(queue: string, t: number): HoursEntry {
    let at = queue;
    for (let hop = 0; hop <= 4; hop++) {
      const h = this.hours.get(at);
      if (h === undefined) return { queue: at, hold: 0 };
      const open = openAt(h, t);
      if (open === null) return 'unsure';
      if (open) return { queue: at, hold: 0 };
      const action = h.closedAction ?? { type: 'refuse' };
      if (action.type === 'refuse') return 'refuse';
      if (action.type === 'hold') {
        // An opening the docs leave uncertain may be none at all (an interval that a clock change
        // empties), and the engine looks two weeks ahead: a later opening may or may not be seen.
        const next = nextOpening(h, t, 20);
        if (next === 'none') return 'refuse';
        if (next === 'unsure' || next - t >= 13 * DAY_MS) return 'unsure';
        return { queue: at, hold: next };
      }
      at = action.queue;
    }
    return 'refuse';
  }

  /**
   * A submission against its predicted entry: refused QUEUE_CLOSED exactly when the hours refuse
   * it, with nothing created; else queued in the predicted queue, held until the predicted
   * opening (or its own later notBefore).
   */
  private checkEntry(spec: InteractionSpec, events: readonly EngineEvent[], ok: boolean, code: string | undefined, at: number, entry: HoursEntry): void {
    const queued = events.find((e) => e.type === 'InteractionQueued' && e.interactionId === spec.id) as
      | Extract<EngineEvent, { type: 'InteractionQueued' }>
      | undefined;
    if (!ok && queued !== undefined) this.fail(`${spec.id} refused ${code}, yet queued`);
    if (entry === 'unsure') {
      this.hoursSeen.unsure++;
      return;
    }
    if (code === 'QUEUE_CLOSED' && entry !== 'refuse') this.fail(`hours: ${spec.id} refused QUEUE_CLOSED at ${at}, but enters ${entry.queue}`);
    if (entry === 'refuse') {
      if (ok) this.fail(`hours: ${spec.id} accepted at ${at}, but ${spec.queue} is closed and refuses (${queued?.queueId})`);
      else if (code === 'QUEUE_REFUSED') this.fail(`hours: ${spec.id} refused QUEUE_REFUSED, but ${spec.queue} is closed (QUEUE_CLOSED comes first)`);
      if (code === 'QUEUE_CLOSED') this.hoursSeen.refused++;
      return;
    }
    if (!ok) return;
    if (queued === undefined) {
      this.fail(`${spec.id} accepted without InteractionQueued`);
      return;
    }
    if (queued.queueId !== entry.queue) this.fail(`hours: ${spec.id} queued in ${queued.queueId} at ${at}, its hours send it to ${entry.queue}`);
    else if (entry.queue !== spec.queue) this.hoursSeen.overflowed++;
    const own = spec.notBefore !== undefined && spec.notBefore > at ? spec.notBefore : 0;
    const notBefore = queued.notBefore ?? 0;
    if (entry.hold > 0) this.hoursSeen.held++;
    const expected = Math.max(own, entry.hold);
    if (notBefore !== expected)
      this.fail(`hours: ${spec.id} queued in ${queued.queueId} at ${at} held until ${notBefore}, expected ${expected} (its queue opens at ${entry.hold})`);
  }

  /** Reads the clock: counts each queue's openings and closings the runs cross (under unchanged hours). */
  clock(now: number): void {
    for (const [q, hours] of this.hours) {
      const open = openAt(hours, now);
      const last = this.lastOpen.get(q);
      if (last !== undefined && last.hours === hours && last.open !== null && open !== null && last.open !== open) {
        if (open) this.hoursSeen.openings++;
        else this.hoursSeen.closings++;
        if (zoneOffset(hours.timeZone, now - 3 * 3600_000) !== zoneOffset(hours.timeZone, now + 3 * 3600_000)) this.hoursSeen.nearClockChange++;
      }
      this.lastOpen.set(q, { hours, open });
    }
  }

  /** Is any agent logged in (not offline) eligible for `ix`? */
  anyStaffedEligible(ix: ModelIx): boolean {
    for (const a of this.agents.values()) if (a.state !== 'offline' && this.eligible(a, ix)) return true;
    return false;
  }

  /**
   * The exception rules a submission of `spec` fires, from the current state: every submission
   * rule that holds, in order, up to the first that ends or moves it; null when a rule depends on
   * what the model does not keep (estimated wait, service level).
   */
  predictEntry(spec: InteractionSpec, queue: string): number[] | null {
    const rules = this.exceptions.get(queue) ?? [];
    const out: number[] = [];
    const probe = {
      spec,
      queue,
      req: { skills: spec.skills, labels: spec.labels, selectors: spec.selectors, alternatives: spec.alternatives },
    } as ModelIx;
    for (let i = 0; i < rules.length; i++) {
      const t = rules[i].trigger;
      if (t.type === 'waitMs') continue;
      if (t.type === 'estimatedWaitMs' || t.type === 'serviceLevelBelow') return null;
      let waiting = 0;
      for (const x of this.ixs.values()) if (x.queue === queue && (x.status === 'queued' || x.status === 'offered')) waiting++;
      const holds = t.type === 'queueLength' ? waiting >= t.threshold : !this.anyStaffedEligible(probe);
      if (!holds) continue;
      out.push(i);
      if (rules[i].action.type !== 'setPriority') break;
    }
    return out;
  }

  /** The queue's fanout: how many open offers one interaction may have. */
  fanoutOf(queue: string): number {
    return this.fanout.get(queue) ?? 1;
  }

  /** May `ix` be offered to one more agent (queued, or offered to fewer than its queue's fanout)? */
  wantsOffer(ix: ModelIx): boolean {
    if (ix.heldUntil !== 0) return false;
    return ix.status === 'queued' || (ix.status === 'offered' && ix.offers.size < this.fanoutOf(ix.queue));
  }

  /**
   * Trunk reservation: the queue holding idle agent `a` back from work of `queue` — one it is a
   * member of (its `queues` list it) that reserves idle members and has no more idle than that
   * (null: none; an agent holding work is never held).
   */
  heldFor(a: ModelAgent, queue: string): string | null {
    if (a.state !== 'available' || a.work.size > 0) return null;
    for (const q of Object.keys(a.spec.queues ?? {})) {
      const k = this.reservedIdle.get(q) ?? 0;
      if (k === 0 || q === queue) continue;
      let idle = 0;
      for (const m of this.agents.values()) if (m.state === 'available' && m.work.size === 0 && Object.hasOwn(m.spec.queues ?? {}, q)) idle++;
      if (idle <= k) return q;
    }
    return null;
  }

  /** Is `a` a reserve agent of `queue` while it is not in overload (it may take only work naming it)? */
  reserveResting(a: ModelAgent, queue: string): boolean {
    return a.spec.queues?.[queue]?.reserve === true && !this.overloaded.has(queue);
  }

  /** Is work of `queue` deferred now: deferrable on a queue in overload? */
  deferred(queue: string): boolean {
    for (const q of this.deferrable.get(queue) ?? []) if (this.overloaded.has(q)) return true;
    return false;
  }

  /** Does `agentId` hold an open offer of `ix`? */
  holds(ix: ModelIx, agentId: string): boolean {
    for (const a of ix.offers.values()) if (a === agentId) return true;
    return false;
  }

  private event(cmd: Command, e: EngineEvent): void {
    switch (e.type) {
      // A configuration change takes effect at its own event: timers due at the command's instant
      // fire before it, under the configuration they were set up with.
      case 'QueueUpserted': {
        if (cmd.type === 'UpsertQueue' && cmd.queue.membersOnly !== undefined) {
          if (cmd.queue.membersOnly) this.membersOnly.add(cmd.queue.id);
          else this.membersOnly.delete(cmd.queue.id);
        }
        if (cmd.type === 'UpsertQueue' && cmd.queue.offerFanout !== undefined) this.fanout.set(cmd.queue.id, cmd.queue.offerFanout);
        if (cmd.type === 'UpsertQueue' && cmd.queue.reservedIdle !== undefined) this.reservedIdle.set(cmd.queue.id, cmd.queue.reservedIdle);
        if (cmd.type === 'UpsertQueue' && cmd.queue.reserveWhen !== undefined) {
          if (cmd.queue.reserveWhen === null) {
            this.overloadRule.delete(cmd.queue.id);
            this.overloaded.delete(cmd.queue.id); // its QueueOverloadEnded came before this event
          } else this.overloadRule.set(cmd.queue.id, cmd.queue.reserveWhen);
        }
        if (cmd.type === 'UpsertQueue' && cmd.queue.deferrable !== undefined) {
          if (cmd.queue.deferrable === null) this.deferrable.delete(cmd.queue.id);
          else this.deferrable.set(cmd.queue.id, cmd.queue.deferrable.whileHealthy);
        }
        if (cmd.type === 'UpsertQueue' && cmd.queue.hours !== undefined) {
          if (cmd.queue.hours === null) this.hours.delete(cmd.queue.id);
          else this.hours.set(cmd.queue.id, cmd.queue.hours);
        }
        if (cmd.type === 'UpsertQueue' && cmd.queue.repeatContact !== undefined) {
          if (cmd.queue.repeatContact === null) {
            if (this.repeatContact.delete(cmd.queue.id) && this.repeatContact.size === 0) this.lostByRemoval = false;
          } else this.repeatContact.set(cmd.queue.id, { ...cmd.queue.repeatContact });
        }
        if (cmd.type === 'UpsertQueue' && cmd.queue.defaultPriority !== undefined) this.defaultPriority.set(cmd.queue.id, cmd.queue.defaultPriority);
        if (cmd.type === 'UpsertQueue' && cmd.queue.exceptions !== undefined) {
          // A new rule list: the queue's waiting work starts over with it.
          this.exceptions.set(cmd.queue.id, cmd.queue.exceptions);
          for (const ix of this.ixs.values()) if (ix.queue === cmd.queue.id) ix.fired.clear();
        }
        break;
      }
      case 'QueueRemoved':
        // A queue defined again starts from the defaults.
        if (this.repeatContact.delete(e.queueId) && this.repeatContact.size === 0) this.lostByRemoval = true;
        this.defaultPriority.delete(e.queueId);
        this.hours.delete(e.queueId);
        this.exceptions.delete(e.queueId);
        break;
      case 'AgentUpserted': {
        const spec = cmd.type === 'UpsertAgent' ? cmd.agent : cmd.type === 'UpsertAgents' ? cmd.agents.find((a) => a.id === e.agentId) : undefined;
        if (!spec) {
          this.fail(`AgentUpserted ${e.agentId} for ${cmd.type}`);
          break;
        }
        const prev = this.agents.get(spec.id);
        this.agents.set(spec.id, { spec, state: prev?.state ?? 'offline', work: prev?.work ?? new Map() });
        break;
      }
      case 'InteractionQueued': {
        // I6: one idempotency id, one interaction (an ended one's id is kept idempotencyTtlMs).
        const before = this.ixs.get(e.interactionId);
        if (before !== undefined && (before.endedAt === null || e.at - before.endedAt <= this.idempotencyTtlMs))
          this.fail(`I6: ${e.interactionId} queued twice`);
        const spec = (cmd as Extract<Command, { type: 'SubmitInteraction' }>).interaction;
        // The queue it entered: the one asked for, or where that queue's hours sent it.
        this.predicted = this.predictEntry(spec, e.queueId);
        if (
          this.predicted !== null &&
          this.predicted.length > 0 &&
          (this.exceptions.get(e.queueId) ?? [])[this.predicted[this.predicted.length - 1]].action.type === 'refuse'
        )
          this.fail(`${spec.id} accepted, but a refusing exception rule holds`);
        const priority = this.repeatContactOf(spec, e.queueId, e.at, e.repeatOf);
        this.ixs.set(e.interactionId, {
          id: e.interactionId,
          spec,
          priority,
          boosted: e.repeatOf !== undefined,
          reclassified: false,
          status: 'queued',
          queue: e.queueId,
          req: { skills: spec.skills, labels: spec.labels, selectors: spec.selectors, alternatives: spec.alternatives },
          required: spec.requiredAgents ? [...spec.requiredAgents] : null,
          // Windows and requirements by name count from the end of a hold.
          requiredUntil: spec.requiredAgents ? (e.notBefore ?? e.at) + (spec.requiredForMs ?? Number.POSITIVE_INFINITY) : 0,
          agent: null,
          offers: new Map(),
          rejectedBy: new Set(),
          arrival: e.at,
          seq: ++this.seq,
          // Held work enters its queue when released.
          entered: e.notBefore ?? e.at,
          heldUntil: e.notBefore ?? 0,
          wasHeld: (e.notBefore ?? 0) !== 0,
          fired: new Set(),
          changedEv: this.events,
          windowFrom: e.notBefore ?? e.at,
          windowMs: this.queues[e.queueId]?.preferredWindowMs ?? 0,
          opensAt: 0,
          endedAt: null,
        });
        break;
      }
      case 'InteractionReleased': {
        const ix = this.ix(e.interactionId);
        if (ix.heldUntil !== e.at) this.fail(`${ix.id} released at ${e.at}, held until ${ix.heldUntil}`);
        if (ix.opensAt !== 0 && e.at === ix.opensAt) this.hoursSeen.releasedAtOpening++;
        ix.heldUntil = 0;
        break;
      }
      case 'InteractionConverted': {
        const ix = this.ix(e.interactionId);
        if (ix.offers.size > 0 || (ix.status !== 'queued' && ix.status !== 'offered'))
          this.fail(`${ix.id} converted while ${ix.status} with ${ix.offers.size} open offers`);
        ix.spec = { ...ix.spec, channel: e.channel };
        // A hold starts its wait in queue over (at its end), and so does lifting one.
        if (e.notBefore !== null) ix.entered = e.notBefore;
        else if (ix.heldUntil !== 0) ix.entered = e.at;
        ix.heldUntil = e.notBefore ?? 0;
        if (ix.heldUntil !== 0) ix.wasHeld = true;
        ix.opensAt = 0; // a callback replaces or lifts the hold its queue's hours gave it

        break;
      }
      case 'ExceptionTriggered': {
        const ix = this.ix(e.interactionId);
        const rule = (this.exceptions.get(ix.queue) ?? [])[e.rule];
        if (!rule || e.queueId !== ix.queue || rule.trigger.type !== e.trigger || rule.action.type !== e.action) {
          this.fail(`${ix.id}: exception ${e.rule} of ${e.queueId} (${e.trigger}/${e.action}) is not its queue ${ix.queue}'s rule`);
          break;
        }
        if (ix.fired.has(e.rule)) this.fail(`${ix.id}: exception rule ${e.rule} of ${ix.queue} fired twice`);
        ix.fired.add(e.rule);
        const t = rule.trigger;
        if (t.type === 'waitMs' && (ix.status !== 'queued' || e.at < ix.entered + t.threshold))
          this.fail(`${ix.id}: waitMs ${t.threshold} fired at ${e.at} while ${ix.status}, entered ${ix.entered}`);
        if (t.type === 'noEligibleAgents' && this.anyStaffedEligible(ix)) this.fail(`${ix.id}: noEligibleAgents fired while an eligible agent is logged in`);
        if (rule.action.type === 'setPriority') ix.priority = rule.action.priority;
        break;
      }
      case 'QueueOverloadStarted': {
        if (this.overloaded.has(e.queueId)) this.fail(`${e.queueId}: overload started twice`);
        const rule = this.overloadRule.get(e.queueId);
        if (rule === undefined) this.fail(`${e.queueId}: overload started without a reserveWhen`);
        else if (rule[e.measure] === undefined) this.fail(`${e.queueId}: overload started on ${e.measure}, which its rule does not name`);
        else if (e.measure === 'oldestWaitMs' && (e.value === null || e.value < rule.oldestWaitMs!))
          this.fail(`${e.queueId}: overload started on an oldest wait of ${e.value} < ${rule.oldestWaitMs}`);
        else if (e.measure === 'serviceLevelBelow' && (e.value === null || e.value >= rule.serviceLevelBelow!))
          this.fail(`${e.queueId}: overload started on a service level of ${e.value} ≥ ${rule.serviceLevelBelow}`);
        this.overloaded.add(e.queueId);
        break;
      }
      case 'QueueOverloadEnded':
        if (!this.overloaded.delete(e.queueId)) this.fail(`${e.queueId}: overload ended while not in overload`);
        break;
      case 'InteractionOffered': {
        const ix = this.ix(e.interactionId);
        const a = this.agent(e.agentId);
        this.checkPriorityOrder(a, e.agentId, ix, e.at);
        this.offeredInCall.add(ix.id);
        // I2 (multi-offer): never an offer beside an assignment, never more open offers than the
        // queue's fanout (1: one at a time), never a second one to the same agent.
        if (!this.wantsOffer(ix)) this.fail(`I2: ${ix.id} offered while ${ix.status} with ${ix.offers.size} open offers (fanout ${this.fanoutOf(ix.queue)})`);
        if (this.holds(ix, e.agentId)) this.fail(`I2: ${ix.id} offered twice to ${e.agentId}`);
        if (ix.heldUntil !== 0) this.fail(`${ix.id} offered while held until ${ix.heldUntil}`);
        // Held because its queue was closed: never offered before the opening the model worked out.
        if (e.at < ix.opensAt) this.fail(`hours: ${ix.id} offered at ${e.at}, before its queue opens at ${ix.opensAt}`);
        // Work already waiting when its queue closed keeps being routed (docs/engine.md, Hours of operation).
        const hours = this.hours.get(ix.queue);
        if (hours !== undefined && openAt(hours, e.at) === false) this.hoursSeen.offeredWhileClosed++;
        if (a.state !== 'available') this.fail(`offer to ${e.agentId} in state ${a.state}`);
        if (ix.rejectedBy.has(e.agentId)) this.fail(`${ix.id} re-offered to ${e.agentId} who rejected it`);
        const byName = this.requiredNow(ix, e.at) && ix.required!.includes(e.agentId);
        if (this.requiredNow(ix, e.at) && !byName) this.fail(`${ix.id} offered to ${e.agentId}, not one of its required agents ${ix.required}`);
        if (!byName && !this.eligible(a, ix)) this.fail(`${ix.id} offered to ineligible ${e.agentId}`);
        // Work that names the agent may take a held member; nothing else may.
        const holder = byName || this.mayBeReserved(ix, e.at) ? null : this.heldFor(a, ix.queue);
        if (holder !== null) this.fail(`reservation: ${e.agentId} offered ${ix.id} of ${ix.queue} while ${holder} holds it idle`);
        if (!byName && !this.mayBeReserved(ix, e.at) && this.reserveResting(a, ix.queue))
          this.fail(`reserve: ${e.agentId} offered ${ix.id} of ${ix.queue}, not in overload`);
        if (this.deferred(ix.queue)) this.fail(`deferral: ${ix.id} of ${ix.queue} offered while a queue it waits on is in overload`);
        const cap = a.spec.capacity!.channels[ix.spec.channel];
        if (!this.canTake(a, ix.spec.channel)) this.fail(`I3: ${e.agentId} offered ${ix.id} beyond capacity`);
        const waits = this.waitingOf(a);
        if (waits.length > 0) this.fail(`messaging: ${e.agentId} offered ${ix.id} while its ${waits.map((w) => w.ix)} waits for room`);
        this.checkLevel(e.agentId, a, ix, e.at);
        ix.status = 'offered';
        ix.offers.set(e.offerId, e.agentId);
        a.work.set(ix.id, {
          ix: ix.id,
          agent: e.agentId,
          channel: ix.spec.channel,
          cost: cap.cost,
          interruptible: cap.interruptible === true,
          assigned: false,
          activity: 'active',
        });
        break;
      }
      case 'InteractionAssigned': {
        const ix = this.ix(e.interactionId);
        this.taken.delete(ix.id); // what took it (anything may follow in the same call)
        if (ix.status !== 'offered' || ix.offers.get(e.offerId) !== e.agentId) this.fail(`I2: ${ix.id} assigned from ${ix.status}`);
        // At most one assignment: every other open offer was withdrawn first.
        if (ix.offers.size !== 1) this.fail(`I2: ${ix.id} assigned with ${ix.offers.size - 1} other open offers`);
        ix.offers.clear();
        ix.agent = e.agentId;
        ix.status = 'assigned';
        ix.required = null;
        const w = this.agent(e.agentId).work.get(ix.id);
        if (!w) this.fail(`${ix.id} assigned without an offer`);
        else w.assigned = true;
        break;
      }
      case 'OfferRejected':
      case 'OfferTimedOut':
      case 'OfferRescinded': {
        const ix = this.ix(e.interactionId);
        if (ix.status !== 'offered' || ix.offers.get(e.offerId) !== e.agentId) this.fail(`${e.type} for ${ix.id} in ${ix.status}`);
        this.agent(e.agentId).work.delete(ix.id);
        ix.offers.delete(e.offerId);
        if (e.type === 'OfferRescinded' && e.reason === 'taken') this.taken.add(ix.id);
        if (e.type === 'OfferRejected') {
          ix.rejectedBy.add(e.agentId);
          // Every agent it required declined it: it routes normally.
          if (ix.required?.every((x) => ix.rejectedBy.has(x))) ix.required = null;
        }
        if (ix.offers.size === 0) ix.status = 'queued';
        break;
      }
      case 'InteractionWrapUpStarted': {
        const ix = this.ix(e.interactionId);
        if (ix.status !== 'assigned') this.fail(`wrap-up of ${ix.id} from ${ix.status}`);
        this.agent(e.agentId).work.delete(ix.id);
        ix.status = 'wrap_up';
        break;
      }
      case 'InteractionCompleted':
      case 'InteractionCancelled':
      case 'InteractionAbandoned':
      case 'InteractionExpired': {
        const ix = this.ix(e.interactionId);
        if (ix.agent) this.agents.get(ix.agent)?.work.delete(ix.id);
        if (e.type === 'InteractionCompleted' && ix.status !== 'wrap_up' && ix.status !== 'assigned') this.fail(`${ix.id} completed from ${ix.status}`);
        ix.status =
          e.type === 'InteractionCompleted'
            ? 'completed'
            : e.type === 'InteractionCancelled'
              ? 'cancelled'
              : e.type === 'InteractionAbandoned'
                ? 'abandoned'
                : 'expired';
        ix.agent = null;
        ix.endedAt = e.at;
        break;
      }
      case 'InteractionTransferred':
      case 'InteractionOverflowed': {
        const ix = this.ix(e.interactionId);
        if (ix.status === 'assigned' && ix.agent) this.agent(ix.agent).work.delete(ix.id);
        if (ix.status === 'offered') this.fail(`${ix.id} moved with an open offer`);
        ix.status = 'queued';
        ix.agent = null;
        ix.queue = e.toQueue;
        ix.entered = ix.heldUntil || e.at;
        ix.fired.clear();
        ix.changedEv = this.events;
        ix.rejectedBy.clear();
        ix.required = null;
        if (e.type === 'InteractionTransferred') {
          const t = cmd as Extract<Command, { type: 'TransferInteraction' }>;
          if (t.skills) {
            ix.req = { skills: t.skills, labels: ix.req.labels, selectors: ix.req.selectors };
            ix.spec = { ...ix.spec, relaxation: undefined };
          }
          if (t.agentId !== undefined) {
            ix.required = [t.agentId];
            ix.requiredUntil = e.at + (t.requiredForMs ?? Number.POSITIVE_INFINITY);
          }
        }
        break;
      }
      case 'InteractionReclassified':
        this.ix(e.interactionId).reclassified = true;
        break;
      case 'InteractionRelaxed': {
        const ix = this.ix(e.interactionId);
        const st = ix.spec.relaxation![e.step - 1];
        ix.req = {
          skills: st.skills ?? ix.req.skills,
          labels: st.labels ?? ix.req.labels,
          selectors: st.selectors ?? ix.req.selectors,
          alternatives: st.alternatives ?? ix.req.alternatives,
        };
        ix.changedEv = this.events;
        if (st.priority !== undefined) ix.priority = st.priority;
        if (st.queue !== undefined && st.queue !== ix.queue) {
          if (e.toQueue !== st.queue) this.fail(`${ix.id} relaxed into ${e.toQueue}, step says ${st.queue}`);
          ix.queue = st.queue;
          ix.entered = ix.heldUntil || e.at;
          ix.fired.clear();
        }
        break;
      }
      case 'InteractionActivityChanged': {
        const ix = this.ix(e.interactionId);
        const a = this.agent(e.agentId);
        const w = a.work.get(ix.id);
        if (ix.status !== 'assigned' || ix.agent !== e.agentId || w === undefined || !w.assigned) {
          this.fail(`messaging: ${ix.id} changed activity on ${e.agentId} while ${ix.status} with ${ix.agent}`);
          break;
        }
        const own = cmd.type === 'UpdateInteraction' && cmd.interactionId === ix.id && cmd.active === e.active;
        if (!e.active) {
          if (w.activity !== 'active' || !own) this.fail(`messaging: ${ix.id} made inactive while ${w.activity}, by ${cmd.type}`);
          w.activity = 'inactive';
          break;
        }
        if (w.activity === 'active') this.fail(`messaging: ${ix.id} made active while active`);
        else if (w.activity === 'inactive') {
          // Its own request, with room and nothing older of its agent's waiting (predicted).
          if (!own) this.fail(`messaging: inactive ${ix.id} made active by ${cmd.type}, not by its own request`);
        } else {
          const head = this.waitingOf(a)[0];
          if (head !== w) this.fail(`messaging: ${ix.id} took ${e.agentId}'s room before ${head.ix}, which arrived first`);
          this.messagingSeen.filled++;
        }
        if (!this.hasRoom(a, w)) this.fail(`messaging: ${ix.id} made active on ${e.agentId} without room (I3)`);
        w.activity = 'active';
        break;
      }
      case 'AgentStateChanged': {
        const a = this.agent(e.agentId);
        if (a.state !== e.from) this.fail(`${e.agentId} changed from ${e.from} but was ${a.state}`);
        a.state = e.to;
        if (e.to === 'offline') this.loggedOut.push({ a, ev: this.events });
        break;
      }
      case 'AgentRemoved':
        this.agents.delete(e.agentId);
        for (const ix of this.ixs.values())
          if (ix.required?.includes(e.agentId)) {
            ix.required = ix.required.filter((x) => x !== e.agentId);
            if (ix.required.length === 0) ix.required = null;
          }
        break;
      default:
        break;
    }
  }

  private ix(id: string): ModelIx {
    const ix = this.ixs.get(id);
    if (!ix) throw new Error(`event for unknown interaction ${id}`);
    return ix;
  }

  private agent(id: string): ModelAgent {
    const a = this.agents.get(id);
    if (!a) throw new Error(`event for unknown agent ${id}`);
    return a;
  }

  eligible(a: ModelAgent, ix: ModelIx): boolean {
    const cap = a.spec.capacity?.channels[ix.spec.channel];
    if (!cap) return false;
    const member = Object.keys(a.spec.queues ?? {});
    if (member.length > 0 ? !member.includes(ix.queue) : this.membersOnly.has(ix.queue)) return false;
    const labels = a.spec.labels ?? {};
    const has = (k: string) => (Object.hasOwn(labels, k) ? labels[k] : undefined);
    const meets = (r: Requirement): boolean => {
      for (const [s, min] of Object.entries(r.skills ?? {})) if ((a.spec.skills?.[s] ?? 0) < min) return false;
      for (const [k, v] of Object.entries(r.labels ?? {})) if (has(k) !== v) return false;
      for (const sel of r.selectors ?? []) if (!selectorHolds(sel, has(sel.key))) return false;
      return true;
    };
    const common = ix.req;
    const alts = common.alternatives?.length ? common.alternatives : [{}];
    // An alternative adds to the common part: its skill levels replace the common ones it names.
    return alts.some((alt) =>
      meets({
        skills: { ...common.skills, ...alt.skills },
        labels: { ...common.labels, ...alt.labels },
        selectors: [...(common.selectors ?? []), ...(alt.selectors ?? [])],
      }),
    );
  }

  /** Is `ix` waiting for its required agents only at `now`? */
  requiredNow(ix: ModelIx, now: number): boolean {
    return ix.required !== null && now < ix.requiredUntil;
  }

  /** The agent's level for `ix` at `now`: its queue's priority, or its best level once `ix` waited the delay. */
  level(a: ModelAgent, ix: ModelIx, now: number, promote: boolean): number {
    const member = a.spec.queues ?? {};
    const m = member[ix.queue];
    if (m === undefined) return 1;
    const best = Math.min(...Object.values(member).map((x) => x.priority ?? 1));
    const level = m.priority ?? 1;
    return promote && (m.delayMs ?? 0) > 0 && now - ix.entered >= m.delayMs! ? best : level;
  }

  /**
   * Is `ix` held for preferred agents now (conservatively: it names some and its window may be
   * open)? A window ending at this very instant may still be open: a wrap-up ending at the same
   * instant fires first, and the offers it leads to come before the window's end.
   */
  mayBeReserved(ix: ModelIx, now: number): boolean {
    if (this.requiredNow(ix, now)) return true;
    const hasPreference = (ix.spec.preferredAgents?.length ?? 0) > 0 || ix.spec.customerId !== undefined;
    return hasPreference && now <= ix.windowFrom + ix.windowMs;
  }

  /**
   * Agent-side levels: an agent is offered work of a level only when nothing of a better level
   * that it may take now waits (work that has waited its delay competes at the best level).
   * Offers through a preference window are exempt, as the docs state.
   */
  private checkLevel(agentId: string, a: ModelAgent, ix: ModelIx, now: number): void {
    if (Object.keys(a.spec.queues ?? {}).length === 0 || this.mayBeReserved(ix, now)) return;
    const mine = this.level(a, ix, now, true);
    for (const other of this.ixs.values()) {
      if (other === ix || !this.wantsOffer(other) || other.rejectedBy.has(agentId) || this.holds(other, agentId) || this.mayBeReserved(other, now)) continue;
      if (!this.eligible(a, other) || !this.canTake(a, other.spec.channel) || this.heldFor(a, other.queue) !== null) continue;
      if (this.reserveResting(a, other.queue) || this.deferred(other.queue)) continue;
      if (this.level(a, other, now, false) < mine)
        this.fail(`level: ${agentId} offered ${ix.id} (level ${mine}) while ${other.id} of level ${this.level(a, other, now, false)} waits`);
    }
  }

  /**
   * Priority order under priority-age (higher priority first): an offer of `y` to agent `a` that
   * waited for no other agent passes over no interaction of the same queue and channel with higher
   * priority that `a` could take as well (eligible, not declined, at the same or a better level of
   * its routing profile), neither held for preferred or required agents nor ever escalated, unless
   * that one is offered to another agent in the same call (matching a batch may hand the better
   * interaction to another agent so that both are served). Checked at the end of the call.
   */
  private checkPriorityOrder(a: ModelAgent, agentId: string, y: ModelIx, at: number): void {
    if (this.ordering !== 'priority-age' || y.status !== 'queued' || y.offers.size > 0 || y.reclassified || this.mayBeReserved(y, at)) return;
    const level = this.level(a, y, at, true);
    let passed = false;
    for (const x of this.ixs.values()) {
      if (x === y || x.status !== 'queued' || x.offers.size > 0 || x.heldUntil !== 0 || x.reclassified) continue;
      if (x.queue !== y.queue || x.spec.channel !== y.spec.channel || x.rejectedBy.has(agentId) || this.mayBeReserved(x, at)) continue;
      if (!this.eligible(a, x) || this.level(a, x, at, true) > level) continue;
      if (x.priority > y.priority) this.inversions.push({ agent: agentId, y, x, ev: this.events, queue: y.queue, at });
      else if (x.priority < y.priority) passed = true;
    }
    if (passed) this.repeatSeen.passedLower++;
    if (passed && y.boosted) this.repeatSeen.boostedFirst++;
  }

  /** Units the agent's open offers and active conversations hold (inactive ones hold none). */
  units(a: ModelAgent, nonInterruptibleOnly: boolean): number {
    let u = 0;
    for (const w of a.work.values()) if (w.activity === 'active' && (!nonInterruptibleOnly || !w.interruptible)) u += w.cost;
    return u;
  }

  /** Open offers and active conversations of `channel` the agent holds. */
  count(a: ModelAgent, channel: string): number {
    let n = 0;
    for (const w of a.work.values()) if (w.activity === 'active' && w.channel === channel) n++;
    return n;
  }

  /** Inactive conversations of `channel` the agent holds, those waiting for room among them. */
  inactiveCount(a: ModelAgent, channel: string): number {
    let n = 0;
    for (const w of a.work.values()) if (w.activity !== 'active' && w.channel === channel) n++;
    return n;
  }

  /** The agent's conversations waiting for its room, oldest arrival first (then first created). */
  waitingOf(a: ModelAgent): ModelOffer[] {
    const list = [...a.work.values()].filter((w) => w.activity === 'waiting');
    return list.sort((x, y) => (this.before(this.ix(x.ix), this.ix(y.ix)) ? -1 : 1));
  }

  /** `x` arrived before `y` (the same instant: was created first). */
  private before(x: ModelIx, y: ModelIx): boolean {
    return x.arrival < y.arrival || (x.arrival === y.arrival && x.seq < y.seq);
  }

  /** The assignment or offer of interaction `id`, if any. */
  private workOf(id: string): ModelOffer | undefined {
    const ix = this.ixs.get(id);
    return ix?.agent ? this.agents.get(ix.agent)?.work.get(id) : undefined;
  }

  /** Has `a` room for conversation `w` to be active, whatever its state (under its channel's max and the total)? */
  hasRoom(a: ModelAgent, w: ModelOffer): boolean {
    const cap = a.spec.capacity!.channels[w.channel];
    if (this.count(a, w.channel) >= cap.max) return false;
    return this.units(a, !w.interruptible) + w.cost <= a.spec.capacity!.total;
  }

  /**
   * The answer to `UpdateInteraction { interactionId: id, active }` from the model's state
   * (docs/engine.md, Messaging capacity), with what it changes that no event shows; null for an
   * interaction the model does not hold live.
   */
  predictActivity(id: string, active: boolean): ActivityPrediction | null {
    const ix = this.ixs.get(id);
    if (ix === undefined || ix.endedAt !== null) return null;
    const seen = this.messagingSeen;
    const ok = { answer: { ok: true as const, duplicate: false } };
    const duplicate = { answer: { ok: true as const, duplicate: true }, effect: () => void seen.duplicate++ };
    const refuse = (code: string, effect?: () => void): ActivityPrediction => ({ answer: { ok: false, code }, effect });
    if (ix.status !== 'assigned') return refuse('INVALID_STATE', () => void seen.invalidState++);
    const a = this.agent(ix.agent!);
    const w = a.work.get(id)!;
    if (!active) {
      if (w.activity === 'inactive') return duplicate;
      if (w.activity === 'waiting')
        return {
          ...ok,
          effect: () => {
            w.activity = 'inactive';
            seen.waitingToInactive++;
          },
        };
      const max = a.spec.capacity!.channels[w.channel].inactiveMax ?? 0;
      if (max === 0) return refuse('INVALID_STATE', () => void seen.invalidState++);
      if (this.inactiveCount(a, w.channel) >= max) {
        // At the limit: only a swap, the room it frees going at once to the agent's first waiting
        // conversation of the same channel.
        const head = this.waitingOf(a)[0];
        w.activity = 'inactive';
        const swap = head !== undefined && head.channel === w.channel && this.hasRoom(a, head);
        w.activity = 'active';
        if (!swap) return refuse('INACTIVE_LIMIT', () => void seen.inactiveLimit++);
        return { ...ok, effect: () => void seen.swaps++ };
      }
      return { ...ok, effect: () => void seen.inactive++ };
    }
    if (w.activity === 'active') return duplicate;
    if (w.activity === 'waiting') return refuse('AGENT_AT_CAPACITY', () => void seen.atCapacity++);
    const head = this.waitingOf(a)[0];
    if ((head === undefined || this.before(ix, this.ix(head.ix))) && this.hasRoom(a, w)) return { ...ok, effect: () => void seen.active++ };
    return refuse('AGENT_AT_CAPACITY', () => {
      w.activity = 'waiting';
      seen.atCapacity++;
    });
  }

  /** A waiting conversation takes its agent's room as soon as there is room: none waits beside room for it (at `now`). */
  checkRoom(now: number): void {
    for (const [id, a] of this.agents) {
      const head = this.waitingOf(a)[0];
      if (head !== undefined && this.hasRoom(a, head)) this.fail(`messaging: ${head.ix} waits for ${id}'s room, which it has (t=${now})`);
    }
  }

  canTake(a: ModelAgent, channel: string): boolean {
    const cap = a.spec.capacity?.channels[channel];
    if (!cap || a.state !== 'available') return false;
    if (this.count(a, channel) >= cap.max) return false;
    return this.units(a, !cap.interruptible) + cap.cost <= a.spec.capacity!.total;
  }

  /**
   * I3 (active conversations only; at most inactiveMax inactive ones per channel), no waiting
   * conversation beside room for it, and I4 over the whole model at time `now`, and no waitMs
   * exception rule overdue.
   */
  checkState(now: number): void {
    for (const ix of this.ixs.values()) {
      if (ix.status !== 'queued') continue;
      const rules = this.exceptions.get(ix.queue) ?? [];
      for (let i = 0; i < rules.length; i++) {
        const t = rules[i].trigger;
        if (t.type === 'waitMs' && !ix.fired.has(i) && ix.entered + t.threshold <= now)
          this.fail(`${ix.id}: waitMs rule ${i} (${t.threshold}) overdue at ${now}, entered ${ix.entered}`);
      }
    }
    // Overload is never missed on the oldest wait: a queue with the rule is in overload once a
    // queued interaction has waited its threshold (where no held work blurs the entry order).
    for (const [q, rule] of this.overloadRule) {
      if (rule.oldestWaitMs === undefined || this.overloaded.has(q)) continue;
      const mine = [...this.ixs.values()].filter((ix) => ix.queue === q);
      if (mine.some((ix) => ix.wasHeld)) continue;
      const late = mine.find((ix) => ix.status === 'queued' && now - ix.entered >= rule.oldestWaitMs!);
      if (late) this.fail(`${q}: ${late.id} has waited ${now - late.entered} ≥ ${rule.oldestWaitMs}, and the queue is not in overload (t=${now})`);
    }
    for (const [id, a] of this.agents) {
      const cap = a.spec.capacity!;
      for (const ch of Object.keys(cap.channels)) {
        if (this.count(a, ch) > cap.channels[ch].max) this.fail(`I3: ${id} over ${ch} maximum`);
        const inactive = this.inactiveCount(a, ch);
        if (inactive > (cap.channels[ch].inactiveMax ?? 0)) this.fail(`I3: ${id} holds ${inactive} inactive ${ch} conversations, over its inactiveMax`);
      }
      if (this.units(a, true) > cap.total) this.fail(`I3: ${id} over total capacity`);
    }
    this.checkRoom(now);
    // I4: no available agent with room for work it is eligible for and has not declined, except
    // during the interaction's preference window (a stated policy reason), and except an agent
    // with a conversation waiting for its room (the room goes to its own customers first). Work
    // held out of routing (notBefore, or held until its closed queue opens) wants no offer; a
    // queue's closing is no exception: work already waiting then keeps being routed
    // (docs/engine.md, Hours of operation).
    for (const ix of this.ixs.values()) {
      // Multi-offer: offered to fewer agents than the fanout, it still waits for more.
      if (!this.wantsOffer(ix) || this.deferred(ix.queue)) continue;
      if (this.requiredNow(ix, now)) {
        // Only its required agents may take it, and they need no requirement.
        for (const id of ix.required!) {
          const a = this.agents.get(id);
          if (a && !ix.rejectedBy.has(id) && !this.holds(ix, id) && this.canTake(a, ix.spec.channel)) {
            if (this.waitingOf(a).length > 0) this.messagingSeen.exemptWhileWaiting++;
            else this.fail(`I4: required ${id} idle while ${ix.id} waits for it (t=${now})`);
          }
        }
        continue;
      }
      const hasPreference = (ix.spec.preferredAgents?.length ?? 0) > 0 || ix.spec.customerId !== undefined;
      if (hasPreference && now < ix.windowFrom + ix.windowMs) continue;
      for (const [id, a] of this.agents) {
        if (ix.rejectedBy.has(id) || this.holds(ix, id) || !this.eligible(a, ix) || this.heldFor(a, ix.queue) !== null || this.reserveResting(a, ix.queue))
          continue;
        if (!this.canTake(a, ix.spec.channel)) continue;
        if (this.waitingOf(a).length > 0) this.messagingSeen.exemptWhileWaiting++;
        else this.fail(`I4: ${id} idle while eligible ${ix.id} waits (t=${now})`);
      }
    }
  }

  openOffers(): { ix: string; agent: string; offerId: string }[] {
    const out: { ix: string; agent: string; offerId: string }[] = [];
    for (const ix of this.ixs.values()) for (const [offerId, agent] of ix.offers) out.push({ ix: ix.id, agent, offerId });
    return out;
  }

  assignments(): { ix: string; agent: string }[] {
    const out: { ix: string; agent: string }[] = [];
    for (const ix of this.ixs.values()) if (ix.status === 'assigned') out.push({ ix: ix.id, agent: ix.agent! });
    return out;
  }

  live(): ModelIx[] {
    return [...this.ixs.values()].filter((ix) => !['completed', 'cancelled', 'abandoned', 'expired'].includes(ix.status));
  }
}
