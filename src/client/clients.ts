/**
 * Typed clients for the three roles. Each wraps a Connection; requests resolve with the
 * response or reject with a SwitchboardError carrying the wire code.
 */
import type { EngineEvent, EventType, InteractionSpec, QueueSpec, AgentSpec, SkillLevels } from '../engine/types.ts';
import { Connection, type ConnectionOptions, type Push, SwitchboardError } from './connection.ts';

/** An engine event with its number in the tenant's feed. */
export type FeedEvent = EngineEvent & { readonly seq: number };

export interface OfferPush {
  readonly offerId: string;
  readonly interactionId: string;
  readonly expiresAt: number | null;
  readonly channel: string;
  readonly queueId: string;
  readonly context?: unknown;
  /** The customer's most recent other interactions, newest first (absent: none known). */
  readonly journey?: readonly JourneyItem[];
}

/** One of a customer's interactions, as a journey lists it. */
export interface JourneyItem {
  readonly interactionId: string;
  readonly channel: string;
  readonly queueId: string;
  readonly status: 'live' | 'completed' | 'cancelled' | 'abandoned' | 'expired';
  readonly agentId: string | null;
  readonly arrival: number;
  readonly endedAt: number | null;
  readonly disposition?: string;
}

/** Work assigned to the agent: sent live on accept (or auto-accept), and again on reconnect. */
export interface AssignedPush {
  readonly interactionId: string;
  /** The offer that was accepted for it. */
  readonly offerId: string;
  /** When it was assigned. */
  readonly since: number;
  readonly channel: string;
  readonly queueId: string;
  readonly context?: unknown;
  /** As on its offer: the customer's most recent other interactions, newest first. */
  readonly journey?: readonly JourneyItem[];
}

abstract class RoleClient {
  readonly connection: Connection;
  constructor(path: string, options: ConnectionOptions) {
    this.connection = new Connection(path, options);
  }
  connect(): Promise<void> {
    return this.connection.connect();
  }
  close(): void {
    this.connection.close();
  }
  getQueueStats(queueId?: string) {
    return this.connection.request({ type: 'GetQueueStats', ...(queueId ? { queueId } : {}) });
  }
  /** One page of the configuration; pass `nextCursor` back for the next. */
  getConfiguration(cursor?: string, limit?: number) {
    return this.connection.request({ type: 'GetConfiguration', ...(cursor !== undefined ? { cursor } : {}), ...(limit !== undefined ? { limit } : {}) });
  }
  /** Agents by state and how many hold work. */
  getAgentSummary() {
    return this.connection.request({ type: 'GetAgentSummary' });
  }
  /** One agent's state, load against capacity, offers and work. */
  getAgent(agentId: string) {
    return this.connection.request({ type: 'GetAgent', agentId });
  }
  /** One interaction: status, queue, agent, place in line. */
  getInteraction(interactionId: string) {
    return this.connection.request({ type: 'GetInteraction', interactionId });
  }
  /**
   * A queue's waiting interactions in routing order: the offered ones, then the queued ones in
   * the order they will be offered, then the held ones; at most `limit` (default 50, up to 500),
   * with `total`.
   */
  listWaitingInteractions(queueId: string, limit?: number) {
    return this.connection.request({ type: 'ListWaitingInteractions', queueId, ...(limit !== undefined ? { limit } : {}) });
  }
  /** A customer's interactions across channels and queues, newest first; `before` (epoch ms) pages back. */
  listCustomerInteractions(customerId: string, options: { limit?: number; before?: number } = {}) {
    return this.connection.request({ type: 'ListCustomerInteractions', customerId, ...options });
  }
  /** Every event of an interaction, live or ended (within the history's retention), with its waits and outcome. */
  getInteractionHistory(interactionId: string) {
    return this.connection.request({ type: 'GetInteractionHistory', interactionId });
  }
  /** Why an interaction waits (every agent's verdict) and how its agent was chosen. */
  explain(interactionId: string, limit?: number) {
    return this.connection.request({ type: 'ExplainInteraction', interactionId, ...(limit ? { limit } : {}) });
  }
  /**
   * Streams the tenant's engine events to `handler`, each with its `seq`. With `after` (the `seq`
   * of the last event the caller processed) what was missed comes first. The client resumes after
   * the last event it handed over whenever it reconnects, so no event is lost or repeated across
   * reconnects; if the server no longer keeps them (EVENTS_EXPIRED), `onExpired` is told the
   * oldest kept and the stream goes on from there. `types` and `queues` narrow the events.
   */
  async subscribe(
    handler: (events: FeedEvent[]) => void,
    options: { after?: number; types?: EventType[]; queues?: string[]; onExpired?: (oldest: number) => void } = {},
  ): Promise<Record<string, unknown>> {
    let last = options.after;
    this.connection.onPush((p) => {
      if (p.push !== 'events') return;
      const events = p.events as FeedEvent[];
      if (events.length > 0) last = events[events.length - 1].seq;
      handler(events);
    });
    const filter = { ...(options.types ? { types: options.types } : {}), ...(options.queues ? { queues: options.queues } : {}) };
    const open = async (): Promise<Record<string, unknown>> => {
      try {
        const r = await this.connection.request({ type: 'Subscribe', events: true, ...filter, ...(last !== undefined ? { after: last } : {}) });
        // From now on a reconnect resumes after what was last handed over.
        if (last === undefined && typeof r.last === 'number') last = r.last;
        return r;
      } catch (e) {
        const oldest = e instanceof SwitchboardError && e.code === 'EVENTS_EXPIRED' ? e.details.oldest : undefined;
        if (typeof oldest !== 'number') throw e;
        options.onExpired?.(oldest);
        last = oldest - 1;
        return open();
      }
    };
    // Subscriptions do not survive a reconnect on the server: renew them from the cursor.
    this.connection.onOpen(() => void open().catch(() => undefined));
    return open();
  }
}

export class PlatformClient extends RoleClient {
  constructor(options: ConnectionOptions) {
    super('/v1/platform', options);
  }
  defineSkill(skill: string) {
    return this.connection.request({ type: 'DefineSkill', skill });
  }
  upsertQueue(queue: QueueSpec) {
    return this.connection.request({ type: 'UpsertQueue', queue });
  }
  /** Refused (QUEUE_IN_USE) while anything refers to it; its waiting work moves to `moveTo`. */
  removeQueue(queueId: string, moveTo?: string) {
    return this.connection.request({ type: 'RemoveQueue', queueId, ...(moveTo !== undefined ? { moveTo } : {}) });
  }
  /** Refused (SKILL_IN_USE) while an agent has it or an interaction requires it. */
  removeSkill(skill: string) {
    return this.connection.request({ type: 'RemoveSkill', skill });
  }
  upsertAgent(agent: AgentSpec) {
    return this.connection.request({ type: 'UpsertAgent', agent });
  }
  /** Many agents in one request, all or nothing (bounded by the server's frame size). */
  upsertAgents(agents: AgentSpec[]) {
    return this.connection.request({ type: 'UpsertAgents', agents });
  }
  removeAgent(agentId: string) {
    return this.connection.request({ type: 'RemoveAgent', agentId });
  }
  setAgentState(agentIds: string[], state: 'offline' | 'available' | 'away', reason?: string) {
    return this.connection.request({ type: 'SetAgentState', agentIds, state, ...(reason ? { reason } : {}) });
  }
  /** Idempotent by `interaction.id`: a retry after a lost response is safe. */
  submit(interaction: InteractionSpec) {
    return this.connection.request({ type: 'SubmitInteraction', interaction });
  }
  /**
   * `active` (alone): an assigned conversation goes inactive (its units freed, up to the
   * channel's inactiveMax) or active again (AGENT_AT_CAPACITY when its agent has no room: it
   * then becomes active at the agent's next free room).
   */
  update(interactionId: string, change: { priority?: number; context?: unknown } | { active: boolean }) {
    return this.connection.request({ type: 'UpdateInteraction', interactionId, ...change });
  }
  /** With a `transferId`, a retry after a lost response is safe (the same id changes nothing). */
  transfer(interactionId: string, queue: string, skills?: SkillLevels, transferId?: string) {
    return this.connection.request({
      type: 'TransferInteraction',
      interactionId,
      queue,
      ...(skills ? { skills } : {}),
      ...(transferId !== undefined ? { transferId } : {}),
    });
  }
  /**
   * A directed transfer: only `agentId` may take it (for `requiredForMs`, default for ever),
   * keeping its arrival. With a `transferId`, a retry is safe.
   */
  transferTo(interactionId: string, queue: string, agentId: string, options: { requiredForMs?: number; transferId?: string } = {}) {
    return this.connection.request({ type: 'TransferInteraction', interactionId, queue, agentId, ...options });
  }
  /**
   * A waiting call becomes a callback: it keeps its arrival and place in line, moves to `channel`
   * (default its own) and, with `notBefore` (epoch ms), is held until then. Safe to retry.
   */
  convertToCallback(interactionId: string, options: { channel?: string; notBefore?: number } = {}) {
    return this.connection.request({ type: 'ConvertToCallback', interactionId, ...options });
  }
  cancel(interactionId: string, reason: 'cancelled' | 'abandoned' = 'cancelled') {
    return this.connection.request({ type: 'CancelInteraction', interactionId, reason });
  }
  /**
   * Delivers the tenant's events to `url`, signed with `secret` (docs/protocol.md, Webhooks):
   * from now on, or after `after`; a replaced webhook keeps its cursor and resumes if paused.
   */
  upsertWebhook(webhookId: string, url: string, secret: string, options: { types?: EventType[]; queues?: string[]; after?: number } = {}) {
    return this.connection.request({ type: 'UpsertWebhook', webhookId, url, secret, ...options });
  }
  removeWebhook(webhookId: string) {
    return this.connection.request({ type: 'RemoveWebhook', webhookId });
  }
  /** Every webhook with its cursor, lag, state and last error. */
  getWebhooks() {
    return this.connection.request({ type: 'GetWebhooks' });
  }
}

export class AgentClient extends RoleClient {
  constructor(options: ConnectionOptions) {
    super('/v1/agent', options);
  }
  setState(state: 'offline' | 'available' | 'away', reason?: string) {
    return this.connection.request({ type: 'SetState', state, ...(reason ? { reason } : {}) });
  }
  accept(offerId: string) {
    return this.connection.request({ type: 'Accept', offerId });
  }
  reject(offerId: string) {
    return this.connection.request({ type: 'Reject', offerId });
  }
  /** `disposition` (a code) and `note` are kept in the interaction's history and shown in the customer's journey. */
  complete(interactionId: string, outcome: { disposition?: string; note?: string } = {}) {
    return this.connection.request({ type: 'Complete', interactionId, ...outcome });
  }
  endWrapUp() {
    return this.connection.request({ type: 'EndWrapUp' });
  }
  /** Offers pushed to this agent, including those re-sent after a reconnect. */
  onOffer(handler: (offer: OfferPush) => void): () => void {
    return this.connection.onPush((p: Push) => {
      if (p.push === 'offer') handler(p as unknown as OfferPush);
    });
  }
  /** Assignments pushed to this agent, including those re-sent after a reconnect. */
  onAssigned(handler: (assigned: AssignedPush) => void): () => void {
    return this.connection.onPush((p: Push) => {
      if (p.push === 'assigned') handler(p as unknown as AssignedPush);
    });
  }
  /** Every push (state, assigned, offerClosed, ended, wrapUp, activity, offer). */
  onPush(handler: (p: Push) => void): () => void {
    return this.connection.onPush(handler);
  }
}

/** Read-only: queue statistics and the event stream. */
export class SupervisorClient extends RoleClient {
  constructor(options: ConnectionOptions) {
    super('/v1/agent', options);
  }
}
