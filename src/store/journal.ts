/**
 * The write-ahead journal: every engine call (a command with its time, or a timer tick with its
 * time) is appended before its results leave the server. The engine is deterministic, so replaying
 * the journal through a fresh engine rebuilds the same state.
 */
import type { Command } from '../engine/types.ts';

/** One engine call: `apply(c, n)` or, without `c`, `tick(n)`. */
export interface JournalEntry {
  readonly n: number;
  readonly c?: Command;
}

/** A write refused because a newer process took the tenant over (its fencing epoch moved on). */
export class StaleLeaderError extends Error {
  override readonly name = 'StaleLeaderError';
  readonly code = 'STALE_LEADER';
}

/** The store could not confirm a write (unreachable, timed out, refused). Retryable. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'STORE_UNAVAILABLE';
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
   * Returns the entries to replay, oldest first.
   */
  open(tenant: string): Promise<AsyncIterable<JournalEntry[]>>;
  /** Bumps the tenant's fencing epoch without reading (a standby taking over). */
  fence(tenant: string): Promise<void>;
  /** Entries after position `after` ('-': from the start), without taking the tenant over. */
  read(tenant: string, after: string): AsyncIterable<{ entries: JournalEntry[]; last: string }>;
  /** Appends one turn's entries atomically; resolves once the store confirmed them. */
  append(tenant: string, entries: readonly JournalEntry[]): Promise<void>;
  close(): Promise<void>;
}
