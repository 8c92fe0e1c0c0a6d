import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaleLeaderError, type JournalChunk } from '../../src/store/journal.ts';
import { RedisJournal } from '../../src/store/redis-journal.ts';
import { fingerprint } from '../helpers/fingerprint.ts';
import { TestRedisCluster } from '../helpers/redis.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';

/**
 * The redis store on a three-node Redis Cluster started here: every key of a tenant carries its
 * `{tenant}` hash tag, so each script and pipeline touches one slot, and tenants land on
 * different nodes. The journal, snapshots, fencing and a server's recovery all work through the
 * cluster client.
 */
let cluster: TestRedisCluster;
beforeAll(async () => {
  cluster = await TestRedisCluster.start(3);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const TENANTS = ['north', 'south', 'east', 'west', 'centre', 'harbour'];
const drain = async (it: AsyncIterable<JournalChunk>) => {
  const out: unknown[] = [];
  for await (const c of it) out.push(...c.entries);
  return out;
};

describe('redis store on Redis Cluster', () => {
  it('spreads tenants over the nodes; journal, snapshots and fencing work per tenant', async () => {
    const admin = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0] }]);
    const nodes = new Set<string>();
    for (const t of TENANTS) {
      const slot = Number(await admin.call('CLUSTER', 'KEYSLOT', `sb:{${t}}:journal`));
      const shards = (await admin.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      nodes.add(String(shards.find(([from, to]) => slot >= from && slot <= to)![2][1]));
    }
    expect(nodes.size).toBeGreaterThan(1);
    const j = new RedisJournal(cluster.url, { cluster: true });
    await j.ready();
    for (const [i, t] of TENANTS.entries()) {
      await drain((await j.open(t)).entries);
      await j.append(t, 1, [{ n: i }, { n: i + 1 }]);
      await j.saveSnapshot(t, 1, new Uint8Array([i]));
      await j.append(t, 3, [{ n: i + 2 }]);
    }
    const other = new RedisJournal(cluster.url, { cluster: true });
    await other.ready();
    expect((await other.tenants()).sort()).toEqual([...TENANTS].sort());
    for (const [i, t] of TENANTS.entries()) {
      const o = await other.open(t);
      expect(o.snapshot).toEqual({ through: 1, bytes: Buffer.from([i]) });
      expect(await drain(o.entries)).toEqual([{ n: i + 1 }, { n: i + 2 }]);
      await expect(j.append(t, 4, [{ n: 0 }])).rejects.toBeInstanceOf(StaleLeaderError);
    }
    expect(await other.acquire('cluster', 'node-a', 5000)).toBe(true);
    expect(await j.acquire('cluster', 'node-b', 5000)).toBe(false);
    await j.close();
    await other.close();
    await admin.srem('sb:tenants', ...TENANTS); // their snapshots are not engines: keep them out of the next test
    admin.disconnect();
  });

  it('a server on the cluster recovers every tenant as it was', async () => {
    const journal = new RedisJournal(cluster.url, { cluster: true });
    await journal.ready();
    let now = 1_000;
    const first = await startTestServer({}, { journal, snapshotEveryEntries: 5, now: () => now });
    for (const t of TENANTS) {
      const p = await TestClient.connect(`${first.url}/v1/platform`, await first.verifier.sign({ tenant: `srv-${t}`, role: 'platform' }, 600));
      expect(await p.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'UpsertAgent', agent: { id: 'ann' } })).toMatchObject({ ok: true });
      for (let i = 0; i < 8; i++) {
        now += 10;
        expect(await p.request({ type: 'SubmitInteraction', interaction: { id: `${t}-${i}`, channel: 'voice', queue: 'q' } })).toMatchObject({ ok: true });
      }
      p.close();
    }
    const before = new Map(TENANTS.map((t) => [t, fingerprint(first.shell.engineOf(`srv-${t}`)!, now)]));
    first.server.stop();
    await journal.close();
    const again = new RedisJournal(cluster.url, { cluster: true });
    await again.ready();
    const second = await startTestServer({}, { journal: again, snapshotEveryEntries: 5, now: () => now });
    for (const t of TENANTS) expect(fingerprint(second.shell.engineOf(`srv-${t}`)!, now)).toBe(before.get(t));
    second.server.stop();
    await again.close();
  });
});
