import { describe, expect, it } from 'vitest';
import { GroupCommit, type Verdict } from '../../src/shell/group-commit.ts';
import type { Frames, Refusal, Session } from '../../src/shell/ports.ts';

// Group commit on its own: the order turns leave in, what a failed write's answers say, and that
// nothing one turn does (a send that throws, a write that rejects) keeps later turns from leaving.
const session = (tenant: string): Session => ({
  id: 1,
  principal: { tenant, role: 'platform', agentId: null, expiresAt: Number.POSITIVE_INFINITY },
  send: () => {},
});

function harness() {
  const writes: { resolve: (failed: Map<string, Refusal>) => void; reject: (e: unknown) => void }[] = [];
  let journaled = true;
  const errors: unknown[] = [];
  const sent: Frames[][] = [];
  const gc = new GroupCommit(
    () =>
      journaled
        ? new Promise<Verdict>((resolve, reject) => {
            writes.push({ resolve: (failed) => resolve(() => failed), reject });
          })
        : null,
    (e) => errors.push(e),
  );
  const send = (_s: Session[], f: Frames[]) => {
    sent.push(f);
  };
  return {
    gc,
    writes,
    errors,
    sent,
    send,
    memory: () => {
      journaled = false;
    },
  };
}
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('group commit', () => {
  it('without a write to wait for, a turn leaves at once', () => {
    const h = harness();
    h.memory();
    h.gc.release([session('t')], [[{ re: 1, ok: true }]], h.send);
    expect(h.sent).toEqual([[[{ re: 1, ok: true }]]]);
  });

  it('turns leave in the order they ended, each once its write is confirmed', async () => {
    const h = harness();
    h.gc.release([session('t')], [[{ re: 1, ok: true }]], h.send);
    h.gc.release([session('t')], [[{ re: 2, ok: true }]], h.send);
    h.writes[1].resolve(new Map());
    await flush();
    expect(h.sent).toEqual([]);
    h.writes[0].resolve(new Map());
    await flush();
    expect(h.sent.map((f) => f[0][0].re)).toEqual([1, 2]);
  });

  it("a failed tenant's answers become its refusal and its pushes are dropped; another tenant's leave as they are", async () => {
    const h = harness();
    const why: Refusal = { code: 'OUTCOME_UNKNOWN', message: 'm' };
    h.gc.release(
      [session('a'), session('b')],
      [
        [{ re: 1, ok: true }, { push: 'offer' }],
        [{ re: 2, ok: true }, { push: 'offer' }],
      ],
      h.send,
    );
    h.writes[0].resolve(new Map([['a', why]]));
    await flush();
    expect(h.sent[0]).toEqual([[{ re: 1, ok: false, code: 'OUTCOME_UNKNOWN', message: 'm' }], [{ re: 2, ok: true }, { push: 'offer' }]]);
  });

  it('a send that throws is reported and later turns still leave', async () => {
    const h = harness();
    h.gc.release([session('t')], [[{ re: 1, ok: true }]], () => {
      throw new Error('encode failed');
    });
    h.gc.release([session('t')], [[{ re: 2, ok: true }]], h.send);
    h.writes[0].resolve(new Map());
    h.writes[1].resolve(new Map());
    await flush();
    expect(h.errors.map((e) => (e as Error).message)).toEqual(['encode failed']);
    expect(h.sent.map((f) => f[0][0].re)).toEqual([2]);
  });

  it('a write that rejects answers its turn OUTCOME_UNKNOWN, and later turns still leave', async () => {
    const h = harness();
    h.gc.release([session('t')], [[{ re: 1, ok: true }, { push: 'offer' }]], h.send);
    h.gc.release([session('t')], [[{ re: 2, ok: true }]], h.send);
    h.writes[0].reject(new Error('boom'));
    h.writes[1].resolve(new Map());
    await flush();
    expect(h.errors).toHaveLength(1);
    expect(h.sent[0][0]).toEqual([expect.objectContaining({ re: 1, ok: false, code: 'OUTCOME_UNKNOWN' })]);
    expect(h.sent[1][0]).toEqual([{ re: 2, ok: true }]);
  });
});
