/**
 * The uWebSockets.js server: two WebSocket endpoints (`/v1/platform` for platforms,
 * `/v1/agent` for agents and supervisors) admitted at upgrade (admission.ts), the per-connection
 * limits (rate, violations, token expiry), the HTTP API (api-routes.ts: the same requests over
 * HTTP, through the same outbox and shell), the other HTTP routes (http-routes.ts), and the lifecycle:
 * listen, then stop with 1001 for everyone. Output queued by the shell during a turn is sent,
 * corked, once the turn is released (outbox.ts).
 */
import type uWS from 'uWebSockets.js';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { decodeFrame, DEFAULT_FRAME_LIMITS } from '../protocol/codec.ts';
import { CloseCode, ProtocolCode } from '../protocol/codes.ts';
import { parseRequest, requestIdOf } from '../protocol/schemas.ts';
import { MAX_TIMER_MS, type Principal, type ShellPort } from '../shell/ports.ts';
import { admit, type ServeGate } from './admission.ts';
import { apiRoutes } from './api-routes.ts';
import type { TokenVerifier } from './auth.ts';
import { BucketTable } from './bucket-table.ts';
import { httpRoutes, metricsApp } from './http-routes.ts';
import { Outbox } from './outbox.ts';
import { takeToken } from './rate-limit.ts';
import { type Conn, SessionImpl } from './session.ts';
import { loadUws, type Uws } from './uws.ts';

/** A port could not be listened on (taken, or not permitted). */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/**
 * Listens without port reuse. uWebSockets.js listens with SO_REUSEPORT by default, so a second
 * server on a taken port would start and the kernel would split new connections between the
 * two; with LIBUS_LISTEN_EXCLUSIVE_PORT the second one fails instead. (The typings lack the
 * host + options overload the native listen has.)
 */
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1; // ListenOptions in the typings, which the module does not export at run time

function listenExclusive(app: uWS.TemplatedApp, host: string, port: number, cb: (socket: uWS.us_listen_socket | false) => void): void {
  const listen = app.listen as unknown as (host: string, port: number, options: number, cb: (socket: uWS.us_listen_socket | false) => void) => void;
  listen.call(app, host, port, LIBUS_LISTEN_EXCLUSIVE_PORT, cb);
}

/**
 * The largest message uWebSockets.js buffers: above `maxPayloadBytes`, so that a message over our
 * limit reaches the handler and is closed with 1009 (what the library does past its own limit is
 * drop the connection without a close frame); bounded, so nobody makes us hold much more.
 */
function uwsPayloadLimit(maxPayloadBytes: number): number {
  return Math.max(2 * maxPayloadBytes, maxPayloadBytes + 256 * 1024);
}

export interface RunningServer {
  readonly port: number;
  /** Port of the separate metrics listener, or null when it is off. */
  readonly metricsPort: number | null;
  /** Stops accepting, closes every socket with 1001 (going away). */
  stop(): void;
}

/**
 * Token expiry is enforced on open sockets too. A timer cannot wait longer than 2^31-1 ms (Node
 * fires such a timer at once), so a token valid for weeks re-arms it on the way.
 */
function armExpiry(ws: uWS.WebSocket<Conn>, c: Conn, s: SessionImpl): void {
  const left = c.principal.expiresAt - Date.now();
  c.expiry = setTimeout(
    () => {
      if (s.closed) return;
      if (c.principal.expiresAt > Date.now()) return armExpiry(ws, c, s);
      c.closeReason = 'token_expired';
      ws.end(CloseCode.TOKEN_EXPIRED, 'token expired');
    },
    Math.min(MAX_TIMER_MS, Math.max(0, left)),
  );
}

export function startServer(
  config: Config,
  shell: ShellPort,
  verifier: TokenVerifier,
  log: Logger,
  metrics?: Metrics,
  gate?: ServeGate,
): Promise<RunningServer> {
  let uws: Uws;
  try {
    const choice = loadUws({ allowJsFallback: config.allowJsFallback });
    log.info({ build: choice.build, native: choice.native, passedOver: choice.passedOver }, 'uWebSockets.js loaded');
    uws = choice.uws;
  } catch (e) {
    return Promise.reject(e);
  }

  const app = uws.App();
  const sockets = new Set<uWS.WebSocket<Conn>>();
  const outbox = new Outbox(shell, config.maxBackpressureBytes, metrics);
  let nextId = 1;
  let stopping = false;
  const isStopping = () => stopping;
  const limits = { ...DEFAULT_FRAME_LIMITS, maxFrameBytes: config.maxPayloadBytes };

  /**
   * Answers a refused message, up to maxViolations of them; the next one closes the connection
   * with 1008 once the answers already queued have left (also when they came in one burst).
   */
  const violation = (c: Conn, s: SessionImpl, re: string | number | null, code: string, msg: string) => {
    metrics?.messageRejected(c.principal.role, code);
    if (++c.violations <= config.maxViolations) return s.send({ re, ok: false, code, message: msg });
    log.warn({ conn: s.id, tenant: c.principal.tenant, code }, 'closing after repeated violations');
    c.closeReason = 'policy';
    s.endAfterTurn(CloseCode.POLICY_VIOLATION, 'too many refused messages');
  };

  const endpoint = (path: string, roles: readonly Principal['role'][]) =>
    app.ws<Conn>(path, {
      // uWebSockets.js drops a connection whose message passes its limit without a close frame;
      // with room above ours, a message over maxPayloadBytes is refused here with 1009.
      maxPayloadLength: uwsPayloadLimit(config.maxPayloadBytes),
      idleTimeout: config.idleTimeoutSeconds,
      sendPingsAutomatically: true,
      maxBackpressure: config.maxBackpressureBytes,
      closeOnBackpressureLimit: true,
      compression: uws.DISABLED,
      upgrade: admit({
        path,
        roles,
        maxConnectionsPerTenant: config.maxConnectionsPerTenant,
        messageBurst: config.messageBurst,
        shell,
        verifier,
        log,
        metrics,
        gate,
        stopping: isStopping,
      }),
      open: (ws) => {
        const c = ws.getUserData();
        const s = new SessionImpl(nextId++, c.principal, ws, outbox.markDirty);
        c.session = s;
        sockets.add(ws);
        armExpiry(ws, c, s);
        metrics?.connectionOpened(c.principal.tenant, c.principal.role);
        log.info({ conn: s.id, tenant: c.principal.tenant, role: c.principal.role, agentId: c.principal.agentId, encoding: c.encoding }, 'connected');
        shell.open(s);
      },
      message: (ws, message, isBinary) => {
        const c = ws.getUserData();
        const s = c.session!;
        if (s.closing) return; // being closed: nothing more is read
        metrics?.messageReceived(c.principal.role);
        if (message.byteLength > config.maxPayloadBytes) {
          log.info({ conn: s.id, tenant: c.principal.tenant, bytes: message.byteLength }, 'message too big');
          c.closeReason = 'too_big';
          return s.endAfterTurn(CloseCode.MESSAGE_TOO_BIG, `message over ${config.maxPayloadBytes} bytes`);
        }
        if (!takeToken(c, config, Date.now())) {
          log.warn({ conn: s.id, tenant: c.principal.tenant }, 'rate limit hit');
          // The refusal names the request when its id can be read, so a client can retry that
          // one. Decoding (bounded like every frame, never validated) is affordable here: each
          // refusal counts as a violation, and a connection is closed after maxViolations of them.
          const d = c.encoding === 'msgpack' && !isBinary ? null : decodeFrame(new Uint8Array(message), c.encoding, limits);
          return violation(c, s, d?.ok ? requestIdOf(d.value) : null, ProtocolCode.RATE_LIMITED, `more than ${config.messagesPerSecond} messages per second`);
        }
        if (c.encoding === 'msgpack' && !isBinary) return violation(c, s, null, ProtocolCode.BAD_FRAME, 'text frame on a msgpack connection');
        const bytes = new Uint8Array(message);
        const decoded = decodeFrame(bytes, c.encoding, limits);
        if (!decoded.ok) {
          log.info({ conn: s.id, tenant: c.principal.tenant, reason: decoded.reason }, 'bad frame');
          return violation(c, s, null, ProtocolCode.BAD_FRAME, decoded.reason);
        }
        const parsed = parseRequest(decoded.value, c.principal.role);
        if (!parsed.ok) {
          log.info({ conn: s.id, tenant: c.principal.tenant, code: parsed.code }, 'validation failed');
          return violation(c, s, parsed.re, parsed.code, parsed.message);
        }
        try {
          shell.handle(s, parsed.request);
        } catch (e) {
          log.error({ conn: s.id, tenant: c.principal.tenant, err: e }, 'request failed');
          s.send({ re: parsed.request.id, ok: false, code: ProtocolCode.INTERNAL, message: 'internal error' });
        }
      },
      close: (ws, code) => {
        const c = ws.getUserData();
        sockets.delete(ws);
        if (c.expiry) clearTimeout(c.expiry);
        const s = c.session;
        if (s) {
          s.closed = true;
          shell.close(s);
          metrics?.connectionClosed(
            c.principal.tenant,
            c.principal.role,
            c.closeReason ?? (code === 1000 || code === 1005 ? 'normal' : code === 1001 ? 'going_away' : 'other'),
          );
          log.info({ conn: s.id, tenant: c.principal.tenant, code }, 'closed');
        }
      },
    });

  endpoint('/v1/platform', ['platform']);
  endpoint('/v1/agent', ['agent', 'supervisor']);
  apiRoutes(app, {
    shell,
    verifier,
    log,
    gate,
    limits,
    buckets: new BucketTable(config),
    messagesPerSecond: config.messagesPerSecond,
    store: config.store,
    markDirty: outbox.markDirty,
    nextId: () => nextId++,
    stopping: isStopping,
  });
  httpRoutes(app, { metrics, metricsToken: config.metricsToken, gate, log, stopping: isStopping });

  const listen = (a: uWS.TemplatedApp, host: string, port: number, what: string) =>
    new Promise<uWS.us_listen_socket>((resolve, reject) =>
      listenExclusive(a, host, port, (socket) =>
        socket
          ? resolve(socket)
          : reject(new ListenError(`cannot listen on ${host}:${port} (${what}): the port is taken by another process, or not ours to use`)),
      ),
    );

  return (async (): Promise<RunningServer> => {
    let metricsSocket: uWS.us_listen_socket | null = null;
    if (metrics && config.metricsPort >= 0) {
      metricsSocket = await listen(metricsApp(uws, metrics, log), config.metricsHost, config.metricsPort, 'metrics');
      log.info({ host: config.metricsHost, port: uws.us_socket_local_port(metricsSocket) }, 'metrics listening');
    }
    const listenSocket = await listen(app, config.host, config.port, 'WebSocket and HTTP').catch((e: Error) => {
      if (metricsSocket) uws.us_listen_socket_close(metricsSocket);
      throw e;
    });
    const port = uws.us_socket_local_port(listenSocket);
    log.info({ host: config.host, port }, 'listening');
    return {
      port,
      metricsPort: metricsSocket ? uws.us_socket_local_port(metricsSocket) : null,
      stop: () => {
        if (stopping) return;
        stopping = true;
        uws.us_listen_socket_close(listenSocket);
        if (metricsSocket) uws.us_listen_socket_close(metricsSocket);
        outbox.flush();
        for (const ws of [...sockets]) {
          ws.getUserData().closeReason = 'shutdown';
          ws.end(CloseCode.GOING_AWAY, 'server shutting down');
        }
        shell.stop();
        log.info('stopped');
      },
    };
  })();
}
