/**
 * GetConfiguration: the tenant's configuration read back as the specs that would recreate it
 * (skills, queues, agents), agents paged by a cursor. Derived from the engine's own records (a
 * queue's settings, an agent's profile), never stored twice. O(page + skills + queues): a query.
 */
import type { Agent, Queue } from './entities.ts';
import type { EngineParts } from './engine-parts.ts';
import type { AgentSpec, ChannelCapacity, QueueSpec } from './types.ts';

export interface Configuration {
  /** On the first page only (no cursor): every skill and queue. */
  readonly skills?: readonly string[];
  readonly queues?: readonly QueueSpec[];
  readonly agents: readonly AgentSpec[];
  /** Pass it to get the next page of agents; null on the last. */
  readonly nextCursor: string | null;
}

export const CONFIGURATION_PAGE = 500;

/**
 * One page of at most `limit` agents after `cursor` (an agent slot), in slot order. A page is
 * exact when taken; between pages, an agent added in a slot freed below the cursor is missed
 * until the next full read.
 */
export function configuration(e: EngineParts, cursor: string | undefined, limit: number): Configuration | null {
  let from = 0;
  if (cursor !== undefined) {
    if (!/^[0-9]{1,10}$/.test(cursor)) return null;
    from = Number(cursor);
  }
  const bySlot = e.agents.bySlot;
  const agents: AgentSpec[] = [];
  let slot = from;
  for (; slot < bySlot.length && agents.length < limit; slot++) {
    const a = bySlot[slot];
    if (a !== undefined) agents.push(agentSpec(e, a));
  }
  while (slot < bySlot.length && bySlot[slot] === undefined) slot++;
  const nextCursor = slot < bySlot.length ? String(slot) : null;
  if (cursor !== undefined) return { agents, nextCursor };
  return { skills: [...e.index.skills], queues: [...e.queues.values()].map(queueSpec), agents, nextCursor };
}

function queueSpec(q: Queue): QueueSpec {
  return {
    id: q.id,
    serviceObjective: { percent: q.objective.percent, thresholdMs: q.objective.thresholdMs },
    weight: q.weight,
    defaultPriority: q.defaultPriority,
    offerTimeoutMs: q.offerTimeoutMs,
    wrapUpMs: q.wrapUpMs,
    wrapUpMode: q.wrapUpMode,
    maxWaitMs: q.maxWaitMs,
    overflowQueue: q.overflowQueue,
    escalateAfterMs: q.escalateAfterMs,
    noAnswerAway: q.noAnswerAway,
    preferredWindowMs: q.preferredWindowMs,
    membersOnly: q.membersOnly,
    offerFanout: q.offerFanout,
    reservedIdle: q.reservedIdle,
    exceptions: q.exceptions,
    reserveWhen: q.reserveWhen,
    reserveUntil: q.reserveUntil,
    deferrable: q.deferrable,
    hours: q.hours,
    repeatContact: q.repeatContact,
    offerJourney: q.offerJourney,
  };
}

function agentSpec(e: EngineParts, a: Agent): AgentSpec {
  const p = a.profile;
  const channels: Record<string, ChannelCapacity> = {};
  for (const pc of p.chans)
    channels[e.index.channelNames[pc.ch]] = {
      cost: pc.cost,
      max: pc.max,
      ...(pc.autoAccept ? { autoAccept: true } : {}),
      ...(pc.interruptible ? { interruptible: true } : {}),
      ...(pc.inactiveMax > 0 ? { inactiveMax: pc.inactiveMax } : {}),
    };
  const spec: AgentSpec = {
    id: a.id,
    skills: Object.fromEntries(p.levels),
    labels: Object.fromEntries(p.labels),
    capacity: { total: p.total, channels },
  };
  if (p.queues.size === 0) return spec;
  return {
    ...spec,
    queues: Object.fromEntries(
      [...p.queues].map(([id, m]) => [id, m.reserve ? { priority: m.level, delayMs: m.delayMs, reserve: true } : { priority: m.level, delayMs: m.delayMs }]),
    ),
  };
}
