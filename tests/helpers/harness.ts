import { expect } from 'vitest';
import { Engine, type AgentSpec, type Command, type EngineEvent, type EngineOptionsInput, type QueueSpec } from '../../src/index.ts';

/** An engine with a fake clock and helpers that assert each command is accepted. */
export class Harness {
  readonly engine: Engine;
  now = 0;
  readonly log: EngineEvent[] = [];

  constructor(options: EngineOptionsInput = {}) {
    this.engine = new Engine(options);
  }

  at(t: number): this {
    this.now = t;
    return this;
  }

  /** Applies a command that must be accepted; returns its events. */
  ok(cmd: Command): EngineEvent[] {
    const r = this.engine.apply(cmd, this.now);
    if (!r.ok) throw new Error(`rejected ${cmd.type}: ${r.code} ${r.message}`);
    this.log.push(...r.events);
    return r.events;
  }

  /** Applies a command that must be rejected with `code`; returns the result. */
  rejects(cmd: Command, code: string) {
    const r = this.engine.apply(cmd, this.now);
    this.log.push(...r.events);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
    return r;
  }

  tick(t: number): EngineEvent[] {
    this.now = t;
    const ev = this.engine.tick(t);
    this.log.push(...ev);
    return ev;
  }

  skills(...ids: string[]): this {
    for (const skill of ids) this.ok({ type: 'DefineSkill', skill });
    return this;
  }

  queue(id: string, spec: Omit<QueueSpec, 'id'> = {}): this {
    this.ok({ type: 'UpsertQueue', queue: { id, ...spec } });
    return this;
  }

  agent(id: string, spec: Omit<AgentSpec, 'id'> = {}, available = true): this {
    this.ok({ type: 'UpsertAgent', agent: { id, ...spec } });
    if (available) this.ok({ type: 'SetAgentState', agentIds: [id], state: 'available' });
    return this;
  }

  submit(id: string, spec: Partial<Extract<Command, { type: 'SubmitInteraction' }>['interaction']> = {}): EngineEvent[] {
    return this.ok({ type: 'SubmitInteraction', interaction: { id, channel: 'voice', queue: 'q', ...spec } });
  }

  /** Offers in `events`, as interactionId → agentId. */
  static offers(events: EngineEvent[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of events) if (e.type === 'InteractionOffered') out[e.interactionId] = e.agentId;
    return out;
  }

  offerOf(interactionId: string): { offerId: string; agentId: string } {
    const info = this.engine.interaction(interactionId);
    if (!info || info.offerId === null || info.agentId === null) throw new Error(`${interactionId} has no open offer`);
    return { offerId: info.offerId, agentId: info.agentId };
  }

  acceptOffer(interactionId: string): EngineEvent[] {
    const o = this.offerOf(interactionId);
    return this.ok({ type: 'AcceptOffer', agentId: o.agentId, offerId: o.offerId });
  }

  status(interactionId: string): string | undefined {
    return this.engine.interaction(interactionId)?.status ?? this.engine.finishedStatus(interactionId);
  }

  types(events: EngineEvent[]): string[] {
    return events.map((e) => e.type);
  }
}
