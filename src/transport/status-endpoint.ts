/**
 * `GET /v1/status`: where this server stands, for an operator (`switchboard status`) or a probe
 * that needs more than `/readyz`: ready or not, leader or standby (or stopping), the store, how
 * many tenants it holds, how far a standby trails the journal, and the caller's tenant (its
 * durability state, journal entry, event feed). Platform and supervisor tokens, rate limited as
 * every route; answered by a standby and while stopping too (the other routes refuse both with
 * 503), since that is what it reports. It reads and changes nothing of any engine.
 */
import type uWS from 'uWebSockets.js';
import { ProtocolCode } from '../protocol/codes.ts';
import { authorize, type HttpApi } from './http-api.ts';
import { refuse, reply } from './http-reply.ts';

export function statusEndpoint(api: HttpApi): (res: uWS.HttpResponse, req: uWS.HttpRequest) => void {
  const started = Date.now();
  return (res, req) => {
    const p = authorize(api, res, req, { evenIfNotServing: true });
    if (!p) return;
    if (p.role === 'agent') return refuse(res, 403, ProtocolCode.FORBIDDEN, 'the status is for platforms and supervisors');
    const now = Date.now();
    const stopping = api.stopping();
    const role = stopping ? 'stopping' : (api.gate?.role?.() ?? 'leader');
    const caughtUpAt = role === 'standby' ? (api.gate?.caughtUpAt?.() ?? null) : null;
    const { tenants, tenant } = api.shell.status(p.tenant);
    reply(res, 200, {
      ok: true,
      ready: !stopping && (api.gate?.ready() ?? true),
      role,
      store: api.store,
      uptimeMs: now - started,
      tenants,
      // A standby: time since it last caught up with the journal (it reads it every 100 ms).
      standbyLagMs: caughtUpAt === null ? null : Math.max(0, now - caughtUpAt),
      tenant: { id: p.tenant, ...tenant },
    });
  };
}
