/**
 * The snapshot replica's thread (started by snapshot-thread.ts): a Redis journal connection of
 * its own and a `Snapshotter` following it, publishing under the epoch the server holds each
 * tenant by. Reports each snapshot step and its log lines to the server by message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RedisJournal } from '../store/redis-journal.ts';
import type { FromWorker, SnapshotWorkerData, ToWorker } from './snapshot-thread.ts';
import { Snapshotter } from './snapshotter.ts';

const port = parentPort;
if (!port) throw new Error('snapshot-worker.ts runs as a worker thread (snapshot-thread.ts starts it)');
const data = workerData as SnapshotWorkerData;
const tell = (m: FromWorker) => port.postMessage(m);

let nextId = 1;
const asked = new Map<number, (epoch: string | null) => void>();
const journal = new RedisJournal(data.redisUrl, { cluster: data.cluster });
const snapshotter = new Snapshotter(journal, {
  ordering: data.ordering,
  agentSelection: data.agentSelection,
  every: data.every,
  metrics: { observeSnapshot: (step, seconds, bytes) => tell({ type: 'observe', step, seconds, ...(bytes === undefined ? {} : { bytes }) }) },
  log: {
    info: (fields, msg) => tell({ type: 'log', level: 'info', fields, msg }),
    warn: (fields, msg) => tell({ type: 'log', level: 'warn', fields, msg }),
  },
  epochOf: (tenant) =>
    new Promise((resolve) => {
      const id = nextId++;
      asked.set(id, resolve);
      tell({ type: 'epoch', id, tenant });
    }),
});

port.on('message', (m: ToWorker) => {
  if (m.type === 'epoch') {
    asked.get(m.id)?.(m.epoch);
    asked.delete(m.id);
  } else if (m.type === 'stop') {
    void snapshotter
      .stop()
      .then(() => journal.close())
      .finally(() => port.close());
  }
});

await journal.ready().catch(() => undefined); // not up yet: the rounds retry
snapshotter.start(data.intervalMs);
