/**
 * The routing engine of one tenant: pure, synchronous, in memory, with an injected clock.
 *
 *   apply(command, now) → result with events      tick(now) → events      nextDeadline()
 *
 * This file is the state machine: the commands and timer firing. They share state and call each
 * other, so they stay one class, each command ordered by phase: validate (nothing
 * changed yet) → mutate → emit. What they stand on is one concept per file
 * (docs/architecture.md):
 * - interaction-table.ts, agent-table.ts: the records, by id and slot;
 * - routing-index.ts: channels, profiles p, signatures σ and their links C(σ), E(p, c);
 * - requirements.ts, selectors.ts: what an interaction asks of an agent (alternatives, clauses);
 * - ordering.ts: the ordering policies (the time-invariant key, the comparison of heads);
 * - agent-selection.ts: the agent-selection key; capacity.ts: room and the available heaps;
 * - matching.ts: the best agent for an interaction, the best head for an agent;
 * - settling.ts: restoring I4 after each step (fast paths and batch matching);
 * - offers.ts: making offers, assignment, and the ways an open offer ends;
 * - waiting.ts: entering a queue, the signature heaps and their cached heads;
 * - preferences.ts: preference windows and agents required by name;
 * - reservation.ts: idle members a queue holds back for its own work (trunk reservation);
 * - overload.ts: a queue's overload state, its reserve agents and the work deferred on it;
 * - deadlines.ts: the three timer heaps; closed-offers.ts: the ring of closed offers;
 * - queries.ts, explain.ts: read-only answers; snapshot-graph.ts: snapshot and restore;
 * - validate.ts, queue-settings.ts: the check chains of the commands, a queue's settings.
 */
import { BoundedMap } from '../queues/bounded-map.ts';
import { IdWindow } from '../queues/id-window.ts';
import { LinkedLists } from '../queues/linked-list.ts';
import { removeFrom } from '../queues/array-removal.ts';
import { AgentSelection } from './agent-selection.ts';
import { AgentTable } from './agent-table.ts';
import { DEFAULT_CAPACITY, addLoad, leaveHeaps } from './capacity.ts';
import { ClosedOffers } from './closed-offers.ts';
import { Conversations } from './conversations.ts';
import { REPEATED, RejectCode, type Rejection } from './codes.ts';
import { Deadlines } from './deadlines.ts';
import type { EngineParts } from './engine-parts.ts';
import { BAND_ESCALATED, BAND_LATE, BAND_NORMAL, type Agent, type Interaction, type Offer, type Profile, type Queue, type Signature } from './entities.ts';
import { CONFIGURATION_PAGE, configuration, type Configuration } from './configuration.ts';
import { checkAgentBatch, checkRemoveQueue, checkRemoveSkill } from './config-checks.ts';
import { explain, type Explanation } from './explain.ts';
import {
  firedRules,
  heldUntil,
  moreOf,
  InteractionTable,
  R_ARRIVAL,
  R_ASSIGNED,
  R_BAND,
  R_DECLINED,
  R_ENTERED,
  R_ESCALATE,
  R_LATE,
  R_MAX_WAIT,
  R_PREF_UNTIL,
  R_SIZE,
  requirementsOfIx,
} from './interaction-table.ts';
import { Matcher, anyStaffed, eligibleProfile, isOpen, wantsOffer } from './matching.ts';
import { resolveOptions, type EngineOptions, type EngineOptionsInput } from './options.ts';
import { newQueue, queueSettings } from './queue-settings.ts';
import { Ordering } from './ordering.ts';
import {
  agentLoad,
  agentSummary,
  counts,
  eligibleSignatureStats,
  interactionInfo,
  offered,
  queueStats,
  waitingInteractions,
  type AgentLoad,
  type AgentSummary,
  type EngineCounts,
  type InteractionInfo,
  type QueueStats,
  type WaitingInteraction,
} from './queries.ts';
import { Preferences } from './preferences.ts';
import { dueWaitRules, entryFacts, entryRules, noEligibleRules } from './exceptions.ts';
import { Offers } from './offers.ts';
import { Overload } from './overload.ts';
import { entryUnderHours } from './hours.ts';
import { Reservation } from './reservation.ts';
import { Settling } from './settling.ts';
import { type EnteredBand, Waiting } from './waiting.ts';
import { afterStep, requirementsOf, stepChangesRequirements, type Requirements } from './requirements.ts';
import { RoutingIndex, profileKey } from './routing-index.ts';
import { READABLE_SNAPSHOT_FORMATS, SnapshotMismatchError, type EngineSnapshot } from './snapshot.ts';
import { loadSnapshot, takeSnapshot } from './snapshot-graph.ts';
import { type WebhookRecord, Webhooks } from './webhooks.ts';
import { RepeatContacts } from './repeat-contacts.ts';
import type {
  AgentSpec,
  AgentStateName,
  Command,
  EngineEvent,
  InteractionSpec,
  InteractionStatus,
  OfferEndReason,
  QueueSpec,
  RelaxationStep,
} from './types.ts';
import { TERMINAL_STATUSES } from './types.ts';
import {
  checkAgentStates,
  checkDuration,
  checkId,
  checkInteractionSpec,
  checkNotBefore,
  checkPriority,
  checkQueueSpec,
  checkSkillLevels,
  reject,
} from './validate.ts';

export type { AgentLoad, AgentSummary, EngineCounts, InteractionInfo, QueueStats, WaitingInteraction } from './queries.ts';
export type { AgentVerdict, ChoiceExplanation, Explanation, NotTakingReason } from './explain.ts';
export type { Configuration } from './configuration.ts';

export type ApplyResult =
  | { readonly ok: true; readonly events: EngineEvent[]; readonly duplicate?: boolean; readonly status?: InteractionStatus }
  | { readonly ok: false; readonly code: Rejection['code']; readonly message: string; readonly events: EngineEvent[] };

const EMPTY: readonly never[] = [];

type Outcome = Rejection | { readonly duplicate: true; readonly status?: InteractionStatus } | null;

export class Engine {
  readonly options: EngineOptions;
  private now = 0;
  private events: EngineEvent[] = [];
  /** Events emitted so far (eventSeq). */
  private emitted = 0;

  private readonly queues = new Map<string, Queue>();
  private readonly ixs = new InteractionTable();
  private readonly agents = new AgentTable();
  private readonly index: RoutingIndex;
  private readonly ordering: Ordering;
  private readonly selection: AgentSelection;
  private readonly matcher: Matcher;
  private readonly deadlines: Deadlines;
  private readonly closed: ClosedOffers;
  private readonly prefs: Preferences;
  private readonly waiting: Waiting;
  private readonly reservation: Reservation;
  private readonly overload: Overload;
  private readonly conversations: Conversations;
  private readonly offers: Offers;
  private readonly lists = new LinkedLists();
  private readonly finished: IdWindow<InteractionStatus>;
  private readonly lastAgent: BoundedMap<string, string>;
  private readonly repeats: RepeatContacts;
  /** Where the shell delivers the events, and how far (webhooks.ts). */
  private readonly webhooks: Webhooks;
  /** The same components, for queries, explanations and snapshots. */
  private readonly parts: EngineParts;

  /** Restores I4 after each step: the pending agents and interactions are matched. */
  private readonly settling: Settling;

  constructor(options: EngineOptionsInput = {}) {
    const o = resolveOptions(options);
    this.options = o;
    this.index = new RoutingIndex(o.limits, this.agents.less);
    this.ordering = new Ordering(o, this.ixs);
    this.selection = new AgentSelection(o, this.agents);
    this.reservation = new Reservation(this.queues, (a) => this.settling.pendingAgents.push(a));
    this.matcher = new Matcher(this.ixs, this.agents, this.ordering, this.selection, this.reservation);
    this.deadlines = new Deadlines(this.ixs, this.agents);
    this.closed = new ClosedOffers(o.closedOfferMaxEntries);
    this.prefs = new Preferences(this.ixs, this.agents, this.ordering, o.limits);
    this.waiting = new Waiting(this.ixs, this.index, this.ordering, this.lists, this.prefs);
    this.overload = new Overload(this.queues, this.ixs, this.lists, {
      emit: (e) => this.emit(e),
      pendingIx: (ix) => this.settling.pendingIxs.push(ix),
    });
    this.conversations = new Conversations(this.ixs, {
      emit: (e) => this.emit(e),
      refresh: (a) => {
        this.refresh(a);
        this.settling.pendingAgents.push(a);
      },
    });
    const engine = this;
    this.settling = new Settling(this.ixs, this.agents, this.index, this.ordering, this.matcher, this.prefs, this.reservation, this.waiting, {
      makeOffer: (ix, a, pc) => this.offers.makeOffer(ix, a, pc),
      attach: (o, a) => this.offers.attach(o, a),
      detach: (o) => this.offers.detach(o),
      refile: (ix) => this.offers.refile(ix),
      emit: (e) => this.emit(e),
      get events() {
        return engine.events;
      },
    });
    this.finished = new IdWindow(o.idempotencyMaxEntries, o.idempotencyTtlMs, [...TERMINAL_STATUSES]);
    this.lastAgent = new BoundedMap(o.lastAgentMaxEntries, o.lastAgentTtlMs);
    this.repeats = new RepeatContacts(o.lastContactMaxEntries);
    this.webhooks = new Webhooks(o.limits);
    const offersHost = {
      emit: (e: EngineEvent) => this.emit(e),
      endPreference: (ix: Interaction, emitEvent: boolean, requeue: boolean) => this.endPreference(ix, emitEvent, requeue),
      maxWaitReached: (ix: Interaction) => this.maxWaitReached(ix),
      pendingAgent: (a: Agent) => this.settling.pendingAgents.push(a),
      pendingIx: (ix: Interaction) => this.settling.pendingIxs.push(ix),
      waitExceptions: (ix: Interaction) => ix.queue.exceptions.length > 0 && this.waitExceptions(ix),
      touched: (a: Agent) => this.conversations.touched(a),
    };
    this.offers = new Offers(
      this.ixs,
      this.agents,
      this.index,
      this.selection,
      this.lists,
      this.deadlines,
      this.closed,
      this.waiting,
      this.prefs,
      this.reservation,
      this.lastAgent,
      o.limits,
      offersHost,
    );
    this.parts = {
      options: o,
      queues: this.queues,
      ixs: this.ixs,
      agents: this.agents,
      index: this.index,
      deadlines: this.deadlines,
      closed: this.closed,
      lists: this.lists,
      finished: this.finished,
      lastAgent: this.lastAgent,
      repeats: this.repeats,
      ordering: this.ordering,
      selection: this.selection,
      reservation: this.reservation,
      overload: this.overload,
      conversations: this.conversations,
    };
  }

  // ───────────────────────────── public API ─────────────────────────────

  /** Applies one command at time `now`. Timers due by `now` fire first; their events lead. */
  apply(cmd: Command, now: number): ApplyResult {
    this.events = [];
    this.advance(now);
    const out = this.dispatch(cmd);
    // A refusal changed nothing, so there is nothing to settle; AGENT_AT_CAPACITY left the agent to re-file.
    if (out === null || !('code' in out) || this.settling.busy()) this.settle();
    const events = this.events;
    this.events = [];
    this.emitted += events.length;
    if (out === null) return { ok: true, events };
    if ('code' in out) return { ok: false, code: out.code, message: out.message, events };
    return { ok: true, events, ...out };
  }

  /** Fires every timer due by `now`. */
  tick(now: number): EngineEvent[] {
    this.events = [];
    this.advance(now);
    const events = this.events;
    this.events = [];
    this.emitted += events.length;
    return events;
  }

  /**
   * How many events the engine has emitted since it was created: the sequence number of the last
   * one (the first is 1). A replay of the same calls numbers them the same, and snapshots keep it.
   */
  get eventSeq(): number {
    return this.emitted;
  }

  /** The earliest time a timer falls due, or null. The shell arms one timer for it. */
  nextDeadline(): number | null {
    const t = Math.min(this.deadlines.next(), this.overload.nextDue);
    return t === Number.POSITIVE_INFINITY ? null : t;
  }

  /**
   * The whole state as plain data (see snapshot.ts): a copy, so the engine may go on at once.
   * O(state); taken between calls, never inside one.
   */
  snapshot(): EngineSnapshot {
    if (this.settling.busy()) throw new Error('snapshot inside an engine call');
    return { ...takeSnapshot(this.parts, this.now), eventSeq: this.emitted, lastContact: this.repeats.last.dump(), webhooks: this.webhooks.dump() };
  }

  /** An engine in exactly the state of `snap`, with the snapshot's own options. */
  static restore(snap: EngineSnapshot): Engine {
    const format = snap !== null && typeof snap === 'object' ? snap.format : undefined;
    if (typeof format !== 'number' || !READABLE_SNAPSHOT_FORMATS.includes(format))
      throw new SnapshotMismatchError(`snapshot format ${String(format)}; this build reads ${READABLE_SNAPSHOT_FORMATS.join(', ')}`);
    const e = new Engine(snap.options);
    e.setNow(loadSnapshot(e.parts, snap));
    e.emitted = snap.eventSeq ?? 0;
    e.webhooks.load(snap.webhooks);
    if (snap.lastContact) e.repeats.last.load(snap.lastContact);
    e.repeats.recount(e.queues.values());
    // Idle members and overload counts are derived: counted again from the agents.
    e.reservation.rebuild(e.agents.byId.values(), e.index.profileList, false);
    e.overload.rebuild(e.index.profileList);
    e.overload.rearm(e.now);
    e.conversations.rebuild(e.ixs.byId.values());
    return e;
  }

  counts(): EngineCounts {
    return counts(this.parts);
  }

  queueIds(): string[] {
    return [...this.queues.keys()];
  }

  queueStats(queueId: string, now: number = this.now): QueueStats | null {
    return queueStats(this.parts, queueId, now);
  }

  /** A queue's waiting interactions in routing order, at most `limit` (queries.ts); null for an unknown queue. O(queue depth). */
  waitingInteractions(queueId: string, limit: number, now: number = this.now): { total: number; interactions: WaitingInteraction[] } | null {
    return waitingInteractions(this.parts, queueId, limit, now);
  }

  /** What an offer shows the agent: the interaction's channel, queue, context, and how much of the customer's journey. O(1). */
  offered(interactionId: string): { channel: string; queueId: string; context: unknown; offerJourney: number | null } | null {
    return offered(this.parts, interactionId);
  }

  interaction(interactionId: string, now: number = this.now): InteractionInfo | null {
    return interactionInfo(this.parts, interactionId, now);
  }

  /** Why is this interaction waiting, and why did its agent get it (explain.ts). O(agents). */
  explain(interactionId: string, limit = 100): Explanation | null {
    return explain(this.parts, interactionId, limit, this.now);
  }

  /** Final status of a recently finished interaction (within the idempotency window). */
  finishedStatus(interactionId: string): InteractionStatus | undefined {
    return this.finished.get(interactionId, this.now);
  }

  agentLoad(agentId: string): AgentLoad | null {
    return agentLoad(this.parts, agentId);
  }

  /** Agents by state, how many hold assigned or wrapping work, how many are available with nothing. O(agents): a query. */
  agentSummary(): AgentSummary {
    return agentSummary(this.parts);
  }

  /** The configuration as specs (configuration.ts); null for a malformed cursor. */
  configuration(cursor?: string, limit: number = CONFIGURATION_PAGE): Configuration | null {
    return configuration(this.parts, cursor, limit);
  }

  /** The webhook subscriptions and their cursors (copies). */
  webhookList(): WebhookRecord[] {
    return this.webhooks.dump();
  }

  /** The webhook subscriptions by id, as kept (for reading only: the shell's deliveries look at them every turn). */
  webhookMap(): ReadonlyMap<string, Readonly<WebhookRecord>> {
    return this.webhooks.byId;
  }

  agentIds(): string[] {
    return [...this.agents.byId.keys()];
  }

  interactionIds(): string[] {
    return [...this.ixs.byId.keys()];
  }

  /** Number of signatures a profile's agents look at (g in the cost model), for benchmarks. */
  eligibleSignatureStats(): { meanPerProfile: number; maxPerProfile: number; meanProfilesPerSignature: number } {
    return eligibleSignatureStats(this.parts);
  }

  // ───────────────────────────── dispatch ─────────────────────────────

  private dispatch(cmd: Command): Outcome {
    if (cmd === null || typeof cmd !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'command must be an object');
    switch (cmd.type) {
      case 'DefineSkill':
        return this.defineSkill(cmd.skill);
      case 'UpsertQueue':
        return this.upsertQueue(cmd.queue);
      case 'RemoveQueue':
        return this.removeQueue(cmd.queueId, cmd.moveTo);
      case 'RemoveSkill':
        return this.removeSkill(cmd.skill);
      case 'UpsertAgent':
        return this.upsertAgents([cmd.agent], false);
      case 'UpsertAgents':
        return this.upsertAgents(cmd.agents, true);
      case 'RemoveAgent':
        return this.removeAgent(cmd.agentId);
      case 'SetAgentState':
        return this.setAgentStates(cmd.agentIds, cmd.state, cmd.reason);
      case 'SubmitInteraction':
        return this.submit(cmd.interaction);
      case 'UpdateInteraction':
        return this.update(cmd);
      case 'TransferInteraction':
        return this.transfer(cmd);
      case 'ConvertToCallback':
        return this.convert(cmd);
      case 'CancelInteraction':
        return this.cancel(cmd.interactionId, cmd.reason);
      case 'AcceptOffer':
        return this.offers.accept(cmd.agentId, cmd.offerId);
      case 'RejectOffer':
        return this.offers.rejectOffer(cmd.agentId, cmd.offerId);
      case 'CompleteInteraction':
        return this.complete(cmd.agentId, cmd.interactionId);
      case 'EndWrapUp':
        return this.endWrapUpCommand(cmd.agentId);
      case 'UpsertWebhook':
      case 'RemoveWebhook':
      case 'AckWebhook':
      case 'PauseWebhook':
        return this.webhooks.apply(cmd, this.emitted);
      default:
        return reject(RejectCode.INVALID_ARGUMENT, `unknown command type '${String((cmd as { type?: unknown }).type)}'`);
    }
  }

  private emit(e: EngineEvent): void {
    this.events.push(e);
  }

  // ───────────────────────────── configuration ─────────────────────────────

  private defineSkill(skill: string): Rejection | null {
    const skills = this.index.skills;
    const bad = checkId(skill, 'skill', this.options.limits);
    if (bad) return bad;
    if (skills.has(skill)) return null;
    if (skills.size >= this.options.limits.maxSkills) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${this.options.limits.maxSkills} skills`);
    skills.add(skill);
    this.emit({ type: 'SkillDefined', at: this.now, skill });
    return null;
  }

  private upsertQueue(spec: QueueSpec): Rejection | null {
    const L = this.options.limits;
    const bad = checkQueueSpec(spec, this.queues, L);
    if (bad) return bad;
    let newRules: Queue | null = null;
    let q = this.queues.get(spec.id);
    if (!q && this.queues.size >= L.maxQueues) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxQueues} queues`);
    if (q) {
      const relink = q.membersOnly !== (spec.membersOnly ?? q.membersOnly);
      const fanout = q.offerFanout;
      const reserved = q.reservedIdle;
      const rules = q.exceptions;
      const { reserveWhen, deferrable, hours } = q;
      Object.assign(q, queueSettings(spec, q));
      if (q.hours !== hours) q.hoursUntil = Number.NEGATIVE_INFINITY; // worked out again at the next submission
      // A new rule, deferral or membership rule: the members its estimate counts, counted again.
      if (q.reserveWhen !== reserveWhen || q.deferrable !== deferrable || (relink && q.reserveWhen !== null)) {
        if (q.reserveWhen === null && q.overloaded) this.emit({ type: 'QueueOverloadEnded', at: this.now, queueId: q.id });
        this.overload.rebuild(this.index.profileList);
      }
      if (q.exceptions !== rules) newRules = q;
      // Who is held back for which queue changed: counted again, and every idle agent looks again.
      if (q.reservedIdle !== reserved) this.reservation.rebuild(this.agents.byId.values(), this.index.profileList, true);
      // A new fanout: offered work is offered to more agents, or no more (open offers run their course).
      if (q.offerFanout !== fanout)
        for (let h = q.waiting.head; h >= 0; h = this.lists.following(h)) {
          const ix = this.ixs.bySlot[h]!;
          if (ix.status !== 'offered') continue;
          this.offers.refile(ix);
          this.settling.pendingIxs.push(ix);
        }
      if (relink) {
        // Who may take this queue's work changed: relink its signatures, and let every
        // available agent look again (an open offer to an agent no longer eligible runs its course).
        this.index.relinkQueue(q);
        for (const a of this.agents.byId.values()) if (a.state === 'available') this.settling.pendingAgents.push(a);
      }
    } else {
      q = newQueue(this.index.nextQueueIdx++, spec);
      this.queues.set(spec.id, q);
      if (q.reservedIdle > 0) this.reservation.rebuild(this.agents.byId.values(), this.index.profileList, true);
      if (q.reserveWhen !== null || q.deferrable !== null) this.overload.rebuild(this.index.profileList);
    }
    this.emit({ type: 'QueueUpserted', at: this.now, queueId: spec.id });
    if (newRules !== null) this.newExceptionRules(newRules);
    this.repeats.recount(this.queues.values());
    return null;
  }

  private removeQueue(queueId: string, moveTo: string | undefined): Rejection | null {
    const checked = checkRemoveQueue(this.parts, queueId, moveTo);
    if ('code' in checked) return checked;
    const { queue: q, target } = checked;
    // Every moved interaction's signatures first, so the signature limit refuses before anything moves.
    const moves: [Interaction, Signature[]][] = [];
    for (let h = q.waiting.head; h >= 0; h = this.lists.following(h)) {
      const ix = this.ixs.bySlot[h]!;
      const sigs = this.index.signaturesFor(target!, ix.ch, requirementsOfIx(ix));
      if (sigs === null) {
        for (const [, found] of moves) this.index.unused(found);
        return reject(RejectCode.LIMIT_EXCEEDED, `more than ${this.options.limits.maxSignatures} distinct requirement signatures`);
      }
      moves.push([ix, sigs]);
    }
    for (const [ix, sigs] of moves) {
      q.counters.transferredOut++;
      const band = this.moveToQueue(ix, target!, sigs, 'interaction_transferred');
      this.emit({ type: 'InteractionTransferred', at: this.now, interactionId: ix.id, fromQueue: queueId, toQueue: target!.id });
      this.enteredBand(ix, band);
    }
    this.queues.delete(queueId);
    this.repeats.recount(this.queues.values());
    if (q.reservedIdle > 0) this.reservation.rebuild(this.agents.byId.values(), this.index.profileList, true);
    if (q.reserveWhen !== null || q.deferrable !== null) this.overload.rebuild(this.index.profileList);
    this.index.retireIdle(
      (sig) => sig.queue === q,
      (p) => p.queues.has(queueId),
    );
    this.emit({ type: 'QueueRemoved', at: this.now, queueId });
    return null;
  }

  private removeSkill(skill: string): Rejection | null {
    const bad = checkRemoveSkill(this.parts, skill);
    if (bad) return bad;
    this.index.skills.delete(skill);
    this.index.retireIdle(
      (sig) => sig.skills.some(([s]) => s === skill),
      (p) => p.levels.has(skill),
    );
    this.emit({ type: 'SkillRemoved', at: this.now, skill });
    return null;
  }

  /**
   * UpsertAgent (`batch` false: one spec) and UpsertAgents: every spec, and every limit against
   * the whole batch, is checked before any changes (all or nothing); then the agents are
   * matched as one batch.
   */
  private upsertAgents(specs: readonly AgentSpec[], batch: boolean): Rejection | null {
    const bad = checkAgentBatch(this.parts, specs, batch, DEFAULT_CAPACITY);
    if (bad) return bad;
    // The batch's existing profiles leave the idle list first, so a collection made room for
    // its new ones spares them.
    for (const spec of specs) this.index.pinProfile(profileKey(spec.skills ?? {}, spec.labels ?? {}, spec.capacity ?? DEFAULT_CAPACITY, spec.queues));
    for (const spec of specs) this.putAgent(spec);
    return null;
  }

  /** Creates or reconfigures one agent whose spec and limits were checked. */
  private putAgent(spec: AgentSpec): void {
    const L = this.options.limits;
    const profile = this.index.profileFor(spec.skills ?? {}, spec.labels ?? {}, spec.capacity ?? DEFAULT_CAPACITY, spec.queues)!;
    let a = this.agents.byId.get(spec.id);
    this.index.member(profile, 1);
    if (a) this.index.member(a.profile, -1);
    if (a) {
      this.leaveHeaps(a);
      if (a.state !== 'offline') this.staffed(a.profile, -1);
      a.profile = profile;
      if (a.state !== 'offline') this.staffed(profile, 1);
      this.selection.setKey(a);
      this.refresh(a);
    } else {
      a = {
        slot: this.agents.allocate(),
        id: spec.id,
        profile,
        state: 'offline',
        reason: undefined,
        load: new Int32Array(L.maxChannels),
        units: 0,
        nonInterruptibleUnits: 0,
        offers: [],
        assigned: [],
        wrapping: [],
        wrapUntil: 0,
        idleSince: this.now,
        stateSince: this.now,
        lastOfferAt: 0,
        inHeaps: 0,
        preferred: null,
        idle: false,
        waitingForRoom: null,
      };
      this.agents.add(a);
      this.selection.setKey(a);
    }
    this.emit({ type: 'AgentUpserted', at: this.now, agentId: spec.id });
    this.settling.pendingAgents.push(a);
  }

  private removeAgent(agentId: string): Rejection | null {
    const a = this.agents.byId.get(agentId);
    if (!a) return reject(RejectCode.UNKNOWN_AGENT, `agent '${agentId}' is not defined`);
    if (a.offers.length > 0 || a.assigned.length > 0 || a.wrapping.length > 0)
      return reject(RejectCode.AGENT_BUSY, `agent '${agentId}' has open offers, assignments or wrap-up`);
    this.leaveHeaps(a);
    this.dropPreferred(a, true);
    const left = a.state !== 'offline' && this.staffed(a.profile, -1) === 0;
    this.index.member(a.profile, -1);
    this.agents.remove(a);
    this.emit({ type: 'AgentRemoved', at: this.now, agentId });
    if (left) this.noEligibleLeft(a.profile);
    return null;
  }

  // ───────────────────────────── agents ─────────────────────────────

  private setAgentStates(agentIds: readonly string[], state: string, reason: string | undefined): Rejection | null {
    const bad = checkAgentStates(agentIds, state, reason, this.options.limits);
    if (bad) return bad;
    const list: Agent[] = [];
    for (const id of agentIds) {
      const a = this.agents.byId.get(id);
      if (!a) return reject(RejectCode.UNKNOWN_AGENT, `agent '${String(id)}' is not defined`);
      list.push(a);
    }
    const to = state as 'offline' | 'available' | 'away';
    for (const a of list) this.changeState(a, to, to === 'away' ? (reason ?? 'away') : undefined);
    return null;
  }

  /** Moves an agent to `to`; ends its wrap-up, rescinds its offers when it stops being available. */
  private changeState(a: Agent, to: AgentStateName, reason: string | undefined): void {
    if (a.wrapping.length > 0 && to !== 'wrap_up') this.finishWrapUp(a, false);
    const from = a.state;
    if (from === to && a.reason === reason) return;
    if ((from === 'offline') !== (to === 'offline')) this.staffed(a.profile, to === 'offline' ? -1 : 1);
    a.state = to;
    a.reason = reason;
    a.stateSince = this.now;
    this.emit(
      reason === undefined
        ? { type: 'AgentStateChanged', at: this.now, agentId: a.id, from, to }
        : { type: 'AgentStateChanged', at: this.now, agentId: a.id, from, to, reason },
    );
    if (to !== 'available') {
      for (const o of a.offers.slice()) if (o.expiresAt !== null) this.offers.closeOffer(o, 'rescinded', 'agent_unavailable');
      if (to === 'offline') this.dropPreferred(a, false);
    } else {
      a.idleSince = this.now;
      this.selection.setKey(a);
      this.settling.pendingAgents.push(a);
    }
    this.refresh(a);
    if (to === 'offline' && from !== 'offline' && a.profile.staffed === 0) this.noEligibleLeft(a.profile);
  }

  private endWrapUpCommand(agentId: string): Rejection | null {
    const a = this.agents.byId.get(agentId);
    if (!a) return reject(RejectCode.UNKNOWN_AGENT, `agent '${agentId}' is not defined`);
    if (a.wrapping.length === 0) return reject(RejectCode.INVALID_STATE, `agent '${agentId}' is not wrapping up`);
    this.finishWrapUp(a);
    return null;
  }

  /** Completes the agent's wrapping interactions; `resume` returns a wrap_up agent to available. */
  private finishWrapUp(a: Agent, resume = true): void {
    const list = a.wrapping;
    a.wrapping = [];
    this.deadlines.agentTimers.remove(a.slot);
    for (const ix of list) {
      this.emit({
        type: 'InteractionCompleted',
        at: this.now,
        interactionId: ix.id,
        agentId: a.id,
        queueId: ix.queue.id,
        handleMs: this.now - this.ixs.rec[ix.slot * R_SIZE + R_ASSIGNED],
        seq: 0,
      });
      ix.queue.counters.completed++;
      this.finish(ix, 'completed');
    }
    if (resume && a.state === 'wrap_up') this.changeState(a, 'available', undefined);
  }

  /**
   * The agent leaves the preference windows that name it (it logged out or is removed); work
   * that requires it by name keeps waiting for it unless it is removed. A window left with
   * nobody ends.
   */
  private dropPreferred(a: Agent, removed: boolean): void {
    for (const ix of this.prefs.leave(a, removed)) this.endPreference(ix, false);
  }

  // ───────────────────────────── interactions ─────────────────────────────

  private submit(spec: InteractionSpec): Rejection | { duplicate: true; status: InteractionStatus } | null {
    const L = this.options.limits;
    const index = this.index;
    if (spec === null || typeof spec !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'interaction must be an object');
    const idBad = checkId(spec.id, 'interaction id', L);
    if (idBad) return idBad;
    // I6: an idempotency id never creates two interactions.
    const live = this.ixs.byId.get(spec.id);
    if (live) return { duplicate: true, status: live.status };
    const done = this.finished.get(spec.id, this.now);
    if (done) return { duplicate: true, status: done };
    const bad = checkInteractionSpec(spec, index.skills, this.agents.byId, this.queues, L) ?? checkNotBefore(spec.notBefore, this.now);
    if (bad) return bad;
    const asked = this.queues.get(spec.queue);
    if (!asked) return reject(RejectCode.UNKNOWN_QUEUE, `queue '${spec.queue}' is not defined`);
    if (this.ixs.byId.size >= L.maxInteractions) return reject(RejectCode.CAPACITY_EXHAUSTED, `the engine holds ${L.maxInteractions} interactions, its limit`);
    // Hours of operation: a closed queue refuses, holds until it opens, or overflows.
    const entry = asked.hours === null ? null : entryUnderHours(asked, this.queues, this.now);
    if (asked.hours !== null && entry === null) return reject(RejectCode.QUEUE_CLOSED, `queue '${asked.id}' is closed`);
    const q = entry === null ? asked : entry.queue;
    const required = spec.requiredAgents === undefined ? null : this.prefs.required(spec.requiredAgents);
    if (required !== null && 'code' in required) return required;
    const ch = index.channelIndex(spec.channel, false);
    if (ch < 0 && index.channelNames.length >= L.maxChannels) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxChannels} channels`);
    const chIdx = ch < 0 ? index.channelIndex(spec.channel, true) : ch;
    // Written requirements are kept only for alternatives and relaxation steps; most work has
    // neither and finds its one signature without the intermediate objects.
    const keep = (spec.alternatives !== undefined && spec.alternatives.length > 0) || (spec.relaxation !== undefined && spec.relaxation.length > 0);
    const req = keep ? requirementsOf(spec) : null;
    const sigs = req !== null ? index.signaturesFor(q, chIdx, req) : index.signatureOfSpec(q, chIdx, spec);
    if (!sigs) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxSignatures} distinct requirement signatures`);
    // Exception rules read on submission; a refusal creates nothing.
    const fires = q.exceptions.length === 0 ? (EMPTY as readonly number[]) : entryRules(q, () => entryFacts(q, Array.isArray(sigs) ? sigs : [sigs]));
    const last = fires.length === 0 ? null : q.exceptions[fires[fires.length - 1]];
    if (last !== null && last.action.type === 'refuse') {
      index.unused(Array.isArray(sigs) ? sigs : [sigs]);
      return reject(RejectCode.QUEUE_REFUSED, `queue '${q.id}' refuses new work (exception rule ${fires[fires.length - 1]}: ${last.trigger.type})`);
    }

    // A repeat contact (the customer's last contact within the queue's window) comes in with more priority.
    const repeatOf = this.repeats.active ? this.repeats.repeatOf(q, spec.customerId, this.now) : undefined;
    const ix = this.ixs.create(repeatOf === undefined ? spec : this.repeats.boosted(q, spec), q, chIdx, req, Array.isArray(sigs) ? sigs[0] : sigs, this.now);
    this.repeats.contacted(spec.customerId, spec.id, this.now);
    this.waiting.setSignatures(ix, sigs, false);
    const band = this.waiting.enter(ix, q, this.now);
    q.counters.arrived++;
    // Scheduled work is held out of routing until notBefore; its queue wait, window and
    // requirement by name count from then.
    const hold = Math.max(spec.notBefore !== undefined && spec.notBefore > this.now ? spec.notBefore : 0, entry?.holdUntil ?? 0);
    if (hold !== 0) this.waiting.hold(ix, hold);
    const queued = { type: 'InteractionQueued', at: this.now, interactionId: ix.id, queueId: q.id, channel: ix.channel, seq: 0 } as const;
    this.emit(hold === 0 && repeatOf === undefined ? queued : { ...queued, ...(hold === 0 ? {} : { notBefore: hold }), ...(repeatOf ? { repeatOf } : {}) });
    this.enteredBand(ix, band);

    // Required agents alone may take it (for a time or for ever); else preferred agents
    // (explicit, then the customer's last agent) get it first for a window.
    const from = hold === 0 ? this.now : hold;
    const preferred =
      required !== null || q.preferredWindowMs === 0
        ? EMPTY
        : this.prefs.preferredFor(ix, spec.preferredAgents ?? EMPTY, ix.customerId === undefined ? undefined : this.lastAgent.get(ix.customerId, this.now));
    if (required !== null) this.requireAgents(ix, required, spec.requiredForMs, from);
    else if (preferred.length > 0) this.prefs.attach(ix, preferred as Agent[], from + q.preferredWindowMs, false);
    else if (hold === 0) this.waiting.push(ix);
    this.deadlines.arm(ix);
    this.settling.pendingIxs.push(ix);
    for (const i of fires) if (this.ixs.alive(ix) && ix.queue === q) this.fireException(ix, i);
    return null;
  }

  /**
   * Exception rule `i` of the interaction's queue fired: it is marked (once per stay in the
   * queue), reported, and its action taken. An overflow whose signatures would pass the limit
   * leaves it where it is.
   */
  private fireException(ix: Interaction, i: number): void {
    const q = ix.queue;
    const { trigger, action } = q.exceptions[i];
    moreOf(ix).fired |= 1 << i;
    this.emit({ type: 'ExceptionTriggered', at: this.now, interactionId: ix.id, queueId: q.id, rule: i, trigger: trigger.type, action: action.type });
    if (action.type === 'setPriority') {
      if (action.priority === ix.priority) return;
      ix.priority = action.priority;
      this.waiting.rekey(ix, this.ixs.rec[ix.slot * R_SIZE + R_BAND], null);
    } else if (action.type === 'overflow') {
      const target = this.queues.get(action.queue);
      const sigs = target ? this.index.signaturesFor(target, ix.ch, requirementsOfIx(ix)) : null;
      if (!target || !sigs) return;
      this.overflow(ix, q, target, sigs);
    } else if (action.type === 'cancel') this.cancel(ix.id, 'cancelled', action.reason ?? 'exception');
  }

  /**
   * A queue's exception rules were replaced: its waiting work starts over with the new list (no
   * rule counts as fired), and waitMs rules already due fire now.
   */
  private newExceptionRules(q: Queue): void {
    const waiting: Interaction[] = [];
    for (let h = q.waiting.head; h >= 0; h = this.lists.following(h)) waiting.push(this.ixs.bySlot[h]!);
    for (const ix of waiting) {
      if (ix.more !== null) ix.more.fired = 0;
      if (ix.status === 'queued' && q.exceptions.length > 0 && this.waitExceptions(ix)) continue;
      this.deadlines.arm(ix);
    }
  }

  /** Its queue's waitMs rules due now, in order; true when one moved or ended it. */
  private waitExceptions(ix: Interaction): boolean {
    const q = ix.queue;
    for (const i of dueWaitRules(q, firedRules(ix), this.ixs.rec[ix.slot * R_SIZE + R_ENTERED], this.now)) {
      this.fireException(ix, i);
      if (!this.ixs.alive(ix) || ix.queue !== q) return true;
    }
    return false;
  }

  /**
   * The last logged-in agent of profile `p` logged out or left: waiting work it could take that
   * nobody logged in can take now fires its queue's noEligibleAgents rules.
   */
  private noEligibleLeft(p: Profile): void {
    for (const q of this.queues.values()) {
      const rules = q.exceptions.length === 0 ? EMPTY : noEligibleRules(q);
      if (rules.length === 0) continue;
      const hit: Interaction[] = [];
      for (let h = q.waiting.head; h >= 0; h = this.lists.following(h)) {
        const ix = this.ixs.bySlot[h]!;
        if (ix.status === 'queued' && eligibleProfile(ix, p) && !anyStaffed(ix)) hit.push(ix);
      }
      for (const ix of hit)
        for (const i of rules)
          if ((firedRules(ix) & (1 << i)) === 0 && this.ixs.alive(ix) && ix.queue === q && ix.status === 'queued') this.fireException(ix, i);
    }
  }

  /** Only `agents` may take the interaction, for `forMs` (undefined: for ever); it leaves the heaps meanwhile. */
  private requireAgents(ix: Interaction, agents: Agent[], forMs: number | undefined, from = this.now): void {
    this.waiting.pull(ix);
    this.prefs.attach(ix, agents, forMs === undefined ? Number.POSITIVE_INFINITY : from + forMs, true);
    this.deadlines.arm(ix);
  }

  /** Ends an interaction's preference window; it joins its signature heap at its own key. */
  private endPreference(ix: Interaction, emitEvent: boolean, requeue = true): void {
    if (!this.prefs.detach(ix)) return;
    if (emitEvent) this.emit({ type: 'PreferenceWindowEnded', at: this.now, interactionId: ix.id });
    if (requeue && wantsOffer(ix)) {
      this.offers.refile(ix);
      this.settling.pendingIxs.push(ix);
    }
  }

  private update(cmd: Extract<Command, { type: 'UpdateInteraction' }>): Outcome {
    const { interactionId: id, priority, context, active } = cmd;
    const hasContext = 'context' in cmd;
    const ix = this.ixs.byId.get(id);
    if (!ix) return this.unknownInteraction(id);
    if (active !== undefined) {
      if (typeof active !== 'boolean') return reject(RejectCode.INVALID_ARGUMENT, 'active must be a boolean');
      if (priority !== undefined || hasContext) return reject(RejectCode.INVALID_ARGUMENT, 'active is not combined with priority or context');
      return this.conversations.setActive(ix, active, this.now);
    }
    if (priority !== undefined) {
      const bad = checkPriority(priority);
      if (bad) return bad;
    }
    if (priority === undefined && !hasContext) return reject(RejectCode.INVALID_ARGUMENT, 'nothing to update');
    if (hasContext) ix.context = context;
    if (priority !== undefined && priority !== ix.priority) {
      ix.priority = priority;
      this.waiting.rekey(ix, this.ixs.rec[ix.slot * R_SIZE + R_BAND], null);
    }
    this.emit({ type: 'InteractionUpdated', at: this.now, interactionId: id });
    return null;
  }

  private unknownInteraction(id: string): Rejection {
    const done = this.finished.get(id, this.now);
    return done
      ? reject(RejectCode.INTERACTION_FINISHED, `interaction '${id}' already ended (${done})`)
      : reject(RejectCode.UNKNOWN_INTERACTION, `interaction '${id}' is not known`);
  }

  private transfer(cmd: Extract<Command, { type: 'TransferInteraction' }>): Outcome {
    const { interactionId: id, queue: queueId, skills, transferId } = cmd;
    const L = this.options.limits;
    const ix = this.ixs.byId.get(id);
    if (!ix) return this.unknownInteraction(id);
    if (transferId !== undefined) {
      const badId = checkId(transferId, 'transfer id', L);
      if (badId) return badId;
      if (ix.more !== null && transferId === ix.more.transferId) return REPEATED;
    }
    if (ix.status === 'wrap_up') return reject(RejectCode.INVALID_STATE, `interaction '${id}' is in wrap-up`);
    const bad =
      checkId(queueId, 'queue', L) ??
      checkSkillLevels(skills, 'skills', L.maxRequirementsPerInteraction, this.index.skills, L) ??
      (cmd.agentId === undefined ? null : checkId(cmd.agentId, 'agentId', L)) ??
      (cmd.requiredForMs === undefined
        ? null
        : cmd.agentId === undefined
          ? reject(RejectCode.INVALID_ARGUMENT, 'requiredForMs needs agentId')
          : checkDuration(cmd.requiredForMs, 'requiredForMs'));
    if (bad) return bad;
    const q = this.queues.get(queueId);
    if (!q) return reject(RejectCode.UNKNOWN_QUEUE, `queue '${queueId}' is not defined`);
    const target = cmd.agentId === undefined ? null : this.prefs.required([cmd.agentId]);
    if (target !== null && 'code' in target) return target;
    // New skills replace the requirements (labels and selectors stay; alternatives go).
    const current = requirementsOfIx(ix);
    const req: Requirements = skills === undefined ? current : requirementsOf({ skills, labels: current.labels, selectors: current.selectors });
    const sigs = this.index.signaturesFor(q, ix.ch, req);
    if (!sigs) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxSignatures} distinct requirement signatures`);
    const from = ix.queue;
    from.counters.transferredOut++;
    const releasedAgent = ix.status === 'assigned' ? ix.agent!.id : undefined;
    if (skills !== undefined) {
      ix.req = null; // no alternatives and no steps left: the signature says it
      ix.relaxation = null;
    }
    const band = this.moveToQueue(ix, q, sigs, 'interaction_transferred');
    if (target !== null) this.requireAgents(ix, target, cmd.requiredForMs);
    if (transferId !== undefined) moreOf(ix).transferId = transferId;
    this.emit(
      releasedAgent === undefined
        ? { type: 'InteractionTransferred', at: this.now, interactionId: id, fromQueue: from.id, toQueue: q.id }
        : { type: 'InteractionTransferred', at: this.now, interactionId: id, fromQueue: from.id, toQueue: q.id, releasedAgentId: releasedAgent },
    );
    this.enteredBand(ix, band);
    return null;
  }

  /** Its hold ended: it is routed from now on, at its place in line. */
  private release(ix: Interaction): void {
    moreOf(ix).heldUntil = 0;
    this.emit({ type: 'InteractionReleased', at: this.now, interactionId: ix.id });
    if (ix.preferred === null && ix.status === 'queued') this.waiting.push(ix);
    this.settling.pendingIxs.push(ix);
  }

  /**
   * ConvertToCallback: a queued or offered interaction (its offers withdrawn, `converted`) moves
   * to `channel`, keeping its arrival, queue, requirements and place in line, and is held until
   * `notBefore` when that is ahead. The same conversion again changes nothing.
   */
  private convert(cmd: Extract<Command, { type: 'ConvertToCallback' }>): Outcome {
    const L = this.options.limits;
    const ix = this.ixs.byId.get(cmd.interactionId);
    if (!ix) return this.unknownInteraction(cmd.interactionId);
    const bad = (cmd.channel === undefined ? null : checkId(cmd.channel, 'channel', L)) ?? checkNotBefore(cmd.notBefore, this.now);
    if (bad) return bad;
    const hold = cmd.notBefore !== undefined && cmd.notBefore > this.now ? cmd.notBefore : 0;
    const channel = cmd.channel ?? ix.channel;
    // Already so (a retry, whatever happened since): nothing changes.
    if (channel === ix.channel && hold === heldUntil(ix)) return REPEATED;
    if (ix.status !== 'queued' && ix.status !== 'offered') return reject(RejectCode.INVALID_STATE, `interaction '${ix.id}' is ${ix.status}`);
    let sigs: Signature[] | null = null;
    let ch = ix.ch;
    if (channel !== ix.channel) {
      const known = this.index.channelIndex(channel, false);
      if (known < 0 && this.index.channelNames.length >= L.maxChannels) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxChannels} channels`);
      ch = known < 0 ? this.index.channelIndex(channel, true) : known;
      sigs = this.index.signaturesFor(ix.queue, ch, requirementsOfIx(ix));
      if (sigs === null) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxSignatures} distinct requirement signatures`);
    }
    if (ix.status === 'offered') this.offers.closeOffers(ix, 'converted');
    this.waiting.pull(ix);
    if (sigs !== null) {
      ix.channel = channel;
      ix.ch = ch;
      this.waiting.setSignatures(ix, sigs);
    }
    if (hold !== 0) this.waiting.hold(ix, hold);
    else if (heldUntil(ix) !== 0) this.waiting.lift(ix, this.now); // its hold lifted: it enters the queue now
    this.emit({ type: 'InteractionConverted', at: this.now, interactionId: ix.id, channel, notBefore: hold === 0 ? null : hold });
    if (ix.preferred === null && wantsOffer(ix)) this.waiting.push(ix);
    this.deadlines.arm(ix);
    // Offered, it was out of reach of its queue's waitMs rules; queued again, those due apply now.
    if (ix.status === 'queued' && heldUntil(ix) === 0 && ix.queue.exceptions.length > 0 && this.waitExceptions(ix)) return null;
    this.settling.pendingIxs.push(ix);
    return null;
  }

  /** Transfer and overflow: leave the current stage, enter `q` keeping the original arrival (and a band: see enteredBand). */
  private moveToQueue(ix: Interaction, q: Queue, sigs: Signature[], reason: OfferEndReason): EnteredBand {
    if (ix.status === 'offered') this.offers.closeOffers(ix, reason);
    else if (ix.status === 'assigned') this.releaseAssignment(ix);
    this.endPreference(ix, false, false);
    this.waiting.pull(ix);
    this.lists.remove(ix.queue.waiting, ix.slot);
    ix.status = 'queued';
    ix.rejectedBy = null;
    if (ix.more !== null) ix.more.fired = 0; // the new queue's exception rules
    this.ixs.rec[ix.slot * R_SIZE + R_DECLINED] = 0;
    this.waiting.setSignatures(ix, sigs);
    const band = this.waiting.enter(ix, q, this.now);
    if (heldUntil(ix) === 0) this.waiting.push(ix);
    this.deadlines.arm(ix);
    this.settling.pendingIxs.push(ix);
    return band;
  }

  /** Overflow (an exception rule's, or past max wait): `ix` leaves `from` for `target`, keeping its arrival. */
  private overflow(ix: Interaction, from: Queue, target: Queue, sigs: Signature[]): void {
    from.counters.overflowed++;
    const band = this.moveToQueue(ix, target, sigs, 'interaction_transferred');
    this.emit({ type: 'InteractionOverflowed', at: this.now, interactionId: ix.id, fromQueue: from.id, toQueue: target.id });
    this.enteredBand(ix, band);
  }

  /** A band entered with a move or a submission is said as its timer would say it, after the move's event. */
  private enteredBand(ix: Interaction, band: EnteredBand): void {
    if (band !== null) this.emit({ type: 'InteractionReclassified', at: this.now, interactionId: ix.id, band });
  }

  private releaseAssignment(ix: Interaction): void {
    const a = ix.agent!;
    removeFrom(a.assigned, ix);
    if (this.conversations.release(ix)) addLoad(a, ix.offer!.pc, -1);
    this.index.member(ix.offer!.pc.profile, -1);
    ix.agent = null;
    ix.offer = null;
    this.selection.setKey(a);
    this.refresh(a);
    this.settling.pendingAgents.push(a);
  }

  private cancel(id: string, reason: 'cancelled' | 'abandoned', exceptionReason?: string): Outcome {
    if (reason !== 'cancelled' && reason !== 'abandoned') return reject(RejectCode.INVALID_ARGUMENT, 'reason must be cancelled or abandoned');
    const ix = this.ixs.byId.get(id);
    // A repeated cancel of what it already ended changes nothing (within the idempotency window).
    if (!ix) return this.finished.get(id, this.now) === reason ? REPEATED : this.unknownInteraction(id);
    if (ix.status === 'wrap_up') return reject(RejectCode.INVALID_STATE, `interaction '${id}' is already in wrap-up`);
    const stage = ix.status as 'queued' | 'offered' | 'assigned';
    const agentId = ix.agent?.id ?? ix.offer?.agent.id;
    if (stage === 'offered') this.offers.closeOffers(ix, 'interaction_cancelled');
    else if (stage === 'assigned') this.releaseAssignment(ix);
    const type = reason === 'cancelled' ? 'InteractionCancelled' : 'InteractionAbandoned';
    this.emit({
      type,
      at: this.now,
      interactionId: id,
      queueId: ix.queue.id,
      stage,
      ...(agentId === undefined ? {} : { agentId }),
      ...(exceptionReason === undefined ? {} : { reason: exceptionReason }),
    });
    if (stage !== 'assigned') ix.queue.counters[reason]++;
    else if (reason === 'cancelled') ix.queue.counters.cancelled++;
    this.finish(ix, reason);
    return null;
  }

  /** Removes a finished interaction from every structure and remembers its id. */
  private finish(ix: Interaction, status: InteractionStatus): void {
    if (ix.status === 'queued' || ix.status === 'offered') {
      // Assignment already took it out of all of these.
      this.endPreference(ix, false, false);
      this.waiting.pull(ix);
      this.lists.remove(ix.queue.waiting, ix.slot);
      this.deadlines.dropInteraction(ix.slot);
    }
    ix.status = status;
    ix.offer = null;
    ix.open = null;
    ix.agent = null;
    ix.rejectedBy = null;
    this.waiting.releaseSignatures(ix);
    this.ixs.release(ix);
    this.finished.set(ix.id, status, this.now);
  }

  /** An agent of `p` logged in (1) or out (-1): the profile's count, and the overload estimates that read it. */
  private staffed(p: Profile, d: 1 | -1): number {
    p.staffed += d;
    this.overload.staffedChanged(p, d);
    return p.staffed;
  }

  /** Settles, then reads the queues' overload measures; a change of overload state settles again. */
  private settle(): void {
    this.settleOnce();
    for (let i = 0; i < 4 && this.overload.tracked.length > 0 && this.overload.evaluate(this.now); i++) this.settleOnce();
  }

  /**
   * Matches what is pending. A conversation waiting for its agent's room takes it when it frees
   * (matching itself may free it: a multi-offer taken elsewhere); the agent is offered nothing
   * meanwhile (it is in no heap), so matching again after each hand-over is enough.
   */
  private settleOnce(): void {
    do this.settling.settle(this.now);
    while (this.conversations.fill(this.now));
  }

  /** Re-files the agent in its heaps after a state, load or key change; its idle flag follows. */
  private refresh(a: Agent): void {
    this.offers.refresh(a);
  }

  /** Takes the agent out of every heap and idle count (before its profile changes or it is removed). */
  private leaveHeaps(a: Agent): void {
    this.reservation.leave(a);
    leaveHeaps(a);
  }

  // ───────────────────────────── completion ─────────────────────────────

  private complete(agentId: string, id: string): Outcome {
    const a = this.agents.byId.get(agentId);
    if (!a) return reject(RejectCode.UNKNOWN_AGENT, `agent '${agentId}' is not defined`);
    const ix = this.ixs.byId.get(id);
    // A repeated complete: the interaction is in this agent's wrap-up, or ended completed.
    if (!ix) return this.finished.get(id, this.now) === 'completed' ? REPEATED : this.unknownInteraction(id);
    if (ix.status === 'wrap_up' && ix.agent === a) return REPEATED;
    if (ix.status !== 'assigned' || ix.agent !== a)
      return reject(RejectCode.NOT_ASSIGNED_TO_AGENT, `interaction '${id}' is not assigned to agent '${agentId}'`);
    const q = ix.queue;
    const assignedAt = this.ixs.rec[ix.slot * R_SIZE + R_ASSIGNED];
    q.counters.handleMsTotal += this.now - assignedAt;
    q.counters.handled++;
    removeFrom(a.assigned, ix);
    // Release what the offer reserved (an inactive conversation holds nothing): the profile may have changed since.
    if (this.conversations.release(ix)) addLoad(a, ix.offer!.pc, -1);
    this.index.member(ix.offer!.pc.profile, -1);
    const manual = q.wrapUpMode === 'manual';
    if (q.wrapUpMs > 0 || manual) {
      ix.status = 'wrap_up';
      a.wrapping.push(ix);
      // Manual wrap-up without a ceiling lasts until EndWrapUp: no timer.
      const until = manual && q.wrapUpMs === 0 ? Number.POSITIVE_INFINITY : this.now + q.wrapUpMs;
      a.wrapUntil = Math.max(a.wrapping.length > 1 ? a.wrapUntil : 0, until);
      this.emit({ type: 'InteractionWrapUpStarted', at: this.now, interactionId: id, agentId, until: Number.isFinite(a.wrapUntil) ? a.wrapUntil : null });
      if (Number.isFinite(a.wrapUntil)) this.deadlines.armWrapUp(a.slot, a.wrapUntil);
      else this.deadlines.agentTimers.remove(a.slot);
      if (a.state === 'available') this.changeState(a, 'wrap_up', undefined);
    } else {
      this.emit({ type: 'InteractionCompleted', at: this.now, interactionId: id, agentId, queueId: q.id, handleMs: this.now - assignedAt, seq: 0 });
      q.counters.completed++;
      this.finish(ix, 'completed');
    }
    this.selection.setKey(a);
    this.refresh(a);
    this.settling.pendingAgents.push(a);
    return null;
  }

  // ───────────────────────────── timers ─────────────────────────────

  /**
   * Fires every due timer in due-time order, settling after each, with the clock at each one's
   * due time (what it does, and its events, happen when it was due, however late the call
   * comes); then the clock moves to `now`.
   */
  private advance(now: number): void {
    if (!(now >= this.now)) {
      if (!Number.isFinite(now)) throw new Error(`clock must be a finite number, got ${now}`);
      // A clock step backwards is held at the last time seen: keys and timers stay monotone.
      now = this.now;
    }
    const d = this.deadlines;
    for (;;) {
      const ti = d.ixHead();
      const to = d.offerHead();
      const tg = d.agentHead();
      const tq = this.overload.nextDue;
      if (ti > now && to > now && tg > now && tq > now) break;
      const due = Math.min(ti, to, tg, tq);
      if (due > this.now) this.setNow(due);
      if (tq === due && ti > due && to > due && tg > due) {
        this.settle(); // an oldest wait reached its overload threshold
        continue;
      }
      // Earliest first; ties: wrap-ups, then interaction timers, then offers (a window or a
      // relaxation due at the instant an offer runs out has taken effect when the offer's
      // agent and interaction look again).
      if (tg <= to && tg <= ti) {
        const a = this.agents.bySlot[d.agentTimers.pop()]!;
        if (a.wrapping.length > 0) this.finishWrapUp(a);
      } else if (ti <= to) {
        this.fireInteraction(this.ixs.bySlot[d.ixTimers.pop()]!);
      } else {
        this.fireOffer(this.ixs.bySlot[d.offerTimers.pop()]!);
      }
      this.settle();
    }
    this.setNow(now);
  }

  /** Moves the clock, the offers' copy of it too. */
  private setNow(t: number): void {
    this.now = t;
    this.offers.now = t;
  }

  /** An offer ran out: the interaction goes back at its place; the agent may be set away. */
  private fireOffer(ix: Interaction): void {
    if (ix.open === null) {
      this.offerRanOut(ix.offer!);
      return;
    }
    // Multi-offer: every open offer of it that has run out, earliest made first.
    for (const o of [ix.offer!, ...ix.open]) if (o.expiresAt !== null && o.expiresAt <= this.now && isOpen(o)) this.offerRanOut(o);
  }

  private offerRanOut(o: Offer): void {
    const a = o.agent;
    this.offers.closeOffer(o, 'timed_out');
    if (o.ix.queue.noAnswerAway && a.state === 'available') this.changeState(a, 'away', 'no_answer');
  }

  private fireInteraction(ix: Interaction): void {
    const now = this.now;
    const rec = this.ixs.rec;
    const r = ix.slot * R_SIZE;
    if (ix.more !== null && ix.more.heldUntil !== 0 && ix.more.heldUntil <= now) this.release(ix);
    if (rec[r + R_PREF_UNTIL] <= now) this.endPreference(ix, true);
    // A step asking to be skipped when nobody logged in could take it lets the next apply now.
    let skip = false;
    while (ix.relaxation !== null && ix.relaxStep < ix.relaxation.length && (skip || rec[r + R_ARRIVAL] + ix.relaxation[ix.relaxStep].afterMs <= now)) {
      const step = ix.relaxation[ix.relaxStep];
      ix.relaxStep++;
      // Signature limit reached: the current requirements stay, and the next step waits its time.
      skip = this.relax(ix, step) && step.skipIfNoneLoggedIn === true && !anyStaffed(ix);
    }
    const band = rec[r + R_BAND];
    if (band !== BAND_ESCALATED && rec[r + R_ESCALATE] <= now) {
      this.waiting.rekey(ix, BAND_ESCALATED, null);
      this.emit({ type: 'InteractionReclassified', at: now, interactionId: ix.id, band: 'escalated' });
    } else if (band === BAND_NORMAL && rec[r + R_LATE] <= now) {
      this.waiting.rekey(ix, BAND_LATE, null);
      this.emit({ type: 'InteractionReclassified', at: now, interactionId: ix.id, band: 'late' });
    }
    if (ix.status === 'queued' && ix.queue.exceptions.length > 0 && this.waitExceptions(ix)) return;
    if (rec[r + R_MAX_WAIT] <= now && ix.status === 'queued') {
      this.maxWaitReached(ix);
      return;
    }
    this.deadlines.arm(ix);
  }

  /**
   * Applies one relaxation step: the fields it names replace the interaction's (requirements,
   * queue keeping the arrival, priority); an open offer or preference window runs its course.
   * False when the new signatures would pass the limit (nothing changes).
   */
  private relax(ix: Interaction, step: RelaxationStep): boolean {
    const from = ix.queue;
    const q = step.queue === undefined ? from : (this.queues.get(step.queue) ?? from);
    const current = requirementsOfIx(ix);
    const req = stepChangesRequirements(step) ? afterStep(current, step) : current;
    const sigs = req !== current || q !== from ? this.index.signaturesFor(q, ix.ch, req) : null;
    if (sigs === null && (req !== current || q !== from)) return false;
    ix.req = req;
    if (step.priority !== undefined) ix.priority = step.priority;
    let entered: EnteredBand = null;
    if (q !== from) {
      from.counters.overflowed++;
      entered = this.changeQueue(ix, q, sigs!);
    } else this.waiting.rekey(ix, this.ixs.rec[ix.slot * R_SIZE + R_BAND], sigs);
    this.emit(
      q === from
        ? { type: 'InteractionRelaxed', at: this.now, interactionId: ix.id, step: ix.relaxStep }
        : { type: 'InteractionRelaxed', at: this.now, interactionId: ix.id, step: ix.relaxStep, fromQueue: from.id, toQueue: q.id },
    );
    this.enteredBand(ix, entered);
    if (wantsOffer(ix)) this.settling.pendingIxs.push(ix);
    return true;
  }

  /** Moves a queued or offered interaction into `q` keeping its arrival, its offer and its decliners. */
  private changeQueue(ix: Interaction, q: Queue, sigs: Signature[]): EnteredBand {
    const offered = ix.status === 'offered';
    this.waiting.pull(ix);
    this.lists.remove(ix.queue.waiting, ix.slot);
    if (offered) ix.queue.offered--;
    this.waiting.setSignatures(ix, sigs);
    const band = this.waiting.enter(ix, q, this.now);
    if (ix.more !== null) ix.more.fired = 0; // the new queue's exception rules
    if (offered) {
      q.offered++;
      this.offers.refile(ix); // multi-offer: by the new queue's fanout
    } else if (ix.preferred === null && heldUntil(ix) === 0) this.waiting.push(ix);
    return band;
  }

  /** Max wait in queue: overflow to the queue's target, or expire. An open offer runs its course. */
  private maxWaitReached(ix: Interaction): void {
    const q = ix.queue;
    const target = q.overflowQueue === null ? undefined : this.queues.get(q.overflowQueue);
    const sigs = target ? this.index.signaturesFor(target, ix.ch, requirementsOfIx(ix)) : null;
    if (target && sigs) return this.overflow(ix, q, target, sigs);
    q.counters.expired++;
    this.emit({ type: 'InteractionExpired', at: this.now, interactionId: ix.id, queueId: q.id });
    this.finish(ix, 'expired');
  }
}
