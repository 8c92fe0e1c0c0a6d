/**
 * Admission at the WebSocket upgrade: the server is serving (not stopping, not a standby), the
 * token verifies, its role may use the endpoint, the subprotocol is one we speak (JSON text or
 * MessagePack binary), and the tenant has room for another connection. Anything else is refused
 * with an HTTP status before a socket exists, and that connection is closed.
 *
 * Every check and the upgrade itself happen synchronously, inside the upgrade handler, so:
 *
 * - The upgrade is finished by uWebSockets.js's HTTP parser, the path it gets right. An upgrade
 *   completed later (after an `await`, in `res.cork(() => res.upgrade(…))`) meets a defect of
 *   the uWebSockets inside uWebSockets.js 20.30, fixed upstream since (uWebSockets #1929):
 *   `HttpResponse::cork` tells an upgrade by the socket's address changing, but the
 *   WebSocket's block (200 bytes) is reallocated in place of the HTTP socket's (288), so cork
 *   goes on to read the HTTP response's state from beyond the end of the new block, memory
 *   the allocator has taken back. Whenever those bytes read "close the connection, response
 *   done" it shuts the fresh WebSocket down right after `open`: 1006 at both ends, before any
 *   message. That was rare (it took another allocation landing there during `open`), and
 *   certain when the handshake said `Connection: close`.
 * - The connection count and the `open` that adds to it cannot be separated by another
 *   upgrade: no upgrade is ever pending, so the tenant's limit holds exactly.
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
  /** What this process is (`GET /v1/status`): it leads (ready or not: a lease being confirmed), or stands by. Absent: a leader. */
  role?(): 'leader' | 'standby';
  /** A standby: when it last caught up with the journal (epoch ms), null before it did. */
  caughtUpAt?(): number | null;
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
  /**
   * Answers with `status` (and `Connection: close`) and closes the connection once the answer is
   * out. A refused client has no use for it, and one that leaves it open (as `ws` does when it
   * reports the response to a listener) would hold the socket until uWebSockets' 10-second HTTP
   * timeout: thousands of refusals in a few seconds ran the process out of file descriptors.
   */
  const refuse = (res: uWS.HttpResponse, status: string, reason: string, fields: Record<string, unknown> = {}) => {
    log.warn({ path, status, reason, ...fields }, 'upgrade refused');
    metrics?.upgradeRefused(Number.parseInt(status, 10));
    res.writeStatus(status).end(reason, true);
  };
  const check = (res: uWS.HttpResponse, req: uWS.HttpRequest, context: uWS.us_socket_context_t) => {
    if (a.stopping()) return refuse(res, '503 Service Unavailable', 'shutting down');
    if (gate && !gate.ready()) return refuse(res, '503 Service Unavailable', 'standby: connect to the leader');
    const header = req.getHeader('authorization');
    const p = a.verifier.verify(header.startsWith('Bearer ') ? header.slice(7) : (req.getQuery('access_token') ?? ''));
    if ('error' in p) return refuse(res, '401 Unauthorized', p.error);
    if (!roles.includes(p.role)) return refuse(res, '403 Forbidden', `a ${p.role} token cannot use ${path}`, { tenant: p.tenant });
    const wanted = req
      .getHeader('sec-websocket-protocol')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    let encoding: Encoding = 'json';
    let chosen = '';
    if (wanted.length > 0) {
      const hit = wanted.find((w) => w === SUBPROTOCOLS.json || w === SUBPROTOCOLS.msgpack);
      if (!hit) return refuse(res, '400 Bad Request', `subprotocol must be ${SUBPROTOCOLS.json} or ${SUBPROTOCOLS.msgpack}`);
      encoding = hit === SUBPROTOCOLS.msgpack ? 'msgpack' : 'json';
      chosen = hit;
    }
    if (a.shell.connections(p.tenant) >= a.maxConnectionsPerTenant)
      return refuse(res, '503 Service Unavailable', 'too many connections for this tenant', { tenant: p.tenant });
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
    // Calls `open` before it returns; uWebSockets.js has the socket corked while it parses.
    res.upgrade(conn, req.getHeader('sec-websocket-key'), chosen, req.getHeader('sec-websocket-extensions'), context);
  };
  return (res, req, context) => {
    try {
      check(res, req, context);
    } catch (err) {
      // Returning without an answer would abort the process (uWebSockets.js requires one).
      log.error({ path, err }, 'upgrade failed');
      try {
        refuse(res, '500 Internal Server Error', 'internal error');
      } catch {
        // Already answered or upgraded: nothing more to say.
      }
    }
  };
}
