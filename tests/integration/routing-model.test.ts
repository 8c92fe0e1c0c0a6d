import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Encoding } from '../../src/protocol/codec.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';

/**
 * Who may take what, end to end over a real socket in both encodings: routing profiles (queue
 * membership with levels, members-only queues), numeric labels and selectors with operators,
 * alternatives, relaxation steps, directed transfers, their refusals, and the explanations that
 * name them.
 */
let server: RunningServer;
let verifier: TokenVerifier;
let url: string;
const clients: TestClient[] = [];

beforeAll(async () => {
  ({ server, verifier, url } = await startTestServer({ messageBurst: '200', messagesPerSecond: '200', maxViolations: '1000' }));
});
afterAll(() => {
  for (const c of clients) c.close();
  server.stop();
});

async function connect(path: string, tenant: string, role: 'platform' | 'agent', encoding: Encoding, sub?: string) {
  const c = await TestClient.connect(`${url}${path}`, await verifier.sign({ tenant, role, ...(sub ? { sub } : {}) }, 600), encoding);
  clients.push(c);
  return c;
}

for (const encoding of ['json', 'msgpack'] as const) {
  describe(`routing model over ${encoding}`, () => {
    const tenant = `rm-${encoding}`;

    it('a members-only queue and a routing profile route by membership, level and selectors', async () => {
      const p = await connect('/v1/platform', tenant, 'platform', encoding);
      for (const body of [
        { type: 'UpsertQueue', queue: { id: 'care', offerTimeoutMs: 60_000 } },
        { type: 'UpsertQueue', queue: { id: 'retention', offerTimeoutMs: 60_000, membersOnly: true } },
        { type: 'UpsertAgent', agent: { id: 'rita', labels: { lang: 'en', tenure: 24 }, queues: { retention: { priority: 1 }, care: { priority: 2 } } } },
        { type: 'UpsertAgent', agent: { id: 'carl', labels: { lang: 'fr', tenure: 3 } } },
      ])
        expect(await p.request(body), JSON.stringify(body)).toMatchObject({ ok: true });
      // Members-only: carl lists no queues, so retention is not his.
      expect(
        await p.request({
          type: 'SubmitInteraction',
          interaction: { id: 'r1', channel: 'voice', queue: 'retention', selectors: [{ key: 'tenure', op: 'gte', value: 12 }] },
        }),
      ).toMatchObject({ ok: true });
      expect(
        await p.request({
          type: 'SubmitInteraction',
          interaction: { id: 'c1', channel: 'voice', queue: 'care', selectors: [{ key: 'lang', op: 'in', values: ['en', 'de'] }] },
        }),
      ).toMatchObject({ ok: true });
      const x = await p.request({ type: 'ExplainInteraction', interactionId: 'r1' });
      expect(x).toMatchObject({ ok: true });
      const carl = (x.explanation as { agents: { agentId: string; reasons: unknown[] }[] }).agents.find((a) => a.agentId === 'carl')!;
      expect(carl.reasons).toContainEqual({ reason: 'not_member', queue: 'retention', membersOnly: true });
      expect(carl.reasons).toContainEqual({ reason: 'selector', selector: { key: 'tenure', op: 'gte', value: 12 }, has: 3 });
      // rita logs in with both waiting: retention is her level 1, so she takes r1 first.
      const rita = await connect('/v1/agent', tenant, 'agent', encoding, 'rita');
      expect(await rita.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
      const offer = await rita.nextPush((m) => m.push === 'offer');
      expect(offer).toMatchObject({ interactionId: 'r1', queueId: 'retention' });
      const c1 = await p.request({ type: 'ExplainInteraction', interactionId: 'c1' });
      const ritaOnC1 = (c1.explanation as { agents: { agentId: string; reasons: { reason: string }[] }[] }).agents.find((a) => a.agentId === 'rita')!;
      expect(ritaOnC1.reasons.map((r) => r.reason)).toContain('channel_full');
      expect(await rita.request({ type: 'Accept', offerId: offer.offerId })).toMatchObject({ ok: true });
      expect(await rita.request({ type: 'Complete', interactionId: 'r1' })).toMatchObject({ ok: true });
      expect(await rita.nextPush((m) => m.push === 'offer' && m.interactionId === 'c1')).toMatchObject({ queueId: 'care' });
    });

    it('alternatives, relaxation of the queue, and a transfer to a named agent', async () => {
      const p = await connect('/v1/platform', tenant, 'platform', encoding);
      for (const body of [
        { type: 'DefineSkill', skill: 'billing' },
        { type: 'UpsertQueue', queue: { id: 'desk', offerTimeoutMs: 60_000 } },
        { type: 'UpsertAgent', agent: { id: 'bea', skills: { billing: 9 }, labels: { lang: 'en' } } },
        { type: 'UpsertAgent', agent: { id: 'owner', labels: { lang: 'de' } } },
      ])
        expect(await p.request(body), JSON.stringify(body)).toMatchObject({ ok: true });
      const bea = await connect('/v1/agent', tenant, 'agent', encoding, 'bea');
      expect(await bea.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
      expect(
        await p.request({
          type: 'SubmitInteraction',
          interaction: {
            id: 'alt-1',
            channel: 'chat',
            queue: 'care',
            alternatives: [{ skills: { billing: 8 } }, { labels: { lang: 'fr' } }],
            relaxation: [{ afterMs: 600_000, queue: 'desk', skipIfNoneLoggedIn: true }],
          },
        }),
      ).toMatchObject({ ok: true });
      const x = await p.request({ type: 'ExplainInteraction', interactionId: 'alt-1' });
      expect((x.explanation as { alternatives: unknown[] }).alternatives).toHaveLength(2);
      // bea has no chat channel (default capacity is one voice call): the alternative fits, the channel does not.
      const row = (x.explanation as { agents: { agentId: string; eligible: boolean; alternative: number }[] }).agents.find((a) => a.agentId === 'bea')!;
      expect(row).toMatchObject({ eligible: false, alternative: 0 });
      expect(
        await p.request({ type: 'SubmitInteraction', interaction: { id: 'mail-1', channel: 'voice', queue: 'care', skills: { billing: 1 } } }),
      ).toMatchObject({ ok: true });
      const offer = await bea.nextPush((m) => m.push === 'offer' && m.interactionId === 'mail-1');
      expect(await bea.request({ type: 'Accept', offerId: offer.offerId })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'TransferInteraction', interactionId: 'mail-1', queue: 'desk', agentId: 'owner', transferId: 'tr-1' })).toMatchObject({
        ok: true,
      });
      expect(await p.request({ type: 'TransferInteraction', interactionId: 'mail-1', queue: 'desk', agentId: 'owner', transferId: 'tr-1' })).toMatchObject({
        ok: true,
        duplicate: true,
      });
      const owner = await connect('/v1/agent', tenant, 'agent', encoding, 'owner');
      expect(await owner.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
      expect(await owner.nextPush((m) => m.push === 'offer' && m.interactionId === 'mail-1')).toMatchObject({ queueId: 'desk' });
      expect(await p.request({ type: 'TransferInteraction', interactionId: 'mail-1', queue: 'desk', agentId: 'ghost' })).toMatchObject({
        ok: false,
        code: 'UNKNOWN_AGENT',
      });
    });

    it('UpsertAgents loads agents in one request, all or nothing; GetConfiguration reads them back by pages', async () => {
      const p = await connect('/v1/platform', tenant, 'platform', encoding);
      const agents = Array.from({ length: 200 }, (_, i) => ({ id: `bulk-${i}`, labels: { tenure: i }, queues: { care: { priority: 1 + (i % 3) } } }));
      expect(await p.request({ type: 'UpsertAgents', agents })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'GetAgent', agentId: 'bulk-199' })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'UpsertAgents', agents: [{ id: 'bulk-new' }, { id: 'bulk-bad', queues: { nowhere: {} } }] })).toMatchObject({
        ok: false,
        code: 'UNKNOWN_QUEUE',
      });
      expect(await p.request({ type: 'GetAgent', agentId: 'bulk-new' })).toMatchObject({ ok: false, code: 'UNKNOWN_AGENT' });
      // Read back, page by page.
      const ids: string[] = [];
      let cursor: string | undefined;
      let first: Record<string, unknown> | null = null;
      for (let page = 0; page < 20; page++) {
        const r = await p.request({ type: 'GetConfiguration', limit: 64, ...(cursor ? { cursor } : {}) });
        expect(r).toMatchObject({ ok: true });
        const c = r.configuration as { agents: { id: string }[]; nextCursor: string | null; queues?: unknown[] };
        first ??= c;
        ids.push(...c.agents.map((a) => a.id));
        if (c.nextCursor === null) break;
        cursor = c.nextCursor;
      }
      expect((first as { queues: { id: string; membersOnly: boolean }[] }).queues).toContainEqual(
        expect.objectContaining({ id: 'retention', membersOnly: true }),
      );
      expect(ids.filter((id) => id.startsWith('bulk-'))).toHaveLength(200);
      expect(await p.request({ type: 'GetConfiguration', cursor: 'nope' })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    });

    it('RemoveQueue and RemoveSkill: typed refusals while in use, then gone', async () => {
      const p = await connect('/v1/platform', tenant, 'platform', encoding);
      for (const body of [
        { type: 'DefineSkill', skill: 'legacy' },
        { type: 'UpsertQueue', queue: { id: 'old-desk' } },
        { type: 'SubmitInteraction', interaction: { id: 'rq-1', channel: 'fax', queue: 'old-desk' } },
      ])
        expect(await p.request(body), JSON.stringify(body)).toMatchObject({ ok: true });
      expect(await p.request({ type: 'RemoveQueue', queueId: 'old-desk' })).toMatchObject({ ok: false, code: 'QUEUE_IN_USE' });
      expect(await p.request({ type: 'RemoveQueue', queueId: 'old-desk', moveTo: 'desk' })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'GetInteraction', interactionId: 'rq-1' })).toMatchObject({ ok: true, interaction: { queueId: 'desk' } });
      expect(await p.request({ type: 'GetQueueStats', queueId: 'old-desk' })).toMatchObject({ ok: false, code: 'UNKNOWN_QUEUE' });
      expect(await p.request({ type: 'RemoveSkill', skill: 'billing' })).toMatchObject({ ok: false, code: 'SKILL_IN_USE' });
      expect(await p.request({ type: 'RemoveSkill', skill: 'legacy' })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'UpsertAgent', agent: { id: 'x', skills: { legacy: 1 } } })).toMatchObject({ ok: false, code: 'UNKNOWN_SKILL' });
    });

    it('a manual wrap-up lasts until the agent ends it: the wrapUp push carries until null', async () => {
      const p = await connect('/v1/platform', tenant, 'platform', encoding);
      for (const body of [
        { type: 'UpsertQueue', queue: { id: 'notes', wrapUpMode: 'manual', offerTimeoutMs: 60_000, membersOnly: true } },
        { type: 'UpsertAgent', agent: { id: 'wendy', queues: { notes: {} } } },
      ])
        expect(await p.request(body), JSON.stringify(body)).toMatchObject({ ok: true });
      const wendy = await connect('/v1/agent', tenant, 'agent', encoding, 'wendy');
      expect(await wendy.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'mw-1', channel: 'voice', queue: 'notes' } })).toMatchObject({ ok: true });
      const offer = await wendy.nextPush((m) => m.push === 'offer' && m.interactionId === 'mw-1');
      expect(await wendy.request({ type: 'Accept', offerId: offer.offerId })).toMatchObject({ ok: true });
      expect(await wendy.request({ type: 'Complete', interactionId: 'mw-1' })).toMatchObject({ ok: true });
      expect(await wendy.nextPush((m) => m.push === 'wrapUp' && m.interactionId === 'mw-1')).toMatchObject({ until: null });
      expect(await p.request({ type: 'GetAgent', agentId: 'wendy' })).toMatchObject({ ok: true, agent: { state: 'wrap_up', wrapUntil: null } });
      expect(await wendy.request({ type: 'EndWrapUp' })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'GetInteraction', interactionId: 'mw-1' })).toMatchObject({ ok: true, interaction: { status: 'completed' } });
    });

    it('multi-offer: three agents are offered one chat at once; the first accept takes it, the others are told it was taken', async () => {
      const p = await connect('/v1/platform', tenant, 'platform', encoding);
      expect(await p.request({ type: 'UpsertQueue', queue: { id: 'ring', offerFanout: 3, offerTimeoutMs: 60_000, membersOnly: true } })).toMatchObject({
        ok: true,
      });
      expect(await p.request({ type: 'UpsertQueue', queue: { id: 'ring', offerFanout: 51 } })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      const ids = ['ring-a', 'ring-b', 'ring-c'];
      expect(await p.request({ type: 'UpsertAgents', agents: ids.map((id) => ({ id, queues: { ring: {} } })) })).toMatchObject({ ok: true });
      const agents = [];
      for (const id of ids) {
        const a = await connect('/v1/agent', tenant, 'agent', encoding, id);
        expect(await a.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
        agents.push(a);
      }
      expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'ring-1', channel: 'voice', queue: 'ring' } })).toMatchObject({ ok: true });
      const offers = await Promise.all(agents.map((a) => a.nextPush((m) => m.push === 'offer' && m.interactionId === 'ring-1')));
      const info = await p.request({ type: 'GetInteraction', interactionId: 'ring-1' });
      expect((info.interaction as { offers: unknown[] }).offers).toHaveLength(3);
      expect(await agents[1].request({ type: 'Accept', offerId: offers[1].offerId })).toMatchObject({ ok: true });
      for (const i of [0, 2]) {
        expect(await agents[i].nextPush((m) => m.push === 'offerClosed' && m.offerId === offers[i].offerId)).toMatchObject({
          reason: 'OfferRescinded',
          detail: 'taken',
        });
        expect(await agents[i].request({ type: 'Accept', offerId: offers[i].offerId })).toMatchObject({ ok: false, code: 'OFFER_CLOSED' });
      }
      expect(await p.request({ type: 'GetInteraction', interactionId: 'ring-1' })).toMatchObject({
        ok: true,
        interaction: { status: 'assigned', agentId: 'ring-b', offers: [] },
      });
    });

    it('a waiting call becomes a callback held until its time; scheduled work waits for its notBefore', async () => {
      const p = await connect('/v1/platform', tenant, 'platform', encoding);
      expect(await p.request({ type: 'UpsertQueue', queue: { id: 'cbq', offerTimeoutMs: 60_000, membersOnly: true } })).toMatchObject({ ok: true });
      expect(
        await p.request({
          type: 'UpsertAgent',
          agent: { id: 'cb-agent', queues: { cbq: {} }, capacity: { total: 1, channels: { voice: { cost: 1, max: 1 }, callback: { cost: 1, max: 1 } } } },
        }),
      ).toMatchObject({ ok: true });
      expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'cb-1', channel: 'voice', queue: 'cbq' } })).toMatchObject({ ok: true });
      const soon = Date.now() + 400;
      expect(await p.request({ type: 'ConvertToCallback', interactionId: 'cb-1', channel: 'callback', notBefore: soon })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'ConvertToCallback', interactionId: 'cb-1', channel: 'callback', notBefore: soon })).toMatchObject({
        ok: true,
        duplicate: true,
      });
      expect(await p.request({ type: 'GetInteraction', interactionId: 'cb-1' })).toMatchObject({ interaction: { channel: 'callback', notBefore: soon } });
      expect(await p.request({ type: 'ConvertToCallback', interactionId: 'cb-1', notBefore: -5 })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      expect(
        await p.request({ type: 'SubmitInteraction', interaction: { id: 'cb-2', channel: 'voice', queue: 'cbq', notBefore: Date.now() + 40 * 86_400_000 } }),
      ).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
      const agent = await connect('/v1/agent', tenant, 'agent', encoding, 'cb-agent');
      expect(await agent.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
      const offer = await agent.nextPush((m) => m.push === 'offer' && m.interactionId === 'cb-1', 5000);
      expect(offer).toMatchObject({ channel: 'callback', queueId: 'cbq' });
      expect(Date.now()).toBeGreaterThanOrEqual(soon);
    });

    it('exception rules: a full queue refuses a submission with QUEUE_REFUSED, malformed rules are refused', async () => {
      const p = await connect('/v1/platform', tenant, 'platform', encoding);
      expect(
        await p.request({
          type: 'UpsertQueue',
          queue: {
            id: 'full',
            exceptions: [
              { trigger: { type: 'queueLength', threshold: 1 }, action: { type: 'refuse' } },
              { trigger: { type: 'waitMs', threshold: 600_000 }, action: { type: 'cancel', reason: 'too_long' } },
            ],
          },
        }),
      ).toMatchObject({ ok: true });
      expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'full-1', channel: 'voice', queue: 'full' } })).toMatchObject({ ok: true });
      expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'full-2', channel: 'voice', queue: 'full' } })).toMatchObject({
        ok: false,
        code: 'QUEUE_REFUSED',
      });
      expect(await p.request({ type: 'GetInteraction', interactionId: 'full-2' })).toMatchObject({ ok: false, code: 'UNKNOWN_INTERACTION' });
      expect(
        await p.request({
          type: 'UpsertQueue',
          queue: { id: 'full', exceptions: [{ trigger: { type: 'waitMs', threshold: 5 }, action: { type: 'refuse' } }] },
        }),
      ).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
      expect(
        await p.request({ type: 'UpsertQueue', queue: { id: 'full', exceptions: [{ trigger: { type: 'soon' }, action: { type: 'refuse' } }] } }),
      ).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      const config = await p.request({ type: 'GetConfiguration' });
      expect((config.configuration as { queues: { id: string; exceptions: unknown[] }[] }).queues.find((q) => q.id === 'full')!.exceptions).toHaveLength(2);
    });

    it('overload: a reserve agent joins when a call has waited its threshold; its rules and deferrals are checked with typed codes', async () => {
      const p = await connect('/v1/platform', tenant, 'platform', encoding);
      expect(
        await p.request({ type: 'UpsertQueue', queue: { id: 'ov-voice', offerTimeoutMs: 60_000, reserveWhen: { oldestWaitMs: 300 }, membersOnly: true } }),
      ).toMatchObject({ ok: true });
      expect(
        await p.request({ type: 'UpsertQueue', queue: { id: 'ov-mail', offerTimeoutMs: 60_000, deferrable: { whileHealthy: ['ov-voice'] } } }),
      ).toMatchObject({
        ok: true,
      });
      expect(await p.request({ type: 'UpsertQueue', queue: { id: 'ov-voice', reserveWhen: {} } })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      expect(await p.request({ type: 'UpsertQueue', queue: { id: 'ov-voice', reserveUntil: { oldestWaitMs: 900 } } })).toMatchObject({
        ok: false,
        code: 'INVALID_ARGUMENT',
      });
      expect(await p.request({ type: 'UpsertQueue', queue: { id: 'ov-mail', deferrable: { whileHealthy: ['nope'] } } })).toMatchObject({
        ok: false,
        code: 'UNKNOWN_QUEUE',
      });
      expect(
        await p.request({
          type: 'UpsertAgent',
          agent: { id: 'ov-agent', queues: { 'ov-voice': { reserve: true } }, capacity: { total: 1, channels: { voice: { cost: 1, max: 1 } } } },
        }),
      ).toMatchObject({ ok: true });
      const agent = await connect('/v1/agent', tenant, 'agent', encoding, 'ov-agent');
      expect(await agent.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
      const t0 = Date.now();
      expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'ov-1', channel: 'voice', queue: 'ov-voice' } })).toMatchObject({ ok: true });
      const why = (await p.request({ type: 'ExplainInteraction', interactionId: 'ov-1' })) as { explanation: { agents: { reasons: unknown[] }[] } };
      expect(why.explanation.agents[0].reasons).toEqual([{ reason: 'reserve_inactive', queue: 'ov-voice' }]);
      const offer = await agent.nextPush((m) => m.push === 'offer' && m.interactionId === 'ov-1', 5000);
      expect(offer).toMatchObject({ queueId: 'ov-voice' });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    });

    it('messaging capacity: an inactive chat frees its room, its reactivation waits for room, the desktop is told, a reconnect too', async () => {
      const p = await connect('/v1/platform', tenant, 'platform', encoding);
      const chats = { total: 2, channels: { chat: { cost: 1, max: 2, autoAccept: true, inactiveMax: 1 } } };
      for (const body of [
        { type: 'UpsertQueue', queue: { id: 'chat', membersOnly: true } },
        { type: 'UpsertAgent', agent: { id: 'mia', capacity: chats, queues: { chat: {} } } },
      ])
        expect(await p.request(body), JSON.stringify(body)).toMatchObject({ ok: true });
      const mia = await connect('/v1/agent', tenant, 'agent', encoding, 'mia');
      expect(await mia.request({ type: 'SetState', state: 'available' })).toMatchObject({ ok: true });
      for (const id of ['m1', 'm2', 'm3'])
        expect(await p.request({ type: 'SubmitInteraction', interaction: { id, channel: 'chat', queue: 'chat' } })).toMatchObject({ ok: true });
      await mia.nextPush((m) => m.push === 'assigned' && m.interactionId === 'm2');
      expect(await p.request({ type: 'UpdateInteraction', interactionId: 'm1', active: false })).toMatchObject({ ok: true });
      expect(await mia.nextPush((m) => m.push === 'activity')).toMatchObject({ interactionId: 'm1', active: false });
      await mia.nextPush((m) => m.push === 'assigned' && m.interactionId === 'm3');
      expect(await p.request({ type: 'UpdateInteraction', interactionId: 'm2', active: false })).toMatchObject({ ok: false, code: 'INACTIVE_LIMIT' });
      expect(await p.request({ type: 'UpdateInteraction', interactionId: 'm1', active: true })).toMatchObject({ ok: false, code: 'AGENT_AT_CAPACITY' });
      expect(await p.request({ type: 'GetAgent', agentId: 'mia' })).toMatchObject({ agent: { units: 2, inactive: ['m1'], waitingForRoom: ['m1'] } });
      expect(await p.request({ type: 'GetInteraction', interactionId: 'm1' })).toMatchObject({ interaction: { activity: 'waiting_for_room' } });
      // A reconnecting desktop is told again which of its conversations are inactive.
      const again = await connect('/v1/agent', tenant, 'agent', encoding, 'mia');
      expect(await again.nextPush((m) => m.push === 'activity')).toMatchObject({ interactionId: 'm1', active: false });
      expect(await mia.request({ type: 'Complete', interactionId: 'm2' })).toMatchObject({ ok: true });
      expect(await mia.nextPush((m) => m.push === 'activity' && m.active === true)).toMatchObject({ interactionId: 'm1' });
      expect(await p.request({ type: 'UpdateInteraction', interactionId: 'm1', active: 'no' })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      expect(
        await p.request({ type: 'UpsertAgent', agent: { id: 'bad', capacity: { total: 1, channels: { chat: { cost: 1, max: 1, inactiveMax: 500 } } } } }),
      ).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    });

    it('refuses malformed selectors and memberships with typed codes, and stores nothing', async () => {
      const p = await connect('/v1/platform', tenant, 'platform', encoding);
      const refused = [
        { type: 'SubmitInteraction', interaction: { id: 'bad-1', channel: 'voice', queue: 'care', selectors: [{ key: 'tenure', op: 'gt', value: 'ten' }] } },
        { type: 'SubmitInteraction', interaction: { id: 'bad-2', channel: 'voice', queue: 'care', selectors: [{ key: 'x', op: 'approx', value: 1 }] } },
        { type: 'SubmitInteraction', interaction: { id: 'bad-3', channel: 'voice', queue: 'care', selectors: [{ key: 'x', op: 'in', values: [] }] } },
        { type: 'SubmitInteraction', interaction: { id: 'bad-4', channel: 'voice', queue: 'care', alternatives: Array.from({ length: 9 }, () => ({})) } },
        { type: 'SubmitInteraction', interaction: { id: 'bad-5', channel: 'voice', queue: 'care', relaxation: [{ afterMs: 1, queue: 'care', extra: 1 }] } },
        { type: 'UpsertAgent', agent: { id: 'bad-agent', queues: { care: { priority: 0 } } } },
        { type: 'UpsertQueue', queue: { id: 'care', membersOnly: 'yes' } },
      ];
      for (const body of refused) expect(await p.request(body), JSON.stringify(body)).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      expect(await p.request({ type: 'UpsertAgent', agent: { id: 'bad-agent', queues: { nowhere: {} } } })).toMatchObject({
        ok: false,
        code: 'UNKNOWN_QUEUE',
      });
      for (const id of ['bad-1', 'bad-2', 'bad-3', 'bad-4', 'bad-5'])
        expect(await p.request({ type: 'GetInteraction', interactionId: id })).toMatchObject({ ok: false, code: 'UNKNOWN_INTERACTION' });
      expect(await p.request({ type: 'GetAgent', agentId: 'bad-agent' })).toMatchObject({ ok: false, code: 'UNKNOWN_AGENT' });
    });
  });
}
