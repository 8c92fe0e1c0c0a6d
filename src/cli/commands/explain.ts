/**
 * `switchboard explain <interactionId>`: `ExplainInteraction`: why a live interaction waits, or
 * how its agent was chosen: its requirement, the count of agents by reason, the choice, and one
 * row per agent (eligible first, at most `--limit`, default 100).
 */
import type { z } from 'zod';
import type { Explanation } from '../../protocol/responses.ts';
import type { Command } from '../command.ts';
import { printJson } from '../command.ts';
import { CliFailure, Exit } from '../failure.ts';
import { describeReason } from '../reasons.ts';
import { keyValues, table } from '../table.ts';
import { clock, duration } from '../units.ts';

type Explained = z.infer<typeof Explanation>;
type Required = Explained['required'];

function requirement(r: Required): string {
  const parts = [
    ...Object.entries(r.skills).map(([s, n]) => `${s}>=${n}`),
    ...Object.entries(r.labels).map(([k, v]) => `${k}=${v}`),
    ...r.selectors.map((s) => JSON.stringify(s)),
  ];
  return parts.join(', ') || 'none';
}

export const explain: Command = {
  name: 'explain',
  synopsis: 'explain <interactionId> [--limit N]',
  summary: 'why a live interaction waits, or how its agent was chosen',
  async run({ args, api, io }) {
    const [interactionId] = args.positionals;
    if (!interactionId) throw new CliFailure('explain needs an interaction id (switchboard help)', Exit.USAGE);
    const x = (await api.request('ExplainInteraction', { interactionId, ...(args.limit ? { limit: Math.min(1000, args.limit) } : {}) }))
      .explanation as Explained;
    if (args.json) {
      printJson(io, x);
      return 0;
    }
    const now = Date.now();
    const c = x.choice;
    io.out(
      keyValues([
        ['interaction', `${x.interactionId}: ${x.status} in ${x.queueId} (${x.channel})`],
        ['arrived', `${clock(x.arrival)} (${duration(now - x.arrival)} ago)`],
        ['deadline', `${clock(x.deadline)} (${x.deadline >= now ? `in ${duration(x.deadline - now)}` : `${duration(now - x.deadline)} ago`})`],
        ['priority', `${x.priority}, band ${x.band}, ordering ${x.ordering}`],
        ['requires', requirement(x.required)],
        ['alternatives', x.alternatives ? x.alternatives.map(requirement).join(' | ') : null],
        [
          'preferred',
          x.preferredAgents.length === 0
            ? null
            : `${x.requiredAgents ? 'required' : 'preferred'}: ${x.preferredAgents.join(', ')} until ${clock(x.preferredUntil)}`,
        ],
        [
          'agents',
          `${x.counts.agents}, ${x.counts.eligible} eligible; ${
            Object.entries(x.counts.byReason)
              .sort((a, b) => b[1] - a[1])
              .map(([r, n]) => `${r} ${n}`)
              .join(', ') || 'no reasons'
          }`,
        ],
        [
          'chosen',
          c === null
            ? 'nobody yet'
            : `${c.agentId} (offer ${c.offerId} at ${clock(c.offeredAt)}, ${c.preferred ? 'preferred' : `${c.agentSelection}: idle since ${clock(c.idleSince)}, proficiency ${c.proficiency}${c.occupancy === null ? '' : `, occupancy ${c.occupancy}`}`})`,
        ],
        ['also offered', x.otherChoices.length === 0 ? null : x.otherChoices.map((o) => o.agentId).join(', ')],
      ]),
    );
    if (x.agents.length > 0) {
      io.out('');
      io.out(
        table(
          ['AGENT', 'ELIGIBLE', 'WHY NOT NOW'],
          x.agents.map((a) => [a.agentId, a.eligible ? 'yes' : 'no', a.reasons.map(describeReason).join('; ') || (a.eligible ? 'can take it' : '')]),
        ),
      );
    }
    if (x.truncated) io.out(`(${x.agents.length} of ${x.counts.agents} agents; --limit N for more)`);
    return 0;
  },
};
