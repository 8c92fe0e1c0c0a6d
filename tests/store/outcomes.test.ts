import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Encoding } from '../../src/protocol/codec.ts';
import { Shell } from '../../src/shell/shell.ts';
import { RedisJournal } from '../../src/store/redis-journal.ts';
import { TestRedis, until } from '../helpers/redis.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';

/**
 * What an answer says of a request with the redis store is what the store holds: ok, it took
 * effect; STORE_UNAVAILABLE (or STALE_LEADER), it did not and never will; OUTCOME_UNKNOWN, it
 * may have (the write was sent and not confirmed), and a retry settles it, because every
 * mutating request is safe to send again. Checked with Redis paused (SIGSTOP: writes in flight
 * land when it resumes), killed -9 and restarted from its append-only file, at random moments.
 * SWITCHBOARD_FAULT_ROUNDS sets the number of faults (default 6), SWITCHBOARD_FAULT_SEED the seed.
 */
const ROUNDS = Number(process.env.SWITCHBOARD_FAULT_ROUNDS ?? 6);
let redis: TestRedis;
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

type Frame = Record<string, unknown>;
const RETRYABLE = new Set(['STORE_UNAVAILABLE', 'OUTCOME_UNKNOWN']);

/** Sends a request until it is neither refused by the store nor of unknown outcome (20 s at most). */
async function settled(client: TestClient, body: Frame): Promise<Frame> {
  const end = Date.now() + 20_000;
  for (;;) {
    const r = await client.request(body);
    if (r.ok || !RETRYABLE.has(String(r.code)) || Date.now() > end) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** The tenant's engine as the store holds it: a fresh shell rebuilt from the journal alone. */
async function fromTheStore(tenant: string) {
  const journal = new RedisJournal(redis.url);
  await journal.ready();
  const shell = new Shell({ ordering: 'fifo', agentSelection: 'longest-idle', journal });
  await shell.recover();
  const engine = shell.engineOf(tenant)!;
  shell.stop();
  await journal.close();
  return engine;
}

/** `status` of an interaction in an engine: live, ended (within the idempotency window), or absent. */
const statusIn = (engine: NonNullable<Awaited<ReturnType<typeof fromTheStore>>>, id: string) => engine.interaction(id)?.status ?? engine.finishedStatus(id);

describe.each(['json', 'msgpack'] as const)('answers and the store agree (%s)', (encoding: Encoding) => {
  it('a cancel and a submission in flight while Redis hangs are answered OUTCOME_UNKNOWN, land when it resumes, and their retries say so', async () => {
    const tenant = `hang-${encoding}`;
    const journal = new RedisJournal(redis.url);
    await journal.ready();
    const { server, verifier, url } = await startTestServer({}, { journal });
    try {
      const platform = await TestClient.connect(`${url}/v1/platform`, await verifier.sign({ tenant, role: 'platform' }, 600), encoding);
      expect(await platform.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
      expect(await platform.request({ type: 'SubmitInteraction', interaction: { id: 'x', channel: 'chat', queue: 'q' } })).toMatchObject({ ok: true });
      redis.pause();
      let answers: Frame[];
      let meanwhile: Frame;
      try {
        const cancel = platform.request({ type: 'CancelInteraction', interactionId: 'x', reason: 'cancelled' });
        const submit = platform.request({ type: 'SubmitInteraction', interaction: { id: 'y', channel: 'chat', queue: 'q' } });
        answers = await Promise.all([cancel, submit]);
        // A request that reaches the tenant while it is unavailable is refused before it is applied.
        meanwhile = await platform.request({ type: 'SubmitInteraction', interaction: { id: 'z', channel: 'chat', queue: 'q' } });
      } finally {
        redis.resume();
      }
      expect(answers.map((a) => a.code)).toEqual(['OUTCOME_UNKNOWN', 'OUTCOME_UNKNOWN']);
      expect(meanwhile).toMatchObject({ ok: false, code: 'STORE_UNAVAILABLE' });
      // Both writes were in Redis's socket: they land. The retries find them done.
      expect(await settled(platform, { type: 'CancelInteraction', interactionId: 'x', reason: 'cancelled' })).toMatchObject({ ok: true, duplicate: true });
      expect(await settled(platform, { type: 'SubmitInteraction', interaction: { id: 'y', channel: 'chat', queue: 'q' } })).toMatchObject({
        ok: true,
        duplicate: true,
      });
      expect(await settled(platform, { type: 'GetInteraction', interactionId: 'z' })).toMatchObject({ ok: false, code: 'UNKNOWN_INTERACTION' });
      platform.close();
    } finally {
      server.stop();
      await journal.close();
    }
    const stored = await fromTheStore(tenant);
    expect([statusIn(stored, 'x'), statusIn(stored, 'y'), statusIn(stored, 'z')]).toEqual(['cancelled', 'queued', undefined]);
  }, 60_000);
});

describe('answers and the store agree under random faults', () => {
  it(
    'pauses, kills and restarts of Redis at random moments: every answer matches the store, every unknown one is settled by a retry',
    async () => {
      const tenant = 'faults';
      const journal = new RedisJournal(redis.url);
      await journal.ready();
      const { server, verifier, url } = await startTestServer({ messageBurst: '5000', messagesPerSecond: '5000' }, { journal });
      const submitted = new Map<string, string>(); // id → the answer's code, or 'ok'
      const cancelled = new Map<string, string>();
      let seed = Number(process.env.SWITCHBOARD_FAULT_SEED ?? 0x5eed);
      const random = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed / 0x7fffffff;
      };
      try {
        const platform = await TestClient.connect(`${url}/v1/platform`, await verifier.sign({ tenant, role: 'platform' }, 600));
        expect(await platform.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
        let stop = false;
        let n = 0;
        // Pipelined load, no retries: each id is submitted once, each acknowledged one cancelled at most once.
        const load = (async () => {
          while (!stop) {
            const batch: Promise<void>[] = [];
            for (let i = 0; i < 8; i++) {
              const id = `f${n++}`;
              batch.push(
                platform.request({ type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue: 'q' } }).then((r) => {
                  submitted.set(id, r.ok ? 'ok' : String(r.code));
                }),
              );
              const victim = [...submitted].find(([v, code]) => code === 'ok' && !cancelled.has(v));
              if (victim && random() < 0.5) {
                cancelled.set(victim[0], 'pending');
                batch.push(
                  platform.request({ type: 'CancelInteraction', interactionId: victim[0], reason: 'cancelled' }).then((r) => {
                    cancelled.set(victim[0], r.ok ? 'ok' : String(r.code));
                  }),
                );
              }
            }
            await Promise.all(batch);
            await new Promise((r) => setTimeout(r, 5));
          }
        })();
        for (let round = 0; round < ROUNDS; round++) {
          await new Promise((r) => setTimeout(r, 200 + random() * 600));
          if (random() < 0.5) {
            redis.pause();
            try {
              await new Promise((r) => setTimeout(r, 1_000 + random() * 2_500));
            } finally {
              redis.resume();
            }
          } else {
            await redis.kill();
            await new Promise((r) => setTimeout(r, random() * 500));
            await redis.restart();
          }
          // Back to serving before the next fault.
          await settled(platform, { type: 'GetQueueStats' });
        }
        stop = true;
        await load;
        platform.close();
      } finally {
        server.stop();
        await journal.close();
      }
      const codes = new Set([...submitted.values(), ...cancelled.values()]);
      expect([...codes].filter((c) => c !== 'ok' && !RETRYABLE.has(c) && c !== 'DISCONNECTED')).toEqual([]);
      expect(codes.has('OUTCOME_UNKNOWN') || codes.has('STORE_UNAVAILABLE')).toBe(true);

      // Every definite answer is what the store holds.
      const stored = await fromTheStore(tenant);
      const wrong: string[] = [];
      for (const [id, code] of submitted) {
        const status = statusIn(stored, id);
        if (code === 'ok' && status === undefined) wrong.push(`${id} acknowledged, not in the store`);
        if (code === 'STORE_UNAVAILABLE' && status !== undefined) wrong.push(`${id} refused, yet ${status} in the store`);
      }
      for (const [id, code] of cancelled) {
        const status = statusIn(stored, id);
        if (code === 'ok' && status !== 'cancelled') wrong.push(`cancel of ${id} acknowledged, the store says ${status}`);
        if (code === 'STORE_UNAVAILABLE' && status === 'cancelled') wrong.push(`cancel of ${id} refused, yet cancelled in the store`);
      }
      expect(wrong).toEqual([]);

      // Every unknown (or refused) one, retried against a server on the same store, ends done.
      const journal2 = new RedisJournal(redis.url);
      await journal2.ready();
      const again = await startTestServer({ messageBurst: '5000', messagesPerSecond: '5000' }, { journal: journal2 });
      try {
        const platform = await TestClient.connect(`${again.url}/v1/platform`, await again.verifier.sign({ tenant, role: 'platform' }, 600));
        for (const [id, code] of submitted) {
          if (code === 'ok') continue;
          expect(await settled(platform, { type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue: 'q' } }), id).toMatchObject({ ok: true });
        }
        for (const [id, code] of cancelled) {
          if (code === 'ok') continue;
          expect(await settled(platform, { type: 'CancelInteraction', interactionId: id, reason: 'cancelled' }), id).toMatchObject({ ok: true });
          expect(await settled(platform, { type: 'GetInteraction', interactionId: id }), id).toMatchObject({ ok: true, interaction: { status: 'cancelled' } });
        }
        platform.close();
      } finally {
        again.server.stop();
        await journal2.close();
      }
    },
    60_000 + ROUNDS * 10_000,
  );
});

/**
 * A shell on the test Redis whose sessions are driven by hand (a request, then the end of its
 * turn), and a second journal that takes a tenant over, so that every later write of this shell
 * for it is refused (STALE_LEADER).
 */
async function shellOnRedis() {
  const journal = new RedisJournal(redis.url);
  await journal.ready();
  const shell = new Shell({ ordering: 'fifo', agentSelection: 'longest-idle', journal });
  const other = new RedisJournal(redis.url);
  let ids = 0;
  const session = (tenant: string, role: 'platform' | 'agent' = 'platform') => {
    const queued: Frame[] = [];
    const delivered: Frame[][] = [];
    const s = {
      id: ++ids,
      principal: { tenant, role, agentId: role === 'agent' ? 'a' : null, expiresAt: Number.POSITIVE_INFINITY },
      send: (f: Frame) => queued.push(f),
    };
    return {
      s,
      queued,
      delivered,
      request: (body: Frame) => shell.handle(s, body as never),
      /** Ends the turn: resolves with its frames once group commit lets them leave. */
      turn: () =>
        new Promise<Frame[]>((resolve) =>
          shell.release([s], [queued.splice(0)], (_s, f) => {
            delivered.push(f[0]);
            resolve(f[0]);
          }),
        ),
    };
  };
  return {
    shell,
    session,
    takeOver: async (tenant: string) => {
      await other.ready();
      await other.open(tenant);
    },
    fenced: (tenant: string) => until(async () => shell.status(tenant).tenant.state === 'fenced', 5_000, 'the failed write'),
    close: async () => {
      shell.stop();
      await journal.close();
      await other.close();
    },
  };
}

/**
 * A platform session of `tenant` on a shell on the test Redis, its queue `q` defined in a first
 * turn; with `takenOver`, another journal then takes the tenant over, so the shell's next write
 * for it is refused.
 */
type OnRedis = Awaited<ReturnType<typeof shellOnRedis>>;
async function onQueue(tenant: string, takenOver: boolean, body: (h: OnRedis, p: ReturnType<OnRedis['session']>) => Promise<void>) {
  const h = await shellOnRedis();
  const p = h.session(tenant);
  try {
    p.request({ type: 'UpsertQueue', id: 1, queue: { id: 'q' } });
    await p.turn();
    if (takenOver) await h.takeOver(tenant);
    await body(h, p);
  } finally {
    await h.close();
  }
}

describe('a turn whose engine calls another turn wrote', () => {
  // A timer's turn (or a webhook's) commits every engine call pending when it ends, so it can
  // carry the calls of requests whose answers leave with the transport's turn after it. If that
  // write fails, those answers must say so too, and so must answers computed from what it held
  // (a read of an interaction whose submission was not written), whether the failure is known
  // before the transport's turn ends or after.
  async function carried(tenant: string, knownBeforeTheTurnEnds: boolean): Promise<Frame[][]> {
    const h = await shellOnRedis();
    const p = h.session(tenant);
    try {
      p.request({ type: 'UpsertQueue', id: 1, queue: { id: 'q' } });
      expect(await p.turn()).toEqual([{ re: 1, ok: true }]);
      p.delivered.splice(0);
      await h.takeOver(tenant);
      p.request({ type: 'SubmitInteraction', id: 2, interaction: { id: 'x', channel: 'chat', queue: 'q' } });
      if (knownBeforeTheTurnEnds) p.request({ type: 'GetInteraction', id: 3, interactionId: 'x' });
      // What a timer's turn does: a release with no frames of its own, committing what is pending.
      h.shell.release([], [], () => {});
      if (knownBeforeTheTurnEnds) {
        await h.fenced(tenant);
        await p.turn();
        return p.delivered;
      }
      const submitted = p.turn();
      p.request({ type: 'GetInteraction', id: 3, interactionId: 'x' });
      await Promise.all([submitted, p.turn()]);
      return p.delivered;
    } finally {
      await h.close();
    }
  }

  it('is refused when that write fails after the turn ended, and so is a read of what it held', async () => {
    expect(await carried('carried', false)).toEqual([
      [expect.objectContaining({ re: 2, ok: false, code: 'STALE_LEADER' })],
      [expect.objectContaining({ re: 3, ok: false, code: 'STALE_LEADER' })],
    ]);
  });

  it('an events poll answered from the feed before a write failed in its turn is refused, as the write it showed was', async () => {
    await onQueue('polled', true, async (h, p) => {
      p.request({ type: 'SubmitInteraction', id: 2, interaction: { id: 'x', channel: 'chat', queue: 'q' } });
      const submitted = p.turn();
      // The next turn polls the feed, which holds the submission's events, before its write fails.
      h.shell.pollEvents(p.s, { after: 0, limit: 10, waitMs: 0 });
      await h.fenced('polled');
      await Promise.all([submitted, p.turn()]);
      expect(p.delivered.slice(1)).toEqual([
        [expect.objectContaining({ re: 2, ok: false, code: 'STALE_LEADER' })],
        [expect.objectContaining({ ok: false, code: 'STALE_LEADER' })],
      ]);
    });
  });

  it('an agent connecting while the tenant refuses is sent nothing from its engine', async () => {
    const h = await shellOnRedis();
    const p = h.session('refusing');
    const agent = h.session('refusing', 'agent');
    try {
      p.request({ type: 'UpsertQueue', id: 1, queue: { id: 'q' } });
      p.request({ type: 'UpsertAgent', id: 2, agent: { id: 'a' } });
      await p.turn();
      await h.takeOver('refusing');
      p.request({ type: 'SetAgentState', id: 3, agentIds: ['a'], state: 'available' });
      void p.turn();
      await h.fenced('refusing');
      h.shell.open(agent.s);
      expect(agent.queued).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('once a failed write is known and settled, a read-only turn of another tenant leaves at once again', async () => {
    const h = await shellOnRedis();
    const fenced = h.session('settled-fenced');
    const healthy = h.session('settled-healthy');
    try {
      fenced.request({ type: 'UpsertQueue', id: 1, queue: { id: 'q' } });
      healthy.request({ type: 'UpsertQueue', id: 1, queue: { id: 'q' } });
      await Promise.all([fenced.turn(), healthy.turn()]);
      await h.takeOver('settled-fenced');
      fenced.request({ type: 'SubmitInteraction', id: 2, interaction: { id: 'x', channel: 'chat', queue: 'q' } });
      expect(await fenced.turn()).toEqual([expect.objectContaining({ re: 2, code: 'STALE_LEADER' })]);
      // The turn the failure became known in ends; in the next one nothing is left to wait for.
      await healthy.turn();
      await new Promise((r) => setImmediate(r));
      healthy.request({ type: 'GetQueueStats', id: 2 });
      let sent: Frame[] | null = null;
      h.shell.release([healthy.s], [healthy.queued.splice(0)], (_s, f) => {
        sent = f[0];
      });
      expect(sent).toEqual([expect.objectContaining({ re: 2, ok: true })]);
    } finally {
      await h.close();
    }
  });

  it('a journey that waited for the store, showing what a failed write held, is refused', async () => {
    await onQueue('journey', true, async (h, p) => {
      p.request({ type: 'SubmitInteraction', id: 2, interaction: { id: 'x', channel: 'chat', queue: 'q', customerId: 'c' } });
      // Taken from memory now (it shows x), answered once the store's part is read.
      p.request({ type: 'ListCustomerInteractions', id: 3, customerId: 'c', limit: 10 });
      const submitted = p.turn();
      await h.fenced('journey');
      await until(async () => p.queued.length > 0, 5_000, 'the journey');
      await Promise.all([submitted, p.turn()]);
      expect(p.delivered.slice(1)).toEqual([
        [expect.objectContaining({ re: 2, ok: false, code: 'STALE_LEADER' })],
        [expect.objectContaining({ re: 3, ok: false, code: 'STALE_LEADER' })],
      ]);
    });
  });

  it('a poll waiting when a write fails is answered with the refusal, not left open', async () => {
    await onQueue('waiting', true, async (h, p) => {
      p.request({ type: 'SubmitInteraction', id: 2, interaction: { id: 'x', channel: 'chat', queue: 'q' } });
      // Waits past the submission's events while its write is refused.
      h.shell.pollEvents(p.s, { after: h.shell.tenant('waiting').feed.last, limit: 10, waitMs: 60_000 });
      const submitted = p.turn();
      await h.fenced('waiting');
      expect(await submitted).toEqual([expect.objectContaining({ re: 2, ok: false, code: 'STALE_LEADER' })]);
      expect(await p.turn()).toEqual([expect.objectContaining({ re: null, ok: false, code: 'STALE_LEADER' })]);
    });
  });

  it('a poll whose wait ran out before a write failed in its turn is refused, as the write its cursor showed was', async () => {
    await onQueue('timed-out', false, async (h, p) => {
      redis.pause();
      try {
        p.request({ type: 'SubmitInteraction', id: 2, interaction: { id: 'x', channel: 'chat', queue: 'q' } });
        // Waits past the submission's events; its wait runs out in the next turn, while the
        // write hangs, and the answer (its `last` counts those events) waits for that turn's end.
        h.shell.pollEvents(p.s, { after: h.shell.tenant('timed-out').feed.last, limit: 10, waitMs: 30 });
        const submitted = p.turn();
        await until(async () => p.queued.length > 0, 5_000, 'the poll');
        expect(p.queued).toEqual([expect.objectContaining({ ok: true, events: [] })]);
        await until(async () => h.shell.status('timed-out').tenant.state === 'unavailable', 10_000, 'the write timing out');
        await Promise.all([submitted, p.turn()]);
      } finally {
        redis.resume();
      }
      expect(p.delivered.slice(1)).toEqual([
        [expect.objectContaining({ re: 2, ok: false, code: 'OUTCOME_UNKNOWN' })],
        [expect.objectContaining({ re: null, ok: false, code: 'OUTCOME_UNKNOWN' })],
      ]);
    });
  });

  it('is refused when that write failed before the turn ended, and so is a read of what it held', async () => {
    expect(await carried('carried-known', true)).toEqual([
      [expect.objectContaining({ re: 2, ok: false, code: 'STALE_LEADER' }), expect.objectContaining({ re: 3, ok: false, code: 'STALE_LEADER' })],
    ]);
  });
});
