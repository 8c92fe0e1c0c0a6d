/**
 * Exception rules (`QueueSpec.exceptions`): which of a queue's rules fire for an interaction, and
 * when. A rule fires at most once per interaction while it stays in the queue; moving to another
 * queue starts over with that queue's rules. The engine takes the actions (engine.ts).
 *
 * - On submission the rules whose trigger is checked then (queueLength, estimatedWaitMs,
 *   noEligibleAgents, serviceLevelBelow) are read in order; every one that holds fires, up to and
 *   including the first whose action ends or moves the interaction (overflow, cancel, refuse).
 * - waitMs rules fire when the interaction has waited their threshold in the queue, queued.
 * - noEligibleAgents rules fire again when the last logged-in agent who could take it logs out.
 */
import type { Queue, Signature } from './entities.ts';
import { serviceLevel } from './overload.ts';
import type { ExceptionAction, ExceptionRule } from './types.ts';

/** What the submission triggers read; null where it is unknown (the trigger then does not hold). */
export interface EntryFacts {
  /** Interactions waiting in the queue (queued or offered), before this one. */
  readonly waiting: number;
  readonly estimatedWaitMs: number | null;
  readonly serviceLevel: number | null;
  /** Nobody logged in (not offline) could take it. */
  readonly noneEligible: boolean;
}

/** Does the action end or move the interaction (no later rule applies)? */
export function isFinal(a: ExceptionAction): boolean {
  return a.type !== 'setPriority';
}

/** Is the trigger read on submission? */
export function onEntry(r: ExceptionRule): boolean {
  return r.trigger.type !== 'waitMs';
}

/** The rules of `q` that fire on a submission with `facts`, in order (see above). */
export function entryRules(q: Queue, facts: () => EntryFacts): number[] {
  const out: number[] = [];
  let f: EntryFacts | null = null;
  for (let i = 0; i < q.exceptions.length; i++) {
    const r = q.exceptions[i];
    if (!onEntry(r)) continue;
    f ??= facts();
    if (!holdsOnEntry(r, f)) continue;
    out.push(i);
    if (isFinal(r.action)) break;
  }
  return out;
}

function holdsOnEntry(r: ExceptionRule, f: EntryFacts): boolean {
  const t = r.trigger;
  switch (t.type) {
    case 'queueLength':
      return f.waiting >= t.threshold;
    case 'estimatedWaitMs':
      return f.estimatedWaitMs !== null && f.estimatedWaitMs > t.threshold;
    case 'serviceLevelBelow':
      return f.serviceLevel !== null && f.serviceLevel < t.threshold;
    case 'noEligibleAgents':
      return f.noneEligible;
    default:
      return false;
  }
}

/** The earliest time a waitMs rule not yet fired is due, for an interaction that entered at `entered`. */
export function nextWaitDue(q: Queue, fired: number, entered: number): number {
  let t = Number.POSITIVE_INFINITY;
  for (let i = 0; i < q.exceptions.length; i++) {
    const tr = q.exceptions[i].trigger;
    if (tr.type === 'waitMs' && (fired & (1 << i)) === 0 && entered + tr.threshold < t) t = entered + tr.threshold;
  }
  return t;
}

/** The waitMs rules due by `now` and not yet fired, in order. */
export function dueWaitRules(q: Queue, fired: number, entered: number, now: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < q.exceptions.length; i++) {
    const tr = q.exceptions[i].trigger;
    if (tr.type === 'waitMs' && (fired & (1 << i)) === 0 && entered + tr.threshold <= now) out.push(i);
  }
  return out;
}

/** The queue's noEligibleAgents rules, by place. */
export function noEligibleRules(q: Queue): number[] {
  const out: number[] = [];
  for (let i = 0; i < q.exceptions.length; i++) if (q.exceptions[i].trigger.type === 'noEligibleAgents') out.push(i);
  return out;
}

/**
 * The facts a submission's triggers read, for work of signatures `sigs` arriving in `q`: the
 * estimated wait is (queued ahead + 1) × the queue's average handle time ÷ the logged-in agents
 * of its eligible profiles, unknown until the queue handled work; the service level is answered
 * within the threshold ÷ answered, abandoned and expired, unknown until any settled.
 */
export function entryFacts(q: Queue, sigs: readonly Signature[]): EntryFacts {
  let staffed = 0;
  const seen = new Set<number>();
  for (const sig of sigs)
    for (const pc of sig.pcs)
      if (!seen.has(pc.profile.id)) {
        seen.add(pc.profile.id);
        staffed += pc.profile.staffed;
      }
  const c = q.counters;
  return {
    waiting: q.waiting.size,
    estimatedWaitMs: c.handled > 0 && staffed > 0 ? ((q.waiting.size - q.offered + 1) * (c.handleMsTotal / c.handled)) / staffed : null,
    serviceLevel: serviceLevel(q),
    noneEligible: staffed === 0,
  };
}
