/**
 * Trunk reservation (`QueueSpec.reservedIdle`): a queue keeps up to that many of its members idle
 * for its own work. Its members are the agents whose routing profile lists it. An idle member
 * (available, holding no offer and no assignment) is not offered another queue's work while that
 * would leave fewer than `reservedIdle` of the queue's members idle; work of the queue itself, and
 * work that names the agent (a preference window, a requirement by name), it may always take.
 *
 * Each reserving queue keeps its idle members; an agent's `idle` flag follows its state and
 * work. With no reserving queue nothing is tracked and every check is one field read.
 */
import type { Agent, Profile, Queue } from './entities.ts';

export class Reservation {
  /** How many queues reserve idle members (reservedIdle above 0). */
  active = 0;

  constructor(
    private readonly queues: ReadonlyMap<string, Queue>,
    /** Asks for an agent to be matched again (a reservation it was held by has room now). */
    private readonly pending: (a: Agent) => void,
  ) {}

  /** The reserving queues the profile's agents are members of. */
  private reservingOf(p: Profile): readonly Queue[] {
    if (p.reserving === null) {
      const out: Queue[] = [];
      for (const id of p.queues.keys()) {
        const q = this.queues.get(id);
        if (q !== undefined && q.reservedIdle > 0) out.push(q);
      }
      p.reserving = out;
    }
    return p.reserving;
  }

  /** After any change of the agent's state or work (and after it took its current profile). */
  update(a: Agent): void {
    if (this.active === 0) return;
    const idle = a.state === 'available' && a.offers.length === 0 && a.assigned.length === 0;
    if (idle === a.idle) return;
    a.idle = idle;
    const reserving = this.reservingOf(a.profile);
    // Holding work now, it is held back no more: with room left, it may take other queues' work.
    if (!idle && reserving.length > 0) this.pending(a);
    for (const q of reserving) {
      if (!idle) {
        q.idleMembers.delete(a);
        continue;
      }
      q.idleMembers.add(a);
      // One more idle member than it holds back: one of them may take other work again.
      if (q.idleMembers.size === q.reservedIdle + 1) this.release(q);
    }
  }

  /** Before the agent's profile changes or it is removed: it leaves the idle members it counted in. */
  leave(a: Agent): void {
    if (!a.idle) return;
    for (const q of this.reservingOf(a.profile)) q.idleMembers.delete(a);
    a.idle = false;
  }

  /** Is `a` a member of some reserving queue (one that may hold it back when idle)? */
  member(a: Agent): boolean {
    return this.active > 0 && this.reservingOf(a.profile).length > 0;
  }

  /**
   * Is idle agent `a` held back from work of `q` by a queue it is a member of? `taking`: another
   * agent about to take work in the same step, no longer counted idle.
   */
  blocked(a: Agent, q: Queue, taking: Agent | null = null): boolean {
    return this.holder(a, q, taking) !== null;
  }

  /** May some idle agent of profile `p` be held back from work of `q`? (Cheap: by the queues' counts.) */
  mayBlock(p: Profile, q: Queue): boolean {
    if (this.active === 0) return false;
    for (const r of this.reservingOf(p)) if (r !== q && r.idleMembers.size <= r.reservedIdle) return true;
    return false;
  }

  /** The queue holding idle agent `a` back from work of `q` (null: none); `taking` as for `blocked`. */
  holder(a: Agent, q: Queue, taking: Agent | null = null): Queue | null {
    if (!a.idle) return null;
    for (const r of this.reservingOf(a.profile)) {
      if (r === q) continue;
      const idle = r.idleMembers.size - (taking !== null && taking !== a && r.idleMembers.has(taking) ? 1 : 0);
      if (idle <= r.reservedIdle) return r;
    }
    return null;
  }

  /**
   * After a queue's `reservedIdle` changed, a queue was removed, or a restore: every count again
   * from the agents. O(agents + profiles). `settle`: the affected agents are matched again.
   */
  rebuild(agents: Iterable<Agent>, profiles: Iterable<Profile | null | undefined>, settle: boolean): void {
    for (const p of profiles) if (p) p.reserving = null;
    this.active = 0;
    for (const q of this.queues.values()) {
      q.idleMembers.clear();
      if (q.reservedIdle > 0) this.active++;
    }
    for (const a of agents) {
      a.idle = false;
      const idle = a.state === 'available' && a.offers.length === 0 && a.assigned.length === 0;
      if (!idle) continue;
      // Held back before or from now on: it looks again either way.
      if (settle) this.pending(a);
      if (this.active === 0) continue;
      a.idle = true;
      for (const q of this.reservingOf(a.profile)) q.idleMembers.add(a);
    }
  }

  /** The queue's idle members look again, in slot order (deterministic). */
  private release(q: Queue): void {
    const members = [...q.idleMembers].sort((x, y) => x.slot - y.slot);
    for (const m of members) this.pending(m);
  }
}
