/**
 * Agent selection: which of several free eligible agents takes an interaction (docs/routing.md
 * §4). Every policy is one number per agent, the selection key (smaller first, lower slot on
 * ties), kept in the agent table and compared by each profile channel's heap:
 * - longest-idle: the time the agent last became idle;
 * - least-occupied: the occupancy bucket (0–255) above bit 44, then the idle time;
 * - best-skill: the idle time; matching.ts walks profiles in proficiency order first;
 * - round-robin: the time of the agent's last offer (0: never), which logging in does not reset.
 *   One ring per tenant: an offer from any queue moves the agent's turn on (a ring per queue
 *   would need available-agent heaps per queue as well as per profile channel).
 * The key packing lives here alone: `setKey` writes it, `decode` reads it back for explanations.
 */
import type { Agent } from './entities.ts';
import type { AgentTable } from './agent-table.ts';
import type { AgentSelectionPolicy, EngineOptions } from './options.ts';

/** least-occupied: the occupancy bucket is scaled by this, above any idle time in ms (≈ 557 years). */
const OCCUPANCY_SHIFT = 2 ** 44;
const OCCUPANCY_STEPS = 255;

export class AgentSelection {
  readonly policy: AgentSelectionPolicy;
  readonly leastOccupied: boolean;
  readonly bestSkill: boolean;
  readonly roundRobin: boolean;

  constructor(
    options: EngineOptions,
    private readonly agents: AgentTable,
  ) {
    this.policy = options.agentSelection;
    this.leastOccupied = options.agentSelection === 'least-occupied';
    this.bestSkill = options.agentSelection === 'best-skill';
    this.roundRobin = options.agentSelection === 'round-robin';
  }

  /** Recomputes the agent's key after its idle time or load changed (then refresh its heaps). */
  setKey(a: Agent): void {
    if (this.leastOccupied) {
      const ratio = a.profile.total > 0 ? Math.min(1, a.units / a.profile.total) : 0;
      this.agents.key[a.slot] = Math.round(ratio * OCCUPANCY_STEPS) * OCCUPANCY_SHIFT + a.idleSince;
    } else this.agents.key[a.slot] = this.roundRobin ? a.lastOfferAt : a.idleSince;
  }

  /** The terms packed in a key: idle since (round-robin: last offered at), and the occupancy (0–1) for least-occupied. */
  decode(key: number): { idleSince: number; occupancy: number | null } {
    return this.leastOccupied
      ? { idleSince: key % OCCUPANCY_SHIFT, occupancy: Math.floor(key / OCCUPANCY_SHIFT) / OCCUPANCY_STEPS }
      : { idleSince: key, occupancy: null };
  }
}
