/**
 * A structural pre-check of a MessagePack frame, before any decoder allocates: every declared
 * length must fit in the bytes that remain, nesting and element counts are bounded, map keys
 * must be strings and none may be a prototype key (`__proto__`, `constructor`, `prototype`:
 * refused with the reason JSON gets from bounds.ts, here because msgpackr would read
 * `__proto__` as `__proto_` and the frame would pass changed), and extension types
 * (msgpackr's built-ins construct BigInts, Errors, RegExps, typed arrays, shared references and
 * timestamps) and the reserved byte 0xc1 are rejected, and every string must be well-formed
 * UTF-8 (as a JSON frame must: a decoder would replace bad bytes and pass the text changed).
 * O(frame length), no allocation. Only
 * frames that pass reach msgpackr.
 */
import { forbiddenKey, PROTOTYPE_KEYS } from './bounds.ts';

export interface MsgpackLimits {
  readonly maxDepth: number;
  /** Values (scalars, arrays, maps, keys) in one frame. */
  readonly maxElements: number;
}

export const DEFAULT_MSGPACK_LIMITS: MsgpackLimits = { maxDepth: 16, maxElements: 20_000 };

/** Returns why the frame is refused, or null when it may be decoded. */
export function guardMsgpack(buf: Uint8Array, limits: MsgpackLimits = DEFAULT_MSGPACK_LIMITS): string | null {
  const end = buf.length;
  let pos = 0;
  let elements = 0;
  // Open containers: values still to read in each (a map of n entries holds 2n), and whether
  // it is a map (then the value read at an even remaining count is a key).
  const remaining: number[] = [];
  const isMap: boolean[] = [];
  const skip = (n: number): string | null => {
    if (n > end - pos) return 'declared length exceeds frame';
    pos += n;
    return null;
  };
  const length = (bytes: 1 | 2 | 4): number => {
    if (bytes > end - pos) return -1;
    let v = 0;
    for (let i = 0; i < bytes; i++) v = v * 256 + buf[pos++];
    return v;
  };
  do {
    if (pos >= end) return 'frame ends inside a value';
    if (++elements > limits.maxElements) return `more than ${limits.maxElements} values`;
    const top = remaining.length - 1;
    const t = buf[pos++];
    const key = top >= 0 && isMap[top] && remaining[top] % 2 === 0;
    if (key && !((t >= 0xa0 && t <= 0xbf) || t === 0xd9 || t === 0xda || t === 0xdb)) return 'map key is not a string';
    let opened = -1; // entries of a non-empty container just opened
    let map = false;
    let bad: string | null = null;
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) {
      // positive/negative fixint, nil, false, true
    } else if (t <= 0x8f) {
      opened = t & 0x0f;
      map = true;
    } else if (t <= 0x9f) {
      opened = t & 0x0f;
    } else if (t <= 0xbf) {
      bad = (key && refusedKey(buf, pos, t & 0x1f)) || utf8(buf, pos, t & 0x1f) || skip(t & 0x1f);
    } else {
      switch (t) {
        case 0xcc:
        case 0xd0:
          bad = skip(1);
          break;
        case 0xcd:
        case 0xd1:
          bad = skip(2);
          break;
        case 0xca:
        case 0xce:
        case 0xd2:
          bad = skip(4);
          break;
        case 0xcb:
        case 0xcf:
        case 0xd3:
          bad = skip(8);
          break;
        case 0xd9:
        case 0xda:
        case 0xdb: {
          const n = length(t === 0xd9 ? 1 : t === 0xda ? 2 : 4);
          bad = n < 0 ? 'frame ends inside a value' : (key && refusedKey(buf, pos, n)) || utf8(buf, pos, n) || skip(n);
          break;
        }
        case 0xdc:
        case 0xdd:
        case 0xde:
        case 0xdf: {
          const n = length(t === 0xdc || t === 0xde ? 2 : 4);
          if (n < 0) return 'frame ends inside a value';
          opened = n;
          map = t >= 0xde;
          break;
        }
        case 0xc4:
        case 0xc5:
        case 0xc6:
          return 'binary values are not accepted';
        case 0xc1:
          return 'reserved byte 0xc1';
        default:
          // 0xc7–0xc9 ext 8/16/32, 0xd4–0xd8 fixext: no extension types on this wire.
          return `extension type 0x${t.toString(16)} is not accepted`;
      }
    }
    if (bad) return bad;
    if (opened > 0) {
      if (remaining.length >= limits.maxDepth) return `nested deeper than ${limits.maxDepth}`;
      const values = map ? opened * 2 : opened;
      if (values > end - pos) return 'declared length exceeds frame'; // every value takes a byte
      remaining.push(values);
      isMap.push(map);
      continue;
    }
    // A whole value was read: it counts in its container, and a container it completes counts
    // in the one around it.
    while (remaining.length > 0) {
      const i = remaining.length - 1;
      if (--remaining[i] > 0) break;
      remaining.pop();
      isMap.pop();
    }
  } while (remaining.length > 0);
  if (pos !== end) return 'trailing bytes after the value';
  return null;
}

/**
 * The prototype keys as bytes. They are ASCII, and a UTF-8 decoder reads an ASCII character
 * only from its one byte (longer, overlong forms are invalid and decode to U+FFFD, in msgpackr
 * as in TextDecoder), so a key decodes to one of them exactly when its bytes are these.
 */
const PROTOTYPE_KEY_BYTES: readonly Uint8Array[] = PROTOTYPE_KEYS.map((k) => Uint8Array.from(k, (c) => c.charCodeAt(0)));

/**
 * Why a map key of `n` bytes at `at` is refused when it spells a prototype key (whatever its
 * string format: fixstr, str 8, 16 or 32), or null. Allocates only to refuse.
 */
function refusedKey(buf: Uint8Array, at: number, n: number): string | null {
  if (n > buf.length - at) return null; // skip() reports it
  for (let i = 0; i < PROTOTYPE_KEY_BYTES.length; i++) {
    const k = PROTOTYPE_KEY_BYTES[i];
    if (k.length !== n) continue;
    let j = 0;
    while (j < n && buf[at + j] === k[j]) j++;
    if (j === n) return forbiddenKey(PROTOTYPE_KEYS[i]);
  }
  return null;
}

/**
 * Null when the `n` bytes at `at` are well-formed UTF-8 (shortest forms only, no surrogates,
 * nothing past U+10FFFF), else the reason a JSON frame with such text gets.
 */
function utf8(buf: Uint8Array, at: number, n: number): string | null {
  if (n > buf.length - at) return null; // a length past the frame is skip()'s to report
  const end = at + n;
  let i = at;
  while (i < end) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let more: number;
    let min = 0x80;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) more = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      more = 2;
      if (b === 0xe0) min = 0xa0; // overlong
      if (b === 0xed) max = 0x9f; // UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      more = 3;
      if (b === 0xf0) min = 0x90; // overlong
      if (b === 0xf4) max = 0x8f; // past U+10FFFF
    } else return NOT_UTF8;
    if (i + more >= end) return NOT_UTF8; // the sequence runs past the string
    const b1 = buf[i + 1];
    if (b1 < min || b1 > max) return NOT_UTF8;
    for (let k = 2; k <= more; k++) if ((buf[i + k] & 0xc0) !== 0x80) return NOT_UTF8;
    i += more + 1;
  }
  return null;
}

const NOT_UTF8 = 'frame is not valid UTF-8';
