/**
 * The uWebSockets.js server: two WebSocket endpoints (`/v1/platform` for platforms,
 * `/v1/agent` for agents and supervisors), token checks at upgrade, subprotocol negotiation
 * (JSON text or MessagePack binary), per-connection limits, and the HTTP health endpoints.
 * Output queued by the shell during a turn is sent, corked, once the turn is over.
 */
import uWS from 'uWebSockets.js';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { decodeFrame, encodeFrame, SUBPROTOCOLS, DEFAULT_FRAME_LIMITS, type Encoding } from '../protocol/codec.ts';
import { CloseCode, ProtocolCode } from '../protocol/codes.ts';
import { parseRequest } from '../protocol/schemas.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { MAX_TIMER_MS, type Session, type Shell } from '../server.ts';
import type { Principal, TokenVerifier } from './auth.ts';
import { loadWebFiles, WEB_HEADERS } from './static.ts';

interface Conn {
  principal: Principal;
  encoding: Encoding;
  session: SessionImpl | null;
  tokens: number;
  refilledAt: number;
  violations: number;
  expiry: ReturnType<typeof setTimeout> | null;
  /** Why the server ended this connection, when it did (for the closes metric). */
  closeReason: string | null;
}

class SessionImpl implements Session {
  outbox: Record<string, unknown>[] = [];
  closed = false;
  constructor(
    readonly id: number,
    readonly principal: Principal,
    readonly ws: uWS.WebSocket<Conn>,
    private readonly onDirty: (s: SessionImpl) => void,
  ) {}
  end(code: number, reason: string): void {
    if (!this.closed) this.ws.end(code, reason);
  }
  send(frame: Record<string, unknown>): void {
    if (this.closed) return;
    if (this.outbox.length === 0) this.onDirty(this);
    this.outbox.push(frame);
  }
}

/** Which uWebSockets.js build loaded: native, or its JavaScript fallback. */
export function uwsBuild(): 'native' | 'js-fallback' {
  return String(uWS.App).includes('[native code]') ? 'native' : 'js-fallback';
}

export interface RunningServer {
  readonly port: number;
  /** Port of the separate metrics listener, or null when it is off. */
  readonly metricsPort: number | null;
  /** Stops accepting, closes every socket with 1001 (going away). */
  stop(): void;
}

/** Whether this process serves now (a standby does not: it refuses upgrades and is not ready). */
export interface ServeGate {
  ready(): boolean;
}

export function startServer(config: Config, shell: Shell, verifier: TokenVerifier, log: Logger, metrics?: Metrics, gate?: ServeGate): Promise<RunningServer> {
  const build = uwsBuild();
  log.info({ build }, 'uWebSockets.js loaded');
  if (build !== 'native' && !config.allowJsFallback)
    return Promise.reject(new Error('uWebSockets.js fell back to its JavaScript implementation; refusing to start (set allowJsFallback to override)'));

  const app = uWS.App();
  const sockets = new Set<uWS.WebSocket<Conn>>();
  const dirty: SessionImpl[] = [];
  let flushScheduled = false;
  let nextId = 1;
  let stopping = false;
  const limits = { ...DEFAULT_FRAME_LIMITS, maxFrameBytes: config.maxPayloadBytes };

  /**
   * Sends a turn's frames. For a tenant whose journal write failed nothing of the turn leaves:
   * responses become STORE_UNAVAILABLE (or STALE_LEADER) refusals, pushes are dropped.
   */
  const send = (batch: SessionImpl[], outboxes: Record<string, unknown>[][], failed: Set<string> | null) => {
    for (let i = 0; i < batch.length; i++) {
      const s = batch[i];
      const all = outboxes[i];
      let frames = all;
      if (failed?.has(s.principal.tenant)) {
        const why = shell.refusal(s.principal.tenant) ?? { code: ProtocolCode.STORE_UNAVAILABLE, message: 'the store did not confirm the write; retry (idempotent by id)' };
        frames = all.filter((f) => f.re !== undefined).map((f) => ({ re: f.re, ok: false, code: why.code, message: why.message }));
      }
      if (s.closed || frames.length === 0) continue;
      const c = s.ws.getUserData();
      // One frame leaves in one write as it is; several are corked into one.
      if (frames.length === 1) sendFrames(s, c, frames);
      else s.ws.cork(() => sendFrames(s, c, frames));
      metrics?.messagesSent(c.principal.role, frames.length);
    }
  };
  const sendFrames = (s: SessionImpl, c: Conn, frames: Record<string, unknown>[]) => {
    const binary = c.encoding === 'msgpack';
    for (const f of frames) {
      if (s.closed) break;
      const data = encodeFrame(f, c.encoding);
      // uWS closes a socket whose buffered output would pass maxBackpressure: say why first.
      if (s.ws.getBufferedAmount() + data.length > config.maxBackpressureBytes) c.closeReason = 'backpressure';
      s.ws.send(data, binary);
    }
  };
  // Group commit: with a journal, a turn's output leaves only after its write is confirmed,
  // and turns leave in order.
  let chain: Promise<void> = Promise.resolve();
  let waiting = 0;
  const flush = () => {
    flushScheduled = false;
    const batch = dirty.splice(0);
    const outboxes = batch.map((s) => {
      const frames = s.outbox;
      s.outbox = [];
      return frames;
    });
    const commit = shell.commit();
    if (commit === null && waiting === 0) return send(batch, outboxes, null); // the in-memory path
    waiting++;
    chain = chain
      .then(() => commit)
      .then(
        (failed) => send(batch, outboxes, failed ?? null),
        (err: unknown) => log.error({ err }, 'commit failed'),
      )
      .finally(() => waiting--);
  };
  const markDirty = (s: SessionImpl) => {
    dirty.push(s);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  /** Answers a refused message; a connection that keeps sending them is closed. */
  const violation = (c: Conn, s: SessionImpl, re: string | number | null, code: string, msg: string) => {
    s.send({ re, ok: false, code, message: msg });
    metrics?.messageRejected(c.principal.role, code);
    if (++c.violations > config.maxViolations) {
      log.warn({ conn: s.id, tenant: c.principal.tenant, code }, 'closing after repeated violations');
      c.closeReason = 'policy';
      s.end(CloseCode.POLICY_VIOLATION, 'too many refused messages');
    }
  };

  const endpoint = (path: string, roles: readonly Principal['role'][]) =>
    app.ws<Conn>(path, {
      maxPayloadLength: config.maxPayloadBytes,
      idleTimeout: config.idleTimeoutSeconds,
      sendPingsAutomatically: true,
      maxBackpressure: config.maxBackpressureBytes,
      closeOnBackpressureLimit: 1,
      compression: uWS.DISABLED,
      upgrade: (res, req, context) => {
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
        if (stopping) return refuse('503 Service Unavailable', 'shutting down');
        if (gate && !gate.ready()) return refuse('503 Service Unavailable', 'standby: connect to the leader');
        void verifier.verify(token).then((p) => {
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
          if (shell.connections(p.tenant) >= config.maxConnectionsPerTenant)
            return refuse('503 Service Unavailable', 'too many connections for this tenant', { tenant: p.tenant });
          const conn: Conn = { principal: p, encoding, session: null, tokens: config.messageBurst, refilledAt: Date.now(), violations: 0, expiry: null, closeReason: null };
          res.cork(() => res.upgrade(conn, key, chosen, extensions, context));
        });
      },
      open: (ws) => {
        const c = ws.getUserData();
        const s = new SessionImpl(nextId++, c.principal, ws, markDirty);
        c.session = s;
        sockets.add(ws);
        // Expiry is enforced on open sockets too. A timer cannot wait longer than 2^31-1 ms
        // (Node fires such a timer at once), so a token valid for weeks re-arms it on the way.
        const armExpiry = (): void => {
          const left = c.principal.expiresAt - Date.now();
          c.expiry = setTimeout(
            () => {
              if (s.closed) return;
              if (c.principal.expiresAt > Date.now()) return armExpiry();
              c.closeReason = 'token_expired';
              ws.end(CloseCode.TOKEN_EXPIRED, 'token expired');
            },
            Math.min(MAX_TIMER_MS, Math.max(0, left)),
          );
        };
        armExpiry();
        metrics?.connectionOpened(c.principal.tenant, c.principal.role);
        log.info({ conn: s.id, tenant: c.principal.tenant, role: c.principal.role, agentId: c.principal.agentId, encoding: c.encoding }, 'connected');
        shell.open(s);
      },
      message: (ws, message, isBinary) => {
        const c = ws.getUserData();
        const s = c.session!;
        metrics?.messageReceived(c.principal.role);
        // Token bucket: messagesPerSecond sustained, messageBurst at once.
        const now = Date.now();
        c.tokens = Math.min(config.messageBurst, c.tokens + ((now - c.refilledAt) / 1000) * config.messagesPerSecond);
        c.refilledAt = now;
        if (c.tokens < 1) {
          log.warn({ conn: s.id, tenant: c.principal.tenant }, 'rate limit hit');
          return violation(c, s, null, ProtocolCode.RATE_LIMITED, `more than ${config.messagesPerSecond} messages per second`);
        }
        c.tokens -= 1;
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
          metrics?.connectionClosed(c.principal.tenant, c.principal.role, c.closeReason ?? (code === 1000 || code === 1005 ? 'normal' : code === 1001 ? 'going_away' : 'other'));
          log.info({ conn: s.id, tenant: c.principal.tenant, code }, 'closed');
        }
      },
    });

  endpoint('/v1/platform', ['platform']);
  endpoint('/v1/agent', ['agent', 'supervisor']);
  app.get('/healthz', (res) => {
    res.writeHeader('content-type', 'text/plain').end('ok');
  });
  app.get('/readyz', (res) => {
    if (stopping) res.writeStatus('503 Service Unavailable').end('stopping');
    else if (gate && !gate.ready()) res.writeStatus('503 Service Unavailable').end('standby');
    else res.writeHeader('content-type', 'text/plain').end('ready');
  });
  for (const [path, file] of loadWebFiles()) {
    app.get(path, (res) => {
      if (!file.body) return void res.writeStatus('503 Service Unavailable').end(`${file.missing} is not built: run npm run build:web`);
      res.cork(() => {
        res.writeHeader('content-type', file.type);
        for (const [k, v] of WEB_HEADERS) res.writeHeader(k, v);
        res.end(file.body!);
      });
    });
  }

  // Metrics: on the main port only behind metricsToken; otherwise on their own listener.
  const sendMetrics = (res: uWS.HttpResponse) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    metrics!.scrape().then(
      ({ contentType, body }) => {
        if (!aborted) res.cork(() => res.writeHeader('content-type', contentType).end(body));
      },
      (err: unknown) => {
        log.error({ err }, 'metrics scrape failed');
        if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end('scrape failed'));
      },
    );
  };
  if (metrics && config.metricsToken) {
    const expected = `Bearer ${config.metricsToken}`;
    app.get('/metrics', (res, req) => {
      if (req.getHeader('authorization') !== expected) return void res.writeStatus('401 Unauthorized').end('metrics need a bearer token');
      sendMetrics(res);
    });
  }
  app.any('/*', (res) => {
    res.writeStatus('404 Not Found').end('not found');
  });

  const listen = (a: uWS.TemplatedApp, host: string, port: number) =>
    new Promise<uWS.us_listen_socket>((resolve, reject) =>
      a.listen(host, port, (socket) => (socket ? resolve(socket) : reject(new Error(`cannot listen on ${host}:${port}`)))),
    );

  return (async (): Promise<RunningServer> => {
    let metricsSocket: uWS.us_listen_socket | null = null;
    if (metrics && config.metricsPort >= 0) {
      const metricsApp = uWS.App();
      metricsApp.get('/metrics', (res) => sendMetrics(res));
      metricsApp.any('/*', (res) => void res.writeStatus('404 Not Found').end('not found'));
      metricsSocket = await listen(metricsApp, config.metricsHost, config.metricsPort);
      log.info({ host: config.metricsHost, port: uWS.us_socket_local_port(metricsSocket) }, 'metrics listening');
    }
    const listenSocket = await listen(app, config.host, config.port).catch((e: Error) => {
      if (metricsSocket) uWS.us_listen_socket_close(metricsSocket);
      throw e;
    });
    {
      const port = uWS.us_socket_local_port(listenSocket);
      log.info({ host: config.host, port }, 'listening');
      return {
        port,
        metricsPort: metricsSocket ? uWS.us_socket_local_port(metricsSocket) : null,
        stop: () => {
          if (stopping) return;
          stopping = true;
          uWS.us_listen_socket_close(listenSocket);
          if (metricsSocket) uWS.us_listen_socket_close(metricsSocket);
          flush();
          for (const ws of [...sockets]) {
            ws.getUserData().closeReason = 'shutdown';
            ws.end(CloseCode.GOING_AWAY, 'server shutting down');
          }
          shell.stop();
          log.info('stopped');
        },
      };
    }
  })();
}
