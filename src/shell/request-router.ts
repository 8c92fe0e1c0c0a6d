/**
 * The request router: one validated request of a session's role becomes an engine command or a
 * query of the tenant's engine, and its answer is queued on the session. Agents act only for
 * themselves; supervisors query; platforms do everything.
 */
import type { Command } from '../engine/types.ts';
import { ProtocolCode } from '../protocol/codes.ts';
import type { AgentRequest, PlatformRequest, Role } from '../protocol/schemas.ts';
import type { AnyRequest, Session } from './ports.ts';
import type { TenantShell } from './tenant-shell.ts';
import { webhookUrlProblem } from './webhook-address.ts';

/**
 * Runs an engine command for a request and queues its answer: `{ re, ok: true }`, or the
 * refusal. (A function, not a closure per request: this is the path every command takes.)
 */
function command(t: TenantShell, s: Session, re: string | number, cmd: Command): void {
  const r = t.apply(cmd);
  if (r.ok) s.send(r.duplicate ? { re, ok: true, duplicate: true } : { re, ok: true });
  else s.send({ re, ok: false, code: r.code, message: r.message });
}

/** Queues the answer to request `re`. */
function reply(s: Session, re: string | number, body: Record<string, unknown>): void {
  s.send({ re, ...body });
}

/** Handles one validated request of the session's role and queues the response. */
export function route(t: TenantShell, s: Session, req: AnyRequest, now: () => number): void {
  const role: Role = s.principal.role;
  // While the tenant is unavailable (being rebuilt, or its store refused a write) its engine is
  // not the tenant's state: commands and queries alike are refused, retryable.
  const refusal = t.durability.refusal();
  if (refusal) return reply(s, req.id, { ok: false, code: refusal.code, message: refusal.message });
  t.durability.lineage.used = true;
  if (role === 'agent') {
    const me = s.principal.agentId!;
    const a = req as AgentRequest;
    switch (a.type) {
      case 'SetState':
        return command(t, s, req.id, { type: 'SetAgentState', agentIds: [me], state: a.state, ...(a.reason ? { reason: a.reason } : {}) });
      case 'Accept':
        return command(t, s, req.id, { type: 'AcceptOffer', agentId: me, offerId: a.offerId });
      case 'Reject':
        return command(t, s, req.id, { type: 'RejectOffer', agentId: me, offerId: a.offerId });
      case 'Complete':
        return command(t, s, req.id, {
          type: 'CompleteInteraction',
          agentId: me,
          interactionId: a.interactionId,
          ...(a.disposition !== undefined ? { disposition: a.disposition } : {}),
          ...(a.note !== undefined ? { note: a.note } : {}),
        });
      case 'EndWrapUp':
        return command(t, s, req.id, { type: 'EndWrapUp', agentId: me });
      case 'Resume':
        reply(s, req.id, { ok: true });
        return t.resume(s);
    }
  }
  const p = req as PlatformRequest;
  switch (p.type) {
    case 'GetQueueStats': {
      const ids = p.queueId ? [p.queueId] : t.engine.queueIds();
      const stats = ids.map((id) => t.engine.queueStats(id, now())).filter((x) => x !== null);
      if (p.queueId && stats.length === 0) return reply(s, req.id, { ok: false, code: 'UNKNOWN_QUEUE', message: `queue '${p.queueId}' is not defined` });
      return reply(s, req.id, { ok: true, queues: stats });
    }
    case 'GetInteraction': {
      const info = t.engine.interaction(p.interactionId, now());
      if (info) return reply(s, req.id, { ok: true, interaction: info });
      const status = t.engine.finishedStatus(p.interactionId);
      return status
        ? reply(s, req.id, { ok: true, interaction: { interactionId: p.interactionId, status } })
        : reply(s, req.id, { ok: false, code: 'UNKNOWN_INTERACTION', message: `interaction '${p.interactionId}' is not known` });
    }
    case 'GetInteractionHistory':
      return t.requests.historyOf(s, req.id, p.interactionId);
    case 'ListCustomerInteractions':
      return t.requests.journeyOf(s, req.id, p.customerId, p.limit ?? 20, p.before);
    case 'GetAgent': {
      const load = t.engine.agentLoad(p.agentId);
      return load
        ? reply(s, req.id, { ok: true, agent: load })
        : reply(s, req.id, { ok: false, code: 'UNKNOWN_AGENT', message: `agent '${p.agentId}' is not defined` });
    }
    case 'GetConfiguration': {
      const configuration = t.engine.configuration(p.cursor, p.limit);
      return configuration
        ? reply(s, req.id, { ok: true, configuration })
        : reply(s, req.id, { ok: false, code: 'VALIDATION_FAILED', message: 'cursor: not one this server gave' });
    }
    case 'GetAgentSummary':
      return reply(s, req.id, { ok: true, summary: t.engine.agentSummary() });
    case 'ListWaitingInteractions': {
      const list = t.engine.waitingInteractions(p.queueId, p.limit ?? 50, now());
      return list
        ? reply(s, req.id, { ok: true, ...list })
        : reply(s, req.id, { ok: false, code: 'UNKNOWN_QUEUE', message: `queue '${p.queueId}' is not defined` });
    }
    case 'ExplainInteraction': {
      const explanation = t.engine.explain(p.interactionId, p.limit);
      if (explanation) return reply(s, req.id, { ok: true, explanation });
      const status = t.engine.finishedStatus(p.interactionId);
      return status
        ? reply(s, req.id, { ok: false, code: 'INVALID_STATE', message: `interaction '${p.interactionId}' has finished (${status}); nothing waits` })
        : reply(s, req.id, { ok: false, code: 'UNKNOWN_INTERACTION', message: `interaction '${p.interactionId}' is not known` });
    }
    case 'Subscribe':
      return t.requests.subscribe(s, req.id, p);
  }
  if (role !== 'platform') return reply(s, req.id, { ok: false, code: ProtocolCode.FORBIDDEN, message: `not allowed for a ${role}` });
  switch (p.type) {
    case 'SubmitInteraction': {
      const r = t.apply({ type: 'SubmitInteraction', interaction: p.interaction });
      if (!r.ok) return reply(s, req.id, { ok: false, code: r.code, message: r.message });
      if (r.duplicate) return reply(s, req.id, { ok: true, interactionId: p.interaction.id, duplicate: true, status: r.status });
      return s.send({ re: p.id, ok: true, interactionId: p.interaction.id });
    }
    case 'DefineSkill':
      return command(t, s, req.id, { type: 'DefineSkill', skill: p.skill });
    case 'UpsertQueue':
      return command(t, s, req.id, { type: 'UpsertQueue', queue: p.queue });
    case 'RemoveQueue':
      return command(t, s, req.id, { type: 'RemoveQueue', queueId: p.queueId, ...(p.moveTo !== undefined ? { moveTo: p.moveTo } : {}) });
    case 'RemoveSkill':
      return command(t, s, req.id, { type: 'RemoveSkill', skill: p.skill });
    case 'UpsertAgent':
      return command(t, s, req.id, { type: 'UpsertAgent', agent: p.agent });
    case 'UpsertAgents':
      return command(t, s, req.id, { type: 'UpsertAgents', agents: p.agents });
    case 'RemoveAgent':
      return command(t, s, req.id, { type: 'RemoveAgent', agentId: p.agentId });
    case 'SetAgentState':
      return command(t, s, req.id, { type: 'SetAgentState', agentIds: p.agentIds, state: p.state, ...(p.reason ? { reason: p.reason } : {}) });
    case 'UpdateInteraction':
      return command(t, s, req.id, {
        type: 'UpdateInteraction',
        interactionId: p.interactionId,
        ...(p.priority !== undefined ? { priority: p.priority } : {}),
        ...('context' in p ? { context: p.context } : {}),
        ...(p.active !== undefined ? { active: p.active } : {}),
      });
    case 'TransferInteraction':
      return command(t, s, req.id, {
        type: 'TransferInteraction',
        interactionId: p.interactionId,
        queue: p.queue,
        ...(p.skills ? { skills: p.skills } : {}),
        ...(p.agentId !== undefined ? { agentId: p.agentId } : {}),
        ...(p.requiredForMs !== undefined ? { requiredForMs: p.requiredForMs } : {}),
        ...(p.transferId !== undefined ? { transferId: p.transferId } : {}),
      });
    case 'CancelInteraction':
      return command(t, s, req.id, { type: 'CancelInteraction', interactionId: p.interactionId, reason: p.reason });
    case 'ConvertToCallback':
      return command(t, s, req.id, {
        type: 'ConvertToCallback',
        interactionId: p.interactionId,
        ...(p.channel !== undefined ? { channel: p.channel } : {}),
        ...(p.notBefore !== undefined ? { notBefore: p.notBefore } : {}),
      });
    case 'UpsertWebhook': {
      const problem = webhookUrlProblem(p.url, t.webhookSettings.allowPrivate);
      if (problem) return reply(s, req.id, { ok: false, code: 'INVALID_ARGUMENT', message: `webhook ${problem}` });
      const webhook = {
        id: p.webhookId,
        url: p.url,
        secret: p.secret,
        ...(p.types ? { types: p.types } : {}),
        ...(p.queues ? { queues: p.queues } : {}),
        ...(p.after !== undefined ? { after: p.after } : {}),
      };
      const before = t.webhooks.copyOf(p.webhookId);
      command(t, s, req.id, { type: 'UpsertWebhook', webhook });
      return t.webhooks.changed(p.webhookId, before);
    }
    case 'RemoveWebhook': {
      const before = t.webhooks.copyOf(p.webhookId);
      command(t, s, req.id, { type: 'RemoveWebhook', webhookId: p.webhookId });
      return t.webhooks.changed(p.webhookId, before);
    }
    case 'GetWebhooks':
      return reply(s, req.id, { ok: true, webhooks: t.webhooks.status() });
  }
}
