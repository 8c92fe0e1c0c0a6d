import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/store/journal.ts';
import { RedisJournal } from '../../src/store/redis-journal.ts';
import { TokenVerifier } from '../../src/transport/auth.ts';
import { TestRedis, until } from '../helpers/redis.ts';
import { kill9, PROCESS_SECRET, spawnServer, untilReady } from '../helpers/server-process.ts';
import { TestClient } from '../helpers/server.ts';

/**
 * The leader lease (1 s here) is renewed from the moment it is taken, through the recovery: a
 * recovery longer than the lease must not let it lapse, or the server would take it again at once
 * and rebuild every tenant a second time, holding its event loop for as long once more. Taken
 * again after a real lapse, only the tenants another process fenced meanwhile are rebuilt.
 */
let redis: TestRedis;
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

describe('the leader lease', () => {
  it('is kept through a recovery longer than the lease: every tenant is rebuilt once', async () => {
    const writer = new RedisJournal(redis.url);
    await writer.ready();
    for await (const _ of (await writer.open('big')).entries) void _;
    const n = 120_000;
    const entries: JournalEntry[] = [{ n: 1, c: { type: 'UpsertQueue', queue: { id: 'q' } } }];
    for (let i = 0; i < n; i++) entries.push({ n: 2 + i, c: { type: 'SubmitInteraction', interaction: { id: `i${i}`, channel: 'chat', queue: 'q' } } });
    for (let at = 0; at < entries.length; at += 5_000) await writer.append('big', at + 1, entries.slice(at, at + 5_000));
    await writer.close();
    const plain = new Redis(redis.url);
    expect(await plain.get('sb:{big}:epoch')).toBe('1');
    const started = performance.now();
    const s = await spawnServer(redis.url, ['--snapshot-every-entries', '0']);
    try {
      await untilReady(s, 120_000);
      const recoveryMs = performance.now() - started;
      // Longer than the lease, or the test shows nothing.
      expect(recoveryMs).toBeGreaterThan(1_000);
      await new Promise((r) => setTimeout(r, 2_500));
      expect(await plain.get('sb:{big}:epoch'), 'the tenant was opened (rebuilt) again after the recovery').toBe('2');
      expect((await fetch(`${s.http}/readyz`)).status).toBe(200);
    } finally {
      await kill9(s.proc);
      plain.disconnect();
    }
  }, 180_000);

  it('taken again after it lapsed, rebuilds only the tenants another process fenced meanwhile', async () => {
    const plain = new Redis(redis.url);
    const s = await spawnServer(redis.url);
    try {
      await untilReady(s);
      const platform = await TestClient.connect(
        `${s.url}/v1/platform`,
        await new TokenVerifier(PROCESS_SECRET).sign({ tenant: 'lapse', role: 'platform' }, 600),
      );
      expect(await platform.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
      expect(await platform.request({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'chat', queue: 'q' } })).toMatchObject({ ok: true });
      const epoch = Number(await plain.get('sb:{lapse}:epoch'));
      const lapse = async (meanwhile: () => Promise<unknown>) => {
        s.proc.kill('SIGSTOP');
        await new Promise((r) => setTimeout(r, 2_000)); // twice the lease
        await meanwhile();
        expect(await plain.get('sb:lease:default')).toBeNull();
        s.proc.kill('SIGCONT');
        await until(
          async () => (await plain.get('sb:lease:default')) !== null && (await fetch(`${s.http}/readyz`)).status === 200,
          10_000,
          'the lease taken again',
        );
      };
      // Nobody else took the tenant: its engine is still the journal's state, and is kept.
      await lapse(async () => undefined);
      expect(Number(await plain.get('sb:{lapse}:epoch'))).toBe(epoch);
      expect(await retrying(platform, { type: 'GetInteraction', interactionId: 'x' })).toMatchObject({ ok: true, interaction: { status: 'queued' } });
      // Another process fenced it meanwhile (it may have written): rebuilt from the journal.
      await lapse(() => plain.incr('sb:{lapse}:epoch'));
      await until(async () => Number(await plain.get('sb:{lapse}:epoch')) === epoch + 2, 10_000, 'the fenced tenant rebuilt');
      expect(await retrying(platform, { type: 'SubmitInteraction', interaction: { id: 'y', channel: 'chat', queue: 'q' } })).toMatchObject({ ok: true });
      expect(await retrying(platform, { type: 'GetInteraction', interactionId: 'x' })).toMatchObject({ ok: true, interaction: { status: 'queued' } });
      platform.close();
    } finally {
      s.proc.kill('SIGCONT');
      await kill9(s.proc);
      plain.disconnect();
    }
  }, 60_000);
});

/** Sends a request again while it is refused with a retryable code (the tenant being rebuilt); 10 s at most. */
async function retrying(client: TestClient, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const end = Date.now() + 10_000;
  for (;;) {
    const r = await client.request(body);
    if (r.ok || (r.code !== 'STORE_UNAVAILABLE' && r.code !== 'OUTCOME_UNKNOWN' && r.code !== 'STALE_LEADER') || Date.now() > end) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}
