import { describe, expect, it } from 'vitest';
import type { FeedEvent } from '../../src/shell/event-feed.ts';
import { History } from '../../src/shell/history.ts';

/** An interaction's life in feed events: queued at `at`, cancelled at `end`. */
function life(id: string, at: number, end: number, seq: number): FeedEvent[] {
  return [
    { type: 'InteractionQueued', at, interactionId: id, queueId: 'q', channel: 'chat', seq },
    { type: 'InteractionCancelled', at: end, interactionId: id, queueId: 'q', seq: seq + 1 },
  ] as FeedEvent[];
}

describe('the history of ended interactions in memory', () => {
  it('keeps at most the last maxEnded, oldest end out first', () => {
    const h = new History(1000, 3_600_000, false);
    for (let i = 0; i < 5000; i++) h.record(life(`i${i}`, i, i + 1, 2 * i + 1));
    for (let i = 0; i < 4000; i++) expect(h.get(`i${i}`)).toBeNull();
    for (let i = 4000; i < 5000; i++) expect(h.get(`i${i}`)?.status).toBe('cancelled');
  });

  it('lets a record go once it ended longer ago than the retention, and keeps the rest', () => {
    const h = new History(100_000, 10_000, false);
    for (let i = 0; i < 3000; i++) h.record(life(`i${i}`, i * 10, i * 10, 2 * i + 1));
    // The last ended at 29,990: those that ended 10 s or more before it are gone.
    expect(h.get('i1999')).toBeNull();
    expect(h.get('i2000')).not.toBeNull();
    expect(h.get('i2999')).not.toBeNull();
  });

  it('an interaction that ends again (replayed after a restart) is kept by its latest end', () => {
    const h = new History(2, 3_600_000, false);
    h.record(life('a', 0, 1, 1));
    h.record(life('b', 2, 3, 3));
    h.restart();
    h.record(life('a', 0, 5, 5));
    h.record(life('c', 6, 7, 7));
    // Ended in the order b, a (again), c: with room for two, b goes.
    expect(h.get('b')).toBeNull();
    expect(h.get('a')?.endedAt).toBe(5);
    expect(h.get('c')).not.toBeNull();
  });

  it('indexes at most 100,000 customers for journeys, the least recently indexed out first', () => {
    const h = new History(10, 3_600_000, false);
    const submit = (id: string, customer: string, at: number) => {
      h.expect(id, customer);
      h.record([{ type: 'InteractionQueued', at, interactionId: id, queueId: 'q', channel: 'chat', seq: at } as FeedEvent]);
    };
    submit('first', 'kept', 0);
    for (let i = 0; i < 150_000; i++) {
      submit(`i${i}`, `c${i}`, i + 1);
      // `kept` comes back now and then, so it stays among the most recent.
      if (i % 50_000 === 49_999) submit(`again${i}`, 'kept', i + 1);
    }
    expect(h.journey('c0', 5)).toEqual([]);
    // 150,001 customers, `kept` among the recent: c0 … c50000 went.
    expect(h.journey('c50000', 5)).toEqual([]);
    expect(h.journey('c50001', 5).map((j) => j.interactionId)).toEqual(['i50001']);
    expect(h.journey('c149999', 5).map((j) => j.interactionId)).toEqual(['i149999']);
    expect(h.journey('kept', 5).map((j) => j.interactionId)).toEqual(['again149999', 'again99999', 'again49999', 'first']);
  });
});
