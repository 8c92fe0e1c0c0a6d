/**
 * Bounds on decoded values, checked before any schema sees them: nesting depth, number of
 * nodes, string and key lengths, and no key that could reach a prototype (`__proto__`,
 * `constructor`, `prototype`). Applies to every frame, and so to free-form fields (context).
 */
export interface ValueBounds {
  readonly maxDepth: number;
  readonly maxNodes: number;
  readonly maxStringLength: number;
  readonly maxKeyLength: number;
}

export const DEFAULT_BOUNDS: ValueBounds = {
  maxDepth: 16,
  maxNodes: 10_000,
  maxStringLength: 65_536,
  maxKeyLength: 256,
};

/**
 * Keys that could reach a prototype. `msgpack-guard.ts` refuses the same keys in the raw bytes,
 * with the same reason, before a decoder can rename one (msgpackr reads `__proto__` as
 * `__proto_`).
 */
export const PROTOTYPE_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

// The same three, compared directly: this runs for every key of every frame.
const forbidden = (k: string) => k === '__proto__' || k === 'constructor' || k === 'prototype';

/** Why a frame holding the prototype key `k` is refused, the same text in both encodings. */
export const forbiddenKey = (k: string): string => `forbidden key '${k}'`;

/** Values seen by the check in progress (the check is synchronous: one runs at a time). */
let seen = 0;

/** Returns a reason the value breaks the bounds, or null. Plain JSON-like values only. */
export function checkBounds(value: unknown, bounds: ValueBounds = DEFAULT_BOUNDS): string | null {
  seen = 0;
  return visit(value, 0, bounds);
}

function visit(v: unknown, depth: number, bounds: ValueBounds): string | null {
  if (++seen > bounds.maxNodes) return `more than ${bounds.maxNodes} values`;
  if (v === null || typeof v === 'boolean') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? null : 'non-finite number';
  if (typeof v === 'string') return v.length > bounds.maxStringLength ? `string longer than ${bounds.maxStringLength}` : null;
  if (typeof v !== 'object') return `unsupported value of type ${typeof v}`;
  if (depth >= bounds.maxDepth) return `nested deeper than ${bounds.maxDepth}`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = visit(v[i], depth + 1, bounds);
      if (bad) return bad;
    }
    return null;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return 'not a plain object';
  // for-in walks a plain object's own keys without building a list; inherited keys (were
  // Object.prototype ever given an enumerable one) are skipped.
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    if (forbidden(k)) return forbiddenKey(k);
    if (k.length > bounds.maxKeyLength) return `key longer than ${bounds.maxKeyLength}`;
    const bad = visit((v as Record<string, unknown>)[k], depth + 1, bounds);
    if (bad) return bad;
  }
  return null;
}
