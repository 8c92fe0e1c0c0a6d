/**
 * What an interaction requires of an agent, as the platform wrote it: a common part (skills with
 * minimum levels, exact-match labels, selectors) and optional alternatives, each added to the
 * common part. The routing index sees only the effective requirement of each alternative (skills
 * and canonical clauses), one signature each: an interaction with alternatives waits in all of
 * them at once (docs/engine.md, Alternatives).
 */
import { type Clause, NO_SELECTORS, clauseSelector, toClauses } from './selectors.ts';
import type { LabelValue, Labels, RelaxationStep, Requirement, Selector, SkillLevels } from './types.ts';

/**
 * The skill requirements of work that names no skills: one shared, frozen object, so an
 * interaction without requirements holds no empty objects of its own and finds its signature at once.
 */
export const NO_REQUIREMENTS: Readonly<Record<string, never>> = Object.freeze({});

export interface Requirements {
  readonly skills: SkillLevels;
  readonly labels: Labels | undefined;
  readonly selectors: readonly Selector[] | undefined;
  /** Null: none (the common part is the one requirement). */
  readonly alternatives: readonly Requirement[] | null;
}

/** The requirements of work that asks for nothing: shared, frozen. */
export const PLAIN: Requirements = Object.freeze({ skills: NO_REQUIREMENTS, labels: undefined, selectors: undefined, alternatives: null });

/** One effective requirement: what a signature is made of. */
export interface Effective {
  readonly skills: SkillLevels;
  readonly clauses: readonly Clause[];
}

const PLAIN_EFFECTIVE: readonly Effective[] = Object.freeze([Object.freeze({ skills: NO_REQUIREMENTS, clauses: NO_SELECTORS })]);

/**
 * The requirements of an interaction that keeps none of its own (no alternatives, no relaxation
 * steps to apply to them): its signature's, written back as skills, exact-match labels (its
 * `eq` clauses) and selectors (the others). The same effective requirement, so the same
 * signatures wherever it moves.
 */
export function requirementsOfSignature(skills: readonly (readonly [string, number])[], clauses: readonly Clause[]): Requirements {
  if (skills.length === 0 && clauses.length === 0) return PLAIN;
  const labels: Record<string, LabelValue> = {};
  const selectors: Selector[] = [];
  for (const c of clauses) {
    // Two eq clauses on one key (unsatisfiable, but asked) cannot both be labels.
    if (c.op === 'eq' && !Object.hasOwn(labels, c.key)) labels[c.key] = c.value!;
    else selectors.push(clauseSelector(c));
  }
  return requirementsOf({
    skills: skills.length > 0 ? Object.fromEntries(skills) : undefined,
    labels: Object.keys(labels).length > 0 ? labels : undefined,
    selectors: selectors.length > 0 ? selectors : undefined,
  });
}

/** The requirements a submission states (input that validate.ts accepted). */
export function requirementsOf(spec: Requirement & { readonly alternatives?: readonly Requirement[] }): Requirements {
  if (
    spec.skills === undefined &&
    spec.labels === undefined &&
    spec.selectors === undefined &&
    (spec.alternatives === undefined || spec.alternatives.length === 0)
  )
    return PLAIN;
  return {
    skills: spec.skills ?? NO_REQUIREMENTS,
    labels: spec.labels,
    selectors: spec.selectors,
    alternatives: spec.alternatives !== undefined && spec.alternatives.length > 0 ? spec.alternatives : null,
  };
}

/** The requirements after a relaxation step: the fields it names replace the current ones. */
export function afterStep(req: Requirements, step: RelaxationStep): Requirements {
  return requirementsOf({
    skills: step.skills ?? (req.skills === NO_REQUIREMENTS ? undefined : req.skills),
    labels: step.labels ?? req.labels,
    selectors: step.selectors ?? req.selectors,
    alternatives: step.alternatives ?? req.alternatives ?? undefined,
  });
}

/** Does the step change who may take the interaction? */
export function stepChangesRequirements(step: RelaxationStep): boolean {
  return step.skills !== undefined || step.labels !== undefined || step.selectors !== undefined || step.alternatives !== undefined;
}

/** The effective requirement of each alternative (or the common part alone), in order. */
export function effective(req: Requirements): readonly Effective[] {
  if (req === PLAIN) return PLAIN_EFFECTIVE;
  const alts = req.alternatives ?? [undefined];
  return alts.map((alt) => {
    const skills = alt?.skills === undefined ? req.skills : { ...req.skills, ...alt.skills };
    const labels = alt?.labels === undefined ? req.labels : { ...req.labels, ...alt.labels };
    const selectors = alt?.selectors === undefined ? req.selectors : [...(req.selectors ?? []), ...alt.selectors];
    return {
      skills: Object.keys(skills).length === 0 ? NO_REQUIREMENTS : skills,
      clauses: labels === undefined && selectors === undefined ? NO_SELECTORS : toClauses(labels, selectors),
    };
  });
}
