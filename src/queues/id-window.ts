/**
 * The idempotency window: a BoundedMap from string keys to one value of a short fixed list (a
 * finished interaction's id to its final status), with BoundedMap's ring, eviction order, holes
 * and snapshot dump, but without a heap object per key. A window holds up to a million ids for a
 * day; as strings in a Map every garbage collection walked them, and each new id was copied
 * twice by the young generation's scavenges before it settled in the old one. Here they are
 * numbers in typed arrays, which the collector never looks into:
 *
 * - the ring (by sequence, position = sequence mod ring size): a value code (0: hole), the time
 *   set, the key's 32-bit hash, and where its UTF-16 code units lie in the arena;
 * - the arena: every key's code units, appended in order of setting, so eviction frees them from
 *   the old end (a ring of code units too);
 * - the table: open addressing with linear probing from the hash, each slot a ring position.
 *
 * A hash only finds candidates: a key is matched by comparing its code units with the arena's,
 * so two ids with the same hash are never taken for each other. A key whose probe run is longer
 * than MAX_PROBES (only keys made to collide do that) is kept in a small Map instead, so no
 * lookup probes further however the ids were chosen. Time is passed in, never read.
 */
import type { BoundedMapDump } from './bounded-map.ts';

const SEP = '\u0000';
/** Table slots probed before a key goes to the overflow Map (load stays under one half). */
const MAX_PROBES = 32;

/** FNV-1a over the UTF-16 code units, then MurmurHash3's finaliser (the table indexes by the low bits). */
export function hashKey(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

const pow2AtLeast = (n: number): number => {
  let p = 16;
  while (p < n) p *= 2;
  return p;
};

export class IdWindow<V extends string> {
  /** Per ring position: 0 for a hole (or nothing), else 1 + the value's index in `values`. */
  private code = new Uint8Array(16);
  private times = new Float64Array(16);
  private hash = new Int32Array(16);
  /** Where the key's code units start in the arena, and how many there are. */
  private start = new Int32Array(16);
  private len = new Int32Array(16);
  /** Sequence of the oldest record (hole or entry) and the next one to write. */
  private first = 0;
  private next = 0;
  private live = 0;

  private chars = new Uint16Array(1024);
  /** Arena position of the next code unit, and how many code units the ring's records hold. */
  private write = 0;
  private used = 0;

  /** Ring position + 1 per slot; 0 is empty. */
  private table = new Int32Array(32);
  /** Keys whose probe run was full, with their ring position. */
  private readonly overflow = new Map<string, number>();
  private readonly codeOf = new Map<string, number>();

  constructor(
    readonly maxEntries: number,
    readonly ttl: number,
    private readonly values: readonly V[],
    private readonly maxProbes = MAX_PROBES,
  ) {
    if (values.length > 255) throw new Error('an IdWindow holds at most 255 distinct values');
    for (let i = 0; i < values.length; i++) this.codeOf.set(values[i], i + 1);
  }

  get size(): number {
    return this.live;
  }

  get(key: string, now: number): V | undefined {
    const h = hashKey(key);
    const p = this.find(key, h);
    if (p < 0) return undefined;
    if (now - this.times[p] > this.ttl) {
      this.unlink(p, h, key);
      return undefined;
    }
    return this.values[this.code[p] - 1];
  }

  set(key: string, value: V, now: number): void {
    const c = this.codeOf.get(value);
    if (c === undefined) throw new Error(`'${value}' is not a value of this window`);
    const h = hashKey(key);
    const old = this.find(key, h);
    if (old >= 0) this.unlink(old, h, key);
    if (this.next - this.first === this.code.length) this.makeRoom();
    if (this.used + key.length > this.chars.length) this.relayout(key.length);
    const seq = this.next++;
    const p = seq % this.code.length;
    const chars = this.chars;
    const amask = chars.length - 1;
    let w = this.write;
    this.start[p] = w;
    this.len[p] = key.length;
    for (let i = 0; i < key.length; i++) {
      chars[w] = key.charCodeAt(i);
      w = (w + 1) & amask;
    }
    this.write = w;
    this.used += key.length;
    this.code[p] = c;
    this.times[p] = now;
    this.hash[p] = h;
    this.live++;
    if (this.live * 2 > this.table.length) this.rebuildTable(this.table.length * 2);
    else this.insert(p, h, key);
    while (this.live > this.maxEntries) this.dropOldest();
  }

  delete(key: string): void {
    const h = hashKey(key);
    const p = this.find(key, h);
    if (p >= 0) this.unlink(p, h, key);
  }

  /** Drops entries past their ttl (and holes) from the old end. */
  prune(now: number): void {
    while (this.next > this.first) {
      const p = this.first % this.code.length;
      if (this.code[p] !== 0 && now - this.times[p] <= this.ttl) break;
      this.dropOldest();
    }
  }

  /** The ring for a snapshot, in BoundedMap's form: a restored window evicts in exactly the same order. */
  dump(): BoundedMapDump {
    const cap = this.code.length;
    const keys: string[] = new Array(cap);
    const values: string[] = new Array(cap);
    for (let p = 0; p < cap; p++) {
      const c = this.code[p];
      keys[p] = c === 0 ? '' : this.keyAt(p);
      values[p] = c === 0 ? '' : this.values[c - 1];
    }
    return { first: this.first, next: this.next, keys: keys.join(SEP), values: values.join(SEP), times: this.times.slice() };
  }

  load(d: BoundedMapDump): void {
    const keys = d.keys.split(SEP);
    const values = d.values.split(SEP);
    const cap = keys.length;
    this.code = new Uint8Array(cap);
    this.hash = new Int32Array(cap);
    this.start = new Int32Array(cap);
    this.len = new Int32Array(cap);
    this.times = d.times.slice();
    this.first = d.first;
    this.next = d.next;
    this.live = 0;
    let total = 0;
    for (let seq = this.first; seq < this.next; seq++) if (keys[seq % cap] !== '') total += keys[seq % cap].length;
    this.chars = new Uint16Array(pow2AtLeast(Math.max(1024, 2 * total)));
    this.write = 0;
    this.used = 0;
    for (let seq = this.first; seq < this.next; seq++) {
      const p = seq % cap;
      const k = keys[p];
      if (k === '') continue;
      const c = this.codeOf.get(values[p] as V);
      if (c === undefined) throw new Error(`snapshot: '${values[p]}' is not a value of this window`);
      this.code[p] = c;
      this.hash[p] = hashKey(k);
      this.start[p] = this.write;
      this.len[p] = k.length;
      for (let i = 0; i < k.length; i++) this.chars[this.write++] = k.charCodeAt(i);
      this.used += k.length;
      this.live++;
    }
    this.rebuildTable(pow2AtLeast(2 * (this.live + 1)));
  }

  /** The ring position holding `key`, or -1. */
  private find(key: string, h: number): number {
    const table = this.table;
    const tmask = table.length - 1;
    let i = h & tmask;
    for (let n = 0; n < this.maxProbes; n++) {
      const e = table[i];
      if (e === 0) break;
      const p = e - 1;
      if (this.hash[p] === h && this.matches(p, key)) return p;
      i = (i + 1) & tmask;
    }
    if (this.overflow.size === 0) return -1;
    return this.overflow.get(key) ?? -1;
  }

  /** Does the record at `p` hold exactly `key`? */
  private matches(p: number, key: string): boolean {
    const n = this.len[p];
    if (n !== key.length) return false;
    const chars = this.chars;
    const amask = chars.length - 1;
    let at = this.start[p];
    for (let i = 0; i < n; i++) {
      if (chars[at] !== key.charCodeAt(i)) return false;
      at = (at + 1) & amask;
    }
    return true;
  }

  private keyAt(p: number): string {
    const chars = this.chars;
    const amask = chars.length - 1;
    const s = this.start[p];
    const n = this.len[p];
    if (s + n <= chars.length) return String.fromCharCode.apply(null, chars.subarray(s, s + n) as unknown as number[]);
    let out = '';
    for (let i = 0; i < n; i++) out += String.fromCharCode(chars[(s + i) & amask]);
    return out;
  }

  /** Files the record at `p` in the table (or the overflow Map when its probe run is full). */
  private insert(p: number, h: number, key: string | null): void {
    const table = this.table;
    const tmask = table.length - 1;
    let i = h & tmask;
    for (let n = 0; n < this.maxProbes; n++) {
      if (table[i] === 0) {
        table[i] = p + 1;
        return;
      }
      i = (i + 1) & tmask;
    }
    this.overflow.set(key ?? this.keyAt(p), p);
  }

  /** The record at `p` becomes a hole: out of the table, its code units left until it is evicted. */
  private unlink(p: number, h: number, key: string | null): void {
    this.untable(p, h, key);
    this.code[p] = 0;
    this.live--;
  }

  /** Removes position `p` from the table by backward shift (no tombstones), or from the overflow Map. */
  private untable(p: number, h: number, key: string | null): void {
    const table = this.table;
    const tmask = table.length - 1;
    let i = h & tmask;
    let found = false;
    for (let n = 0; n < this.maxProbes; n++) {
      const e = table[i];
      if (e === 0) break;
      if (e === p + 1) {
        found = true;
        break;
      }
      i = (i + 1) & tmask;
    }
    if (!found) {
      this.overflow.delete(key ?? this.keyAt(p));
      return;
    }
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & tmask;
      const e = table[j];
      if (e === 0) break;
      const home = this.hash[e - 1] & tmask;
      // The entry at j may fill the hole if the hole lies on its probe path (home … j).
      if (((j - home) & tmask) >= ((j - hole) & tmask)) {
        table[hole] = e;
        hole = j;
      }
    }
    table[hole] = 0;
  }

  private dropOldest(): void {
    const p = this.first % this.code.length;
    if (this.code[p] !== 0) this.unlink(p, this.hash[p], null);
    this.used -= this.len[p];
    this.len[p] = 0;
    this.first++;
  }

  private rebuildTable(size: number): void {
    this.table = new Int32Array(size);
    this.overflow.clear();
    const cap = this.code.length;
    for (let seq = this.first; seq < this.next; seq++) {
      const p = seq % cap;
      if (this.code[p] !== 0) this.insert(p, this.hash[p], null);
    }
  }

  /**
   * Lays the live records' code units out again from the arena's start, in ring order, in an
   * arena with room for `need` more (holes give theirs up).
   */
  private relayout(need: number): void {
    let liveChars = 0;
    const cap = this.code.length;
    for (let seq = this.first; seq < this.next; seq++) {
      const p = seq % cap;
      if (this.code[p] !== 0) liveChars += this.len[p];
    }
    const from = this.chars;
    const fmask = from.length - 1;
    const size = pow2AtLeast(Math.max(from.length, 2 * (liveChars + need)));
    const to = new Uint16Array(size);
    let w = 0;
    for (let seq = this.first; seq < this.next; seq++) {
      const p = seq % cap;
      if (this.code[p] === 0) {
        this.len[p] = 0;
        continue;
      }
      const s = this.start[p];
      const n = this.len[p];
      for (let i = 0; i < n; i++) to[w + i] = from[(s + i) & fmask];
      this.start[p] = w;
      w += n;
    }
    this.chars = to;
    this.write = w;
    this.used = w;
  }

  /** The ring is full: grow it while under 2 × maxEntries, else squeeze out the holes (as BoundedMap does). */
  private makeRoom(): void {
    const cap = this.code.length;
    const limit = 2 * Math.max(this.maxEntries, 1) + 2;
    const grow = cap < limit;
    const size = grow ? Math.min(cap * 2, limit) : cap;
    const code = new Uint8Array(size);
    const times = new Float64Array(size);
    const hash = new Int32Array(size);
    const start = new Int32Array(size);
    const len = new Int32Array(size);
    let write = this.first;
    for (let seq = this.first; seq < this.next; seq++) {
      const j = seq % cap;
      if (this.code[j] === 0 && !grow) continue;
      // Growing keeps each record's sequence; compacting renumbers the survivors.
      const p = (grow ? seq : write++) % size;
      code[p] = this.code[j];
      times[p] = this.times[j];
      hash[p] = this.hash[j];
      start[p] = this.start[j];
      len[p] = this.len[j];
    }
    if (!grow) this.next = write;
    this.code = code;
    this.times = times;
    this.hash = hash;
    this.start = start;
    this.len = len;
    // Compacting dropped the holes' records, not their code units: lay the survivors out again.
    if (!grow) this.relayout(0);
    this.rebuildTable(this.table.length);
  }
}
