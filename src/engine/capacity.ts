/**
 * Capacity: whether an agent can take one more interaction of a channel, and keeping it filed in
 * its profile's per-channel heaps of available agents accordingly (invariant I3: no agent over
 * capacity, per channel and in total). Interruptible channels (email) count against all units;
 * others only against the non-interruptible ones. Plain functions: they touch only the agent,
 * its profile channels and their signatures' `avail` counts.
 */
import type { Agent, ProfileChannel } from './entities.ts';
import type { CapacitySpec } from './types.ts';

/** An agent's capacity when its spec gives none: one voice call. */
export const DEFAULT_CAPACITY: CapacitySpec = { total: 1, channels: { voice: { cost: 1, max: 1 } } };

/**
 * Can `a` take one more interaction of `pc`'s channel now (available, under both limits, and no
 * conversation of its own waits for room: conversations.ts)?
 */
export function canTake(a: Agent, pc: ProfileChannel): boolean {
  if (a.state !== 'available' || a.waitingForRoom !== null) return false;
  if (a.load[pc.ch] >= pc.max) return false;
  const used = pc.interruptible ? a.units : a.nonInterruptibleUnits;
  return used + pc.cost <= a.profile.total;
}

/** Re-files the agent in its profile's per-channel heaps after a state, load or key change. */
export function refreshAgent(a: Agent): void {
  const chans = a.profile.chans;
  for (let i = 0; i < chans.length; i++) {
    const pc = chans[i];
    const bit = 1 << i;
    const should = canTake(a, pc);
    const is = (a.inHeaps & bit) !== 0;
    if (should && !is) {
      pc.heap.push(a.slot);
      a.inHeaps |= bit;
      if (pc.heap.size === 1) for (const s of pc.sigs) s.avail++;
    } else if (!should && is) {
      pc.heap.remove(a.slot);
      a.inHeaps &= ~bit;
      if (pc.heap.size === 0) for (const s of pc.sigs) s.avail--;
    } else if (should) pc.heap.update(a.slot);
  }
}

/** Takes the agent out of every heap it is in (before its profile changes or it is removed). */
export function leaveHeaps(a: Agent): void {
  const chans = a.profile.chans;
  for (let i = 0; i < chans.length; i++) {
    if ((a.inHeaps & (1 << i)) === 0) continue;
    const pc = chans[i];
    pc.heap.remove(a.slot);
    if (pc.heap.size === 0) for (const s of pc.sigs) s.avail--;
  }
  a.inHeaps = 0;
}

/** Adds (`sign` 1) or releases (−1) one interaction of `pc`'s channel on the agent's load. */
export function addLoad(a: Agent, pc: ProfileChannel, sign: 1 | -1): void {
  a.load[pc.ch] += sign;
  a.units += sign * pc.cost;
  if (!pc.interruptible) a.nonInterruptibleUnits += sign * pc.cost;
}
