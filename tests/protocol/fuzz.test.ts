import fc from 'fast-check';
import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type Encoding } from '../../src/protocol/codec.ts';
import { ProtocolCode } from '../../src/protocol/codes.ts';
import { parseRequest, type Role } from '../../src/protocol/schemas.ts';

/**
 * Hostile frames against the decoder and validator: random bytes, mutated valid frames, huge
 * declared lengths, deep nesting, prototype keys, wrong types. Every frame must end in a typed
 * refusal or a valid request, nothing may throw, Object.prototype must stay untouched, and
 * memory must stay bounded. At least 100,000 frames per run (SWITCHBOARD_FUZZ_FRAMES scales it).
 */
const FRAMES = Number(process.env.SWITCHBOARD_FUZZ_FRAMES ?? 120_000);
const PER_FAMILY = Math.ceil(FRAMES / 6);
const ROLES: Role[] = ['platform', 'agent', 'supervisor'];
const CODES = new Set<string>(Object.values(ProtocolCode));
let frames = 0;

function exercise(frame: Uint8Array | string, enc: Encoding): void {
  frames++;
  const d = decodeFrame(frame, enc);
  if (!d.ok) {
    expect(typeof d.reason).toBe('string');
    return;
  }
  for (const role of ROLES) {
    const p = parseRequest(d.value, role);
    if (!p.ok) {
      expect(CODES.has(p.code)).toBe(true);
      expect(typeof p.message).toBe('string');
    } else expect(typeof p.request.type).toBe('string');
  }
}

const validRequests = fc.constantFrom<unknown>(
  { id: 1, type: 'SubmitInteraction', interaction: { id: 'c1', channel: 'voice', queue: 'q', skills: { s: 3 }, context: { a: [1, 'x'] } } },
  { id: 'r2', type: 'Accept', offerId: 'o4194304' },
  { id: 3, type: 'SetAgentState', agentIds: ['a1', 'a2'], state: 'available' },
  { id: 4, type: 'UpsertAgent', agent: { id: 'a1', skills: { s: 5 }, capacity: { total: 3, channels: { chat: { cost: 1, max: 3 } } } } },
  { id: 5, type: 'GetQueueStats' },
  { id: 6, type: 'Complete', interactionId: 'c1' },
);
const encodings = fc.constantFrom<Encoding>('json', 'msgpack');
const toBytes = (f: string | Uint8Array) => (typeof f === 'string' ? new TextEncoder().encode(f) : f);

function hostileObject(depth: number): fc.Arbitrary<unknown> {
  const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'type', 'interaction', 'context'), fc.string({ maxLength: 8 }));
  return fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', maxDepth: depth },
      fc.anything({ maxDepth: 2 }),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(key, tie('v'), { maxKeys: 4 }),
    ),
  })).v;
}

describe(`decoder and validator under ${FRAMES} hostile frames`, () => {
  const heapBefore = process.memoryUsage().heapUsed;

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), encodings, (b, enc) => exercise(b, enc)),
      { numRuns: PER_FAMILY },
    );
  });

  it('mutated valid frames (flips, truncation, splices)', () => {
    fc.assert(
      fc.property(validRequests, encodings, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 6 }), fc.nat(), (req, enc, flips, cut) => {
        const bytes = Uint8Array.from(toBytes(encodeFrame(req, enc)));
        for (const [at, v] of flips) bytes[at % bytes.length] = v;
        const frame = bytes.subarray(0, Math.max(1, bytes.length - (cut % 4)));
        exercise(enc === 'json' ? new TextDecoder().decode(frame) : frame, enc);
      }),
      { numRuns: PER_FAMILY },
    );
  });

  it('huge declared lengths and counts', () => {
    const headers = fc.constantFrom(0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(headers, fc.uint8Array({ minLength: 4, maxLength: 4 })), { minLength: 1, maxLength: 8 }),
        fc.uint8Array({ maxLength: 32 }),
        (parts, tail) => {
          const bytes: number[] = [];
          for (const [h, len] of parts) bytes.push(h, 0xff, ...len);
          exercise(Uint8Array.from([...bytes, ...tail]), 'msgpack');
        },
      ),
      { numRuns: PER_FAMILY },
    );
  });

  it('deep nesting', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.constantFrom('[', '{"a":'), encodings, (depth, open, enc) => {
        if (enc === 'json') {
          const close = open === '[' ? ']' : '}';
          exercise(`${open.repeat(depth)}1${close.repeat(depth)}`, 'json');
        } else {
          const level = open === '[' ? [0x91] : [0x81, 0xa1, 0x61]; // [x] or {"a": x}
          exercise(Uint8Array.from([...Array.from({ length: depth }, () => level).flat(), 0x01]), 'msgpack');
        }
      }),
      { numRuns: PER_FAMILY },
    );
  });

  it('prototype keys and hostile structures, as JSON and msgpack', () => {
    fc.assert(
      fc.property(hostileObject(4), encodings, (value, enc) => {
        let frame: string | Uint8Array;
        try {
          frame = enc === 'json' ? (JSON.stringify(value) ?? 'null') : pack(value);
        } catch {
          return; // not encodable (e.g. BigInt in JSON): nothing to send
        }
        exercise(frame, enc);
        // The same value with `__proto__` as a real own key, as a hostile client would send it.
        if (enc === 'json') exercise(`{"id":1,"type":"Resume","__proto__":${typeof frame === 'string' ? frame : 'null'}}`, 'json');
      }),
      { numRuns: PER_FAMILY },
    );
  });

  it('valid shapes with wrong types in every field', () => {
    fc.assert(
      fc.property(validRequests, fc.anything({ maxDepth: 2 }), fc.nat(), encodings, (req, junk, which, enc) => {
        const copy = JSON.parse(JSON.stringify(req)) as Record<string, unknown>;
        const keys = Object.keys(copy);
        copy[keys[which % keys.length]] = junk;
        let frame: string | Uint8Array;
        try {
          frame = encodeFrame(copy, enc);
        } catch {
          return;
        }
        exercise(frame ?? 'null', enc);
      }),
      { numRuns: PER_FAMILY },
    );
  });

  it('left Object.prototype untouched and memory bounded', () => {
    expect(frames).toBeGreaterThanOrEqual(FRAMES);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(
      [
        'constructor',
        '__defineGetter__',
        '__defineSetter__',
        'hasOwnProperty',
        '__lookupGetter__',
        '__lookupSetter__',
        'isPrototypeOf',
        'propertyIsEnumerable',
        'toString',
        'valueOf',
        '__proto__',
        'toLocaleString',
      ].sort(),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    (globalThis as { gc?: () => void }).gc?.();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
  });
});
