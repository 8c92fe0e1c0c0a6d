/**
 * The routing index (docs/routing.md §3): who may take what, computed once per new pair and never
 * per event.
 * - Channels: names interned to small indexes; each has a position index shared by the
 *   available-agent heaps of that channel.
 * - Profiles p: agents with identical skills, levels, labels, capacity and queue memberships
 *   share one; each (p, channel) keeps its available agents in a heap ordered by the selection key.
 * - Signatures σ: queue + channel + required skills with minimum levels + label selectors;
 *   each keeps its waiting interactions in a heap on (band, key, seq).
 * - Links: C(σ), the profile channels that satisfy σ (sorted by proficiency for best-skill), and
 *   E(p, c), the signatures a profile channel satisfies, each with the profile's level and delay
 *   in σ's queue. A new profile is tested against every signature and a new signature against
 *   every profile, once; a queue's `membersOnly` changing relinks that queue's signatures.
 */
import { IndexedHeap, PositionIndex } from '../queues/indexed-heap.ts';
import { KeyedHeap } from '../queues/keyed-heap.ts';
import type { Membership, Profile, ProfileChannel, Queue, Signature } from './entities.ts';
import type { EngineLimits } from './options.ts';
import { NO_REQUIREMENTS, type Requirements, effective } from './requirements.ts';
import { type Clause, NO_SELECTORS, clauseHolds, clauseText, toClauses } from './selectors.ts';
import type { AgentSpec, CapacitySpec, InteractionSpec, LabelValue, Labels, SkillLevels } from './types.ts';

export class RoutingIndex {
  /** Skills defined by DefineSkill: requirements and agents may name only these. */
  readonly skills = new Set<string>();
  readonly channelIdx = new Map<string, number>();
  readonly channelNames: string[] = [];
  /** Per channel index: the positions of agents in that channel's available-agent heaps. */
  readonly agentPos: PositionIndex[] = [];
  readonly profiles = new Map<string, Profile>();
  /** By id; a collected profile leaves a hole (its id is reused). */
  readonly profileList: (Profile | undefined)[] = [];
  readonly signatures = new Map<string, Signature>();
  /** By id; a collected signature leaves a hole (its id is reused). */
  readonly signatureList: (Signature | undefined)[] = [];
  /**
   * Profiles no agent has and signatures no live interaction has, oldest first: collected, oldest
   * first, once more than a quarter of the table (and more than limits.minIdleKept) is idle, when
   * a new one is made. A profile or signature used again leaves the list; one used often is
   * never collected.
   */
  readonly idleProfiles = new Set<Profile>();
  readonly idleSignatures = new Set<Signature>();
  /** Ids of collected profiles and signatures, reused last-freed first. */
  readonly freeProfileIds: number[] = [];
  readonly freeSignatureIds: number[] = [];
  /** Each queue's signature of work with no requirements, by channel (derived: filled on use). */
  private readonly plain: (Signature | undefined)[][] = [];
  /** The index of the next queue made (a removed queue's index is not reused). */
  nextQueueIdx = 0;
  /** Profiles with more than one queue level that some agent has: while any, batches match agent by agent. */
  levelledProfiles = 0;
  /**
   * Positions of interactions in the signature heaps, one index per alternative number: a
   * signature is made for one alternative number, so an interaction is in at most one heap of each.
   */
  readonly sigPos: PositionIndex[] = [];

  constructor(
    private readonly limits: EngineLimits,
    /** The available-agent heaps' order (agent-table.ts). */
    private readonly agentLess: (a: number, b: number) => boolean,
  ) {
    for (let k = 0; k < Math.max(1, limits.maxAlternatives); k++) this.sigPos.push(new PositionIndex());
  }

  /**
   * The signatures of `req` in queue `q` on channel `ch`, one per alternative (made and linked
   * if new); null when the signature limit is reached.
   */
  signaturesFor(q: Queue, ch: number, req: Requirements): Signature[] | null {
    const eff = effective(req);
    const out: Signature[] = [];
    for (let k = 0; k < eff.length; k++) {
      const sig = this.signatureFor(q, ch, eff[k].skills, eff[k].clauses, k);
      if (sig === null) {
        // Nothing will use the ones found: unused, they are idle again.
        this.unused(out);
        return null;
      }
      out.push(sig);
    }
    return out;
  }

  /** The channel's index; with `create`, interns a new name, else −1 for an unknown one. */
  channelIndex(name: string, create: boolean): number {
    let i = this.channelIdx.get(name);
    if (i === undefined) {
      if (!create) return -1;
      i = this.channelNames.length;
      this.channelNames.push(name);
      this.channelIdx.set(name, i);
      this.agentPos.push(new PositionIndex());
    }
    return i;
  }

  /** A profile channel's heap of available agents. */
  agentHeap(ch: number): IndexedHeap {
    return new IndexedHeap(this.agentPos[ch], this.agentLess);
  }

  /**
   * The profile for these skills, labels, capacity and queue memberships (made and linked if
   * new); null at the limit.
   */
  profileFor(levels: SkillLevels, labels: Labels, cap: CapacitySpec, queues: AgentSpec['queues'] = {}): Profile | null {
    const key = profileKey(levels, labels, cap, queues);
    const existing = this.profiles.get(key);
    if (existing) return existing;
    this.collect();
    if (this.profiles.size >= this.limits.maxProfiles && this.idleProfiles.size > 0) this.retireProfile(this.idleProfiles.values().next().value!);
    if (this.profiles.size >= this.limits.maxProfiles) return null;
    const memberships = new Map<string, Membership>();
    for (const id of Object.keys(queues ?? {}).sort()) {
      const m = queues![id];
      memberships.set(id, { level: m.priority ?? 1, delayMs: m.delayMs ?? 0, reserve: m.reserve === true });
    }
    const id = this.freeProfileIds.pop() ?? this.profileList.length;
    const profile = newProfile(id, key, new Map(Object.entries(levels)), new Map(Object.entries(labels)), memberships, cap.total);
    for (const c of Object.keys(cap.channels).sort()) {
      const ch = this.channelIndex(c, true);
      const x = cap.channels[c];
      const pc: ProfileChannel = {
        profile,
        ch,
        cost: x.cost,
        max: x.max,
        autoAccept: x.autoAccept === true,
        interruptible: x.interruptible === true,
        inactiveMax: x.inactiveMax ?? 0,
        heap: this.agentHeap(ch),
        sigs: [],
        levels: [],
        delays: [],
      };
      profile.chans.push(pc);
      profile.byCh[ch] = pc;
    }
    this.profiles.set(key, profile);
    this.profileList[id] = profile;
    // E(p, c) for existing signatures: once per new profile, off the hot path.
    for (const sig of this.signatureList) {
      const pc = sig && profile.byCh[sig.ch];
      if (pc && satisfies(profile, sig)) this.link(sig, pc);
    }
    // Not idle: the caller is about to give it an agent.
    return profile;
  }

  /** About to be used: an idle profile leaves the idle list (it gets a member at once). */
  pinProfile(key: string): void {
    const p = this.profiles.get(key);
    if (p !== undefined && p.members === 0) this.idleProfiles.delete(p);
  }

  /** An agent, or an open offer or assignment on one of its channels, joins (`+1`) or leaves (`-1`) the profile. */
  member(p: Profile, sign: 1 | -1): void {
    p.members += sign;
    if (p.members === 0) {
      this.idleProfiles.add(p);
      if (p.levelled) this.levelledProfiles--;
    } else if (sign === 1 && p.members === 1) {
      this.idleProfiles.delete(p);
      if (p.levelled) this.levelledProfiles++;
    }
  }

  /** A signature found for use leaves the idle list, so a collection in the same call spares it. */
  private pin(sig: Signature): void {
    if (sig.refs === 0) this.idleSignatures.delete(sig);
  }

  /** Signatures found but not used after all (a refusal): the unused ones are idle again. */
  unused(sigs: readonly Signature[]): void {
    for (const s of sigs) if (s.refs === 0) this.idleSignatures.add(s);
  }

  /** A live interaction takes (`+1`) or gives up (`-1`) the signature. */
  ref(sig: Signature, sign: 1 | -1): void {
    sig.refs += sign;
    if (sig.refs === 0) this.idleSignatures.add(sig);
    else if (sign === 1 && sig.refs === 1) this.idleSignatures.delete(sig);
  }

  /** Collects the oldest idle profiles and signatures while too many are idle (see idleProfiles). */
  private collect(): void {
    const keep = this.limits.minIdleKept;
    while (this.idleSignatures.size > Math.max(keep, this.signatures.size / 4)) this.retireSignature(this.idleSignatures.values().next().value!);
    while (this.idleProfiles.size > Math.max(keep, this.profiles.size / 4)) this.retireProfile(this.idleProfiles.values().next().value!);
  }

  /** Forgets an unused signature: out of every E(p, c), the table and the plain cache. O(f · g). */
  retireSignature(sig: Signature): void {
    for (const pc of sig.pcs.slice()) this.unlink(sig, pc);
    this.signatures.delete(sig.key);
    this.signatureList[sig.id] = undefined;
    this.freeSignatureIds.push(sig.id);
    this.idleSignatures.delete(sig);
    const byCh = this.plain[sig.queue.idx];
    if (byCh !== undefined && byCh[sig.ch] === sig) byCh[sig.ch] = undefined;
  }

  /** Forgets a profile no agent has: out of every C(σ) and the table. O(g · f). */
  retireProfile(p: Profile): void {
    for (const pc of p.chans) for (const sig of pc.sigs.slice()) this.unlink(sig, pc);
    this.profiles.delete(p.key);
    this.profileList[p.id] = undefined;
    this.freeProfileIds.push(p.id);
    this.idleProfiles.delete(p);
  }

  /** Every idle signature of queue `q` and every idle signature or profile `matches` picks, collected now. */
  retireIdle(sigMatches: (sig: Signature) => boolean, profileMatches: (p: Profile) => boolean): void {
    for (const sig of [...this.idleSignatures]) if (sigMatches(sig)) this.retireSignature(sig);
    for (const p of [...this.idleProfiles]) if (profileMatches(p)) this.retireProfile(p);
  }

  /**
   * The signature of one effective requirement as alternative number `alt` in `q` (made and
   * linked if new); null at the limit. Work with no requirements (most of it) finds its
   * signature by queue and channel, without building the key.
   */
  signatureFor(q: Queue, ch: number, skills: SkillLevels, clauses: readonly Clause[], alt: number): Signature | null {
    if (alt === 0 && skills === NO_REQUIREMENTS && clauses === NO_SELECTORS) {
      const byCh = (this.plain[q.idx] ??= []);
      const known = byCh[ch];
      if (known !== undefined) {
        this.pin(known);
        return known;
      }
      const sig = this.keyedSignature(q, ch, skills, clauses, 0);
      if (sig) byCh[ch] = sig;
      return sig;
    }
    return this.keyedSignature(q, ch, skills, clauses, alt);
  }

  /**
   * The signature of a submission with no alternatives and no relaxation steps: its skills and
   * selectors (`labels` as exact matches); the common case takes the label fast path.
   */
  signatureOfSpec(q: Queue, ch: number, spec: InteractionSpec): Signature | null {
    const skills = spec.skills ?? NO_REQUIREMENTS;
    if (spec.selectors !== undefined) return this.signatureFor(q, ch, skills, toClauses(spec.labels, spec.selectors), 0);
    if (spec.labels !== undefined) return this.signatureForLabels(q, ch, skills, spec.labels);
    return this.signatureFor(q, ch, skills, NO_SELECTORS, 0);
  }

  /**
   * The signature of a submission's own requirement written as skills and exact-match labels
   * only (no selectors, no alternatives: most work), found by a key built from them directly;
   * the canonical clauses are made only for a new signature.
   */
  signatureForLabels(q: Queue, ch: number, skills: SkillLevels, labels: Labels): Signature | null {
    const skillIds = Object.keys(skills);
    if (skillIds.length > 1) skillIds.sort();
    const labelKeys = Object.keys(labels);
    if (labelKeys.length > 1) labelKeys.sort();
    // The key signatureKey makes of the labels' eq clauses (sorted by key, as their text sorts).
    let key = `${q.idx}\u0001${ch}`;
    for (const s of skillIds) key += `\u0001${s}\u0002${skills[s]}`;
    key += '\u0003';
    for (const k of labelKeys) {
      const v = labels[k];
      key += typeof v === 'number' ? `\u0001${k}\u0002eq\u0002n${v}` : `\u0001${k}\u0002eq\u0002s${v}`;
    }
    const existing = this.signatures.get(key);
    if (existing) {
      this.pin(existing);
      return existing;
    }
    return this.keyedSignature(q, ch, skills, toClauses(labels, undefined), 0);
  }

  private keyedSignature(q: Queue, ch: number, skills: SkillLevels, selectors: readonly Clause[], alt: number): Signature | null {
    const skillIds = Object.keys(skills);
    if (skillIds.length > 1) skillIds.sort();
    const key = signatureKey(q.idx, ch, skillIds, skills, selectors, alt);
    const existing = this.signatures.get(key);
    if (existing) {
      this.pin(existing);
      return existing;
    }
    const sk = skillIds.map((s) => [s, skills[s]] as const);
    this.collect();
    // At the limit an idle one makes room: the limit counts what is in use.
    if (this.signatures.size >= this.limits.maxSignatures && this.idleSignatures.size > 0) this.retireSignature(this.idleSignatures.values().next().value!);
    if (this.signatures.size >= this.limits.maxSignatures) return null;
    const sig: Signature = {
      id: this.freeSignatureIds.pop() ?? this.signatureList.length,
      key,
      refs: 0,
      queue: q,
      ch,
      alt,
      skills: sk,
      selectors,
      heap: new KeyedHeap(this.sigPos[alt]),
      pcs: [],
      proficiency: [],
      profileIds: new Set(),
      avail: 0,
      hSlot: -1,
      hBand: 0,
      hKey: 0,
      hSeq: 0,
      hRejected: false,
    };
    this.signatures.set(key, sig);
    this.signatureList[sig.id] = sig;
    // C(σ) for existing profiles: once per new signature, off the hot path.
    for (const p of this.profileList) {
      const pc = p?.byCh[ch];
      if (pc && satisfies(p!, sig)) this.link(sig, pc);
    }
    return sig;
  }

  /**
   * After a queue's `membersOnly` changed: links and unlinks its signatures with every profile
   * as `satisfies` now says. O(profiles × the queue's signatures): configuration, not routing.
   */
  relinkQueue(q: Queue): void {
    for (const sig of this.signatureList) {
      if (sig === undefined || sig.queue !== q) continue;
      for (const p of this.profileList) {
        const pc = p?.byCh[sig.ch];
        if (!pc || !p) continue;
        const should = satisfies(p, sig);
        if (should && !sig.profileIds.has(p.id)) this.link(sig, pc);
        else if (!should && sig.profileIds.has(p.id)) this.unlink(sig, pc);
      }
    }
  }

  /** Undoes `link`. */
  private unlink(sig: Signature, pc: ProfileChannel): void {
    const i = sig.pcs.indexOf(pc);
    sig.pcs.splice(i, 1);
    sig.proficiency.splice(i, 1);
    sig.profileIds.delete(pc.profile.id);
    const j = pc.sigs.indexOf(sig);
    pc.sigs.splice(j, 1);
    pc.levels.splice(j, 1);
    pc.delays.splice(j, 1);
    if (pc.heap.size > 0) sig.avail--;
  }

  /** Records that `pc` satisfies σ: into C(σ) by proficiency, and σ into E(p, c) with its level and delay. */
  private link(sig: Signature, pc: ProfileChannel): void {
    let prof = 0;
    for (const [s] of sig.skills) prof += pc.profile.levels.get(s) ?? 0;
    // Keep pcs sorted by proficiency (descending), stable by profile id: best-skill scans in order.
    let i = sig.pcs.length;
    while (i > 0 && sig.proficiency[i - 1] < prof) i--;
    sig.pcs.splice(i, 0, pc);
    sig.proficiency.splice(i, 0, prof);
    sig.profileIds.add(pc.profile.id);
    const m = pc.profile.queues.get(sig.queue.id);
    pc.sigs.push(sig);
    pc.levels.push(m?.level ?? 1);
    pc.delays.push(m?.delayMs ?? 0);
    if (pc.heap.size > 0) sig.avail++;
  }
}

/** The key of the profile of agents with these skills, labels, capacity and memberships. */
export function profileKey(levels: SkillLevels, labels: Labels, cap: CapacitySpec, queues: AgentSpec['queues'] = {}): string {
  const skillPart = Object.keys(levels)
    .sort()
    .map((s) => `${s}=${levels[s]}`)
    .join(',');
  const labelPart = Object.keys(labels)
    .sort()
    .map((k) => (typeof labels[k] === 'number' ? `${k}=#${labels[k]}` : `${k}=${labels[k]}`))
    .join(',');
  const chanPart = Object.keys(cap.channels)
    .sort()
    .map((c) => {
      const x = cap.channels[c];
      return `${c}:${x.cost}/${x.max}${x.autoAccept ? 'a' : ''}${x.interruptible ? 'i' : ''}${x.inactiveMax ? `n${x.inactiveMax}` : ''}`;
    })
    .join(',');
  const parts: unknown[] = [skillPart, labelPart, cap.total, chanPart];
  const ids = Object.keys(queues ?? {}).sort();
  if (ids.length > 0)
    parts.push(ids.map((id) => `${id}=${queues![id].priority ?? 1}/${queues![id].delayMs ?? 0}${queues![id].reserve === true ? '/r' : ''}`).join(','));
  return JSON.stringify(parts);
}

/** A profile record with its derived membership fields; channels are added by the caller. */
export function newProfile(
  id: number,
  key: string,
  levels: ReadonlyMap<string, number>,
  labels: ReadonlyMap<string, LabelValue>,
  queues: ReadonlyMap<string, Membership>,
  total: number,
): Profile {
  let bestLevel = Number.POSITIVE_INFINITY;
  let worstLevel = 1;
  for (const m of queues.values()) {
    bestLevel = Math.min(bestLevel, m.level);
    worstLevel = Math.max(worstLevel, m.level);
  }
  if (queues.size === 0) bestLevel = 1;
  const reserve = [...queues].filter(([, m]) => m.reserve).map(([id]) => id);
  return {
    id,
    key,
    levels,
    labels,
    queues,
    bestLevel,
    levelled: worstLevel > bestLevel,
    total,
    chans: [],
    byCh: [],
    staffed: 0,
    members: 0,
    reserving: null,
    reserveOf: reserve.length === 0 ? null : new Set(reserve),
    tracked: null,
  };
}

/** A signature's canonical key; ids never contain the control characters used as separators. */
export function signatureKey(
  queueIdx: number,
  ch: number,
  sortedSkillIds: readonly string[],
  skills: SkillLevels,
  selectors: readonly Clause[],
  alt: number,
): string {
  let key = alt === 0 ? `${queueIdx}\u0001${ch}` : `${alt}\u0005${queueIdx}\u0001${ch}`;
  for (const s of sortedSkillIds) key += `\u0001${s}\u0002${skills[s]}`;
  key += '\u0003';
  for (const c of selectors) key += `\u0001${clauseText(c)}`;
  return key;
}

/** May the agents of profile `p` take σ's work: membership, skill minima and label selectors. */
export function satisfies(p: Profile, sig: Signature): boolean {
  if (p.queues.size > 0 ? !p.queues.has(sig.queue.id) : sig.queue.membersOnly) return false;
  for (const [s, min] of sig.skills) if ((p.levels.get(s) ?? 0) < min) return false;
  for (const c of sig.selectors) if (!clauseHolds(c, p.labels.get(c.key))) return false;
  return true;
}
