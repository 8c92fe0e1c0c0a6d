/**
 * The snapshot replica's worker thread, seen from the server: starts it (snapshot-worker.ts),
 * answers its questions (under which fencing epoch this server holds a tenant), passes its
 * snapshot steps to the server's metrics and its lines to the server's log, and starts it again
 * if it dies. The replica has its own Redis connections and its own engines; nothing of it runs
 * on the server's event loop but these messages.
 */
import { Worker } from 'node:worker_threads';
import type { AgentSelectionPolicy, OrderingPolicy } from '../engine/options.ts';
import type { SnapshotObserver } from './snapshotter.ts';

/** What the worker is started with. */
export interface SnapshotWorkerData {
  readonly redisUrl: string;
  readonly cluster: boolean;
  readonly ordering: OrderingPolicy;
  readonly agentSelection: AgentSelectionPolicy;
  readonly every: number;
  readonly intervalMs: number;
}

export type FromWorker =
  | { readonly type: 'observe'; readonly step: 'copy' | 'encode' | 'published' | 'failed'; readonly seconds: number; readonly bytes?: number }
  | { readonly type: 'log'; readonly level: 'info' | 'warn'; readonly fields: object; readonly msg: string }
  | { readonly type: 'epoch'; readonly id: number; readonly tenant: string };

export type ToWorker = { readonly type: 'epoch'; readonly id: number; readonly epoch: string | null } | { readonly type: 'stop' };

export interface SnapshotThreadOptions extends SnapshotWorkerData {
  /** The epoch this server holds the tenant under (the leader's journal handle), or null. */
  readonly epochOf: (tenant: string) => string | null;
  readonly metrics?: SnapshotObserver;
  readonly log?: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
}

/** A replica that died is started again after this long (it rebuilds from snapshot and journal). */
const RESTART_MS = 5_000;
const ts = import.meta.url.endsWith('.ts');

export class SnapshotThread {
  private worker: Worker | null = null;
  private stopped = false;
  private restart: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: SnapshotThreadOptions) {}

  start(): void {
    if (this.worker || this.stopped) return;
    const { epochOf, metrics, log, ...data } = this.options;
    const file = new URL(ts ? './snapshot-worker.ts' : './snapshot-worker.js', import.meta.url);
    // Run from source (development, tests), the worker registers the TypeScript loader first:
    // loader hooks of the main thread do not reach worker threads.
    const worker = ts
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => { api.register(); return import(${JSON.stringify(file.href)}); })`,
          {
            eval: true,
            workerData: data satisfies SnapshotWorkerData,
          },
        )
      : new Worker(file, { workerData: data satisfies SnapshotWorkerData });
    this.worker = worker;
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'observe') metrics?.observeSnapshot(m.step, m.seconds, m.bytes);
      else if (m.type === 'log') log?.[m.level]({ ...m.fields, thread: 'snapshot replica' }, m.msg);
      else if (m.type === 'epoch') worker.postMessage({ type: 'epoch', id: m.id, epoch: epochOf(m.tenant) } satisfies ToWorker);
    });
    worker.on('error', (err) => log?.error({ err: err.message }, 'snapshot replica failed'));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      if (this.stopped) return;
      log?.error({ code }, `snapshot replica exited; starting it again in ${RESTART_MS} ms`);
      this.restart = setTimeout(() => {
        this.restart = null;
        this.start();
      }, RESTART_MS);
      this.restart.unref();
    });
  }

  /** Ends the replica: it finishes the round under way (a snapshot being published) first. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restart) clearTimeout(this.restart);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => void worker.terminate(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
