/**
 * Snapshots on the wire to the store: MessagePack with msgpackr's typed-array extensions
 * (`moreTypes`), which the protocol codec refuses from clients but a snapshot (written by this
 * server, read back from its own store) needs for the engine's numeric arrays.
 *
 * The encoding is a sequence of MessagePack values: the snapshot without its interactions and
 * agents, then those two lists in slices (`{ k, v }`). Encoding slice by slice lets the server
 * yield to the event loop between slices: only the engine's copy of its state (`snapshot()`) has
 * to happen at once; the encoding, most of the work, is spread over many turns.
 */
import { Packr } from 'msgpackr';
import type { EngineSnapshot } from '../engine/snapshot.ts';

const packr = new Packr({ useRecords: false, moreTypes: true, structuredClone: false });
/** Interactions or agents per slice: about 30–60 ms of encoding each on this machine. */
const SLICE = 20_000;

type Slice = { readonly k: 'interactions' | 'agents'; readonly v: unknown[] };

/**
 * Encodes `snap`, calling `pause()` between slices (the server passes a wait for the next turn
 * of the event loop). The snapshot must not change meanwhile: the engine's copy does not.
 */
export async function encodeSnapshot(snap: EngineSnapshot, pause: () => Promise<void> | void = () => undefined): Promise<Buffer> {
  const parts: Buffer[] = [packr.pack({ ...snap, interactions: [], agents: [] })];
  for (const k of ['agents', 'interactions'] as const) {
    const list = snap[k] as unknown[];
    for (let i = 0; i < list.length; i += SLICE) {
      await pause();
      parts.push(packr.pack({ k, v: list.slice(i, i + SLICE) } satisfies Slice));
    }
  }
  return Buffer.concat(parts);
}

export function decodeSnapshot(bytes: Uint8Array): EngineSnapshot {
  const values = packr.unpackMultiple(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as unknown[];
  const head = values[0] as EngineSnapshot;
  const lists: Record<Slice['k'], unknown[]> = { agents: [], interactions: [] };
  for (let i = 1; i < values.length; i++) {
    const s = values[i] as Slice;
    const into = lists[s.k];
    for (const x of s.v) into.push(x);
  }
  return { ...head, agents: lists.agents as EngineSnapshot['agents'], interactions: lists.interactions as EngineSnapshot['interactions'] };
}
