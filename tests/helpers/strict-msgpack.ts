/**
 * A strict MessagePack decoder, written from the format specification and independent of the
 * codec under test: it accepts only what a decoder with no extension support reads — nil,
 * booleans, integers, floats, strings (valid UTF-8), arrays and string-keyed maps — and throws on
 * everything else: extension types (fixext 0xd4–0xd8, ext 0xc7–0xc9), binary values, the
 * reserved byte 0xc1, non-string or repeated map keys, integers beyond 2^53, a truncated value
 * and trailing bytes. Used to check what the server sends.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function strictDecode(buf: Uint8Array): unknown {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > buf.length) throw new Error(`value truncated at byte ${pos}`);
  };
  const uint = (bytes: 1 | 2 | 4) => {
    need(bytes);
    const v = bytes === 1 ? view.getUint8(pos) : bytes === 2 ? view.getUint16(pos) : view.getUint32(pos);
    pos += bytes;
    return v;
  };
  const big = (v: bigint, at: number) => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`64-bit integer beyond 2^53 at byte ${at}`);
    return Number(v);
  };
  const str = (n: number) => {
    need(n);
    const s = utf8.decode(buf.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const array = (n: number) => {
    const a: unknown[] = [];
    for (let i = 0; i < n; i++) a.push(read());
    return a;
  };
  const map = (n: number) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const at = pos;
      const k = read();
      if (typeof k !== 'string') throw new Error(`map key that is not a string at byte ${at}`);
      if (Object.hasOwn(o, k)) throw new Error(`repeated map key '${k}' at byte ${at}`);
      // defineProperty: a key is data, whatever its name.
      Object.defineProperty(o, k, { value: read(), enumerable: true, writable: true, configurable: true });
    }
    return o;
  };
  const read = (): unknown => {
    need(1);
    const at = pos;
    const t = buf[pos++];
    if (t <= 0x7f) return t;
    if (t <= 0x8f) return map(t & 0x0f);
    if (t <= 0x9f) return array(t & 0x0f);
    if (t <= 0xbf) return str(t & 0x1f);
    if (t >= 0xe0) return t - 0x100;
    let v: number;
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xca:
        need(4);
        v = view.getFloat32(pos);
        pos += 4;
        return v;
      case 0xcb:
        need(8);
        v = view.getFloat64(pos);
        pos += 8;
        return v;
      case 0xcc:
        return uint(1);
      case 0xcd:
        return uint(2);
      case 0xce:
        return uint(4);
      case 0xcf:
        need(8);
        pos += 8;
        return big(view.getBigUint64(pos - 8), at);
      case 0xd0:
        need(1);
        return view.getInt8(pos++);
      case 0xd1:
        need(2);
        pos += 2;
        return view.getInt16(pos - 2);
      case 0xd2:
        need(4);
        pos += 4;
        return view.getInt32(pos - 4);
      case 0xd3:
        need(8);
        pos += 8;
        return big(view.getBigInt64(pos - 8), at);
      case 0xd9:
        return str(uint(1));
      case 0xda:
        return str(uint(2));
      case 0xdb:
        return str(uint(4));
      case 0xdc:
        return array(uint(2));
      case 0xdd:
        return array(uint(4));
      case 0xde:
        return map(uint(2));
      case 0xdf:
        return map(uint(4));
      case 0xc4:
      case 0xc5:
      case 0xc6:
        throw new Error(`binary value (0x${t.toString(16)}) at byte ${at}`);
      case 0xc1:
        throw new Error(`reserved byte 0xc1 at byte ${at}`);
      default:
        throw new Error(`extension type 0x${t.toString(16)} at byte ${at}`);
    }
  };
  const value = read();
  if (pos !== buf.length) throw new Error(`trailing bytes after byte ${pos}`);
  return value;
}
