/**
 * The write-ahead journal: every engine call (a command with its time, or a timer tick with its
 * time) is appended before its results leave the server. The engine is deterministic, so a
 * snapshot of its state plus the journal's entries after it rebuilds the same state.
 *
 * Entries are numbered 1, 2, 3… per tenant, by the writer. A write must continue exactly where
 * the journal ends (a write after a lost one is refused, so the journal has no holes), and only
 * the writer holding the tenant's newest fencing epoch may write.
 */
import type { Command, EngineEvent } from '../engine/types.ts';

/** One engine call: `apply(c, n)` or, without `c`, `tick(n)`. */
export interface JournalEntry {
  readonly n: number;
  readonly c?: Command;
}

/** An engine event with its number in the tenant's feed. */
export type NumberedEvent = EngineEvent & { readonly seq: number };

/** A turn's events (numbered, consecutive), written with its journal entries. */
export interface EventBatch {
  readonly events: readonly NumberedEvent[];
  /** The turn's time (epoch ms): the stream is trimmed by age from it. */
  readonly at: number;
}

/** Interactions that ended in a turn: their history records, written with its journal entries. */
export interface HistoryBatch {
  readonly records: readonly { readonly interactionId: string; readonly customerId?: string; readonly arrival: number; readonly endedAt: number | null }[];
  /** How long the store keeps a record after it ended (ms). */
  readonly retentionMs: number;
}

/** Consecutive entries numbered first…last. */
export interface JournalChunk {
  readonly entries: JournalEntry[];
  readonly first: number;
  readonly last: number;
}

/** An encoded engine snapshot of the state after entry `through`. */
export interface StoredSnapshot {
  readonly through: number;
  readonly bytes: Uint8Array;
}

/** A write refused because a newer process took the tenant over (its fencing epoch moved on). */
export class StaleLeaderError extends Error {
  override readonly name = 'StaleLeaderError';
  readonly code = 'STALE_LEADER';
}

/**
 * The store provably did not take a write (unreachable before it was sent, or refused by the
 * journal's own checks). Retryable: nothing of it took effect.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A write was sent but not confirmed (timed out, or the connection dropped with it in flight):
 * it may yet be applied. Whoever asked must be told the outcome is unknown, not that it failed.
 */
export class WriteOutcomeUnknownError extends Error {
  override readonly name = 'WriteOutcomeUnknownError';
  readonly code = 'OUTCOME_UNKNOWN';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface Journal {
  /** Where the tenant's entries live, for logs. */
  describe(): string;
  /** Tenants with a journal. */
  tenants(): Promise<string[]>;
  /**
   * Takes the tenant over: bumps its fencing epoch, so any older writer is refused from now on.
   * Returns the latest snapshot (or null) and the entries after it, oldest first.
   */
  open(tenant: string): Promise<{ snapshot: StoredSnapshot | null; entries: AsyncIterable<JournalChunk> }>;
  /** Bumps the tenant's fencing epoch without reading (a standby taking over). */
  fence(tenant: string): Promise<void>;
  /** The fencing epoch this handle writes the tenant under (taken by open or fence), or null. */
  epoch(tenant: string): string | null;
  /** Whether another handle fenced the tenant after this one took it (the epoch moved on). */
  fencedOff(tenant: string): Promise<boolean>;
  /**
   * Writes the tenant under an epoch another handle of this process took: the snapshot replica,
   * on its own connection, publishes for its leader and is fenced with it.
   */
  adopt(tenant: string, epoch: string): void;
  /**
   * Entries numbered after `after` (0: from the first kept), without taking the tenant over. A
   * chunk starting past the entry after the one before it (the first: past `after + 1`) means
   * those entries were folded into a snapshot since: load it and read on from its `through`.
   * Entries folded away at the journal's end are reported so too, by an empty chunk starting
   * past the journal's last entry.
   */
  read(tenant: string, after: number): AsyncIterable<JournalChunk>;
  /** The latest snapshot, or null. */
  snapshot(tenant: string): Promise<StoredSnapshot | null>;
  /**
   * Appends one turn's entries, numbered from `first`, atomically; resolves once the store
   * confirmed them. Refused unless `first` follows the journal's last entry.
   */
  append(tenant: string, first: number, entries: readonly JournalEntry[], events?: EventBatch, history?: HistoryBatch): Promise<void>;
  /** An ended interaction's history record, written by `append` (absent: the store keeps none); null: not kept. */
  readHistory?(tenant: string, interactionId: string): Promise<unknown | null>;
  /** A customer's ended interactions' records kept by the store, newest first, arrived before `before` (written by `append`). */
  readJourney?(tenant: string, customerId: string, limit: number, before: number): Promise<unknown[]>;
  /**
   * The tenant's events after `after` (about `limit`, oldest first) and the oldest seq kept (null:
   * none), written with the journal (absent: the store keeps no events beyond the server's memory).
   */
  readEvents?(tenant: string, after: number, limit: number): Promise<{ events: NumberedEvent[]; oldest: number | null }>;
  /**
   * Publishes a snapshot of the state after entry `through` (refused unless the journal holds
   * that entry) and drops the entries it covers.
   */
  saveSnapshot(tenant: string, through: number, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
