/**
 * Frame codecs: JSON text or MessagePack binary, the same messages either way, negotiated by
 * WebSocket subprotocol. Decoding is bounded (frame size, nesting, element counts, string
 * lengths) and free of prototype hazards; it returns a reason instead of throwing.
 */
import { Packr, Unpackr, type Options } from 'msgpackr';
import { DEFAULT_BOUNDS, checkBounds, type ValueBounds } from './bounds.ts';
import { DEFAULT_MSGPACK_LIMITS, guardMsgpack, type MsgpackLimits } from './msgpack-guard.ts';

export type Encoding = 'json' | 'msgpack';

export const SUBPROTOCOLS: Readonly<Record<Encoding, string>> = {
  json: 'switchboard.v1.json',
  msgpack: 'switchboard.v1.msgpack',
};

export interface FrameLimits {
  /** Largest frame accepted, in bytes (the server also sets it as uWS maxPayloadLength). */
  readonly maxFrameBytes: number;
  readonly bounds: ValueBounds;
  readonly msgpack: MsgpackLimits;
}

export const DEFAULT_FRAME_LIMITS: FrameLimits = {
  maxFrameBytes: 64 * 1024,
  bounds: DEFAULT_BOUNDS,
  msgpack: DEFAULT_MSGPACK_LIMITS,
};

export type Decoded = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

// Plain maps as objects, no records, no structured clone, 64-bit integers as numbers.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, structuredClone: false, int64AsType: 'number' });
// Frames leave in MessagePack with the fields JSON.stringify would write: a property whose value
// is undefined is left out (skipValues; msgpackr would otherwise write the extension d4 00 00,
// which clients may not send and strict decoders refuse), and any other undefined, an array
// element, is nil where JSON writes null. skipValues is in msgpackr's README but not in its
// type declarations, hence the cast. Numbers: integers in [-2^31, 2^32) as integers, every other
// number (epoch milliseconds included) as float64.
const packr = new Packr({ useRecords: false, structuredClone: false, encodeUndefinedAsNil: true, skipValues: [undefined] } as Options);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeFrame(data: Uint8Array | string, encoding: Encoding, limits: FrameLimits = DEFAULT_FRAME_LIMITS): Decoded {
  if (tooLarge(data, limits.maxFrameBytes)) return { ok: false, reason: `frame larger than ${limits.maxFrameBytes} bytes` };
  let value: unknown;
  if (encoding === 'json') {
    let text: string;
    try {
      text = typeof data === 'string' ? data : utf8.decode(data);
    } catch {
      return { ok: false, reason: 'frame is not valid UTF-8' };
    }
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'frame is not valid JSON' };
    }
  } else {
    if (typeof data === 'string') return { ok: false, reason: 'text frame on a msgpack connection' };
    const refused = guardMsgpack(data, limits.msgpack);
    if (refused) return { ok: false, reason: refused };
    try {
      value = unpackr.unpack(data);
    } catch {
      return { ok: false, reason: 'frame is not valid MessagePack' };
    }
  }
  const bad = checkBounds(value, limits.bounds);
  return bad ? { ok: false, reason: bad } : { ok: true, value };
}

/** Is the frame over `max` bytes? UTF-8 takes one to three bytes per UTF-16 unit of text. */
function tooLarge(data: Uint8Array | string, max: number): boolean {
  if (typeof data !== 'string') return data.byteLength > max;
  if (data.length > max) return true;
  if (data.length * 3 <= max) return false;
  return encoder.encode(data).byteLength > max;
}

const encoder = new TextEncoder();

export function encodeFrame(value: unknown, encoding: Encoding): string | Uint8Array {
  return encoding === 'json' ? JSON.stringify(value) : packr.pack(value);
}
