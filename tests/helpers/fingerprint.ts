import type { Engine } from '../../src/index.ts';

/** Everything observable about an engine's state, as one comparable string. */
export function fingerprint(e: Engine, now: number): string {
  return JSON.stringify({
    counts: e.counts(),
    next: e.nextDeadline(),
    agents: e
      .agentIds()
      .sort()
      .map((id) => e.agentLoad(id)),
    interactions: e
      .interactionIds()
      .sort()
      .map((id) => e.interaction(id, now)),
    queues: e
      .queueIds()
      .sort()
      .map((id) => e.queueStats(id, now)),
  });
}
