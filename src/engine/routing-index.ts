/**
 * The routing index (docs/routing.md §3): who may take what, computed once per new pair and never
 * per event.
 * - Channels: names interned to small indexes; each has a position index shared by the
 *   available-agent heaps of that channel.
 * - Profiles p: agents with identical skills, levels, labels and capacity share one; each
 *   (p, channel) keeps its available agents in a heap ordered by the selection key.
 * - Signatures σ: queue + channel + required skills with minimum levels + label selectors;
 *   each keeps its waiting interactions in a heap on (band, key, seq).
 * - Links: C(σ), the profile channels that satisfy σ (sorted by proficiency for best-skill), and
 *   E(p, c), the signatures a profile channel satisfies. A new profile is tested against every
 *   signature and a new signature against every profile, once.
 */
import { IndexedHeap, PositionIndex } from '../queues/indexed-heap.ts';
import { KeyedHeap } from '../queues/keyed-heap.ts';
import type { Profile, ProfileChannel, Queue, Signature } from './entities.ts';
import type { EngineLimits } from './options.ts';
import type { CapacitySpec, SkillLevels } from './types.ts';

/**
 * The requirements of work that names no skills and no labels: one shared, frozen object, so an
 * interaction without requirements holds no empty objects of its own and finds its signature at once.
 */
export const NO_REQUIREMENTS: Readonly<Record<string, never>> = Object.freeze({});

export class RoutingIndex {
  /** Skills defined by DefineSkill: requirements and agents may name only these. */
  readonly skills = new Set<string>();
  readonly channelIdx = new Map<string, number>();
  readonly channelNames: string[] = [];
  /** Per channel index: the positions of agents in that channel's available-agent heaps. */
  readonly agentPos: PositionIndex[] = [];
  readonly profiles = new Map<string, Profile>();
  readonly profileList: Profile[] = [];
  readonly signatures = new Map<string, Signature>();
  readonly signatureList: Signature[] = [];
  /** Each queue's signature of work with no requirements, by channel (derived: filled on use). */
  private readonly plain: (Signature | undefined)[][] = [];
  /** Positions of interactions in the signature heaps (an interaction is in one at a time). */
  readonly sigPos = new PositionIndex();

  constructor(
    private readonly limits: EngineLimits,
    /** The available-agent heaps' order (agent-table.ts). */
    private readonly agentLess: (a: number, b: number) => boolean,
  ) {}

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

  /** The profile for these skills, labels and capacity (made and linked if new); null at the limit. */
  profileFor(levels: SkillLevels, labels: Record<string, string>, cap: CapacitySpec): Profile | null {
    const skillPart = Object.keys(levels)
      .sort()
      .map((s) => `${s}=${levels[s]}`)
      .join(',');
    const labelPart = Object.keys(labels)
      .sort()
      .map((k) => `${k}=${labels[k]}`)
      .join(',');
    const chanPart = Object.keys(cap.channels)
      .sort()
      .map((c) => {
        const x = cap.channels[c];
        return `${c}:${x.cost}/${x.max}${x.autoAccept ? 'a' : ''}${x.interruptible ? 'i' : ''}`;
      })
      .join(',');
    const key = JSON.stringify([skillPart, labelPart, cap.total, chanPart]);
    const existing = this.profiles.get(key);
    if (existing) return existing;
    if (this.profiles.size >= this.limits.maxProfiles) return null;
    const profile: Profile = {
      id: this.profileList.length,
      levels: new Map(Object.entries(levels)),
      labels: new Map(Object.entries(labels)),
      total: cap.total,
      chans: [],
      byCh: [],
      staffed: 0,
    };
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
        heap: this.agentHeap(ch),
        sigs: [],
      };
      profile.chans.push(pc);
      profile.byCh[ch] = pc;
    }
    this.profiles.set(key, profile);
    this.profileList.push(profile);
    // E(p, c) for existing signatures: once per new profile, off the hot path.
    for (const sig of this.signatureList) {
      const pc = profile.byCh[sig.ch];
      if (pc && satisfies(profile, sig)) this.link(sig, pc);
    }
    return profile;
  }

  /**
   * The signature for these requirements in `q` (made and linked if new); null at the limit.
   * Work with no skills and no labels (`NO_REQUIREMENTS`, most of it) finds its signature by
   * queue and channel, without building the key.
   */
  signatureFor(q: Queue, ch: number, skills: SkillLevels, labels: Record<string, string>): Signature | null {
    if (skills === NO_REQUIREMENTS && labels === NO_REQUIREMENTS) {
      const byCh = (this.plain[q.idx] ??= []);
      const known = byCh[ch];
      if (known !== undefined) return known;
      const sig = this.keyedSignature(q, ch, skills, labels);
      if (sig) byCh[ch] = sig;
      return sig;
    }
    return this.keyedSignature(q, ch, skills, labels);
  }

  private keyedSignature(q: Queue, ch: number, skills: SkillLevels, labels: Record<string, string>): Signature | null {
    const skillIds = Object.keys(skills);
    const labelKeys = Object.keys(labels);
    if (skillIds.length > 1) skillIds.sort();
    if (labelKeys.length > 1) labelKeys.sort();
    // Canonical key; ids never contain the control characters used as separators.
    let key = `${q.idx}\u0001${ch}`;
    for (const s of skillIds) key += `\u0001${s}\u0002${skills[s]}`;
    key += '\u0003';
    for (const k of labelKeys) key += `\u0001${k}\u0002${labels[k]}`;
    const existing = this.signatures.get(key);
    if (existing) return existing;
    const sk = skillIds.map((s) => [s, skills[s]] as const);
    const lb = labelKeys.map((k) => [k, labels[k]] as const);
    if (this.signatures.size >= this.limits.maxSignatures) return null;
    const sig: Signature = {
      id: this.signatureList.length,
      queue: q,
      ch,
      skills: sk,
      labels: lb,
      heap: new KeyedHeap(this.sigPos),
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
    this.signatureList.push(sig);
    // C(σ) for existing profiles: once per new signature, off the hot path.
    for (const p of this.profileList) {
      const pc = p.byCh[ch];
      if (pc && satisfies(p, sig)) this.link(sig, pc);
    }
    return sig;
  }

  /** Records that `pc` satisfies σ: into C(σ) by proficiency, and σ into E(p, c). */
  private link(sig: Signature, pc: ProfileChannel): void {
    let prof = 0;
    for (const [s] of sig.skills) prof += pc.profile.levels.get(s) ?? 0;
    // Keep pcs sorted by proficiency (descending), stable by profile id: best-skill scans in order.
    let i = sig.pcs.length;
    while (i > 0 && sig.proficiency[i - 1] < prof) i--;
    sig.pcs.splice(i, 0, pc);
    sig.proficiency.splice(i, 0, prof);
    sig.profileIds.add(pc.profile.id);
    pc.sigs.push(sig);
    if (pc.heap.size > 0) sig.avail++;
  }
}

/** Does every agent of profile `p` meet σ's skill minima and label selectors? */
export function satisfies(p: Profile, sig: Signature): boolean {
  for (const [s, min] of sig.skills) if ((p.levels.get(s) ?? 0) < min) return false;
  for (const [k, v] of sig.labels) if (p.labels.get(k) !== v) return false;
  return true;
}
