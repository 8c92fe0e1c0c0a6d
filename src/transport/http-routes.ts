/**
 * The HTTP side of the server: liveness (`/healthz`), readiness (`/readyz`: not while stopping
 * or standing by), the web pages, Prometheus `/metrics` (on the main port only behind
 * `metricsToken`, otherwise on a listener of its own), and 404 for the rest.
 */
import type uWS from 'uWebSockets.js';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.ts';
import type { ServeGate } from './admission.ts';
import { loadWebFiles, WEB_HEADERS } from './static.ts';
import type { Uws } from './uws.ts';

/** Answers a scrape (asynchronously: the registry collects first). */
function sendMetrics(res: uWS.HttpResponse, metrics: Metrics, log: Logger): void {
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  metrics.scrape().then(
    ({ contentType, body }) => {
      if (!aborted) res.cork(() => res.writeHeader('content-type', contentType).end(body));
    },
    (err: unknown) => {
      log.error({ err }, 'metrics scrape failed');
      if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end('scrape failed'));
    },
  );
}

export interface Routes {
  readonly metrics: Metrics | undefined;
  /** With it, `/metrics` is served on the main port to this bearer token. */
  readonly metricsToken: string | undefined;
  readonly gate: ServeGate | undefined;
  readonly log: Logger;
  stopping(): boolean;
}

/** Registers the HTTP routes of the main port (after the WebSocket endpoints). */
export function httpRoutes(app: uWS.TemplatedApp, r: Routes): void {
  const { metrics, gate, log } = r;
  app.get('/healthz', (res) => {
    res.writeHeader('content-type', 'text/plain').end('ok');
  });
  app.get('/readyz', (res) => {
    if (r.stopping()) res.writeStatus('503 Service Unavailable').end('stopping');
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
  if (metrics && r.metricsToken) {
    const expected = `Bearer ${r.metricsToken}`;
    app.get('/metrics', (res, req) => {
      if (req.getHeader('authorization') !== expected) return void res.writeStatus('401 Unauthorized').end('metrics need a bearer token');
      sendMetrics(res, metrics, log);
    });
  }
  app.any('/*', (res) => {
    res.writeStatus('404 Not Found').end('not found');
  });
}

/** The metrics listener's own app: `/metrics` and 404. */
export function metricsApp(uws: Uws, metrics: Metrics, log: Logger): uWS.TemplatedApp {
  const app = uws.App();
  app.get('/metrics', (res) => sendMetrics(res, metrics, log));
  app.any('/*', (res) => void res.writeStatus('404 Not Found').end('not found'));
  return app;
}
