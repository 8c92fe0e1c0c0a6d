import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentClient, PlatformClient, type WebSocketConstructor } from '../../src/index.ts';
import { TokenVerifier } from '../../src/transport/auth.ts';
import { TestRedis, until } from '../helpers/redis.ts';
import { kill9, PROCESS_SECRET, spawnServer, untilReady, type ServerProcess } from '../helpers/server-process.ts';
import { TestClient } from '../helpers/server.ts';

/**
 * Hot standby: a second process follows the journal, is not ready and refuses connections while
 * the leader holds its lease (1 s here), and takes over when it lapses: after the leader is killed,
 * and after it is paused (SIGSTOP) longer than the lease, in which case the old leader, resumed,
 * can no longer write (its epoch is stale) and steps down.
 */
const verifier = new TokenVerifier(PROCESS_SECRET);
let redis: TestRedis;
const procs: ServerProcess[] = [];
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  for (const p of procs) {
    p.proc.kill('SIGCONT');
    await kill9(p.proc);
  }
  await redis.stop();
});

const spawn = async () => {
  const s = await spawnServer(redis.url);
  procs.push(s);
  return s;
};
const platformOn = async (s: ServerProcess) => TestClient.connect(`${s.url}/v1/platform`, await verifier.sign({ tenant: 'ha', role: 'platform' }, 600));
const readyz = async (s: ServerProcess) => (await fetch(`${s.http}/readyz`)).status;

describe('hot standby', () => {
  it('takes over after the leader is killed; clients resume there; an accept is applied once', async () => {
    const a = await spawn();
    await untilReady(a);
    const b = await spawn();
    expect(await readyz(b)).toBe(503);
    await expect(platformOn(b)).rejects.toThrow('HTTP 503');

    const p = await platformOn(a);
    expect(await p.request({ type: 'UpsertQueue', queue: { id: 'q', offerTimeoutMs: 600_000 } })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'UpsertAgent', agent: { id: 'ann' } })).toMatchObject({ ok: true });
    const ann = await TestClient.connect(`${a.url}/v1/agent`, await verifier.sign({ tenant: 'ha', role: 'agent', sub: 'ann' }, 600));
    expect(await ann.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
    for (let i = 0; i < 30; i++)
      expect(await p.request({ type: 'SubmitInteraction', interaction: { id: `ha-${i}`, channel: 'voice', queue: 'q' } })).toMatchObject({ ok: true });
    const offer = await ann.nextPush((m) => m.push === 'offer' && m.interactionId === 'ha-0');
    // SDK clients given both URLs, the standby's first: they skip the standby and land on the leader.
    const sdkOptions = (claims: Parameters<TokenVerifier['sign']>[0]) => ({
      url: [b.url, a.url],
      token: () => verifier.sign(claims, 600),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      initialDelayMs: 100,
      maxDelayMs: 400,
    });
    const sdkPlatform = new PlatformClient(sdkOptions({ tenant: 'ha', role: 'platform' }));
    await sdkPlatform.connect();
    expect(await sdkPlatform.getInteraction('ha-0')).toMatchObject({ ok: true });
    const sdkAgent = new AgentClient(sdkOptions({ tenant: 'ha', role: 'agent', sub: 'ann' }));
    const sdkOffers: string[] = [];
    sdkAgent.onOffer((o) => sdkOffers.push(o.interactionId));
    await sdkAgent.connect();
    await until(async () => sdkOffers.includes('ha-0'), 10_000, 'the offer at the SDK agent');
    await new Promise((r) => setTimeout(r, 300)); // the standby follows the journal

    const killedAt = Date.now();
    await kill9(a.proc);
    await untilReady(b, 10_000);
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs).toBeLessThan(3_000);

    // The SDK clients moved to the new leader by themselves; the agent's open offer came again.
    await until(
      async () => sdkPlatform.connection.connected && sdkAgent.connection.connected && sdkOffers.filter((id) => id === 'ha-0').length === 2,
      10_000,
      'the SDK clients at the new leader',
    );
    expect(await sdkPlatform.getInteraction('ha-29')).toMatchObject({ ok: true });
    sdkPlatform.close();
    sdkAgent.close();
    const p2 = await platformOn(b);
    for (let i = 0; i < 30; i++) expect(await p2.request({ type: 'GetInteraction', interactionId: `ha-${i}` })).toMatchObject({ ok: true });
    // The agent reconnects to the new leader: its open offer is sent again; the accept lands once.
    const ann2 = await TestClient.connect(`${b.url}/v1/agent`, await verifier.sign({ tenant: 'ha', role: 'agent', sub: 'ann' }, 600));
    const again = await ann2.nextPush((m) => m.push === 'offer' && m.interactionId === 'ha-0');
    expect(again.offerId).toBe(offer.offerId);
    expect(await ann2.request({ type: 'Accept', offerId: offer.offerId })).toMatchObject({ ok: true });
    // Accepting again is a retry: answered as one, applied once.
    expect(await ann2.request({ type: 'Accept', offerId: offer.offerId })).toMatchObject({ ok: true, duplicate: true });
    expect(await p2.request({ type: 'GetInteraction', interactionId: 'ha-0' })).toMatchObject({
      ok: true,
      interaction: { status: 'assigned', agentId: 'ann' },
    });
    expect(await p2.request({ type: 'SubmitInteraction', interaction: { id: 'after-failover', channel: 'voice', queue: 'q' } })).toMatchObject({ ok: true });
    for (const c of [p, ann, p2, ann2]) c.close();
  }, 60_000);

  it('fences a leader paused longer than its lease: the standby leads, the old leader cannot write and steps down', async () => {
    const leader = procs.find((s) => s.proc.exitCode === null && s.proc.signalCode === null)!;
    await untilReady(leader);
    const standby = await spawn();
    expect(await readyz(standby)).toBe(503);
    const p = await platformOn(leader);
    expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'before-pause', channel: 'voice', queue: 'q' } })).toMatchObject({ ok: true });
    leader.proc.kill('SIGSTOP');
    await untilReady(standby, 10_000);
    const late = p.request({ type: 'SubmitInteraction', interaction: { id: 'from-the-paused-leader', channel: 'voice', queue: 'q' } });
    leader.proc.kill('SIGCONT');
    // Whatever the old leader answers, it is not a success: its epoch is stale.
    expect(await late).not.toMatchObject({ ok: true });
    const exited = await new Promise<number | null>((resolve) => {
      if (leader.proc.exitCode !== null) return resolve(leader.proc.exitCode);
      leader.proc.once('exit', (code) => resolve(code));
      setTimeout(() => resolve(null), 5_000);
    });
    expect(exited).toBe(3);
    const p2 = await platformOn(standby);
    expect(await p2.request({ type: 'GetInteraction', interactionId: 'before-pause' })).toMatchObject({ ok: true });
    expect(await p2.request({ type: 'GetInteraction', interactionId: 'from-the-paused-leader' })).toMatchObject({ ok: false, code: 'UNKNOWN_INTERACTION' });
    p.close();
    p2.close();
  }, 60_000);
});
