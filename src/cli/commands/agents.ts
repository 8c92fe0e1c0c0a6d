/**
 * `switchboard agents [agentId]`: the tenant's agents by state (`GetAgentSummary`), then one row
 * per agent: ids from `GetConfiguration` (paged), each agent's state and load from `GetAgent`, at
 * most `--limit` agents (default 100; a few requests at a time, within the API's rate limit).
 * With an agent id: that agent alone, in detail.
 */
import type { z } from 'zod';
import type { AgentLoad, AgentSummary } from '../../protocol/responses.ts';
import type { ApiClient } from '../api-client.ts';
import type { Command, Output } from '../command.ts';
import { printJson } from '../command.ts';
import { keyValues, table } from '../table.ts';
import { clock } from '../units.ts';

type Load = z.infer<typeof AgentLoad>;
type Summary = z.infer<typeof AgentSummary>;

const DEFAULT_LIMIT = 100;
/** `GetAgent` requests in flight at once. */
const PARALLEL = 4;

/** The first `limit` agent ids in the order the agents were defined, and whether there are more. */
async function agentIds(api: ApiClient, limit: number): Promise<{ ids: string[]; more: boolean }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = (await api.request('GetConfiguration', { limit: Math.min(1000, limit - ids.length + 1), ...(cursor ? { cursor } : {}) })).configuration as {
      agents: { id: string }[];
      nextCursor: string | null;
    };
    ids.push(...page.agents.map((a) => a.id));
    cursor = page.nextCursor;
  } while (cursor !== null && ids.length <= limit);
  return { ids: ids.slice(0, limit), more: ids.length > limit || cursor !== null };
}

async function loads(api: ApiClient, ids: readonly string[]): Promise<Load[]> {
  const out: Load[] = new Array(ids.length);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      out[i] = (await api.request('GetAgent', { agentId: ids[i] })).agent as Load;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, ids.length) }, worker));
  return out;
}

const channels = (a: Load) =>
  Object.entries(a.channels)
    .map(([c, n]) => `${c}:${n}`)
    .join(',');

function detail(io: Output, a: Load): void {
  io.out(
    keyValues([
      ['agent', a.agentId],
      ['state', a.state + (a.reason ? ` (${a.reason})` : '')],
      ['capacity', `${a.units} of ${a.total} units`],
      ['channels', channels(a) || '-'],
      ['offers', a.offers.map((o) => `${o.interactionId} (offer ${o.offerId}, expires ${clock(o.expiresAt)})`).join(', ') || '-'],
      ['assigned', a.assignments.join(', ') || '-'],
      ['wrapping', a.wrapping.length === 0 ? '-' : `${a.wrapping.join(', ')} until ${a.wrapUntil === null ? 'EndWrapUp' : clock(a.wrapUntil)}`],
      ['inactive', a.inactive.join(', ') || '-'],
      ['waiting for room', a.waitingForRoom.join(', ') || '-'],
    ]),
  );
}

export const agents: Command = {
  name: 'agents',
  synopsis: 'agents [agentId] [--limit N]',
  summary: 'agents by state, then each agent: state, load, offers, assignments',
  async run({ args, api, io }) {
    const [agentId] = args.positionals;
    if (agentId !== undefined) {
      const a = (await api.request('GetAgent', { agentId })).agent as Load;
      if (args.json) printJson(io, a);
      else detail(io, a);
      return 0;
    }
    const summary = (await api.request('GetAgentSummary')).summary as Summary;
    const { ids, more } = await agentIds(api, args.limit ?? DEFAULT_LIMIT);
    const list = await loads(api, ids);
    if (args.json) {
      printJson(io, { summary, agents: list, truncated: more });
      return 0;
    }
    const b = summary.byState;
    io.out(
      `${summary.agents} agents: ${b.available} available (${summary.idle} idle), ${b.away} away, ${b.wrap_up} in wrap-up, ${b.offline} offline; ${summary.occupied} occupied`,
    );
    if (list.length === 0) return 0;
    io.out('');
    io.out(
      table(
        ['AGENT', 'STATE', 'UNITS', 'OFFERS', 'ASSIGNED', 'WRAPPING', 'CHANNELS'],
        list.map((a) => [
          a.agentId,
          a.state + (a.reason ? `(${a.reason})` : ''),
          `${a.units}/${a.total}`,
          a.offers.length,
          a.assignments.length,
          a.wrapping.length,
          channels(a),
        ]),
      ),
    );
    if (more) io.out(`(the first ${list.length} agents; --limit N for more)`);
    return 0;
  },
};
