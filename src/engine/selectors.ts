/**
 * Label selectors: what an interaction asks of an agent's labels (docs/engine.md, Selectors).
 * An interaction's `labels` shorthand and its `selectors` become one canonical list of clauses
 * (sorted, without repeats), so that two interactions asking the same thing share a signature
 * whatever order they wrote it in. A clause is tested against a profile once, when the pair is
 * first linked (routing-index.ts), never per event.
 */
import type { LabelValue, Labels, Selector, SelectorOp } from './types.ts';

export const SELECTOR_OPS = ['eq', 'ne', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'exists', 'notExists'] as const satisfies readonly SelectorOp[];

/** A selector in canonical form: `values` sorted and without repeats, absent fields null. */
export interface Clause {
  readonly key: string;
  readonly op: SelectorOp;
  readonly value: LabelValue | null;
  readonly values: readonly LabelValue[] | null;
}

/** The clauses of work that selects on no label: one shared, frozen list. */
export const NO_SELECTORS: readonly Clause[] = Object.freeze([]);

/** Which operands an operator takes. */
export function operandsOf(op: SelectorOp): 'value' | 'number' | 'values' | 'none' {
  switch (op) {
    case 'eq':
    case 'ne':
      return 'value';
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return 'number';
    case 'in':
    case 'notIn':
      return 'values';
    default:
      return 'none';
  }
}

/** Does a selector carry the operands its operator takes? (The wire and scenario schemas refine with it.) */
export function operandsFit(s: { readonly op: SelectorOp; readonly value?: unknown; readonly values?: unknown }): boolean {
  const takes = operandsOf(s.op);
  if (takes === 'values') return s.values !== undefined && s.value === undefined;
  if (takes === 'none') return s.values === undefined && s.value === undefined;
  return s.values === undefined && (takes === 'number' ? typeof s.value === 'number' : s.value !== undefined);
}

export const OPERANDS_RULE = 'eq and ne take a value; gt, gte, lt and lte a number value; in and notIn a values list; exists and notExists neither';

/** A value's canonical text: its type, then the value (a number never equals a string). */
function valueText(v: LabelValue): string {
  return typeof v === 'number' ? `n${v}` : `s${v}`;
}

function compareValues(a: LabelValue, b: LabelValue): number {
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical text of a clause: part of a signature's key (ids hold no control characters). */
export function clauseText(c: Clause): string {
  let s = `${c.key}\u0002${c.op}`;
  if (c.value !== null) s += `\u0002${valueText(c.value)}`;
  if (c.values !== null) for (const v of c.values) s += `\u0004${valueText(v)}`;
  return s;
}

/**
 * The canonical clauses of `labels` (each an `eq`) and `selectors` together; NO_SELECTORS when
 * there are none. Expects input that validate.ts accepted.
 */
export function toClauses(labels: Labels | undefined, selectors: readonly Selector[] | undefined): readonly Clause[] {
  // One exact-match label, the common case: already canonical, no sorting.
  if (selectors === undefined && labels !== undefined) {
    let only: string | undefined;
    let n = 0;
    for (const k in labels) {
      only = k;
      if (++n > 1) break;
    }
    if (n === 0) return NO_SELECTORS;
    if (n === 1) return [{ key: only!, op: 'eq', value: labels[only!], values: null }];
  }
  const out: Clause[] = [];
  if (labels !== undefined) for (const key of Object.keys(labels)) out.push({ key, op: 'eq', value: labels[key], values: null });
  if (selectors !== undefined)
    for (const s of selectors) {
      const values = s.values === undefined ? null : [...new Set(s.values)].sort(compareValues);
      out.push({ key: s.key, op: s.op, value: s.value ?? null, values });
    }
  if (out.length === 0) return NO_SELECTORS;
  const keyed = out.map((c) => [clauseText(c), c] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const unique: Clause[] = [];
  for (let i = 0; i < keyed.length; i++) if (i === 0 || keyed[i][0] !== keyed[i - 1][0]) unique.push(keyed[i][1]);
  return unique;
}

/** Does a label value (undefined: the agent has no such label) meet the clause? */
export function clauseHolds(c: Clause, has: LabelValue | undefined): boolean {
  switch (c.op) {
    case 'eq':
      return has === c.value;
    case 'ne':
      return has !== c.value;
    case 'in':
      return has !== undefined && c.values!.includes(has);
    case 'notIn':
      return has === undefined || !c.values!.includes(has);
    case 'exists':
      return has !== undefined;
    case 'notExists':
      return has === undefined;
    default: {
      if (typeof has !== 'number') return false;
      const v = c.value as number;
      if (c.op === 'gt') return has > v;
      if (c.op === 'gte') return has >= v;
      if (c.op === 'lt') return has < v;
      return has <= v;
    }
  }
}

/** The selector a clause stands for, as the wire writes it (for explanations). */
export function clauseSelector(c: Clause): Selector {
  if (c.values !== null) return { key: c.key, op: c.op, values: c.values };
  if (c.value !== null) return { key: c.key, op: c.op, value: c.value };
  return { key: c.key, op: c.op };
}
