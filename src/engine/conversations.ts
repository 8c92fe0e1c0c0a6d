/**
 * Messaging capacity: an assigned conversation the customer has gone quiet on is made inactive
 * (`UpdateInteraction { active: false }`) and gives its agent back its units, up to the channel's
 * `inactiveMax` inactive ones per agent. Made active again it takes them back; when the agent has
 * no room for it then, the request is answered AGENT_AT_CAPACITY and the conversation waits for
 * the agent's next free room, oldest arrival first. While an agent has a conversation waiting,
 * it is offered no new work (capacity.ts: canTake): its room goes to its own customers first.
 * Nothing here runs unless a conversation is inactive.
 */
import { removeInOrder } from '../queues/array-removal.ts';
import { REPEATED, RejectCode, type Rejection } from './codes.ts';
import { addLoad } from './capacity.ts';
import type { Agent, Interaction, ProfileChannel } from './entities.ts';
import { moreOf, R_ARRIVAL, R_SIZE, type InteractionTable } from './interaction-table.ts';
import type { EngineEvent } from './types.ts';
import { reject } from './validate.ts';

/** An assigned interaction's activity (InteractionMore.activity). */
export const ACTIVE = 0;
/** Inactive: holds no units. */
export const INACTIVE = 1;
/** Asked to be active again while its agent had no room: holds no units, takes the next room. */
export const WAITING_FOR_ROOM = 2;

export type Activity = typeof ACTIVE | typeof INACTIVE | typeof WAITING_FOR_ROOM;

/** What the conversations ask of the engine. */
export interface ConversationsHost {
  emit(e: EngineEvent): void;
  /** Re-files the agent after its load changed (and matches it again before the call returns). */
  refresh(a: Agent): void;
}

export function activityOf(ix: Interaction): Activity {
  return ix.more === null ? ACTIVE : (ix.more.activity as Activity);
}

/** Whether `a` has room for one more active conversation of `pc`'s channel, whatever its state. */
function hasRoom(a: Agent, pc: ProfileChannel): boolean {
  const max = a.profile.byCh[pc.ch]?.max ?? pc.max;
  if (a.load[pc.ch] >= max) return false;
  const used = pc.interruptible ? a.units : a.nonInterruptibleUnits;
  return used + pc.cost <= a.profile.total;
}

export class Conversations {
  /** Inactive conversations (waiting ones included), and those waiting for room: for gauges. */
  inactive = 0;
  waiting = 0;
  /** Agents with waiting conversations whose load went down: looked at before the call settles. */
  private readonly due = new Set<Agent>();

  constructor(
    private readonly ixs: InteractionTable,
    private readonly host: ConversationsHost,
  ) {}

  /** UpdateInteraction { active }: the interaction must be assigned. */
  setActive(ix: Interaction, active: boolean, now: number): Rejection | typeof REPEATED | null {
    if (ix.status !== 'assigned')
      return reject(
        RejectCode.INVALID_STATE,
        `interaction '${ix.id}' is ${ix.status}: only an assigned conversation can be made ${active ? 'active' : 'inactive'}`,
      );
    const a = ix.agent!;
    const pc = ix.offer!.pc;
    const was = activityOf(ix);
    if (!active) {
      if (was === INACTIVE) return REPEATED;
      if (was === WAITING_FOR_ROOM) {
        this.stopWaiting(ix, a);
        moreOf(ix).activity = INACTIVE;
        return null;
      }
      const max = a.profile.byCh[pc.ch]?.inactiveMax ?? pc.inactiveMax;
      if (max === 0)
        return reject(RejectCode.INVALID_STATE, `agent '${a.id}' may hold no inactive '${ix.channel}' conversations (its capacity's inactiveMax is 0)`);
      addLoad(a, pc, -1);
      // At the limit it may still go quiet when the room it frees goes at once to the agent's
      // first waiting conversation, which then stops counting as inactive: a swap.
      const head = a.waitingForRoom?.[0];
      if (this.inactiveOf(a, pc.ch) >= max && (head === undefined || head.ch !== pc.ch || !hasRoom(a, head.offer!.pc))) {
        addLoad(a, pc, 1);
        return reject(RejectCode.INACTIVE_LIMIT, `agent '${a.id}' holds ${max} inactive '${ix.channel}' conversations, its inactiveMax`);
      }
      moreOf(ix).activity = INACTIVE;
      this.inactive++;
      this.host.emit({ type: 'InteractionActivityChanged', at: now, interactionId: ix.id, agentId: a.id, active: false });
      this.host.refresh(a);
      return null;
    }
    if (was === ACTIVE) return REPEATED;
    if (was === WAITING_FOR_ROOM) return this.noRoom(ix, a);
    // It goes first when nothing of the agent's waits, or all that waits arrived after it.
    const list = a.waitingForRoom;
    if ((list === null || this.before(ix, list[0])) && hasRoom(a, pc)) {
      this.activate(ix, a, pc, now);
      return null;
    }
    moreOf(ix).activity = WAITING_FOR_ROOM;
    this.waiting++;
    this.enqueue(ix, a);
    this.host.refresh(a);
    return this.noRoom(ix, a);
  }

  /** The assignment ends (completed, cancelled, transferred): true when it held units to release. */
  release(ix: Interaction): boolean {
    const was = activityOf(ix);
    if (was === ACTIVE) return true;
    if (was === WAITING_FOR_ROOM) this.stopWaiting(ix, ix.agent!);
    this.inactive--;
    ix.more!.activity = ACTIVE;
    return false;
  }

  /** The agent's load may have gone down (every re-filing passes here): a waiting conversation may fit. */
  touched(a: Agent): void {
    if (a.waitingForRoom !== null) this.due.add(a);
  }

  /** Activates the waiting conversations that fit now, oldest first; true when any did. */
  fill(now: number): boolean {
    if (this.due.size === 0) return false;
    let any = false;
    for (const a of [...this.due]) {
      this.due.delete(a);
      const list = a.waitingForRoom;
      while (list !== null && a.waitingForRoom !== null) {
        const ix = list[0];
        const pc = ix.offer!.pc;
        if (!hasRoom(a, pc)) break;
        this.stopWaiting(ix, a);
        this.activate(ix, a, pc, now);
        any = true;
      }
    }
    return any;
  }

  /** After a snapshot is loaded: each agent's waiting conversations, oldest first, and the counts. */
  rebuild(all: Iterable<Interaction>): void {
    this.inactive = 0;
    this.waiting = 0;
    for (const ix of all) {
      const act = activityOf(ix);
      if (act === ACTIVE) continue;
      this.inactive++;
      if (act === WAITING_FOR_ROOM) {
        this.waiting++;
        this.enqueue(ix, ix.agent!);
      }
    }
  }

  /** Inactive conversations of channel `ch` the agent holds (a handful: a scan). */
  inactiveOf(a: Agent, ch: number): number {
    let n = 0;
    for (const ix of a.assigned) if (ix.ch === ch && activityOf(ix) !== ACTIVE) n++;
    return n;
  }

  private activate(ix: Interaction, a: Agent, pc: ProfileChannel, now: number): void {
    moreOf(ix).activity = ACTIVE;
    this.inactive--;
    addLoad(a, pc, 1);
    this.host.emit({ type: 'InteractionActivityChanged', at: now, interactionId: ix.id, agentId: a.id, active: true });
    this.host.refresh(a);
  }

  private noRoom(ix: Interaction, a: Agent): Rejection {
    return reject(
      RejectCode.AGENT_AT_CAPACITY,
      `agent '${a.id}' has no room for '${ix.id}' now: it stays inactive and becomes active at the agent's next free room`,
    );
  }

  /** Files it among the agent's waiting conversations by arrival (then sequence). */
  private enqueue(ix: Interaction, a: Agent): void {
    const list = (a.waitingForRoom ??= []);
    let i = list.length;
    while (i > 0 && this.before(ix, list[i - 1])) i--;
    list.splice(i, 0, ix);
  }

  /** `x` arrived before `y` (then: was submitted first). */
  private before(x: Interaction, y: Interaction): boolean {
    const rec = this.ixs.rec;
    const tx = rec[x.slot * R_SIZE + R_ARRIVAL];
    const ty = rec[y.slot * R_SIZE + R_ARRIVAL];
    return tx < ty || (tx === ty && x.seq < y.seq);
  }

  private stopWaiting(ix: Interaction, a: Agent): void {
    const list = a.waitingForRoom!;
    removeInOrder(list, ix);
    this.waiting--;
    if (list.length === 0) {
      a.waitingForRoom = null;
      this.due.delete(a);
      this.host.refresh(a);
    } else this.due.add(a); // the next in line may have room now
  }
}
