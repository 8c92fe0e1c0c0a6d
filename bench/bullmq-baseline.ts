/**
 * BullMQ as the baseline of `npm run bench:e2e -- --store redis`: what a user would build on
 * instead of Switchboard, with no routing at all. A producer process adds jobs (a payload the
 * size of a submit frame) and keeps a backlog; a worker process takes and completes them, on a
 * redis-server with the same settings as the one Switchboard journals to. Reported: jobs
 * completed per second once warm (`baselineBullmqJobsPerSec`).
 *
 *   node bullmq-baseline.js --redis URL --seconds N --role run|producer|worker
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { flags } from './common.ts';
import { children } from './processes.ts';

const args = flags(process.argv.slice(2));
const ROLE = args.get('role') ?? 'run';
const here = fileURLToPath(new URL('.', import.meta.url));
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const QUEUE = 'bench';
const BACKLOG = 5_000;
const BATCH = 200;
const WARMUP_MS = 2_000;

const connection = () => {
  const u = new URL(args.get('redis') ?? 'redis://127.0.0.1:6379');
  return { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null };
};

async function producer(): Promise<void> {
  const queue = new Queue(QUEUE, { connection: connection(), defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  const data = { pad: 'x'.repeat(150) };
  let stop = false;
  process.on('message', () => {
    stop = true;
  });
  while (!stop) {
    if ((await queue.getWaitingCount()) > BACKLOG) {
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    await queue.addBulk(Array.from({ length: BATCH }, () => ({ name: 'job', data })));
  }
  await queue.close();
  process.send!({ closed: true });
}

async function worker(): Promise<void> {
  let done = 0;
  const w = new Worker(QUEUE, async () => undefined, { connection: connection(), concurrency: 100 });
  w.on('completed', () => {
    done++;
  });
  process.on('message', (m: { report?: boolean; stop?: boolean }) => {
    if (m.report) process.send!({ done });
    if (m.stop) void w.close().then(() => process.send!({ closed: true }));
  });
}

/** Starts both, measures completions over `seconds` after a warm-up, stops them. */
async function run(): Promise<void> {
  const seconds = Number(args.get('seconds') ?? 10);
  const spawnRole = (role: string) => {
    const c = fork(`${here}bullmq-baseline${ext}`, ['--role', role, '--redis', args.get('redis')!], { execArgv: process.execArgv });
    children.add(c);
    return c;
  };
  const w = spawnRole('worker');
  const p = spawnRole('producer');
  const count = () =>
    new Promise<number>((resolve) => {
      w.once('message', (m: { done: number }) => resolve(m.done));
      w.send({ report: true });
    });
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const before = await count();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = await count();
  const elapsed = (performance.now() - t0) / 1000;
  // Stop producing, then let the worker close its connections; neither is killed mid-command.
  const closed = (c: typeof p) => new Promise((resolve) => c.once('message', resolve));
  p.send({ stop: true });
  await closed(p);
  w.send({ stop: true });
  await closed(w);
  p.kill('SIGTERM');
  w.kill('SIGTERM');
  const result = { baselineBullmqJobsPerSec: (after - before) / elapsed };
  if (process.send) process.send(result);
  else console.log(JSON.stringify(result));
}

if (ROLE === 'producer') await producer();
else if (ROLE === 'worker') await worker();
else await run();
