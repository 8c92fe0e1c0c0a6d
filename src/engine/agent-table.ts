/**
 * The agent table: every agent by id and by slot, and two numbers per slot kept in typed arrays
 * for the heaps that compare them: the agent-selection key (agent-selection.ts) and the wrap-up
 * timer's due time (deadlines.ts). Slots are reused after RemoveAgent.
 */
import type { Agent } from './entities.ts';

export class AgentTable {
  readonly byId = new Map<string, Agent>();
  bySlot: (Agent | undefined)[] = [];
  readonly freeSlots: number[] = [];
  /** Selection key per slot: smaller is picked first. Reallocated as the table grows. */
  key = new Float64Array(1024);
  /** Wrap-up end per slot, for the agent timer heap. Reallocated as the table grows. */
  timerAt = new Float64Array(1024);

  /** The order of each profile channel's available-agent heap: smaller key, then lower slot. */
  readonly less = (a: number, b: number): boolean => {
    const ka = this.key[a];
    const kb = this.key[b];
    return ka !== kb ? ka < kb : a < b;
  };

  /** A free slot with room in the per-slot arrays. */
  allocate(): number {
    const slot = this.freeSlots.pop() ?? this.bySlot.length;
    this.ensureSlot(slot);
    return slot;
  }

  add(a: Agent): void {
    this.bySlot[a.slot] = a;
    this.byId.set(a.id, a);
  }

  remove(a: Agent): void {
    this.byId.delete(a.id);
    this.bySlot[a.slot] = undefined;
    this.freeSlots.push(a.slot);
  }

  private ensureSlot(slot: number): void {
    if (slot < this.key.length) return;
    const size = Math.max(slot + 1, this.key.length * 2);
    const k = new Float64Array(size);
    k.set(this.key);
    this.key = k;
    const t = new Float64Array(size);
    t.set(this.timerAt);
    this.timerAt = t;
  }
}
