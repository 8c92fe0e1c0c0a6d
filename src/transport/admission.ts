/**
 * Admission at the WebSocket upgrade: the server is serving (not stopping, not a standby), the
 * token verifies, its role may use the endpoint, the subprotocol is one we speak (JSON text or
 * MessagePack binary), and the tenant has room for another connection. Anything else is refused
 * with an HTTP status before a socket exists.
 */
import type uWS from 'uWebSockets.js';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.ts';
import { SUBPROTOCOLS, type Encoding } from '../protocol/codec.ts';
import type { Principal, ShellPort } from '../shell/ports.ts';
import type { TokenVerifier } from './auth.ts';
import type { Conn } from './session.ts';

/** Whether this process serves now (a standby does not: it refuses upgrades and is not ready). */
export interface ServeGate {
  ready(): boolean;
}

export interface Admission {
  readonly path: string;
  readonly roles: readonly Principal['role'][];
  readonly maxConnectionsPerTenant: number;
  readonly messageBurst: number;
  readonly shell: ShellPort;
  readonly verifier: TokenVerifier;
  readonly log: Logger;
  readonly metrics: Metrics | undefined;
  readonly gate: ServeGate | undefined;
  /** Whether the server is shutting down. */
  stopping(): boolean;
}

/** The upgrade handler of one endpoint. */
export function admit(a: Admission): (res: uWS.HttpResponse, req: uWS.HttpRequest, context: uWS.us_socket_context_t) => void {
  const { path, roles, log, metrics, gate } = a;
  return (res, req, context) => {
    const key = req.getHeader('sec-websocket-key');
    const offered = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const header = req.getHeader('authorization');
    const token = header.startsWith('Bearer ') ? header.slice(7) : (req.getQuery('access_token') ?? '');
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const refuse = (status: string, reason: string, fields: Record<string, unknown> = {}) => {
      log.warn({ path, status, reason, ...fields }, 'upgrade refused');
      metrics?.upgradeRefused(Number.parseInt(status, 10));
      if (!aborted) res.cork(() => res.writeStatus(status).end(reason));
    };
    if (a.stopping()) return refuse('503 Service Unavailable', 'shutting down');
    if (gate && !gate.ready()) return refuse('503 Service Unavailable', 'standby: connect to the leader');
    void a.verifier.verify(token).then((p) => {
      if (aborted) return;
      if ('error' in p) return refuse('401 Unauthorized', p.error);
      if (!roles.includes(p.role)) return refuse('403 Forbidden', `a ${p.role} token cannot use ${path}`, { tenant: p.tenant });
      const wanted = offered
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      let encoding: Encoding = 'json';
      let chosen = '';
      if (wanted.length > 0) {
        const hit = wanted.find((w) => w === SUBPROTOCOLS.json || w === SUBPROTOCOLS.msgpack);
        if (!hit) return refuse('400 Bad Request', `subprotocol must be ${SUBPROTOCOLS.json} or ${SUBPROTOCOLS.msgpack}`);
        encoding = hit === SUBPROTOCOLS.msgpack ? 'msgpack' : 'json';
        chosen = hit;
      }
      if (a.shell.connections(p.tenant) >= a.maxConnectionsPerTenant)
        return refuse('503 Service Unavailable', 'too many connections for this tenant', { tenant: p.tenant });
      const conn: Conn = {
        principal: p,
        encoding,
        session: null,
        tokens: a.messageBurst,
        refilledAt: Date.now(),
        violations: 0,
        expiry: null,
        closeReason: null,
      };
      res.cork(() => res.upgrade(conn, key, chosen, extensions, context));
    });
  };
}
