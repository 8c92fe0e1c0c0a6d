/**
 * A zod schema compiled into a plain predicate: does zod accept this value? The schemas stay the
 * one source (schemas.ts); this reads their definitions once and generates one straight-line
 * function per schema (constant property names, no payloads, no issue lists, no output copy),
 * about twenty times faster than zod's own parse of a request. A value the predicate accepts is
 * a valid request as it is: zod's output would hold the same keys and values (strict objects
 * copy every key, unknown fields are errors, and nothing here transforms a value). A value it
 * refuses goes to zod, which says why.
 *
 * Only what the wire schemas use is compiled: strict objects, records with string keys, arrays,
 * strings (lengths in code points, as zod counts them), numbers (integer, bounds), booleans, literals, enums, unions, optional, nullable,
 * unknown, and refinements (their function called on the value, as zod calls it). Anything else
 * makes `compileSchema` return null, and zod validates that request alone; so does every request
 * where functions cannot be generated (a page whose content security policy forbids it). The
 * values it is meant for are what the frame decoders produce: plain data, no symbols, getters
 * or non-enumerable keys. tests/protocol/compiled-schema.test.ts holds it to zod's verdict over
 * generated valid and invalid requests of every type, in both encodings.
 */
import type { z } from 'zod';

export type Predicate = (value: unknown) => boolean;

/** The parts of a zod definition read here (zod's own `_zod.def`). */
interface Def {
  readonly type: string;
  readonly checks?: readonly { readonly _zod: { readonly def: CheckDef } }[];
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly mode?: string;
  readonly partial?: boolean;
}

interface CheckDef {
  readonly check: string;
  readonly format?: string;
  readonly value?: number;
  readonly inclusive?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly fn?: (v: unknown) => unknown;
}

/** What zod keeps of a schema: its definition, what absence means to it, its literal values. */
interface Internals {
  readonly def: Def;
  readonly optin?: string;
  readonly optout?: string;
  readonly values?: ReadonlySet<unknown>;
}
const internals = (s: z.ZodType): Internals => (s as unknown as { _zod: Internals })._zod;

/** Code points in a string: a surrogate pair counts once (zod's measure of a string's length). */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

/** A schema outside the compiled subset. */
class Unsupported extends Error {}

/** Source being generated: its lines, the constants it closes over, fresh variable names. */
class Gen {
  readonly lines: string[] = [];
  readonly consts: unknown[] = [];
  private vars = 0;
  v(): string {
    return `v${this.vars++}`;
  }
  c(value: unknown): string {
    this.consts.push(value);
    return `c[${this.consts.length - 1}]`;
  }
  /** A number as a literal when it prints exactly, else a constant. */
  n(value: unknown): string {
    return typeof value === 'number' && Number.isFinite(value) && Number(String(value)) === value ? String(value) : this.c(value);
  }
  line(s: string): void {
    this.lines.push(s);
  }
}

/** The predicate for `schema`, or null when it uses something not compiled here. */
export function compileSchema(schema: z.ZodType): Predicate | null {
  const g = new Gen();
  try {
    value(g, schema, 'x');
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
  try {
    const make = new Function('c', `return function compiled(x) {\n${g.lines.join('\n')}\nreturn true;\n};`) as (c: unknown[]) => Predicate;
    return make(g.consts);
  } catch {
    return null; // functions cannot be generated here: zod validates
  }
}

/** Lines that `return false` unless the value in variable `x` passes `schema`. */
function value(g: Gen, schema: z.ZodType, x: string): void {
  const z = internals(schema);
  const d = z.def;
  // A check on a wrapper would run on what it wraps or on its absence: not compiled.
  if ((d.type === 'optional' || d.type === 'nullable' || d.type === 'union') && d.checks?.length) throw new Unsupported(`checks on ${d.type}`);
  switch (d.type) {
    case 'string':
      g.line(`if (typeof ${x} !== 'string') return false;`);
      break;
    case 'number':
      g.line(`if (typeof ${x} !== 'number' || !Number.isFinite(${x})) return false;`);
      break;
    case 'boolean':
      g.line(`if (typeof ${x} !== 'boolean') return false;`);
      break;
    case 'unknown':
      break;
    case 'literal':
    case 'enum': {
      const values = z.values;
      if (!values) throw new Unsupported(d.type);
      // Strings compared as constants; anything else through the Set, as zod does.
      if ([...values].every((v) => typeof v === 'string')) g.line(`if (${[...values].map((v) => `${x} !== ${JSON.stringify(v)}`).join(' && ')}) return false;`);
      else g.line(`if (!${g.c(values)}.has(${x})) return false;`);
      break;
    }
    case 'optional':
      g.line(`if (${x} !== undefined) {`);
      value(g, d.innerType!, x);
      g.line('}');
      break;
    case 'nullable':
      g.line(`if (${x} !== null) {`);
      value(g, d.innerType!, x);
      g.line('}');
      break;
    case 'union': {
      const options = d.options!.map((o) => {
        const p = compileSchema(o);
        if (p === null) throw new Unsupported('union option');
        return g.c(p);
      });
      g.line(`if (!(${options.map((o) => `${o}(${x})`).join(' || ')})) return false;`);
      break;
    }
    case 'array': {
      g.line(`if (!Array.isArray(${x})) return false;`);
      const i = g.v();
      const e = g.v();
      g.line(`for (let ${i} = 0; ${i} < ${x}.length; ${i}++) {`);
      g.line(`const ${e} = ${x}[${i}];`);
      value(g, d.element!, e);
      g.line('}');
      break;
    }
    case 'object':
      object(g, d, x);
      break;
    case 'record':
      record(g, d, x);
      break;
    default:
      throw new Unsupported(d.type);
  }
  for (const c of d.checks ?? []) check(g, c._zod.def, d.type, x);
}

function check(g: Gen, c: CheckDef, type: string, x: string): void {
  switch (c.check) {
    case 'number_format':
      // `.int()` is the safeint format; zod's other number formats are not used on the wire.
      if (c.format !== 'safeint') throw new Unsupported(`number format ${c.format}`);
      g.line(`if (!Number.isSafeInteger(${x})) return false;`);
      return;
    case 'greater_than':
      g.line(`if (!(${x} ${c.inclusive ? '>=' : '>'} ${g.n(c.value)})) return false;`);
      return;
    case 'less_than':
      g.line(`if (!(${x} ${c.inclusive ? '<=' : '<'} ${g.n(c.value)})) return false;`);
      return;
    case 'min_length':
    case 'max_length': {
      if (type !== 'string' && type !== 'array') throw new Unsupported(`${c.check} on ${type}`);
      // zod measures strings in code points, counted only when the UTF-16 length leaves it in doubt.
      const cp = type === 'string' ? g.c(codePoints) : null;
      if (c.check === 'max_length') g.line(`if (${x}.length > ${c.maximum}${cp ? ` && ${cp}(${x}) > ${c.maximum}` : ''}) return false;`);
      else g.line(`if (${x}.length < ${c.minimum}${cp ? ` || (${x}.length < ${2 * c.minimum!} && ${cp}(${x}) < ${c.minimum})` : ''}) return false;`);
      return;
    }
    case 'custom':
      // A refinement: zod calls its function on the value and fails the value when it is falsy.
      if (!c.fn) throw new Unsupported('refinement without a function');
      g.line(`if (!${g.c(c.fn)}(${x})) return false;`);
      return;
    default:
      throw new Unsupported(c.check);
  }
}

/** A strict object: every field as its schema says, required ones present, no other key. */
function object(g: Gen, d: Def, x: string): void {
  // Only strict objects: a stripping one drops unknown keys from its output, so the value
  // itself would not be what zod hands on.
  if (!d.catchall || internals(d.catchall).def.type !== 'never') throw new Unsupported('non-strict object');
  const shape = d.shape!;
  const keys = Object.keys(shape);
  if (keys.includes('__proto__')) throw new Unsupported('__proto__ field');
  g.line(`if (typeof ${x} !== 'object' || ${x} === null || Array.isArray(${x})) return false;`);
  for (const k of keys) {
    const f = internals(shape[k]);
    // Absence: a required field (no optin) must be there; an optional one (optin and optout
    // 'optional') may be left out. Defaults and the other rungs change the output: not compiled.
    const optional = f.optin === 'optional' && f.optout === 'optional';
    if (!optional && f.optin !== undefined) throw new Unsupported(`field '${k}' with optin ${f.optin}`);
    const key = JSON.stringify(k);
    const y = g.v();
    // zod reads presence with `in` and the value with a property read, as here.
    g.line(`if (${key} in ${x}) {`);
    g.line(`const ${y} = ${x}[${key}];`);
    value(g, shape[k], y);
    g.line(optional ? '}' : '} else return false;');
  }
  const k = g.v();
  if (keys.length === 0) g.line(`for (const ${k} in ${x}) return false;`);
  else g.line(`for (const ${k} in ${x}) switch (${k}) { ${keys.map((s) => `case ${JSON.stringify(s)}:`).join(' ')} continue; default: return false; }`);
}

/**
 * A record with string keys: an object with no other prototype than Object's (or none) whose
 * every own key and value pass. An inherited enumerable key, or an own `__proto__` (which zod
 * leaves out of its output), is refused here, and zod decides.
 */
function record(g: Gen, d: Def, x: string): void {
  // Keys given as a list (enum, literal) make zod match the record against it: not compiled.
  if (internals(d.keyType!).def.type !== 'string' || d.partial || (d.mode !== undefined && d.mode !== 'strict')) throw new Unsupported('record');
  g.line(`if (typeof ${x} !== 'object' || ${x} === null || Array.isArray(${x})) return false;`);
  const p = g.v();
  g.line(`const ${p} = Object.getPrototypeOf(${x});`);
  g.line(`if (${p} !== Object.prototype && ${p} !== null) return false;`);
  const k = g.v();
  const y = g.v();
  g.line(`for (const ${k} in ${x}) {`);
  g.line(`if (${k} === '__proto__' || !Object.prototype.hasOwnProperty.call(${x}, ${k})) return false;`);
  value(g, d.keyType!, k);
  g.line(`const ${y} = ${x}[${k}];`);
  value(g, d.valueType!, y);
  g.line('}');
}
