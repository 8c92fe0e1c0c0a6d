import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../src/transport/auth.ts';
import { parseExposition } from '../helpers/exposition.ts';
import { TestRedis, until } from '../helpers/redis.ts';
import { kill9, METRICS_TOKEN, PROCESS_SECRET, spawnServer, untilReady, type ServerProcess } from '../helpers/server-process.ts';
import { TestClient } from '../helpers/server.ts';

/**
 * Durability under kill -9: a real server process with the redis store takes submissions and
 * routes them to an agent who accepts; it is killed at a random moment (between a journal write
 * and its ack, mid-offer, anywhere), restarted on the same Redis, and every submission that was
 * acknowledged before the kill must be known afterwards (I1), none assigned twice (I2), the agent
 * not over capacity (I3); at the end Redis itself is killed and restarted from its append-only
 * file. The server's snapshot replica snapshots every 50 journal entries, and every fifth kill
 * waits for a newer snapshot, so recoveries load a snapshot and replay the trimmed journal after
 * it. SWITCHBOARD_CRASH_ROUNDS sets the number of kills
 * (default 50).
 */
const ROUNDS = Number(process.env.SWITCHBOARD_CRASH_ROUNDS ?? 50);
const verifier = new TokenVerifier(PROCESS_SECRET);
let redis: TestRedis;

beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

/**
 * Sends a request again while it is refused as STORE_UNAVAILABLE (the tenant is being rebuilt,
 * for instance after the server took its lapsed lease again) or answered OUTCOME_UNKNOWN, as a
 * client should (every mutating request is safe to retry); 10 s at most.
 */
async function retrying(client: TestClient, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const end = Date.now() + 10_000;
  for (;;) {
    const r = await client.request(body);
    if (r.ok || (r.code !== 'STORE_UNAVAILABLE' && r.code !== 'OUTCOME_UNKNOWN') || Date.now() > end) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

const snapshotThrough = async (): Promise<number> => {
  const plain = new Redis(redis.url);
  try {
    return Number((await plain.hget('sb:{crash}:snapshot', 'through')) ?? 0);
  } finally {
    plain.disconnect();
  }
};

/** A server process that leads (after a kill -9 it waits for the dead leader's lease to lapse). */
async function startServer(): Promise<ServerProcess> {
  const s = await spawnServer(redis.url);
  try {
    await untilReady(s);
  } catch (e) {
    await kill9(s.proc); // a standby left running would take the next test's lease
    throw e;
  }
  return s;
}

describe('crash recovery with the redis store', () => {
  it(
    `no acknowledged interaction is lost across ${ROUNDS} kill -9s under load`,
    async () => {
      const acked = new Set<string>();
      let lastRound: string[] = [];
      let server = await startServer();
      try {
        const setup = await TestClient.connect(`${server.url}/v1/platform`, await verifier.sign({ tenant: 'crash', role: 'platform' }, 600));
        expect(await setup.request({ type: 'UpsertQueue', queue: { id: 'q', offerTimeoutMs: 600_000 } })).toMatchObject({ ok: true });
        expect(
          await setup.request({ type: 'UpsertAgent', agent: { id: 'ann', capacity: { total: 3, channels: { chat: { cost: 1, max: 3 } } } } }),
        ).toMatchObject({ ok: true });
        setup.close();
        for (let round = 0; round < ROUNDS; round++) {
          const platform = await TestClient.connect(`${server.url}/v1/platform`, await verifier.sign({ tenant: 'crash', role: 'platform' }, 600));
          const agent = await TestClient.connect(`${server.url}/v1/agent`, await verifier.sign({ tenant: 'crash', role: 'agent', sub: 'ann' }, 600));
          // Everything acknowledged in the round before the kill is checked after it, and a sample
          // of all earlier ones (all of them once more at the end): linear in the number of rounds.
          const all = [...acked];
          const sample = all.length <= 50 ? all : Array.from({ length: 50 }, () => all[Math.floor(Math.random() * all.length)]);
          for (const id of new Set([...lastRound, ...sample])) {
            const r = await platform.request({ type: 'GetInteraction', interactionId: id });
            expect(r, `acknowledged ${id} lost after a crash`).toMatchObject({ ok: true });
          }
          // Idempotency survives the crash too (I6): submitting an acknowledged id again creates nothing.
          for (const id of lastRound.slice(-5)) {
            const again = await platform.request({ type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue: 'q' } });
            expect(again, `${id} created twice`).toMatchObject({ ok: true, duplicate: true });
          }
          lastRound = [];
          const load = (await platform.request({ type: 'GetAgent', agentId: 'ann' })) as {
            ok: boolean;
            agent: { units: number; total: number; offers: unknown[]; assignments: string[] };
          };
          expect(load.agent.units).toBeLessThanOrEqual(load.agent.total);
          expect(new Set(load.agent.assignments).size).toBe(load.agent.assignments.length);
          // The agent accepts every offer and completes what it holds beyond one.
          await agent.request({ type: 'SetState', state: 'available' });
          for (const id of load.agent.assignments) agent.sendRaw(JSON.stringify({ id: `c-${id}`, type: 'Complete', interactionId: id }));
          agent.onPush((p) => {
            if (p.push === 'offer') agent.sendRaw(JSON.stringify({ id: `a-${String(p.offerId)}`, type: 'Accept', offerId: p.offerId }));
            if (p.push === 'assigned') agent.sendRaw(JSON.stringify({ id: `c-${String(p.interactionId)}`, type: 'Complete', interactionId: p.interactionId }));
          });
          // Load, then a kill at a random moment while submissions are in flight.
          let stop = false;
          let seq = 0;
          const pump = (async () => {
            while (!stop) {
              const id = `r${round}-${seq++}`;
              const r = await platform.request({ type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue: 'q' } });
              if (r.ok === true) {
                acked.add(id);
                lastRound.push(id);
              }
              if (r.code === 'DISCONNECTED') break;
            }
          })();
          await new Promise((r) => setTimeout(r, 30 + Math.random() * 250));
          // Every fifth round the kill waits for the snapshot replica to publish a newer snapshot
          // (it trails the leader), so the recoveries that follow load one from a trimmed journal.
          if (round % 5 === 4) {
            const before = await snapshotThrough();
            await until(async () => (await snapshotThrough()) > before, 15_000, `a snapshot newer than entry ${before}`);
          }
          await kill9(server.proc);
          stop = true;
          await pump;
          platform.close();
          agent.close();
          server = await startServer();
        }
        // Redis itself killed -9 and restarted from its append-only file, then the server again:
        // every acknowledged submission is there, completed or still in the system.
        await kill9(server.proc);
        await redis.kill();
        await redis.restart();
        server = await startServer();
        const platform = await TestClient.connect(`${server.url}/v1/platform`, await verifier.sign({ tenant: 'crash', role: 'platform' }, 600));
        for (const id of acked) expect(await platform.request({ type: 'GetInteraction', interactionId: id }), id).toMatchObject({ ok: true });
        expect(acked.size).toBeGreaterThan(ROUNDS * 5);
        // The snapshot replica snapshotted and trimmed the journal along the way (every 50 entries,
        // a round or so behind the leader), so the recoveries above started from snapshots.
        const plain = new Redis(redis.url);
        const through = Number(await plain.hget('sb:{crash}:snapshot', 'through'));
        const last = Number(await plain.get('sb:{crash}:seq'));
        platform.close();
        await kill9(server.proc);
        expect(through, `snapshot through ${through} of ${last} entries`).toBeGreaterThan(last / 2);
        expect(await plain.xlen('sb:{crash}:journal')).toBeLessThan(through);
        plain.disconnect();
      } finally {
        // A server left leading would hold the lease and keep the next tests' servers standbys.
        await kill9(server.proc);
      }
    },
    Math.max(300_000, ROUNDS * 10_000),
  );

  it('Redis killed -9 under load and restarted from its AOF: the server refuses meanwhile, then serves again without a restart, with every acknowledged submission', async () => {
    const server = await startServer();
    try {
      const platform = await TestClient.connect(`${server.url}/v1/platform`, await verifier.sign({ tenant: 'aof', role: 'platform' }, 600));
      expect(await platform.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
      const acked = new Set<string>();
      const codes = new Set<string>();
      let stop = false;
      let seq = 0;
      const pump = (async () => {
        while (!stop) {
          const id = `aof-${seq++}`;
          const r = await platform.request({ type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue: 'q' } });
          if (r.ok === true) acked.add(id);
          else codes.add(String(r.code));
          if (r.ok !== true) await new Promise((res) => setTimeout(res, 20));
        }
      })();
      await new Promise((r) => setTimeout(r, 300));
      await redis.kill();
      await new Promise((r) => setTimeout(r, 500));
      await redis.restart();
      // The server rebuilds the tenant from the restarted Redis by itself; submissions succeed again.
      const before = acked.size;
      const end = Date.now() + 15_000;
      while (acked.size < before + 20 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      stop = true;
      await pump;
      expect(acked.size).toBeGreaterThanOrEqual(before + 20);
      expect([...codes].filter((c) => c !== 'STORE_UNAVAILABLE' && c !== 'OUTCOME_UNKNOWN')).toEqual([]);
      for (const id of acked) {
        const r = await retrying(platform, { type: 'GetInteraction', interactionId: id });
        expect(r, `${id}: ${JSON.stringify(r)}`).toMatchObject({ ok: true });
      }
      platform.close();
    } finally {
      await kill9(server.proc);
    }
  }, 60_000);

  it('acknowledges nothing the journal has not confirmed; refuses with a retryable code while Redis is away; recovers without restart', async () => {
    const server = await startServer();
    try {
      const platform = await TestClient.connect(`${server.url}/v1/platform`, await verifier.sign({ tenant: 'paused', role: 'platform' }, 600));
      expect(await platform.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
      expect(await platform.request({ type: 'SubmitInteraction', interaction: { id: 'before', channel: 'chat', queue: 'q' } })).toMatchObject({ ok: true });
      redis.pause();
      let answer: Record<string, unknown> | null = null;
      const pending = platform.request({ type: 'SubmitInteraction', interaction: { id: 'during', channel: 'chat', queue: 'q' } }).then((r) => (answer = r));
      await new Promise((r) => setTimeout(r, 500));
      expect(answer, 'acknowledged before Redis confirmed').toBeNull();
      await pending;
      // Sent to Redis and not confirmed: it may yet land (it does, when Redis resumes).
      expect(answer).toMatchObject({ ok: false, code: 'OUTCOME_UNKNOWN' });
      expect(await platform.request({ type: 'SubmitInteraction', interaction: { id: 'meanwhile', channel: 'chat', queue: 'q' } })).toMatchObject({
        ok: false,
        code: 'STORE_UNAVAILABLE',
      });
      redis.resume();
      // The server rebuilds the tenant from the journal by itself (and once more when it takes
      // its lapsed lease again); a client retries what is refused as STORE_UNAVAILABLE or of
      // unknown outcome, as a client should (submissions are idempotent by id).
      const submit = (id: string) => retrying(platform, { type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue: 'q' } });
      expect(await submit('during')).toMatchObject({ ok: true });
      expect(await retrying(platform, { type: 'GetInteraction', interactionId: 'before' })).toMatchObject({ ok: true, interaction: { status: 'queued' } });
      // Enough entries for a snapshot (one every 50), published after its last entry is in Redis.
      for (let i = 0; i < 60; i++) expect(await submit(`more-${i}`)).toMatchObject({ ok: true });
      const scrape = async () =>
        parseExposition(await (await fetch(`${server.http}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text());
      const until = Date.now() + 5_000;
      while (((await scrape()).get('switchboard_snapshots_total{outcome="published"}') ?? 0) < 1 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50));
      const m = await scrape();
      expect(m.get('switchboard_snapshots_total{outcome="published"}')).toBeGreaterThanOrEqual(1);
      expect(m.get('switchboard_snapshot_seconds_count{phase="copy"}')).toBeGreaterThanOrEqual(1);
      expect(m.get('switchboard_snapshot_seconds_count{phase="encode"}')).toBeGreaterThanOrEqual(1);
      expect(m.get('switchboard_snapshot_bytes')).toBeGreaterThan(0);
      // A server process also exports prom-client's default process metrics, event-loop lag among them.
      expect(m.get('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(m.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(m.get('switchboard_journal_write_seconds_count{outcome="failed"}')).toBeGreaterThanOrEqual(1); // and any timer ticks of other tenants
      expect(m.get('switchboard_journal_write_seconds_count{outcome="ok"}')).toBeGreaterThanOrEqual(3);
      expect(m.get('switchboard_journal_batch_entries_count')).toBe(
        (m.get('switchboard_journal_write_seconds_count{outcome="failed"}') ?? 0) + (m.get('switchboard_journal_write_seconds_count{outcome="ok"}') ?? 0),
      );
      platform.close();
    } finally {
      redis.resume();
      await kill9(server.proc);
    }
  }, 60_000);
});
