/**
 * Snapshots on the wire to the store: MessagePack with msgpackr's typed-array extensions
 * (`moreTypes`), which the protocol codec refuses from clients but a snapshot (written by this
 * server, read back from its own store) needs for the engine's numeric arrays.
 */
import { Packr } from 'msgpackr';
import type { EngineSnapshot } from '../engine/snapshot.ts';

const packr = new Packr({ useRecords: false, moreTypes: true, structuredClone: false });

export function encodeSnapshot(snap: EngineSnapshot): Buffer {
  return packr.pack(snap);
}

export function decodeSnapshot(bytes: Uint8Array): EngineSnapshot {
  return packr.unpack(bytes) as EngineSnapshot;
}
