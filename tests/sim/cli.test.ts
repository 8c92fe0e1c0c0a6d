import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/sim/cli.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

/** The fifo figures of a two-hour run of `file` with `reps` replications, as --json gives them. */
function fifoJson(file: string, reps: number, ...flags: string[]) {
  const r = run(['--scenario', file, '--hours', '2', '--reps', String(reps), '--policy', 'fifo', ...flags, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).policies.fifo;
}

/** The text table of a two-hour, one-replication fifo run of `file`. */
const fifoText = (file: string, ...flags: string[]) => run(['--scenario', file, '--hours', '2', '--reps', '1', '--policy', 'fifo', ...flags]).stdout;

describe('npm run sim', () => {
  it('--json prints the figures per queue and overall, with the closed form for one queue', () => {
    const r = run([
      '--agents',
      '12',
      '--arrivals-per-hour',
      '120',
      '--aht',
      '300',
      '--sl-seconds',
      '20',
      '--patience',
      '180',
      '--hours',
      '60',
      '--reps',
      '2',
      '--policy',
      'fifo',
      '--seed',
      '3',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const fifo = out.policies.fifo;
    for (const k of ['serviceLevel', 'asa', 'pAbandon', 'pWait', 'occupancy', 'valueWeightedWait']) {
      expect(typeof fifo.overall[k]).toBe('number');
      expect(typeof fifo.queues.main[k]).toBe('number');
      expect(typeof fifo.overall.ci95[k]).toBe('number');
    }
    expect(out.closedForm.model).toBe('erlang-a');
    expect(Math.abs(fifo.overall.pAbandon - out.closedForm.pAbandon)).toBeLessThan(0.02);
    expect(Math.abs(fifo.overall.serviceLevel - out.closedForm.serviceLevel)).toBeLessThan(0.05);
  });

  it('runs a scenario file for every policy', () => {
    const r = run(['--scenario', 'scenarios/value-tiered.json', '--hours', '2', '--reps', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out.policies)).toEqual(['fifo', 'priority-age', 'deadline', 'service-objective']);
    expect(Object.keys(out.policies.deadline.queues)).toEqual(['care', 'retention']);
  });

  it('--offer-fanout overrides every queue of the scenario; ring columns for a scenario with answer times', () => {
    const json = (fanout: string) => {
      const r = run(['--scenario', 'scenarios/ring-all.json', '--hours', '2', '--reps', '2', '--policy', 'fifo', '--offer-fanout', fanout, '--json']);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout).policies.fifo;
    };
    const one = json('1');
    const three = json('3');
    expect(one.overall.offersRescinded).toBe(0);
    expect(three.queues.sales.offersRescinded).toBeGreaterThan(0);
    expect(three.queues.sales.rescindedPerAnswered).toBeGreaterThan(1);
    expect(three.overall.ringOccupancy).toBeGreaterThan(three.overall.rescindedOccupancy);
    const text = run(['--scenario', 'scenarios/ring-all.json', '--hours', '2', '--reps', '1', '--policy', 'fifo']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('rescinded per answered');
    expect(run(['--scenario', 'scenarios/ring-all.json', '--offer-fanout', '51']).status).toBe(2);
  });

  it("--reserved-idle sets one queue's reservedIdle, so one scenario file is swept", () => {
    const json = (...flags: string[]) => {
      const r = run(['--scenario', 'scenarios/value-tiered-reserved.json', '--hours', '3', '--reps', '1', '--policy', 'service-objective', ...flags, '--json']);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout).policies['service-objective'].queues;
    };
    const file = json();
    const none = json('--reserved-idle', 'retention=0');
    const three = json('--reserved-idle=retention=3');
    expect(three).toEqual(file); // the file holds 3
    expect(three.retention.serviceLevel).toBeGreaterThan(none.retention.serviceLevel);
    const fails = (value: string, message: string) => {
      const r = run(['--scenario', 'scenarios/value-tiered-reserved.json', '--reserved-idle', value]);
      expect(r.status, value).toBe(2);
      expect(r.stderr, value).toContain(message);
    };
    fails('retention', 'QUEUE=N');
    fails('retention=-1', 'QUEUE=N');
    fails('retention=10001', 'at most 10000');
    fails('sales=1', "the scenario has no queue 'sales'");
    // In value-tiered.json no group lists retention: a reserve there would hold nobody.
    const unlisted = run(['--scenario', 'scenarios/value-tiered.json', '--reserved-idle', 'retention=2']);
    expect(unlisted.status).toBe(2);
    expect(unlisted.stderr).toContain('no agent group lists it');
  });

  it('exception rules: their figures and columns for a scenario with rules, and --no-exceptions runs it without them', () => {
    const json = (...flags: string[]) => fifoJson('scenarios/overflow-on-length.json', 2, ...flags);
    const on = json();
    const off = json('--no-exceptions');
    expect(on.queues.sales.overflowedByRule).toBeGreaterThan(0);
    expect(on.queues.sales.pOverflowedByRule).toBeGreaterThan(0);
    expect(off.queues.sales.overflowedByRule).toBe(0);
    expect(off.queues.sales.pLost).toBe(off.queues.sales.pAbandon);
    for (const k of ['refused', 'cancelledByRule', 'pRefused', 'pCancelledByRule', 'pLost']) expect(typeof on.overall[k], k).toBe('number');
    const text = (...flags: string[]) => fifoText('scenarios/overflow-on-length.json', ...flags);
    const withRules = text();
    expect(withRules).toContain('overflowed %');
    expect(withRules).not.toContain('refused %'); // the file's rules refuse nothing
    expect(text('--no-exceptions')).toContain('(exception rules off)');
    // A scenario without rules: no rule figures in the JSON, no rule columns.
    const plain = run(['--scenario', 'scenarios/ring-all.json', '--hours', '2', '--reps', '1', '--policy', 'fifo', '--json']);
    expect(JSON.parse(plain.stdout).policies.fifo.overall).not.toHaveProperty('refused');
    expect(run(['--scenario', 'scenarios/ring-all.json', '--hours', '2', '--reps', '1', '--policy', 'fifo']).stdout).not.toContain('lost %');
  });

  it('overload: its figures and columns for a scenario with overload rules, and --no-overload runs it without them', () => {
    const json = (...flags: string[]) => fifoJson('scenarios/blended.json', 2, ...flags);
    const on = json();
    const off = json('--no-overload');
    expect(on.queues.voice.overloadShare).toBeGreaterThan(0);
    expect(on.queues.voice.overloadEpisodes).toBeGreaterThan(0);
    expect(on.queues.email.deferredShare).toBeGreaterThan(0);
    expect(typeof on.queues.email.p90Wait).toBe('number');
    expect(typeof on.queues.email.ci95.p90Wait).toBe('number');
    expect(off.queues.voice.overloadShare).toBe(0);
    expect(off.queues.voice.overloadEpisodes).toBe(0);
    expect(off.queues.email.deferredShare).toBe(0);
    const text = fifoText;
    const blended = text('scenarios/blended.json');
    for (const column of ['p90 wait s', 'in overload %', 'overload episodes', 'deferred %']) expect(blended).toContain(column);
    expect(blended).not.toContain('answered by reserve %'); // nobody is a reserve there
    expect(text('scenarios/blended.json', '--no-overload')).toContain('(overload rules off)');
    expect(text('scenarios/value-tiered-reserve-agents.json')).toContain('answered by reserve %');
    // A scenario without overload rules: no overload figures in the JSON, no columns, and the switch changes nothing.
    const plain = run(['--scenario', 'scenarios/value-tiered.json', '--hours', '2', '--reps', '1', '--policy', 'fifo', '--json']);
    expect(JSON.parse(plain.stdout).policies.fifo.overall).not.toHaveProperty('overloadShare');
    expect(text('scenarios/value-tiered.json', '--no-overload')).not.toContain('overload');
  });

  it('hours: their figures and columns for a scenario with hours, and --no-hours runs it always open', () => {
    // Friday 00:00 to 12:00 in Berlin: support and email open at 08:00, sales at 09:00.
    const args = ['--scenario', 'scenarios/hours.json', '--hours', '12', '--reps', '2', '--policy', 'fifo'];
    const json = (...flags: string[]) => {
      const r = run([...args, ...flags, '--json']);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout).policies.fifo;
    };
    const on = json();
    const off = json('--no-hours');
    expect(on.queues.support.overflowedClosed).toBeGreaterThan(0);
    expect(on.queues.sales.refusedClosed).toBeGreaterThan(0);
    expect(on.queues.email.heldUntilOpen).toBeGreaterThan(0);
    expect(on.queues.support.openShare).toBeCloseTo(4 / 11.5, 12);
    expect(on.queues.sales.pRefusedClosed).toBeGreaterThan(0);
    expect(typeof on.queues.sales.ci95.refusedClosed).toBe('number');
    for (const k of ['pHeldUntilOpen', 'pOverflowedClosed', 'pLost']) expect(typeof on.overall[k], k).toBe('number');
    expect(off.queues.sales).toMatchObject({ refusedClosed: 0, openShare: 1 });
    expect(off.queues.support.overflowedClosed).toBe(0);
    const text = run(args).stdout;
    for (const column of ['open %', 'refused closed', 'held until open', 'overflowed closed']) expect(text).toContain(column);
    expect(run([...args, '--no-hours']).stdout).toContain('(hours off)');
    // A scenario without hours: no hours figures in the JSON, no columns, and the switch changes nothing.
    const plain = run(['--scenario', 'scenarios/value-tiered.json', '--hours', '2', '--reps', '1', '--policy', 'fifo', '--json']);
    expect(JSON.parse(plain.stdout).policies.fifo.overall).not.toHaveProperty('openShare');
    expect(fifoText('scenarios/value-tiered.json', '--no-hours')).not.toMatch(/open %|closed|hours off/);
  });

  it('rejects bad flags and bad scenarios with a readable message and exit code 2', () => {
    const bad = run(['--policy', 'random']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('policy');
    const missing = run(['--scenario', 'scenarios/nope.json']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read scenario');
  });
});
