import { Engine, type ApplyResult, type Command, type EngineEvent } from '../../src/index.ts';
import type { JournalEntry } from '../../src/store/journal.ts';

/** An engine that records every call as a journal entry, as the shell does. */
export class JournalingEngine extends Engine {
  readonly entries: JournalEntry[] = [];
  lastNow = 0;
  override apply(cmd: Command, now: number): ApplyResult {
    this.entries.push({ n: now, c: cmd });
    this.lastNow = now;
    return super.apply(cmd, now);
  }
  override tick(now: number): EngineEvent[] {
    this.entries.push({ n: now });
    this.lastNow = now;
    return super.tick(now);
  }
}

/** Makes one journal entry's call on `engine`: `apply` with a command, else `tick`. */
export const replayEntry = (engine: Engine, e: JournalEntry): ApplyResult | { events: EngineEvent[] } =>
  e.c ? engine.apply(e.c, e.n) : { events: engine.tick(e.n) };
