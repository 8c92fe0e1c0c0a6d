import { pino } from 'pino';
import WebSocket from 'ws';
import { loadConfig, webhookSettingsOf, type Config } from '../../src/config.ts';
import { decodeFrame, encodeFrame, SUBPROTOCOLS, type Encoding } from '../../src/protocol/codec.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { Shell } from '../../src/shell/shell.ts';
import { Snapshotter } from '../../src/shell/snapshotter.ts';
import type { Journal } from '../../src/store/journal.ts';
import { TokenVerifier } from '../../src/transport/auth.ts';
import { startServer, type RunningServer } from '../../src/transport/ws-server.ts';

export const SECRET = 'integration-test-secret-0123456789abcdef';

export async function startTestServer(
  overrides: Record<string, string> = {},
  options: { now?: () => number; journal?: Journal; snapshotEveryEntries?: number } = {},
): Promise<{ server: RunningServer; verifier: TokenVerifier; config: Config; url: string; metrics: Metrics; shell: Shell }> {
  const args = Object.entries({ port: '0', host: '127.0.0.1', authSecret: SECRET, logLevel: 'silent', metricsPort: '0', ...overrides }).flatMap(([k, v]) => [
    `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    v,
  ]);
  const loaded = loadConfig({}, args);
  if (!loaded.ok) throw new Error(loaded.error);
  const verifier = new TokenVerifier(SECRET);
  const metrics = new Metrics({ serviceLevelWindowMs: loaded.config.serviceLevelWindowSeconds * 1000, processMetrics: false });
  const shell = new Shell({
    ordering: 'fifo',
    agentSelection: 'longest-idle',
    metrics,
    ...(options.now ? { now: options.now } : {}),
    ...(options.journal ? { journal: options.journal } : {}),
    eventsRetained: loaded.config.eventsRetained,
    historyKept: loaded.config.historyKept,
    historyRetentionMs: loaded.config.historyRetentionDays * 86_400_000,
    offerJourney: loaded.config.offerJourney,
    webhooks: webhookSettingsOf(loaded.config),
  });
  metrics.observeQueues(shell);
  await shell.recover();
  const running = await startServer(loaded.config, shell, verifier, pino({ level: loaded.config.logLevel }), metrics);
  // The snapshot replica, in process here (the server runs it in a worker thread), sharing the
  // shell's journal handle and so its epochs.
  const every = options.snapshotEveryEntries ?? 0;
  const snapshotter =
    options.journal && every > 0 ? new Snapshotter(options.journal, { ordering: 'fifo', agentSelection: 'longest-idle', every, metrics }) : null;
  snapshotter?.start(20);
  const server: RunningServer = {
    port: running.port,
    metricsPort: running.metricsPort,
    stop: () => {
      void snapshotter?.stop();
      running.stop();
    },
  };
  return { server, verifier, config: loaded.config, url: `ws://127.0.0.1:${server.port}`, metrics, shell };
}

/** A minimal test client: numbered requests, awaited responses, recorded pushes. */
export class TestClient {
  private nextId = 1;
  private readonly waiting = new Map<number | string, (r: Record<string, unknown>) => void>();
  readonly pushes: Record<string, unknown>[] = [];
  readonly errors: Record<string, unknown>[] = [];
  private pushWaiters: { pred: (p: Record<string, unknown>) => boolean; resolve: (p: Record<string, unknown>) => void }[] = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(
    readonly ws: WebSocket,
    readonly encoding: Encoding,
  ) {
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        // Requests in flight when the connection drops are answered as lost, never left hanging.
        for (const w of this.waiting.values()) w({ ok: false, code: 'DISCONNECTED' });
        this.waiting.clear();
        resolve({ code, reason: reason.toString() });
      }),
    );
    ws.on('message', (data, isBinary) => {
      const bytes = new Uint8Array(data as Buffer);
      const d = decodeFrame(isBinary ? bytes : new TextDecoder().decode(bytes), encoding);
      if (!d.ok) throw new Error(`undecodable server frame: ${d.reason}`);
      const msg = d.value as Record<string, unknown>;
      if ('push' in msg) {
        this.pushes.push(msg);
        for (const h of this.pushHandlers) h(msg);
        this.pushWaiters = this.pushWaiters.filter((w) => {
          if (!w.pred(msg)) return true;
          w.resolve(msg);
          return false;
        });
      } else if (msg.re !== null && msg.re !== undefined && this.waiting.has(msg.re as number)) {
        this.waiting.get(msg.re as number)!(msg);
        this.waiting.delete(msg.re as number);
      } else this.errors.push(msg);
    });
  }

  /** Connects; rejects with `HTTP <status>` when the upgrade is refused. */
  static connect(url: string, token: string | null, encoding: Encoding = 'json'): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, [SUBPROTOCOLS[encoding]], token ? { headers: { authorization: `Bearer ${token}` } } : {});
      const c = new TestClient(ws, encoding);
      ws.once('open', () => resolve(c));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  private readonly pushHandlers: ((p: Record<string, unknown>) => void)[] = [];

  /** Calls `handler` with every push from now on. */
  onPush(handler: (p: Record<string, unknown>) => void): void {
    this.pushHandlers.push(handler);
  }

  request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    // Answered on a later turn, never at once: a loop of requests over a closed connection must
    // not spin in microtasks, where no timer (its stop) can ever run.
    if (this.ws.readyState !== WebSocket.OPEN) return new Promise((resolve) => setImmediate(() => resolve({ ok: false, code: 'DISCONNECTED' })));
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.sendRaw(encodeFrame({ id, ...body }, this.encoding));
    });
  }

  sendRaw(frame: string | Uint8Array): void {
    this.ws.send(frame, { binary: typeof frame !== 'string' });
  }

  nextPush(pred: (p: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const seen = this.pushes.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('push not received in time')), timeoutMs);
      this.pushWaiters.push({
        pred,
        resolve: (p) => {
          clearTimeout(t);
          resolve(p);
        },
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}
