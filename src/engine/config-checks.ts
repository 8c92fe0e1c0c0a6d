/**
 * The checks of the configuration commands that read the engine's state, not only their
 * arguments (validate.ts): what still refers to a queue or a skill about to be removed, and the
 * limits of a batch of agents taken as a whole. They change nothing; O(agents), O(queues) or
 * O(interactions): configuration, not routing.
 */
import { RejectCode, type Rejection } from './codes.ts';
import type { Queue } from './entities.ts';
import type { EngineParts } from './engine-parts.ts';
import { signaturesOf } from './matching.ts';
import { profileKey } from './routing-index.ts';
import type { AgentSpec, CapacitySpec, SkillLevels } from './types.ts';
import { checkAgentSpec, checkId, reject } from './validate.ts';

/** RemoveQueue: the queue and where its waiting work goes, or why not (QUEUE_IN_USE while anything refers to it). */
export function checkRemoveQueue(e: EngineParts, queueId: string, moveTo: string | undefined): { queue: Queue; target: Queue | null } | Rejection {
  const L = e.options.limits;
  const bad = checkId(queueId, 'queueId', L) ?? (moveTo === undefined ? null : checkId(moveTo, 'moveTo', L));
  if (bad) return bad;
  const q = e.queues.get(queueId);
  if (!q) return reject(RejectCode.UNKNOWN_QUEUE, `queue '${queueId}' is not defined`);
  if (moveTo === queueId) return reject(RejectCode.INVALID_ARGUMENT, 'moveTo must name another queue');
  const target = moveTo === undefined ? null : e.queues.get(moveTo);
  if (target === undefined) return reject(RejectCode.UNKNOWN_QUEUE, `queue '${moveTo}' is not defined`);
  for (const other of e.queues.values()) {
    if (other.overflowQueue === queueId) return reject(RejectCode.QUEUE_IN_USE, `queue '${other.id}' overflows into '${queueId}'`);
    if (other.exceptions.some((r) => r.action.type === 'overflow' && r.action.queue === queueId))
      return reject(RejectCode.QUEUE_IN_USE, `an exception rule of queue '${other.id}' overflows into '${queueId}'`);
    if (other.hours?.closedAction?.type === 'overflow' && other.hours.closedAction.queue === queueId)
      return reject(RejectCode.QUEUE_IN_USE, `queue '${other.id}' overflows into '${queueId}' while closed`);
    if (other.deferrable?.whileHealthy.includes(queueId) === true) return reject(RejectCode.QUEUE_IN_USE, `queue '${other.id}' defers to '${queueId}'`);
  }
  for (const a of e.agents.byId.values())
    if (a.profile.queues.has(queueId)) return reject(RejectCode.QUEUE_IN_USE, `agent '${a.id}' lists '${queueId}' in its queues`);
  for (const ix of e.ixs.byId.values())
    if (ix.relaxation?.some((st, i) => i >= ix.relaxStep && st.queue === queueId))
      return reject(RejectCode.QUEUE_IN_USE, `interaction '${ix.id}' has a relaxation step into '${queueId}'`);
  // Its live interactions are the users of its first-alternative signatures.
  let live = 0;
  for (const sig of e.index.signatures.values()) if (sig.queue === q && sig.alt === 0) live += sig.refs;
  const waiting = q.waiting.size;
  if (live > waiting) return reject(RejectCode.QUEUE_IN_USE, `${live - waiting} interactions of '${queueId}' are assigned or in wrap-up`);
  if (waiting > 0 && target === null) return reject(RejectCode.QUEUE_IN_USE, `${waiting} interactions wait in '${queueId}': name moveTo`);
  return { queue: q, target };
}

/** RemoveSkill: refused while an agent has it or a live interaction requires it, now or later (an alternative, a step). */
export function checkRemoveSkill(e: EngineParts, skill: string): Rejection | null {
  const bad = checkId(skill, 'skill', e.options.limits);
  if (bad) return bad;
  if (!e.index.skills.has(skill)) return reject(RejectCode.UNKNOWN_SKILL, `skill '${skill}' is not defined`);
  for (const a of e.agents.byId.values()) if (a.profile.levels.has(skill)) return reject(RejectCode.SKILL_IN_USE, `agent '${a.id}' has skill '${skill}'`);
  for (const ix of e.ixs.byId.values()) {
    const now = signaturesOf(ix).some((sig) => sig.skills.some(([s]) => s === skill));
    const later = ix.relaxation?.some((st) => mentionsSkill(st, skill)) === true || (ix.req?.alternatives?.some((alt) => mentionsSkill(alt, skill)) ?? false);
    if (now || later) return reject(RejectCode.SKILL_IN_USE, `interaction '${ix.id}' requires skill '${skill}'`);
  }
  return null;
}

/** Does a requirement or relaxation step name the skill (its own or its alternatives')? */
function mentionsSkill(r: { readonly skills?: SkillLevels; readonly alternatives?: readonly { readonly skills?: SkillLevels }[] }, skill: string): boolean {
  return (
    (r.skills !== undefined && Object.hasOwn(r.skills, skill)) ||
    (r.alternatives?.some((alt) => alt.skills !== undefined && Object.hasOwn(alt.skills, skill)) ?? false)
  );
}

/**
 * UpsertAgent (`batch` false: one spec) and UpsertAgents: every spec, repeated ids, and the
 * channel, agent and profile limits against the whole batch (profile keys computed, no profile
 * made), so that nothing changes unless all of it can.
 */
export function checkAgentBatch(e: EngineParts, specs: readonly AgentSpec[], batch: boolean, defaultCapacity: CapacitySpec): Rejection | null {
  const L = e.options.limits;
  const index = e.index;
  if (batch) {
    if (!Array.isArray(specs) || specs.length === 0) return reject(RejectCode.INVALID_ARGUMENT, 'agents must be a non-empty list');
    if (specs.length > L.maxAgentsPerCommand) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxAgentsPerCommand} agents in one command`);
  }
  const ids = new Set<string>();
  const channels = new Set<string>();
  const profiles = new Set<string>();
  const used = new Set<string>();
  let added = 0;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    const bad = checkAgentSpec(spec, index.skills, e.queues, L);
    if (bad) return batch ? reject(bad.code, `agents[${i}]: ${bad.message}`) : bad;
    if (ids.has(spec.id)) return reject(RejectCode.INVALID_ARGUMENT, `agents[${i}]: agent '${spec.id}' is listed twice`);
    ids.add(spec.id);
    const capacity = spec.capacity ?? defaultCapacity;
    for (const c of Object.keys(capacity.channels)) if (!index.channelIdx.has(c)) channels.add(c);
    if (!e.agents.byId.has(spec.id)) added++;
    const key = profileKey(spec.skills ?? {}, spec.labels ?? {}, capacity, spec.queues);
    if (!index.profiles.has(key)) profiles.add(key);
    else used.add(key);
  }
  // Idle profiles the batch does not use can be collected to make room for its new ones.
  let collectable = 0;
  for (const p of index.idleProfiles) if (!used.has(p.key)) collectable++;
  if (index.channelNames.length + channels.size > L.maxChannels) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxChannels} channels`);
  if (e.agents.byId.size + added > L.maxAgents) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxAgents} agents`);
  if (index.profiles.size - collectable + profiles.size > L.maxProfiles)
    return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxProfiles} distinct agent profiles`);
  return null;
}
