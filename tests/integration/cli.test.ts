import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { TokenVerifier } from '../../src/transport/auth.ts';
import { freePort, TestRedis, until as untilAsync } from '../helpers/redis.ts';
import { kill9, PROCESS_SECRET, type ServerProcess, spawnServer, untilReady } from '../helpers/server-process.ts';
import { startTestServer } from '../helpers/server.ts';

// The operator CLI as an operator runs it: a process of its own (through bin/switchboard.js,
// and once through src/main.ts), against a real server, read from its output and exit code.
const bin = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no SWITCHBOARD_* or tokens of the shell running the tests. */
const cleanEnv = (extra: Record<string, string> = {}) => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^SWITCHBOARD_|_TOKEN$/.test(k)) env[k] = v;
  return { ...env, ...extra };
};

function start(args: string[], env: Record<string, string>, entry: 'bin' | 'main' = 'bin'): ChildProcess {
  const argv = entry === 'bin' ? [bin, ...args] : ['--import', 'tsx', main, ...args];
  return spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function collect(p: ChildProcess): { out: () => string; err: () => string; done: Promise<Run> } {
  let stdout = '';
  let stderr = '';
  p.stdout!.on('data', (d) => {
    stdout += d;
  });
  p.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<Run>((resolve) => p.on('close', (code) => resolve({ code, stdout, stderr })));
  return { out: () => stdout, err: () => stderr, done };
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the operator CLI', () => {
  let server: RunningServer;
  let verifier: TokenVerifier;
  let base: string;
  let platform: string;
  let supervisor: string;
  const TENANT = 'cli';

  const post = async (type: string, body: Record<string, unknown>, token = platform) => {
    const r = await fetch(`${base}/v1/requests/${type}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const answer = (await r.json()) as Record<string, unknown>;
    if (answer.ok !== true) throw new Error(`${type}: ${JSON.stringify(answer)}`);
    return answer;
  };

  /** Runs the CLI to its end with the server's URL and the supervisor's token in the environment. */
  const cli = (args: string[], o: { env?: Record<string, string>; entry?: 'bin' | 'main' } = {}) =>
    collect(start(args, cleanEnv({ SWITCHBOARD_URL: base, SWITCHBOARD_TOKEN: supervisor, ...o.env }), o.entry)).done;

  beforeAll(async () => {
    ({ server, verifier } = await startTestServer({ messagesPerSecond: '5000', messageBurst: '5000' }));
    base = `http://127.0.0.1:${server.port}`;
    platform = await verifier.sign({ tenant: TENANT, role: 'platform' }, 600);
    supervisor = await verifier.sign({ tenant: TENANT, role: 'supervisor' }, 600);
    await post('DefineSkill', { skill: 'billing' });
    await post('UpsertQueue', { queue: { id: 'billing', serviceObjective: { percent: 80, thresholdMs: 20_000 } } });
    await post('UpsertQueue', { queue: { id: 'sales' } });
    await post('UpsertAgent', { agent: { id: 'ann', skills: { billing: 5 } } });
    await post('UpsertAgent', { agent: { id: 'bob', skills: { billing: 2 } } });
    await post('SetAgentState', { agentIds: ['ann'], state: 'available' });
    // c1: offered to ann, accepted and completed (ended, with a history); c2 then waits for ann.
    await post('SubmitInteraction', { interaction: { id: 'c1', channel: 'voice', queue: 'billing', skills: { billing: 3 }, customerId: 'cust-1' } });
    const agent = await verifier.sign({ tenant: TENANT, role: 'agent', sub: 'ann' }, 600);
    const ann = (await post('GetAgent', { agentId: 'ann' })).agent as { offers: { offerId: string }[] };
    await post('Accept', { offerId: ann.offers[0].offerId }, agent);
    await post('Complete', { interactionId: 'c1' }, agent);
    await post('EndWrapUp', {}, agent).catch(() => undefined);
    await post('SetAgentState', { agentIds: ['ann'], state: 'away', reason: 'lunch' });
    await post('SubmitInteraction', { interaction: { id: 'c2', channel: 'voice', queue: 'billing', skills: { billing: 3 } } });
  });
  afterAll(() => server.stop());

  it('status: ready, leader, the store and the tenant, as a table and as JSON (through src/main.ts too)', async () => {
    const human = await cli(['status']);
    expect(human.stderr).toBe('');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ready\s+yes$/m);
    expect(human.stdout).toMatch(/^role\s+leader$/m);
    expect(human.stdout).toMatch(/^store\s+memory$/m);
    expect(human.stdout).toMatch(/^tenant\s+cli: fresh \(serving, nothing journaled yet\)$/m);
    expect(human.stdout).toMatch(/^events\s+last \d+, oldest in memory 1$/m);

    const json = await cli(['status', '--json'], { entry: 'main' });
    expect(json.code).toBe(0);
    const s = JSON.parse(json.stdout);
    expect(s).toMatchObject({
      url: base,
      ready: true,
      role: 'leader',
      store: 'memory',
      standbyLagMs: null,
      tenant: { id: TENANT, state: 'fresh', journaled: 0 },
    });
    expect(s.tenants).toBeGreaterThanOrEqual(1);
    expect(s.tenant.events.last).toBeGreaterThan(5);
  });

  it('status without a token: what /healthz and /readyz say', async () => {
    const run = await cli(['status'], { env: { SWITCHBOARD_TOKEN: '' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`server  ${base}\nlive    yes\nready   yes\nrole    leader\n`);
    expect(run.stderr).toContain('no token: /healthz and /readyz only');
  });

  it('queues: one row per queue, and GetQueueStats as JSON', async () => {
    const human = await cli(['queues']);
    expect(human.code).toBe(0);
    const lines = human.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^QUEUE\s+WAITING\s+OFFERED\s+OLDEST\s+ARRIVED\s+ANSWERED/);
    expect(lines[1]).toMatch(/^billing\s+1\s+0\s+\S+\s+2\s+1\s+/);
    expect(lines[2]).toMatch(/^sales\s+0\s+0\s+/);

    const json = await cli(['queues', 'billing', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject([{ queueId: 'billing', waiting: 1, offered: 0, arrived: 2, answered: 1, completed: 1 }]);
  });

  it('agents: the summary and a row per agent; one agent in detail', async () => {
    const human = await cli(['agents']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('2 agents: 0 available (0 idle), 1 away, 0 in wrap-up, 1 offline; 0 occupied');
    expect(human.stdout).toMatch(/^ann\s+away\(lunch\)\s+0\/1\s+0\s+0\s+0/m);
    expect(human.stdout).toMatch(/^bob\s+offline\s+/m);

    const json = JSON.parse((await cli(['agents', '--json', '--limit', '1'])).stdout);
    expect(json.summary).toMatchObject({ agents: 2, byState: { away: 1, offline: 1 } });
    expect(json.agents.map((a: { agentId: string }) => a.agentId)).toEqual(['ann']);
    expect(json.truncated).toBe(true);

    const one = await cli(['agents', 'ann']);
    expect(one.stdout).toMatch(/^state\s+away \(lunch\)$/m);
  });

  it('explain: why a waiting interaction waits, agent by agent', async () => {
    const human = await cli(['explain', 'c2']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^interaction\s+c2: queued in billing \(voice\)$/m);
    expect(human.stdout).toMatch(/^requires\s+billing>=3$/m);
    expect(human.stdout).toMatch(/^chosen\s+nobody yet$/m);
    expect(human.stdout).toMatch(/^ann\s+yes\s+away \(lunch\)$/m);
    expect(human.stdout).toMatch(/^bob\s+no\s+billing 2 < 3; offline$/m);

    const json = JSON.parse((await cli(['explain', 'c2', '--json'])).stdout);
    expect(json).toMatchObject({ interactionId: 'c2', status: 'queued', counts: { agents: 2, eligible: 1 } });
  });

  it('history: every event of an ended interaction, with its wait and agent', async () => {
    const human = await cli(['history', 'c1']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^interaction\s+c1: completed, voice in billing$/m);
    expect(human.stdout).toMatch(/^customer\s+cust-1$/m);
    expect(human.stdout).toMatch(/^agent\s+ann$/m);
    expect(human.stdout).toMatch(/^#\d+ {2}\S+ \S+Z {2}InteractionQueued {2}interactionId=c1 queueId=billing/m);
    expect(human.stdout).toMatch(/^#\d+ .* InteractionCompleted /m);

    const json = JSON.parse((await cli(['history', 'c1', '--json'])).stdout);
    expect(json).toMatchObject({ interactionId: 'c1', status: 'completed', agentId: 'ann', customerId: 'cust-1' });
    const types = json.events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('InteractionQueued');
    expect(types).toContain('InteractionAssigned');
  });

  it('events: a page from a cursor, one JSON event per line', async () => {
    const run = await cli(['events', '--after', '0', '--limit', '3', '--json']);
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0]).toMatchObject({ type: 'SkillDefined', skill: 'billing' });
  });

  it('events --follow: prints the events the test causes as they come, until stopped', async () => {
    const status = (await (await fetch(`${base}/v1/status`, { headers: { authorization: `Bearer ${supervisor}` } })).json()) as {
      tenant: { events: { last: number } };
    };
    const last = status.tenant.events.last;
    const env = cleanEnv({ SWITCHBOARD_URL: base, SWITCHBOARD_TOKEN: supervisor });
    const procs = [start(['events', '--follow', '--after', String(last)], env), start(['events', '--follow', '--json', '--types', 'InteractionQueued'], env)];
    const [human, json] = procs.map(collect);
    // Without --after the JSON follower starts from the last event when it starts: wait until both poll.
    const polling = async () =>
      ((await (await fetch(`${base}/v1/status`, { headers: { authorization: `Bearer ${supervisor}` } })).json()) as { tenant: { events: { polling: number } } })
        .tenant.events.polling;
    await untilAsync(async () => (await polling()) === 2, 60_000, 'both followers polling');
    await post('SubmitInteraction', { interaction: { id: 'f1', channel: 'voice', queue: 'sales' } });
    await post('SubmitInteraction', { interaction: { id: 'f2', channel: 'voice', queue: 'sales' } });
    await until(() => /interactionId=f2/.test(human.out()) && json.out().includes('"f2"'), 60_000, 'both followers printed f2');
    const lines = human.out().trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^#${last + 1} {2}\\S+ \\S+Z {2}InteractionQueued {2}interactionId=f1 queueId=sales channel=voice$`));
    expect(lines[1]).toMatch(/InteractionQueued {2}interactionId=f2 /);
    const queued = json
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(queued.map((e) => [e.type, e.interactionId])).toEqual([
      ['InteractionQueued', 'f1'],
      ['InteractionQueued', 'f2'],
    ]);
    // Stopped as an operator stops it (Ctrl-C, or a supervisor's SIGTERM): exit code 0.
    procs[0].kill('SIGINT');
    procs[1].kill('SIGTERM');
    expect((await human.done).code).toBe(0);
    expect((await json.done).code).toBe(0);
  });

  it('events --follow waits out a server that is not there yet, and goes on from the same cursor', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const p = start(['events', '--follow', '--after', '0', '--types', 'QueueUpserted'], cleanEnv({ SWITCHBOARD_URL: url, SWITCHBOARD_TOKEN: supervisor }));
    const follower = collect(p);
    await until(
      () => follower.err().includes('connection refused (is it running? check --url or SWITCHBOARD_URL); retrying every 1 s from event 0'),
      60_000,
      'the follower retrying',
    );
    const later = await startTestServer({ port: String(port) });
    try {
      const r = await fetch(`${url}/v1/requests/UpsertQueue`, {
        method: 'POST',
        headers: { authorization: `Bearer ${platform}` },
        body: '{"queue":{"id":"late"}}',
      });
      expect(r.status).toBe(200);
      await until(() => follower.out().includes('QueueUpserted'), 60_000, 'the event after the server came');
      expect(follower.out()).toMatch(/^#1 {2}\S+ \S+Z {2}QueueUpserted {2}queueId=late$/m);
      expect(follower.err()).toContain(`(reconnected to ${url}; following events after 0)`);
      p.kill('SIGTERM');
      expect((await follower.done).code).toBe(0);
    } finally {
      later.server.stop();
    }
  });

  describe('fails with a message and an exit code', () => {
    it('a token the server refuses: 4, unauthorized', async () => {
      const run = await cli(['queues'], { env: { SWITCHBOARD_TOKEN: 'not-a-token' } });
      expect(run.code).toBe(4);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^switchboard: unauthorized \(HTTP 401\): .*check --token or SWITCHBOARD_TOKEN\n$/);
    });

    it("an agent's token: 4, forbidden", async () => {
      const agent = await verifier.sign({ tenant: TENANT, role: 'agent', sub: 'ann' }, 600);
      const run = await cli(['status', '--token', agent]);
      expect(run.code).toBe(4);
      expect(run.stderr).toContain('switchboard: forbidden (HTTP 403)');
    });

    it('an interaction the server does not know: 1, not found', async () => {
      const run = await cli(['history', 'nobody-knows']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^switchboard: not found \(UNKNOWN_INTERACTION, HTTP 404\): /);
    });

    it('a server that cannot be reached: 3', async () => {
      const port = await freePort();
      const run = await cli(['status', '--url', `http://127.0.0.1:${port}`]);
      expect(run.code).toBe(3);
      expect(run.stderr).toBe(
        `switchboard: cannot reach the server at http://127.0.0.1:${port}: connection refused (is it running? check --url or SWITCHBOARD_URL)\n`,
      );
    });

    it('no token, an unknown command or flag, a missing id: 2; help: 0', async () => {
      const noToken = await cli(['queues'], { env: { SWITCHBOARD_TOKEN: '' } });
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toContain('no token');
      const unknown = await cli(['statsu']);
      expect([unknown.code, unknown.stderr]).toEqual([2, "switchboard: unknown command 'statsu' (switchboard help)\n"]);
      const flag = await cli(['queues', '--jsn']);
      expect([flag.code, flag.stderr]).toEqual([2, 'switchboard: unknown flag --jsn (switchboard help)\n']);
      expect((await cli(['explain'])).code).toBe(2);
      const help = await cli(['help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('usage: switchboard <command>');
      expect(help.stdout).toContain('events [--follow]');
    });
  });
});

describe('the operator CLI against a leader and its hot standby (redis store)', () => {
  let redis: TestRedis;
  const procs: ServerProcess[] = [];
  const verifier = new TokenVerifier(PROCESS_SECRET);
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    for (const p of procs) await kill9(p.proc);
    await redis.stop();
  });

  let leader: ServerProcess;
  let standby: ServerProcess;
  let platform: string;
  let supervisor: string;

  it('status tells the leader from the standby, and how far the standby trails; a query at the standby is 5', async () => {
    leader = await spawnServer(redis.url);
    procs.push(leader);
    await untilReady(leader);
    standby = await spawnServer(redis.url);
    procs.push(standby);
    platform = await verifier.sign({ tenant: 'ha', role: 'platform' }, 600);
    supervisor = await verifier.sign({ tenant: 'ha', role: 'supervisor' }, 600);
    for (const [type, body] of [
      ['UpsertQueue', { queue: { id: 'q' } }],
      ['SubmitInteraction', { interaction: { id: 'ha-1', channel: 'voice', queue: 'q' } }],
    ] as const) {
      const r = await fetch(`${leader.http}/v1/requests/${type}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${platform}` },
        body: JSON.stringify(body),
      });
      expect(r.status).toBe(200);
    }
    const run = (url: string, args: string[]) => collect(start(args, cleanEnv({ SWITCHBOARD_URL: url, SWITCHBOARD_TOKEN: supervisor }))).done;

    const lead = JSON.parse((await run(leader.http, ['status', '--json'])).stdout);
    expect(lead).toMatchObject({ ready: true, role: 'leader', store: 'redis', standbyLagMs: null, tenant: { id: 'ha', state: 'serving' } });
    expect(lead.tenant.journaled).toBeGreaterThan(0);

    // The standby reads the journal every 100 ms: it reaches the leader's entry.
    await untilAsync(
      async () => JSON.parse((await run(standby.http, ['status', '--json'])).stdout).tenant.journaled === lead.tenant.journaled,
      60_000,
      "the standby at the leader's journal entry",
    );
    const human = await run(standby.http, ['status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ready\s+no \(standby: the leader serves\)$/m);
    expect(human.stdout).toMatch(/^role\s+standby$/m);
    expect(human.stdout).toMatch(/^standby lag\s+\S+s since it last caught up with the journal$/m);
    expect(human.stdout).toMatch(new RegExp(`^journal\\s+entry ${lead.tenant.journaled}, snapshot at \\d+$`, 'm'));
    expect(human.stdout).toMatch(/^tenant\s+ha: following \(following the leader's journal\)$/m);
    const json = JSON.parse((await run(standby.http, ['status', '--json'])).stdout);
    expect(json).toMatchObject({ ready: false, role: 'standby', store: 'redis' });
    expect(json.standbyLagMs).toBeGreaterThanOrEqual(0);
    expect(json.standbyLagMs).toBeLessThan(5_000);

    const probed = await collect(start(['status', '--json', '--url', standby.http], cleanEnv())).done;
    expect(JSON.parse(probed.stdout)).toEqual({ url: standby.http, live: true, ready: false, role: 'standby' });

    const refused = await run(standby.http, ['queues']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/^switchboard: unavailable \(UNAVAILABLE, HTTP 503\): standby: .*point --url at the leader/);
  });

  it('given the leader and the standby, asks the one that answers, shows both, and follows the feed across a failover', async () => {
    const env = cleanEnv({ SWITCHBOARD_URL: `${standby.http},${leader.http}`, SWITCHBOARD_TOKEN: supervisor });
    const both = await collect(start(['status'], env)).done;
    expect(both.code).toBe(0);
    const [first, second] = both.stdout.split('\n\n');
    expect(first).toMatch(new RegExp(`^server\\s+${standby.http}\\n(.*\\n)*role\\s+standby$`, 'm'));
    expect(second).toMatch(new RegExp(`^server\\s+${leader.http}\\n(.*\\n)*role\\s+leader$`, 'm'));
    const queues = await collect(start(['queues', '--json'], env)).done;
    expect(queues.code).toBe(0);
    expect(JSON.parse(queues.stdout)).toMatchObject([{ queueId: 'q', waiting: 1 }]);

    const submit = async (at: ServerProcess, id: string) => {
      const r = await fetch(`${at.http}/v1/requests/SubmitInteraction`, {
        method: 'POST',
        headers: { authorization: `Bearer ${platform}` },
        body: JSON.stringify({ interaction: { id, channel: 'voice', queue: 'q' } }),
      });
      expect(r.status).toBe(200);
    };
    const p = start(['events', '--follow', '--json', '--after', '0', '--url', `${leader.http},${standby.http}`], cleanEnv({ SWITCHBOARD_TOKEN: supervisor }));
    const follower = collect(p);
    await submit(leader, 'ha-2');
    await until(() => follower.out().includes('"ha-2"'), 60_000, 'ha-2 followed at the leader');
    await kill9(leader.proc);
    await untilReady(standby, 60_000);
    await submit(standby, 'ha-3');
    await until(() => follower.out().includes('"ha-3"'), 60_000, 'ha-3 followed at the new leader');
    p.kill('SIGTERM');
    expect((await follower.done).code).toBe(0);
    const seqs = follower
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).seq as number);
    // Every event once, in order, numbered without a gap across the failover.
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
