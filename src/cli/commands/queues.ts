/** `switchboard queues [queueId]`: `GetQueueStats`, one row per queue. */
import type { z } from 'zod';
import type { QueueStats } from '../../protocol/responses.ts';
import type { Command } from '../command.ts';
import { printJson } from '../command.ts';
import { table } from '../table.ts';
import { duration, percent } from '../units.ts';

type Stats = z.infer<typeof QueueStats>;

/** What is unusual about a queue now: closed by its hours, in overload, its work held back. */
function flags(q: Stats): string {
  return [q.open === false ? 'closed' : 'open', q.overloaded ? 'overloaded' : '', q.deferred ? 'deferred' : ''].filter(Boolean).join(',');
}

export const queues: Command = {
  name: 'queues',
  synopsis: 'queues [queueId]',
  summary: 'waiting, offered, oldest wait, service level against the objective, per queue',
  async run({ args, api, io }) {
    const [queueId] = args.positionals;
    const answer = await api.request('GetQueueStats', queueId ? { queueId } : {});
    const list = answer.queues as Stats[];
    if (args.json) {
      printJson(io, list);
      return 0;
    }
    if (list.length === 0) {
      io.out('no queues defined');
      return 0;
    }
    io.out(
      table(
        ['QUEUE', 'WAITING', 'OFFERED', 'OLDEST', 'ARRIVED', 'ANSWERED', 'ABANDONED', 'EXPIRED', 'SL', 'OBJECTIVE', 'AHT', 'STATE'],
        list.map((q) => [
          q.queueId,
          q.waiting,
          q.offered,
          duration(q.oldestWaitMs),
          q.arrived,
          q.answered,
          q.abandoned,
          q.expired,
          percent(q.serviceLevel),
          `${q.objective.percent}%/${duration(q.objective.thresholdMs)}`,
          q.averageHandleMs === null ? '-' : duration(q.averageHandleMs),
          flags(q),
        ]),
      ),
    );
    return 0;
  },
};
