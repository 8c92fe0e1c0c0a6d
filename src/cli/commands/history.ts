/** `switchboard history <interactionId>`: `GetInteractionHistory`: every event about it, live or ended. */
import type { Command } from '../command.ts';
import { printJson } from '../command.ts';
import { eventLine } from '../event-line.ts';
import { CliFailure, Exit } from '../failure.ts';
import { keyValues } from '../table.ts';
import { clock, duration } from '../units.ts';

interface History {
  interactionId: string;
  customerId?: string;
  channel: string;
  queueId: string;
  status: string;
  arrival: number;
  endedAt: number | null;
  waitMs: number | null;
  handleMs: number | null;
  agentId: string | null;
  disposition?: string;
  note?: string;
  events: Record<string, unknown>[];
  dropped: number;
}

export const history: Command = {
  name: 'history',
  synopsis: 'history <interactionId>',
  summary: 'every event about an interaction, live or ended, with its waits and agent',
  async run({ args, api, io }) {
    const [interactionId] = args.positionals;
    if (!interactionId) throw new CliFailure('history needs an interaction id (switchboard help)', Exit.USAGE);
    const h = (await api.request('GetInteractionHistory', { interactionId })).history as History;
    if (args.json) {
      printJson(io, h);
      return 0;
    }
    io.out(
      keyValues([
        ['interaction', `${h.interactionId}: ${h.status}, ${h.channel} in ${h.queueId}`],
        ['customer', h.customerId ?? null],
        ['arrived', clock(h.arrival)],
        ['ended', h.endedAt === null ? null : `${clock(h.endedAt)} (after ${duration(h.endedAt - h.arrival)})`],
        ['waited', h.waitMs === null ? null : duration(h.waitMs)],
        ['handled', h.handleMs === null ? null : duration(h.handleMs)],
        ['agent', h.agentId],
        ['disposition', h.disposition ?? null],
        ['note', h.note ?? null],
      ]),
    );
    io.out('');
    for (const e of h.events) io.out(eventLine(e));
    if (h.dropped > 0) io.out(`(${h.dropped} events left out in the middle)`);
    return 0;
  },
};
