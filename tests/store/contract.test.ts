import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisJournal } from '../../src/store/redis-journal.ts';
import { TestRedis } from '../helpers/redis.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';

/**
 * The store contract: the server answers the same requests with the same responses and the same
 * pushes whether its state lives in memory or in Redis (journaled, group-committed, snapshotted
 * every few entries). A scripted scenario covering every kind of request runs against both, on a
 * frozen clock; the transcripts must be identical, and say what the protocol promises.
 */
let redis: TestRedis;
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

type Frame = Record<string, unknown>;
const NOW = 1_700_000_000_000;

async function transcript(store: 'memory' | 'redis'): Promise<{ responses: [string, Frame][]; pushes: Record<string, Frame[]> }> {
  const journal = store === 'redis' ? new RedisJournal(redis.url) : undefined;
  await journal?.ready();
  const { server, verifier, url } = await startTestServer({}, { now: () => NOW, ...(journal ? { journal, snapshotEveryEntries: 4 } : {}) });
  const responses: [string, Frame][] = [];
  const pushes: Record<string, Frame[]> = { ann: [], bob: [] };
  try {
    const platform = await TestClient.connect(`${url}/v1/platform`, await verifier.sign({ tenant: `contract-${store}`, role: 'platform' }, 600));
    const agents: Record<string, TestClient> = {};
    const ask = async (who: string, client: TestClient, body: Frame) => {
      const r = { ...(await client.request(body)) };
      delete r.re;
      responses.push([`${who} ${String(body.type)}`, r]);
      return r;
    };
    const p = (body: Frame) => ask('platform', platform, body);
    await p({ type: 'DefineSkill', skill: 'billing' });
    await p({ type: 'UpsertQueue', queue: { id: 'q', offerTimeoutMs: 30_000, wrapUpMs: 0 } });
    await p({ type: 'UpsertQueue', queue: { id: 'other' } });
    await p({ type: 'UpsertAgent', agent: { id: 'ann', skills: { billing: 5 } } });
    await p({ type: 'UpsertAgent', agent: { id: 'bob', skills: { billing: 3 } } });
    for (const id of ['ann', 'bob']) {
      agents[id] = await TestClient.connect(`${url}/v1/agent`, await verifier.sign({ tenant: `contract-${store}`, role: 'agent', sub: id }, 600));
      agents[id].onPush((f) => pushes[id].push(f));
      await ask(id, agents[id], { type: 'SetState', state: 'available' });
    }
    const seen: Record<string, number> = { ann: 0, bob: 0 };
    /** The agent's next offer push (its first unseen one). */
    const offerTo = async (id: string) => {
      const n = ++seen[id];
      const end = Date.now() + 5_000;
      while (pushes[id].filter((f) => f.push === 'offer').length < n) {
        if (Date.now() > end) throw new Error(`no offer ${n} for ${id}: ${JSON.stringify(pushes)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return pushes[id].filter((f) => f.push === 'offer')[n - 1];
    };
    // Submit, duplicate, reject, accept by the other agent, complete.
    await p({ type: 'SubmitInteraction', interaction: { id: 'i1', channel: 'voice', queue: 'q', skills: { billing: 2 }, context: { caller: 'Ada' } } });
    await p({ type: 'SubmitInteraction', interaction: { id: 'i1', channel: 'voice', queue: 'q', skills: { billing: 2 } } });
    const first = await offerTo('ann');
    await ask('ann', agents.ann, { type: 'Reject', offerId: first.offerId });
    const second = await offerTo('bob');
    await ask('bob', agents.bob, { type: 'Accept', offerId: second.offerId });
    await ask('ann', agents.ann, { type: 'Accept', offerId: second.offerId });
    await ask('bob', agents.bob, { type: 'Complete', interactionId: 'i1' });
    await p({ type: 'GetInteraction', interactionId: 'i1' });
    // Update, transfer and cancel while waiting or offered; refusals with their codes.
    await ask('ann', agents.ann, { type: 'SetState', state: 'away', reason: 'lunch' });
    await p({ type: 'SubmitInteraction', interaction: { id: 'i2', channel: 'chat', queue: 'q', skills: { billing: 4 } } });
    await p({ type: 'UpdateInteraction', interactionId: 'i2', priority: 7 });
    await p({ type: 'TransferInteraction', interactionId: 'i2', queue: 'other' });
    await p({ type: 'GetInteraction', interactionId: 'i2' });
    await p({ type: 'ExplainInteraction', interactionId: 'i2' });
    await p({ type: 'CancelInteraction', interactionId: 'i2', reason: 'cancelled' });
    await p({ type: 'CancelInteraction', interactionId: 'i2', reason: 'cancelled' });
    await p({ type: 'SubmitInteraction', interaction: { id: 'i3', channel: 'voice', queue: 'nowhere' } });
    await p({ type: 'SubmitInteraction', interaction: { id: 'i4', channel: 'voice', queue: 'q', skills: { unknown: 1 } } });
    await ask('ann', agents.ann, { type: 'SetState', state: 'available' });
    await p({ type: 'SubmitInteraction', interaction: { id: 'i5', channel: 'voice', queue: 'q', skills: { billing: 5 } } });
    const third = await offerTo('ann');
    await p({ type: 'CancelInteraction', interactionId: 'i5', reason: 'cancelled' });
    await agents.ann.nextPush((f) => f.interactionId === third.interactionId && f.push !== 'offer');
    await p({ type: 'GetQueueStats' });
    await p({ type: 'GetAgent', agentId: 'ann' });
    await p({ type: 'RemoveAgent', agentId: 'bob' });
    for (const c of [platform, ...Object.values(agents)]) c.close();
  } finally {
    server.stop();
    await journal?.close();
  }
  return { responses, pushes };
}

describe('store contract: memory and redis answer alike', () => {
  it('the same scripted requests get the same responses and pushes from both stores', async () => {
    const memory = await transcript('memory');
    const redisRun = await transcript('redis');
    expect(redisRun).toEqual(memory);
    // And they say what the protocol promises.
    const byStep = (step: string) => memory.responses.filter(([s]) => s === step).map(([, r]) => r);
    expect(byStep('platform SubmitInteraction').map((r) => (r.ok === true ? (r.duplicate ? 'dup' : 'ok') : r.code))).toEqual([
      'ok',
      'dup',
      'ok',
      'UNKNOWN_QUEUE',
      'UNKNOWN_SKILL',
      'ok',
    ]);
    expect(byStep('bob Accept')[0]).toMatchObject({ ok: true });
    expect(byStep('ann Accept')[0]).toMatchObject({ ok: false, code: 'OFFER_NOT_YOURS' });
    expect(byStep('platform GetInteraction')[0]).toMatchObject({ ok: true, interaction: { status: 'completed' } });
    // The second cancel repeats the first: a safe retry, answered as one.
    expect(byStep('platform CancelInteraction').map((r) => (r.ok === true ? (r.duplicate ? 'dup' : 'ok') : r.code))).toEqual(['ok', 'dup', 'ok']);
    expect(byStep('platform ExplainInteraction')[0]).toMatchObject({ ok: true });
    expect(memory.pushes.ann.filter((f) => f.push === 'offer')).toHaveLength(2);
    expect(memory.pushes.bob.filter((f) => f.push === 'assigned')).toHaveLength(1);
  });
});
