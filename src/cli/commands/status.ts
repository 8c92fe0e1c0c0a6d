/**
 * `switchboard status`: `GET /v1/status`: ready or not, leader or standby, the store, tenants on
 * this server, a standby's lag, and the token's tenant (its durability state, journal entry,
 * event feed). It answers on a standby too: exit code 0 whenever the server answered. Without a
 * token, what `/healthz` and `/readyz` say.
 */
import { ApiClient } from '../api-client.ts';
import type { Command, Output } from '../command.ts';
import { printJson } from '../command.ts';
import { CliFailure } from '../failure.ts';
import { keyValues } from '../table.ts';
import { duration } from '../units.ts';

interface StatusAnswer {
  ready: boolean;
  role: string;
  store: string;
  uptimeMs: number;
  tenants: number;
  standbyLagMs: number | null;
  tenant: {
    id: string;
    state: string;
    journaled: number;
    snapshotAt: number;
    connections: number;
    events: { last: number; oldest: number; live: number; catchingUp: number; polling: number; lag: number };
  };
}

/** A tenant's durability state (src/shell/durability.ts) in words. */
const STATES: Readonly<Record<string, string>> = {
  fresh: 'serving, nothing journaled yet',
  opening: 'serving, opening its journal',
  serving: 'serving',
  following: "following the leader's journal",
  replaying: 'being rebuilt from the journal: refuses requests',
  rebuilding: 'being rebuilt from the journal: refuses requests',
  unavailable: 'its store is unavailable: refuses requests until rebuilt',
  fenced: 'fenced: another server took it over',
  absent: 'nothing of it on this server',
};

/**
 * Without a token: what `/healthz` and `/readyz` say (no tenant, no lag), so that readiness can
 * be asked of any process without a credential at hand.
 */
async function probes(api: ApiClient, json: boolean, io: Output): Promise<number> {
  const health = await api.probe('/healthz');
  const ready = await api.probe('/readyz');
  const live = health.status === 200;
  const role = ready.status === 200 ? 'leader' : ready.text === 'standby' || ready.text === 'stopping' ? ready.text : 'unknown';
  if (json) printJson(io, { url: api.base, live, ready: ready.status === 200, role });
  else {
    io.out(
      keyValues([
        ['server', api.base],
        ['live', live ? 'yes' : `no (HTTP ${health.status})`],
        ['ready', ready.status === 200 ? 'yes' : `no (${ready.text || `HTTP ${ready.status}`})`],
        ['role', role],
      ]),
    );
    io.err('(no token: /healthz and /readyz only; pass --token or set SWITCHBOARD_TOKEN for the store, tenants, lag and events)');
  }
  return 0;
}

export const status: Command = {
  name: 'status',
  synopsis: 'status',
  summary: "readiness, leader or standby, store, tenants, a standby's lag, the token's tenant (without a token: /healthz and /readyz)",
  async run({ args, api, io }) {
    if (api.bases.length === 1) return one(api, args.token !== null, args.json, io);
    // Several servers (a leader and its standbys): each one's status, in the order given.
    let code = 0;
    const all: unknown[] = [];
    for (const [i, base] of api.bases.entries()) {
      const lines: string[] = [];
      const sink: Output = { out: (t) => (args.json ? all.push(JSON.parse(t)) : lines.push(t)), err: (t) => io.err(t) };
      try {
        await one(new ApiClient([base], args.token, args.timeoutMs), args.token !== null, args.json, sink);
      } catch (e) {
        if (!(e instanceof CliFailure)) throw e;
        code ||= e.exitCode;
        if (args.json) all.push({ url: base, error: e.message, code: e.code });
        else
          lines.push(
            keyValues([
              ['server', base],
              ['error', e.message],
            ]),
          );
      }
      if (!args.json) io.out(`${i > 0 ? '\n' : ''}${lines.join('\n')}`);
    }
    if (args.json) printJson(io, all);
    return code;
  },
};

/** The status of one server: `/v1/status` with a token, else its probes. */
async function one(api: ApiClient, withToken: boolean, json: boolean, io: Output): Promise<number> {
  if (!withToken) return probes(api, json, io);
  const s = (await api.get('/v1/status')) as unknown as StatusAnswer;
  if (json) {
    const { ok: _, ...rest } = s as unknown as Record<string, unknown>;
    printJson(io, { url: api.base, ...rest });
    return 0;
  }
  const t = s.tenant;
  const e = t.events;
  io.out(
    keyValues([
      ['server', api.base],
      [
        'ready',
        s.ready ? 'yes' : `no${s.role === 'standby' ? ' (standby: the leader serves)' : s.role === 'stopping' ? ' (stopping)' : ' (lease not confirmed)'}`,
      ],
      ['role', s.role],
      ['store', s.store],
      ['uptime', duration(s.uptimeMs)],
      ['tenants', `${s.tenants} on this server`],
      [
        'standby lag',
        s.standbyLagMs === null ? (s.role === 'standby' ? 'not caught up yet' : null) : `${duration(s.standbyLagMs)} since it last caught up with the journal`,
      ],
      ['tenant', `${t.id}: ${t.state}${STATES[t.state] ? ` (${STATES[t.state]})` : ''}`],
      ['journal', s.store === 'memory' ? 'none (memory store)' : `entry ${t.journaled}, snapshot at ${t.snapshotAt}`],
      ['events', `last ${e.last}, oldest in memory ${e.oldest}`],
      ['consumers', `${e.live} live, ${e.catchingUp} catching up (furthest ${e.lag} events behind), ${e.polling} polling`],
      ['connections', t.connections],
    ]),
  );
  return 0;
}
