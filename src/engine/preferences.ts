/**
 * Work that waits for named agents, out of the signature heaps meanwhile:
 * - a preference window (explicit `preferredAgents`, then the customer's last agent): those
 *   agents get it first, if they meet its requirements, until the window ends or it is offered;
 * - a requirement by name (`requiredAgents`, a directed transfer): only those agents may take it
 *   (they need a channel for it and room, not its requirements), until `requiredForMs` runs out,
 *   every one of them declined it, or it is assigned.
 * Each agent keeps the interactions that name it in ordering order (`Agent.preferred`), so a
 * freed agent serves them first; each interaction keeps its agents (`Interaction.preferred`).
 * The engine decides when a window ends and what follows (events, the heaps).
 */
import type { AgentTable } from './agent-table.ts';
import { canTake } from './capacity.ts';
import { RejectCode, type Rejection } from './codes.ts';
import type { Agent, Interaction, ProfileChannel } from './entities.ts';
import { heldUntil, R_PREF_UNTIL, R_SIZE, type InteractionTable } from './interaction-table.ts';
import { eligibleProfile, excluded, isRejected, mayTake, wantsOffer } from './matching.ts';
import type { EngineLimits } from './options.ts';
import type { Ordering } from './ordering.ts';
import { reject } from './validate.ts';

export class Preferences {
  constructor(
    private readonly ixs: InteractionTable,
    private readonly agents: AgentTable,
    private readonly ordering: Ordering,
    private readonly limits: EngineLimits,
  ) {}

  /** The preferred agents of a new interaction: the explicit ones, then the customer's last agent, if logged in, eligible and with room in their lists. */
  preferredFor(ix: Interaction, explicit: readonly string[], lastAgent: string | undefined): Agent[] {
    const out: Agent[] = [];
    const consider = (id: string | undefined) => {
      if (id === undefined) return;
      const a = this.agents.byId.get(id);
      if (!a || out.includes(a) || a.state === 'offline') return;
      if (!eligibleProfile(ix, a.profile)) return; // preference never bypasses requirements
      if (a.preferred && a.preferred.length >= this.limits.maxPreferredPerAgent) return;
      out.push(a);
    };
    for (const id of explicit) consider(id);
    consider(lastAgent);
    return out;
  }

  /** The agents named as required: each defined, with room for one more interaction waiting for it by name. */
  required(ids: readonly string[]): Agent[] | Rejection {
    const out: Agent[] = [];
    for (const id of ids) {
      const a = this.agents.byId.get(id);
      if (!a) return reject(RejectCode.UNKNOWN_AGENT, `required agent '${id}' is not defined`);
      if (a.preferred && a.preferred.length >= this.limits.maxPreferredPerAgent)
        return reject(RejectCode.LIMIT_EXCEEDED, `agent '${id}' already has ${this.limits.maxPreferredPerAgent} interactions waiting for it`);
      if (!out.includes(a)) out.push(a);
    }
    return out;
  }

  /** Names `agents` for `ix` until `until` (a requirement when `required`); the caller took it out of the heaps. */
  attach(ix: Interaction, agents: Agent[], until: number, required: boolean): void {
    ix.preferred = agents;
    ix.required = required;
    this.ixs.rec[ix.slot * R_SIZE + R_PREF_UNTIL] = until;
    for (const a of agents) this.add(a, ix);
  }

  /** Unnames the interaction's agents; false when it named none. */
  detach(ix: Interaction): boolean {
    if (ix.preferred === null) return false;
    for (const a of ix.preferred) {
      if (!a.preferred) continue;
      const i = a.preferred.indexOf(ix);
      if (i >= 0) a.preferred.splice(i, 1);
      if (a.preferred.length === 0) a.preferred = null;
    }
    ix.preferred = null;
    ix.required = false;
    this.ixs.rec[ix.slot * R_SIZE + R_PREF_UNTIL] = Number.NaN;
    return true;
  }

  /**
   * Takes agent `a` out of the windows that name it (it logged out, or is `removed`); work that
   * requires it by name keeps waiting for it unless it is removed. Returns the interactions
   * left naming nobody: their windows end.
   */
  leave(a: Agent, removed: boolean): Interaction[] {
    if (!a.preferred) return [];
    const kept: Interaction[] = [];
    const orphaned: Interaction[] = [];
    for (const ix of a.preferred) {
      if (ix.required && !removed) {
        kept.push(ix);
        continue;
      }
      ix.preferred = ix.preferred!.filter((x) => x !== a);
      // Nobody left, or only agents who declined it: the window ends.
      if (ix.preferred.length === 0 || this.allDeclined(ix)) orphaned.push(ix);
    }
    a.preferred = kept.length > 0 ? kept : null;
    return orphaned;
  }

  /** After the interaction's key changed: its place in each named agent's list. */
  resort(ix: Interaction): void {
    if (ix.preferred === null) return;
    for (const a of ix.preferred) {
      const list = a.preferred;
      if (!list) continue;
      const i = list.indexOf(ix);
      if (i < 0) continue;
      list.splice(i, 1);
      this.add(a, ix);
    }
  }

  /** Every agent it requires declined it. */
  allDeclined(ix: Interaction): boolean {
    return ix.required && ix.preferred!.every((x) => isRejected(ix, x));
  }

  /**
   * May `a` take `ix` on `pc` at `now` through its preference or requirement by name? Not once
   * the window's time has come, even before its timer fired (timers due at one instant fire one
   * after another), nor while its queue's work is deferred. A reserve agent may take work that
   * names it.
   */
  mayTake(a: Agent, pc: ProfileChannel, ix: Interaction, now: number): boolean {
    if (!(this.ixs.rec[ix.slot * R_SIZE + R_PREF_UNTIL] > now) || heldUntil(ix) !== 0 || ix.queue.deferred) return false;
    return ix.required ? wantsOffer(ix) && canTake(a, pc) && !excluded(ix, a) : mayTake(a, pc, ix);
  }

  /** The first interaction that names `a` and that it may take now, with the channel; null if none. */
  firstFor(a: Agent, now: number): { ix: Interaction; pc: ProfileChannel } | null {
    if (a.preferred === null) return null;
    for (const ix of a.preferred) {
      const pc = a.profile.byCh[ix.ch];
      if (pc && this.mayTake(a, pc, ix, now)) return { ix, pc };
    }
    return null;
  }

  /** The first agent named by `ix` that may take it now, with the channel; null if none. */
  agentFor(ix: Interaction, now: number): { agent: Agent; pc: ProfileChannel } | null {
    for (const agent of ix.preferred!) {
      const pc = agent.profile.byCh[ix.ch];
      if (pc && this.mayTake(agent, pc, ix, now)) return { agent, pc };
    }
    return null;
  }

  /** Files `ix` in `a`'s list at its ordering place. */
  private add(a: Agent, ix: Interaction): void {
    const list = (a.preferred ??= []);
    let i = list.length;
    while (i > 0 && this.ordering.sigLess(ix.slot, list[i - 1].slot)) i--;
    list.splice(i, 0, ix);
  }
}
