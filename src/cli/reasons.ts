/** An agent's reasons for not taking an interaction (`ExplainInteraction`), each in a few words. */
import type { z } from 'zod';
import type { NotTakingReason } from '../protocol/responses.ts';
import { clock } from './units.ts';

type Reason = z.infer<typeof NotTakingReason>;

export function describeReason(r: Reason): string {
  switch (r.reason) {
    case 'not_member':
      return r.membersOnly ? `not a member of ${r.queue} (members only)` : `does not list ${r.queue}`;
    case 'missing_skill':
      return `no ${r.skill} (needs ${r.required})`;
    case 'skill_level':
      return `${r.skill} ${r.has} < ${r.required}`;
    case 'label':
      return `label ${r.label}=${r.has ?? '(none)'}, wants ${r.wants}`;
    case 'selector':
      return `selector ${JSON.stringify(r.selector)} fails (has ${r.has ?? 'none'})`;
    case 'no_channel':
      return `no ${r.channel} channel`;
    case 'offline':
    case 'away':
    case 'wrap_up':
      return r.detail ? `${r.reason} (${r.detail})` : r.reason;
    case 'channel_full':
      return `${r.channel} full ${r.load}/${r.max}`;
    case 'capacity':
      return `capacity ${r.usedUnits}+${r.cost} > ${r.totalUnits}`;
    case 'rejected_before':
      return 'rejected it before';
    case 'offered':
      return 'holds an offer of it';
    case 'not_before':
      return `scheduled until ${clock(r.until)}`;
    case 'queue_closed':
      return `${r.queue} closed until ${clock(r.opensAt)}`;
    case 'waiting_for_room':
      return `${r.interactionId} waits for room`;
    case 'held_for_queue':
      return `held idle for ${r.queue} (${r.idle} idle, keeps ${r.reservedIdle})`;
    case 'reserve_inactive':
      return `reserve of ${r.queue} (not in overload)`;
    case 'deferred_while':
      return `deferred while ${r.queues.join(', ')} overloaded`;
    case 'lower_queue_level':
      return `level ${r.level}; ${r.better.interactionId} in ${r.better.queue} at level ${r.better.level} first`;
    case 'reserved_for_preferred':
      return `reserved for preferred agents until ${clock(r.until)}`;
    case 'required_agents':
      return `waits for required agents${r.until === null ? '' : ` until ${clock(r.until)}`}`;
    default:
      return (r as { reason: string }).reason;
  }
}
