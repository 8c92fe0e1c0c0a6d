/**
 * Repeat contacts (QueueSpec.repeatContact): each customer's last contact (the interaction
 * submitted, and when) is remembered while some queue boosts repeat contacts, so that a
 * submission to such a queue within its window of the customer's last contact comes in with
 * more priority. A contact is a submission the engine took (a refused or repeated one is none),
 * on any channel and queue. Remembered for at most MAX_REPEAT_WITHIN_MS and
 * `lastContactMaxEntries` customers (the least recent forgotten first); kept in snapshots.
 */
import { BoundedMap } from '../queues/bounded-map.ts';
import type { Queue } from './entities.ts';
import { MAX_PRIORITY, MAX_REPEAT_WITHIN_MS } from './options.ts';
import type { InteractionSpec } from './types.ts';

export class RepeatContacts {
  /** Customer id → the id of its last contact, set at the time of that contact. */
  readonly last: BoundedMap<string, string>;
  /** How many queues boost repeat contacts: contacts are remembered only while some do. */
  private queues = 0;

  constructor(maxEntries: number) {
    this.last = new BoundedMap(maxEntries, MAX_REPEAT_WITHIN_MS);
  }

  /** Counts the queues that boost repeat contacts again (after a queue was upserted or removed; O(queues)). */
  recount(queues: Iterable<Queue>): void {
    let n = 0;
    for (const q of queues) if (q.repeatContact !== null) n++;
    this.queues = n;
  }

  /** The customer's last contact (its interaction id) when it falls within `q`'s window at `now`. */
  repeatOf(q: Queue, customerId: string | undefined, now: number): string | undefined {
    const r = q.repeatContact;
    if (r === null || customerId === undefined) return undefined;
    const at = this.last.timeOf(customerId, now);
    return at !== undefined && now - at <= r.withinMs ? this.last.get(customerId, now) : undefined;
  }

  /** A repeat contact's spec, with the priority it comes in with to `q`. */
  boosted(q: Queue, spec: InteractionSpec): InteractionSpec {
    return { ...spec, priority: Math.min(MAX_PRIORITY, (spec.priority ?? q.defaultPriority) + q.repeatContact!.priorityBoost) };
  }

  /** A submission was taken: it is the customer's last contact now. */
  contacted(customerId: string | undefined, interactionId: string, now: number): void {
    if (this.queues > 0 && customerId !== undefined) this.last.set(customerId, interactionId, now);
  }

  get active(): boolean {
    return this.queues > 0;
  }
}
