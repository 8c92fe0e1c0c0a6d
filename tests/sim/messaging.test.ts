import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import type { EngineEvent } from '../../src/engine/types.ts';
import { parseScenario, type ScenarioInput } from '../../src/sim/scenario.ts';
import { simulate } from '../../src/sim/simulator.ts';

const root = join(import.meta.dirname, '../..');
const scenarioFile = (name: string) => JSON.parse(readFileSync(join(root, 'scenarios', name), 'utf8')) as ScenarioInput;
const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/sim/cli.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

type QueueInput = ScenarioInput['queues'][number];
type Channel = { cost: number; max: number; inactiveMax?: number };

const EXCHANGES = 5;
/** Customers who go quiet for minutes: a reply takes 150 s on average, one in eight over 5 minutes; inactive after 60 s. */
const CONVERSATION = {
  exchanges: EXCHANGES,
  agentSecondsPerExchange: 45,
  replySeconds: 150,
  replyTime: 'lognormal',
  replyCv: 2,
  inactiveAfterSeconds: 60,
} as const;

const chatQueue = (more: Partial<QueueInput> | Record<string, unknown> = {}): QueueInput =>
  ({
    id: 'chat',
    channel: 'chat',
    arrivalsPerHour: 160,
    patienceSeconds: 180,
    serviceObjective: { percent: 80, thresholdSeconds: 60 },
    conversation: CONVERSATION,
    ...more,
  }) as QueueInput;

/** A chat queue kept busy by 8 agents taking 3 chats at once, `inactiveMax` inactive ones besides (absent: the default). */
const chatCentre = (inactiveMax?: number, hours = 3): ScenarioInput => ({
  name: 'messaging',
  hours,
  warmupHours: 0.5,
  queues: [chatQueue()],
  agents: [{ name: 'chat', count: 8, capacity: { total: 3, channels: { chat: { cost: 1, max: 3, ...(inactiveMax === undefined ? {} : { inactiveMax }) } } } }],
});

/** The same agents blending calls: a call takes all 3 units, so it waits for an agent with no active chat. */
const blendedCentre = (inactiveMax: number): ScenarioInput => ({
  name: 'messaging and voice',
  hours: 3,
  warmupHours: 0.5,
  queues: [
    chatQueue({ arrivalsPerHour: 130 }),
    { id: 'voice', arrivalsPerHour: 20, ahtSeconds: 180, patienceSeconds: 120, serviceObjective: { percent: 80, thresholdSeconds: 20 } },
  ],
  agents: [{ name: 'blended', count: 8, capacity: { total: 3, channels: { chat: { cost: 1, max: 3, inactiveMax }, voice: { cost: 3, max: 1 } } } }],
});

/**
 * Follows each agent's conversations through a run's events: the active ones (by channel) and the
 * inactive ones (waiting for room included), and what broke the capacity's bounds. A swap
 * (docs/engine.md) emits, in one command, the quiet conversation's `active: false` before the
 * `active: true` of the agent's first one waiting for room: after the first the agent reads one
 * over its inactiveMax, so that bound is read once the command's events at that instant are in.
 */
function desks(scenario: ScenarioInput) {
  const channelOf = new Map(scenario.queues.map((q) => [q.id, q.channel ?? 'voice']));
  const capacityOf = new Map<string, { total: number; channels: Record<string, Channel> }>();
  for (const g of scenario.agents) for (let i = 0; i < g.count; i++) capacityOf.set(`${g.name}-${i}`, g.capacity as never);
  const agents = new Map<string, { active: Map<string, string>; inactive: Map<string, string> }>();
  const desk = (id: string) => {
    let d = agents.get(id);
    if (d === undefined) agents.set(id, (d = { active: new Map(), inactive: new Map() }));
    return d;
  };
  const violations: string[] = [];
  /** Per agent, the inactive bounds broken by an `active: false`, until its command's events at that instant are in. */
  const overInactive = new Map<string, { at: number; found: string[] }>();
  const counts = { assigned: 0, completed: 0, madeInactive: 0, madeActive: 0, mostActive: 0, mostInactive: 0 };
  const ofChannel = (m: Map<string, string>, c: string) => [...m.values()].filter((x) => x === c).length;
  /** The agent's bounds after event `e`: active ones per channel and units within capacity, inactive ones within inactiveMax. */
  const check = (agentId: string, e: EngineEvent) => {
    const cap = capacityOf.get(agentId)!;
    const d = desk(agentId);
    let units = 0;
    const inactiveFound: string[] = [];
    let mostInactive = 0;
    for (const [c, spec] of Object.entries(cap.channels)) {
      const active = ofChannel(d.active, c);
      const inactive = ofChannel(d.inactive, c);
      units += active * spec.cost;
      if (active > spec.max) violations.push(`${e.type} at ${e.at}: ${agentId} holds ${active} active '${c}', its max is ${spec.max}`);
      if (inactive > (spec.inactiveMax ?? 0))
        inactiveFound.push(`${e.type} at ${e.at}: ${agentId} holds ${inactive} inactive '${c}', its inactiveMax is ${spec.inactiveMax ?? 0}`);
      if (c === 'chat') {
        counts.mostActive = Math.max(counts.mostActive, active);
        mostInactive = inactive;
      }
    }
    if (units > cap.total) violations.push(`${e.type} at ${e.at}: ${agentId} holds ${units} units, its total is ${cap.total}`);
    // Going quiet may be half of a swap: the agent's activation that completes it comes next.
    if (inactiveFound.length > 0 && e.type === 'InteractionActivityChanged' && !e.active) overInactive.set(agentId, { at: e.at, found: inactiveFound });
    else {
      overInactive.delete(agentId);
      violations.push(...inactiveFound);
      counts.mostInactive = Math.max(counts.mostInactive, mostInactive);
    }
  };
  /** The bounds still broken once the events at their instant are all in. */
  const settle = (now: number) => {
    for (const [id, o] of overInactive)
      if (o.at !== now) {
        violations.push(...o.found);
        overInactive.delete(id);
      }
  };
  return {
    agents,
    violations,
    counts,
    /** After the run: what was still over its bound at the end. */
    done: () => settle(Number.NaN),
    trace: (e: EngineEvent) => {
      settle(e.at);
      if (e.type === 'InteractionAssigned') {
        counts.assigned++;
        desk(e.agentId).active.set(e.interactionId, channelOf.get(e.queueId)!);
        check(e.agentId, e);
      } else if (e.type === 'InteractionActivityChanged') {
        const d = desk(e.agentId);
        const [from, to] = e.active ? [d.inactive, d.active] : [d.active, d.inactive];
        const c = from.get(e.interactionId);
        if (c === undefined)
          violations.push(`${e.interactionId} made ${e.active ? 'active' : 'inactive'} at ${e.at} while it was not ${e.active ? 'inactive' : 'active'}`);
        from.delete(e.interactionId);
        to.set(e.interactionId, c ?? 'chat');
        if (e.active) counts.madeActive++;
        else counts.madeInactive++;
        check(e.agentId, e);
      } else if (e.type === 'InteractionCompleted') {
        counts.completed++;
        // The agent's last answer ends a conversation: it is active then.
        if (!desk(e.agentId).active.delete(e.interactionId)) violations.push(`${e.interactionId} completed at ${e.at} while inactive`);
      }
    },
  };
}

describe('scenario messaging fields (capacity inactiveMax, conversation)', () => {
  /** Does the engine take an agent of this scenario group's capacity? */
  const engineTakes = (capacity: unknown) => new Engine().apply({ type: 'UpsertAgent', agent: { id: 'a', capacity: capacity as never } }, 0).ok;
  const withInactiveMax = (inactiveMax: unknown) => {
    const s = chatCentre();
    return { ...s, agents: [{ ...s.agents[0], capacity: { total: 3, channels: { chat: { cost: 1, max: 3, inactiveMax } } } }] } as ScenarioInput;
  };

  it('inactiveMax is the wire’s CapacitySpec field, under its name, with the engine’s bounds', () => {
    expect(parseScenario(chatCentre()).agents[0].capacity.channels.chat).toEqual({ cost: 1, max: 3 });
    for (const n of [0, 2, 100]) {
      const cap = parseScenario(withInactiveMax(n)).agents[0].capacity;
      expect(cap.channels.chat.inactiveMax, String(n)).toBe(n);
      expect(engineTakes(cap), String(n)).toBe(true);
    }
    for (const n of [-1, 1.5, 101, '2', null]) {
      expect(() => parseScenario(withInactiveMax(n)), String(n)).toThrow();
      expect(engineTakes({ total: 3, channels: { chat: { cost: 1, max: 3, inactiveMax: n } } }), String(n)).toBe(false);
    }
  });

  it('a conversation takes the place of ahtSeconds, with defaults for the reply law; bad ones are refused', () => {
    const q = parseScenario(chatCentre()).queues[0];
    expect(q.ahtSeconds).toBeUndefined();
    expect(q.conversation).toEqual(CONVERSATION);
    const { replyTime: _t, replyCv: _c, ...plain } = CONVERSATION;
    expect(parseScenario({ ...chatCentre(), queues: [chatQueue({ conversation: plain })] }).queues[0].conversation).toMatchObject({
      replyTime: 'exponential',
      replyCv: 1,
    });
    const refused = (queue: QueueInput, says?: string) => expect(() => parseScenario({ ...chatCentre(), queues: [queue] })).toThrow(says);
    refused(chatQueue({ ahtSeconds: 300 }), "queue 'chat' has a conversation, whose exchanges make its handling time: it takes no ahtSeconds");
    refused(chatQueue({ conversation: null }), "queue 'chat' needs an ahtSeconds, or a conversation");
    refused(chatQueue({ conversation: { ...CONVERSATION, exchanges: 0 } }));
    refused(chatQueue({ conversation: { ...CONVERSATION, exchanges: 2.5 } }));
    refused(chatQueue({ conversation: { ...CONVERSATION, agentSecondsPerExchange: 0 } }));
    refused(chatQueue({ conversation: { ...CONVERSATION, replySeconds: -1 } }));
    refused(chatQueue({ conversation: { ...CONVERSATION, inactiveAfterSeconds: -1 } }));
    refused(chatQueue({ conversation: { ...CONVERSATION, replyTime: 'uniform' } }));
    refused(chatQueue({ conversation: { ...CONVERSATION, quietAfterSeconds: 60 } }));
    // A queue without a conversation keeps its ahtSeconds, as before.
    expect(parseScenario({ ...chatCentre(), queues: [chatQueue({ conversation: null, ahtSeconds: 300 })] }).queues[0].conversation).toBeNull();
  });

  it('refuses an inactiveMax on a channel no conversation uses: nothing would ever go inactive', () => {
    const s = blendedCentre(2);
    const voiceInactive = {
      ...s,
      agents: [{ ...s.agents[0], capacity: { total: 3, channels: { chat: { cost: 1, max: 3 }, voice: { cost: 3, max: 1, inactiveMax: 1 } } } }],
    };
    expect(() => parseScenario(voiceInactive)).toThrow(
      "agent group 'blended' may hold 1 inactive 'voice' conversations, but no queue on channel 'voice' has a conversation: none would ever go inactive",
    );
    expect(() => parseScenario(s)).not.toThrow();
  });

  it('scenarios/messaging.json holds 2 inactive chats per agent, which the engine takes as they are', () => {
    const s = parseScenario(scenarioFile('messaging.json'));
    expect(s.agents[0].capacity.channels.chat).toEqual({ cost: 1, max: 3, inactiveMax: 2 });
    expect(engineTakes(s.agents[0].capacity)).toBe(true);
    expect(s.queues[0].conversation).not.toBeNull();
  });
});

describe('messaging runs, read event by event', () => {
  const runOf = (scenario: ScenarioInput, seed = 1) => {
    const t = desks(scenario);
    const result = simulate(parseScenario(scenario), { ordering: 'fifo', seed, trace: t.trace });
    t.done();
    return { ...t, result };
  };

  it('with inactiveMax 0 (or none) no conversation is ever made inactive, and no reply waits for room', () => {
    for (const inactiveMax of [0, undefined]) {
      const { counts, violations, result } = runOf(chatCentre(inactiveMax));
      const chat = result.queues.chat;
      expect(chat.answered).toBeGreaterThan(200);
      expect(counts.madeInactive, String(inactiveMax)).toBe(0);
      expect(counts.madeActive).toBe(0);
      expect([chat.madeInactive, chat.inactiveLimited, chat.activations, chat.activationsAtCapacity]).toEqual([0, 0, 0, 0]);
      expect(chat.inactiveShare).toBe(0);
      expect(chat.roomWaitPerReply).toBe(0);
      expect(result.agents.chat.chat.meanInactive).toBe(0);
      expect(counts.mostActive).toBe(3);
      expect(violations).toEqual([]);
    }
    // The same customers with inactiveMax 2 go quiet and are made inactive.
    expect(runOf(chatCentre(2)).counts.madeInactive).toBeGreaterThan(100);
  });

  it('an agent never holds more active conversations than its max, nor more inactive ones than its inactiveMax', () => {
    for (const inactiveMax of [1, 2, 4]) {
      const { counts, violations, result } = runOf(chatCentre(inactiveMax));
      expect(violations, String(inactiveMax)).toEqual([]);
      // The bounds were reached, so they were tested: 3 active and inactiveMax inactive at once.
      expect(counts.mostActive).toBe(3);
      expect(counts.mostInactive).toBe(inactiveMax);
      const chat = result.queues.chat;
      expect(chat.madeInactive).toBeGreaterThan(0);
      if (inactiveMax < 4) expect(chat.inactiveLimited, 'INACTIVE_LIMIT answered when the agent held its inactiveMax').toBeGreaterThan(0);
      const desk = result.agents.chat.chat;
      expect(desk.occupancy).toBeLessThanOrEqual(1);
      expect(desk.meanInactive).toBeLessThanOrEqual(inactiveMax);
    }
  });

  it('a customer’s reply never makes a conversation active on an agent over capacity: it waits for room', () => {
    for (const scenario of [chatCentre(1), chatCentre(2), chatCentre(4), blendedCentre(2)]) {
      const { counts, violations, result } = runOf(scenario);
      expect(violations, scenario.name).toEqual([]);
      const chat = result.queues.chat;
      // Replies came to full agents (AGENT_AT_CAPACITY), waited, and were made active when room came.
      expect(chat.activationsAtCapacity).toBeGreaterThan(0);
      expect(chat.activationsAtCapacity).toBeLessThanOrEqual(chat.activations);
      expect(chat.roomWait).toBeGreaterThan(0);
      expect(counts.madeActive).toBeGreaterThan(0);
    }
  });

  it('every conversation ends: each runs all its exchanges, comes back active, and is completed', () => {
    for (const scenario of [chatCentre(0), chatCentre(2), chatCentre(4), blendedCentre(2)]) {
      const { agents, counts, violations, result } = runOf(scenario, 3);
      expect(violations, scenario.name).toEqual([]);
      expect(counts.completed).toBe(counts.assigned);
      expect(counts.madeActive).toBe(counts.madeInactive);
      for (const [id, d] of agents) expect([id, d.active.size, d.inactive.size]).toEqual([id, 0, 0]);
      const chat = result.queues.chat;
      expect(chat.answered + chat.abandoned).toBe(chat.offered);
      // Every measured conversation answered had all its customer's replies after the first message.
      expect(chat.replies).toBe(chat.answered * (EXCHANGES - 1));
    }
  });

  it('the customers are the same whatever the limit (common random numbers), and inactive conversations buy throughput', () => {
    const none = runOf(chatCentre(0, 6)).result;
    const two = runOf(chatCentre(2, 6)).result;
    expect(two.queues.chat.offered).toBe(none.queues.chat.offered);
    expect(two.interactions).toBe(none.interactions);
    expect(two.agents.chat.chat.completedPerAgentHour).toBeGreaterThan(none.agents.chat.chat.completedPerAgentHour);
    expect(two.queues.chat.serviceLevel).toBeGreaterThan(none.queues.chat.serviceLevel);
    expect(two.queues.chat.inactiveShare).toBeGreaterThan(0.2);
  });
});

describe('npm run sim with conversations', () => {
  const json = (...flags: string[]) => {
    const r = run(['--scenario', 'scenarios/messaging.json', '--hours', '2', '--reps', '2', '--policy', 'fifo', ...flags, '--json']);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout).policies.fifo;
  };

  it('--inactive-max sets a channel’s inactiveMax in every group, so the file is swept; the figures per queue and per agent group', () => {
    const file = json();
    const two = json('--inactive-max', 'chat=2');
    const none = json('--inactive-max=chat=0');
    expect(two).toEqual(file); // the file holds 2
    for (const k of [
      'madeInactive',
      'inactiveLimited',
      'activations',
      'activationsAtCapacity',
      'pAtCapacity',
      'roomWait',
      'roomWaitPerReply',
      'inactiveShare',
    ]) {
      expect(typeof file.queues.chat[k], k).toBe('number');
      expect(typeof file.queues.chat.ci95[k], k).toBe('number');
    }
    expect(file.agents.chat.chat.completedPerAgentHour).toBeGreaterThan(none.agents.chat.chat.completedPerAgentHour);
    expect(file.agents.chat.chat.meanInactive).toBeGreaterThan(0);
    expect(none.queues.chat.madeInactive).toBe(0);
    expect(none.agents.chat.chat.meanInactive).toBe(0);
    const text = run(['--scenario', 'scenarios/messaging.json', '--hours', '2', '--reps', '1', '--policy', 'fifo', '--inactive-max', 'chat=4']).stdout;
    expect(text).toContain('(chat inactiveMax 4)');
    for (const column of ['inactive %', 'activations at capacity %', 'room wait s', 'completed per agent-hour', 'inactive held per agent'])
      expect(text).toContain(column);
    const fails = (value: string, message: string) => {
      const r = run(['--scenario', 'scenarios/messaging.json', '--inactive-max', value]);
      expect(r.status, value).toBe(2);
      expect(r.stderr, value).toContain(message);
    };
    fails('chat', 'CHANNEL=N');
    fails('chat=101', 'at most 100');
    fails('email=1', "no agent group of the scenario has channel 'email'");
  });

  it('a scenario without conversations has no messaging figures or columns', () => {
    const r = run(['--scenario', 'scenarios/ring-all.json', '--hours', '2', '--reps', '1', '--policy', 'fifo', '--json']);
    const fifo = JSON.parse(r.stdout).policies.fifo;
    expect(fifo.overall).not.toHaveProperty('roomWait');
    expect(fifo).not.toHaveProperty('agents');
    expect(run(['--scenario', 'scenarios/ring-all.json', '--hours', '2', '--reps', '1', '--policy', 'fifo']).stdout).not.toContain('room wait');
    const refused = run(['--scenario', 'scenarios/ring-all.json', '--inactive-max', 'voice=1']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('none would ever go inactive');
  });
});
