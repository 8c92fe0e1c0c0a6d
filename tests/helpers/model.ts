/**
 * A simple reference model of the engine's observable state, built only from the commands sent
 * and the events received, and the invariant checks of docs/engine.md (Invariants) over it. It knows
 * nothing of signatures, profiles or heaps: eligibility (membership, skills, labels, selectors)
 * and agent-side queue levels are computed here from the specs alone.
 */
import type { AgentSpec, Command, EngineEvent, InteractionSpec, LabelValue, Selector, SkillLevels } from '../../src/index.ts';

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
  skills: SkillLevels;
  agent: string | null;
  offerId: string | null;
  rejectedBy: Set<string>;
  arrival: number;
  /** When it entered its current queue (arrival, or its last transfer or overflow). */
  entered: number;
}

export interface ModelOffer {
  ix: string;
  agent: string;
  channel: string;
  cost: number;
  interruptible: boolean;
  assigned: boolean;
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

  constructor(readonly queues: Record<string, { preferredWindowMs: number }>) {}

  private fail(msg: string): void {
    this.violations.push(msg);
  }

  /** Folds one accepted command and its events into the model, checking transitions. */
  observe(cmd: Command, events: readonly EngineEvent[], ok: boolean, duplicate: boolean): void {
    if (ok && cmd.type === 'UpsertQueue' && cmd.queue.membersOnly !== undefined) {
      if (cmd.queue.membersOnly) this.membersOnly.add(cmd.queue.id);
      else this.membersOnly.delete(cmd.queue.id);
    }
    if (ok && cmd.type === 'UpsertAgent') {
      const prev = this.agents.get(cmd.agent.id);
      this.agents.set(cmd.agent.id, { spec: cmd.agent, state: prev?.state ?? 'offline', work: prev?.work ?? new Map() });
    }
    if (ok && cmd.type === 'SubmitInteraction' && !duplicate) {
      const s = cmd.interaction;
      this.accepted.add(s.id);
    }
    for (const e of events) this.event(cmd, e);
  }

  private event(cmd: Command, e: EngineEvent): void {
    switch (e.type) {
      case 'InteractionQueued': {
        // I6: one idempotency id, one interaction.
        if (this.ixs.has(e.interactionId)) this.fail(`I6: ${e.interactionId} queued twice`);
        const spec = (cmd as Extract<Command, { type: 'SubmitInteraction' }>).interaction;
        this.ixs.set(e.interactionId, {
          id: e.interactionId,
          spec,
          status: 'queued',
          queue: e.queueId,
          skills: spec.skills ?? {},
          agent: null,
          offerId: null,
          rejectedBy: new Set(),
          arrival: e.at,
          entered: e.at,
        });
        break;
      }
      case 'InteractionOffered': {
        const ix = this.ix(e.interactionId);
        const a = this.agent(e.agentId);
        // I2: never two open offers or assignments for one interaction.
        if (ix.status !== 'queued') this.fail(`I2: ${ix.id} offered while ${ix.status}`);
        if (a.state !== 'available') this.fail(`offer to ${e.agentId} in state ${a.state}`);
        if (ix.rejectedBy.has(e.agentId)) this.fail(`${ix.id} re-offered to ${e.agentId} who rejected it`);
        if (!this.eligible(a, ix)) this.fail(`${ix.id} offered to ineligible ${e.agentId}`);
        const cap = a.spec.capacity!.channels[ix.spec.channel];
        if (!this.canTake(a, ix.spec.channel)) this.fail(`I3: ${e.agentId} offered ${ix.id} beyond capacity`);
        this.checkLevel(e.agentId, a, ix, e.at);
        ix.status = 'offered';
        ix.agent = e.agentId;
        ix.offerId = e.offerId;
        a.work.set(ix.id, {
          ix: ix.id,
          agent: e.agentId,
          channel: ix.spec.channel,
          cost: cap.cost,
          interruptible: cap.interruptible === true,
          assigned: false,
        });
        break;
      }
      case 'InteractionAssigned': {
        const ix = this.ix(e.interactionId);
        if (ix.status !== 'offered' || ix.agent !== e.agentId || ix.offerId !== e.offerId) this.fail(`I2: ${ix.id} assigned from ${ix.status}`);
        ix.status = 'assigned';
        const w = this.agent(e.agentId).work.get(ix.id);
        if (!w) this.fail(`${ix.id} assigned without an offer`);
        else w.assigned = true;
        break;
      }
      case 'OfferRejected':
      case 'OfferTimedOut':
      case 'OfferRescinded': {
        const ix = this.ix(e.interactionId);
        if (ix.status !== 'offered' || ix.offerId !== e.offerId) this.fail(`${e.type} for ${ix.id} in ${ix.status}`);
        this.agent(e.agentId).work.delete(ix.id);
        if (e.type === 'OfferRejected') ix.rejectedBy.add(e.agentId);
        ix.status = 'queued';
        ix.agent = null;
        ix.offerId = null;
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
        ix.entered = e.at;
        ix.rejectedBy.clear();
        if (e.type === 'InteractionTransferred') {
          const t = cmd as Extract<Command, { type: 'TransferInteraction' }>;
          if (t.skills) {
            ix.skills = t.skills;
            ix.spec = { ...ix.spec, relaxation: undefined };
          }
        }
        break;
      }
      case 'InteractionRelaxed': {
        const ix = this.ix(e.interactionId);
        ix.skills = ix.spec.relaxation![e.step - 1].skills;
        break;
      }
      case 'AgentStateChanged': {
        const a = this.agent(e.agentId);
        if (a.state !== e.from) this.fail(`${e.agentId} changed from ${e.from} but was ${a.state}`);
        a.state = e.to;
        break;
      }
      case 'AgentRemoved':
        this.agents.delete(e.agentId);
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
    for (const [s, min] of Object.entries(ix.skills)) if ((a.spec.skills?.[s] ?? 0) < min) return false;
    const labels = a.spec.labels ?? {};
    const has = (k: string) => (Object.hasOwn(labels, k) ? labels[k] : undefined);
    for (const [k, v] of Object.entries(ix.spec.labels ?? {})) if (has(k) !== v) return false;
    for (const sel of ix.spec.selectors ?? []) if (!selectorHolds(sel, has(sel.key))) return false;
    return true;
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

  /** Is `ix` held for preferred agents now (conservatively: it names some and its window may be open)? */
  mayBeReserved(ix: ModelIx, now: number): boolean {
    const hasPreference = (ix.spec.preferredAgents?.length ?? 0) > 0 || ix.spec.customerId !== undefined;
    return hasPreference && now < ix.arrival + this.queues[ix.spec.queue].preferredWindowMs;
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
      if (other === ix || other.status !== 'queued' || other.rejectedBy.has(agentId) || this.mayBeReserved(other, now)) continue;
      if (!this.eligible(a, other) || !this.canTake(a, other.spec.channel)) continue;
      if (this.level(a, other, now, false) < mine)
        this.fail(`level: ${agentId} offered ${ix.id} (level ${mine}) while ${other.id} of level ${this.level(a, other, now, false)} waits`);
    }
  }

  units(a: ModelAgent, nonInterruptibleOnly: boolean): number {
    let u = 0;
    for (const w of a.work.values()) if (!nonInterruptibleOnly || !w.interruptible) u += w.cost;
    return u;
  }

  count(a: ModelAgent, channel: string): number {
    let n = 0;
    for (const w of a.work.values()) if (w.channel === channel) n++;
    return n;
  }

  canTake(a: ModelAgent, channel: string): boolean {
    const cap = a.spec.capacity?.channels[channel];
    if (!cap || a.state !== 'available') return false;
    if (this.count(a, channel) >= cap.max) return false;
    return this.units(a, !cap.interruptible) + cap.cost <= a.spec.capacity!.total;
  }

  /** I3 and I4 over the whole model at time `now`. */
  checkState(now: number): void {
    for (const [id, a] of this.agents) {
      const cap = a.spec.capacity!;
      for (const ch of Object.keys(cap.channels)) if (this.count(a, ch) > cap.channels[ch].max) this.fail(`I3: ${id} over ${ch} maximum`);
      if (this.units(a, true) > cap.total) this.fail(`I3: ${id} over total capacity`);
    }
    // I4: no available agent with room for work it is eligible for and has not declined, except
    // during the interaction's preference window (a stated policy reason).
    for (const ix of this.ixs.values()) {
      if (ix.status !== 'queued') continue;
      const hasPreference = (ix.spec.preferredAgents?.length ?? 0) > 0 || ix.spec.customerId !== undefined;
      if (hasPreference && now < ix.arrival + this.queues[ix.spec.queue].preferredWindowMs) continue;
      for (const [id, a] of this.agents) {
        if (ix.rejectedBy.has(id) || !this.eligible(a, ix)) continue;
        if (this.canTake(a, ix.spec.channel)) this.fail(`I4: ${id} idle while eligible ${ix.id} waits (t=${now})`);
      }
    }
  }

  openOffers(): { ix: string; agent: string; offerId: string }[] {
    const out: { ix: string; agent: string; offerId: string }[] = [];
    for (const ix of this.ixs.values()) if (ix.status === 'offered') out.push({ ix: ix.id, agent: ix.agent!, offerId: ix.offerId! });
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
