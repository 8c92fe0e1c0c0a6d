import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { decodeFrame, encodeFrame, type Encoding } from '../../src/protocol/codec.ts';
import { compileSchema } from '../../src/protocol/compiled-schema.ts';
import { AgentRequest, PlatformRequest, parseRequest, type Role, SupervisorRequest, uncompiledTypes } from '../../src/protocol/schemas.ts';

/**
 * The compiled validators against zod, the schemas' one source: over requests of every type of
 * every role, generated from the schemas themselves (valid ones, and the same with one field
 * broken, dropped or added), sent through the real decoders in both encodings, the compiled
 * predicate must accept exactly what zod accepts, and a request it accepts must equal zod's
 * output. parseRequest must give zod's verdict, output and refusal message for every one.
 * SWITCHBOARD_COMPILED_RUNS scales it (default 200 per request type and encoding).
 */
const RUNS = Number(process.env.SWITCHBOARD_COMPILED_RUNS ?? 200);
const UNIONS = { platform: PlatformRequest, agent: AgentRequest, supervisor: SupervisorRequest } as const;
const ROLES: Role[] = ['platform', 'agent', 'supervisor'];

interface Def {
  type: string;
  checks?: { _zod: { def: { check: string; value?: number; inclusive?: boolean; minimum?: number; maximum?: number } } }[];
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
}
const def = (s: z.ZodType) => (s as unknown as { _zod: { def: Def; values?: Set<unknown>; optin?: string } })._zod;
const bound = (d: Def, check: string) => d.checks?.find((c) => c._zod.def.check === check)?._zod.def;

/** Strings of every kind the wire carries: ASCII, any UTF-16 unit, emoji, empty. */
const text = (min: number, max: number) =>
  fc.oneof(
    fc.string({ minLength: min, maxLength: Math.max(min, Math.min(max, 24)) }),
    fc.string({ minLength: min, maxLength: Math.max(min, Math.min(max, 12)), unit: 'grapheme' }),
    fc.string({ minLength: min, maxLength: max, unit: fc.constantFrom('a', 'é', '\u{1F600}', '"', '\\') }),
  );

/** Valid values of a schema, read from its definition (the subset the wire schemas use). */
function valid(s: z.ZodType): fc.Arbitrary<unknown> {
  const { def: d, values } = def(s);
  switch (d.type) {
    case 'string':
      return text(bound(d, 'min_length')?.minimum ?? 0, bound(d, 'max_length')?.maximum ?? 64);
    case 'number': {
      const gt = bound(d, 'greater_than');
      const lt = bound(d, 'less_than');
      const min = gt?.value ?? -1e6;
      const max = lt?.value ?? 1e6;
      if (bound(d, 'number_format')) {
        const lo = Math.ceil(gt && !gt.inclusive ? min + 1 : min);
        const hi = Math.floor(lt && !lt.inclusive ? max - 1 : max);
        return fc.oneof(
          fc.constantFrom(lo, hi),
          fc.maxSafeInteger().map((n) => lo + (Math.abs(n) % Math.max(1, Math.min(hi - lo + 1, Number.MAX_SAFE_INTEGER)))),
        );
      }
      return fc.double({ min, max, noNaN: true, minExcluded: gt !== undefined && !gt.inclusive, maxExcluded: lt !== undefined && !lt.inclusive });
    }
    case 'boolean':
      return fc.boolean();
    case 'unknown':
      return fc.jsonValue({ maxDepth: 3 });
    case 'literal':
    case 'enum':
      return fc.constantFrom(...values!);
    case 'optional':
      return fc.option(valid(d.innerType!), { nil: undefined });
    case 'nullable':
      return fc.option(valid(d.innerType!), { nil: null });
    case 'union':
      return fc.oneof(...d.options!.map(valid));
    case 'array':
      return fc.array(valid(d.element!), { minLength: bound(d, 'min_length')?.minimum ?? 0, maxLength: Math.min(bound(d, 'max_length')?.maximum ?? 8, 8) });
    case 'record': {
      // Small ones mostly; some on either side of the refinements' bounds (16, 32, 256 keys).
      const v = valid(d.valueType!);
      const many = (min: number, max: number) =>
        fc
          .uniqueArray(fc.nat(9999), { minLength: min, maxLength: max })
          .chain((ks) => fc.tuple(...ks.map(() => v)).map((vs) => Object.fromEntries(ks.map((k, i) => [`k${k}`, vs[i]]))));
      return fc.oneof(
        { weight: 6, arbitrary: fc.dictionary(valid(d.keyType!) as fc.Arbitrary<string>, v, { maxKeys: 8 }).map((o) => ({ ...o })) },
        { weight: 2, arbitrary: many(14, 36) },
        { weight: 1, arbitrary: many(254, 258) },
      );
    }
    case 'object': {
      const shape = d.shape!;
      const keys = Object.keys(shape);
      const required = keys.filter((k) => def(shape[k]).optin === undefined);
      return fc.record(Object.fromEntries(keys.map((k) => [k, valid(shape[k])])), { requiredKeys: required });
    }
    default:
      throw new Error(`no generator for ${d.type}`);
  }
}

/** Values no field of the wire should take as they are. */
const junk = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -0,
    -1,
    0.5,
    1.5,
    11,
    101,
    2 ** 31,
    2 ** 53,
    -(2 ** 53),
    1e21,
    '',
    ' ',
    'x'.repeat(65),
    'x'.repeat(129),
    [],
    {},
    [1],
    { a: 1 },
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 140 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

type Edit = { at: number; op: 'replace' | 'drop' | 'add' | 'nudge'; junk: unknown; key: string };
const edit = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('replace', 'drop', 'add', 'nudge'),
  junk,
  key: fc.oneof(fc.constantFrom('id', 'type', 'extra', 'skills', 'context', '1'), fc.string({ maxLength: 6 })),
}) as fc.Arbitrary<Edit>;

/** Every container and leaf of a value, as [parent, key] pairs (the root as [box, 'v']). */
function slots(box: Record<string, unknown>): [Record<string | number, unknown>, string | number][] {
  const out: [Record<string | number, unknown>, string | number][] = [];
  const walk = (parent: Record<string | number, unknown>, key: string | number) => {
    out.push([parent, key]);
    const v = parent[key];
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) walk(v as unknown as Record<number, unknown>, i);
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) walk(v as Record<string, unknown>, k);
  };
  walk(box, 'v');
  return out;
}

/** Breaks a valid request at one place: a value replaced or nudged, a key dropped or added. */
function apply(value: unknown, e: Edit): unknown {
  const box: Record<string, unknown> = { v: structuredClone(value) };
  const all = slots(box);
  const [parent, key] = all[e.at % all.length];
  const v = parent[key];
  if (e.op === 'replace') parent[key] = e.junk;
  else if (e.op === 'drop' && parent !== box) delete parent[key];
  else if (e.op === 'add' && v !== null && typeof v === 'object' && !Array.isArray(v)) (v as Record<string, unknown>)[e.key] = e.junk;
  else if (e.op === 'nudge')
    parent[key] =
      typeof v === 'number' ? [v + 1, v - 1, v + 0.5, -v, v * 1e9][e.at % 5] : typeof v === 'string' ? [`${v}${v}${v}`, '', v.repeat(40)][e.at % 3] : e.junk;
  else parent[key] = e.junk;
  return box.v;
}

/** Through the wire: encoded, then decoded as the server decodes a frame (null when refused there). */
function wire(value: unknown, enc: Encoding): unknown {
  let frame: string | Uint8Array;
  try {
    frame = encodeFrame(value, enc);
  } catch {
    return null;
  }
  if (frame === undefined) return null;
  const d = decodeFrame(frame, enc);
  return d.ok ? d.value : null;
}

describe('compiled validators', () => {
  it('cover every request type of every role', () => {
    for (const role of ROLES) expect(uncompiledTypes(role)).toEqual([]);
  });

  for (const role of ROLES) {
    for (const option of UNIONS[role].options) {
      const type = (option.shape as { type: z.ZodLiteral<string> }).type.value;
      const compiled = compileSchema(option)!;
      for (const enc of ['json', 'msgpack'] as const) {
        it(`${role} ${type} (${enc}): zod's verdict, output and message`, () => {
          let accepted = 0;
          let refused = 0;
          fc.assert(
            fc.property(valid(option), fc.option(fc.array(edit, { minLength: 1, maxLength: 3 }), { nil: null }), (request, edits) => {
              let value = request;
              for (const e of edits ?? []) value = apply(value, e);
              const frame = wire(value, enc);
              if (frame === null) return;
              const z = option.safeParse(frame);
              expect(compiled(frame)).toBe(z.success);
              const p = parseRequest(frame, role);
              const viaZod = UNIONS[role].safeParse(frame);
              expect(p.ok).toBe(viaZod.success);
              if (z.success) {
                accepted++;
                expect(frame).toStrictEqual(z.data);
                if (p.ok) expect(p.request).toStrictEqual(viaZod.data);
              } else refused++;
              // The schema's refusal (not the earlier ones: not an object, unknown type) is zod's message.
              if (!p.ok && !viaZod.success && p.code === 'VALIDATION_FAILED' && p.re !== null) {
                const want = viaZod.error.issues
                  .slice(0, 3)
                  .map((i) => `${i.path.map(String).join('.') || '(request)'}: ${i.message}`)
                  .join('; ');
                expect(p.message).toBe(want);
              }
            }),
            // Few generated submissions and queues pass every refinement (about 2 in 100): more runs,
            // so that both verdicts are reached.
            { numRuns: type === 'SubmitInteraction' || type === 'UpsertQueue' ? RUNS * 5 : RUNS },
          );
          // Both verdicts were reached.
          expect(accepted).toBeGreaterThan(0);
          expect(refused).toBeGreaterThan(0);
        });
      }
    }
  }
});
