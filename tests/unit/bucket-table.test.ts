import { describe, expect, it } from 'vitest';
import { BucketTable } from '../../src/transport/bucket-table.ts';

describe('BucketTable', () => {
  const limit = { messagesPerSecond: 2, messageBurst: 3 };

  it('gives each key a burst, then a token every 1/rate seconds, and says when the next comes', () => {
    const t = new BucketTable(limit);
    expect([t.take('a', 0), t.take('a', 0), t.take('a', 0)]).toEqual([null, null, null]);
    expect(t.take('a', 0)).toBe(1);
    expect(t.take('b', 0)).toBeNull();
    expect(t.take('a', 499)).toBe(1);
    expect(t.take('a', 500)).toBeNull();
    expect(t.take('a', 500)).toBe(1);
  });

  it('holds at most max buckets, dropping the least recently used', () => {
    const t = new BucketTable(limit, 2);
    for (let i = 0; i < 3; i++) t.take('a', 0);
    t.take('b', 0);
    expect(t.take('a', 0)).toBe(1); // a is used last: b is the oldest
    t.take('c', 0);
    expect(t.size).toBe(2);
    expect(t.take('a', 0)).toBe(1); // a kept its debt
    for (let i = 0; i < 3; i++) t.take('d', 0); // evicts c, then
    t.take('e', 0); // the oldest now: a, with its debt forgotten
    expect(t.size).toBe(2);
    expect(t.take('a', 0)).toBeNull();
  });
});
