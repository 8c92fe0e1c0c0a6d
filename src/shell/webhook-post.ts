/**
 * One webhook delivery over HTTP: a POST of a JSON body with its signature, within a timeout,
 * redirects not followed (a 3xx is a failure: the receiver must give its final URL), names
 * resolved through the address check (webhook-address.ts), and at most a few KiB of the answer
 * read (only its status matters). The outcome says whether to retry and why.
 */
import http from 'node:http';
import https from 'node:https';
import { AddressRefusedError, isPrivateAddress, publicLookup } from './webhook-address.ts';

export type PostOutcome =
  | { readonly ok: true; readonly status: number }
  /**
   * `status`: the receiver answered something other than 2xx; `timeout`, `network`: no answer;
   * `refused`: the address is not public. `retryAfterMs`: the receiver's Retry-After, if any.
   */
  | { readonly ok: false; readonly outcome: 'status' | 'timeout' | 'network' | 'refused'; readonly message: string; readonly retryAfterMs?: number };

export interface PostOptions {
  readonly timeoutMs: number;
  readonly allowPrivate: boolean;
  /** Cancels the request (the delivery is abandoned: its outcome is a network failure). */
  readonly signal?: AbortSignal;
}

/** What of a receiver's answer is read before the connection is let go. */
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * Connections kept alive between deliveries. Sockets per host are not capped here: each webhook
 * has at most one delivery in flight, so a slow receiver shared by many webhooks never makes the
 * others queue for a socket (time their timeout would count).
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
function retryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export function post(rawUrl: string, body: string, headers: Record<string, string>, o: PostOptions): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return resolve({ ok: false, outcome: 'network', message: 'url is not an absolute URL' });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!o.allowPrivate && isPrivateAddress(host)) return resolve({ ok: false, outcome: 'refused', message: `${host} is a private or loopback address` });
    const https_ = url.protocol === 'https:';
    let done = false;
    const finish = (r: PostOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    let req: http.ClientRequest | null = null;
    const timer = setTimeout(() => {
      finish({ ok: false, outcome: 'timeout', message: `no answer within ${o.timeoutMs} ms` });
      req?.destroy();
    }, o.timeoutMs);
    try {
      req = (https_ ? https : http).request(url, {
        method: 'POST',
        agent: https_ ? agents['https:'] : agents['http:'],
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'switchboard-webhooks', ...headers },
        ...(o.allowPrivate ? {} : { lookup: publicLookup as unknown as http.RequestOptions['lookup'] }),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (e) {
      return finish({ ok: false, outcome: 'network', message: (e as Error).message });
    }
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) res.destroy();
      });
      const settle = () => {
        if (status >= 200 && status < 300) return finish({ ok: true, status });
        const after = retryAfter(res.headers['retry-after'], Date.now());
        const why = status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
        finish({ ok: false, outcome: 'status', message: why, ...(after !== undefined ? { retryAfterMs: after } : {}) });
      };
      res.on('end', settle);
      res.on('close', settle);
      res.on('error', settle);
    });
    req.on('error', (e) => {
      const refused = e instanceof AddressRefusedError || (e as { cause?: unknown }).cause instanceof AddressRefusedError;
      finish({ ok: false, outcome: refused ? 'refused' : 'network', message: e.message });
    });
    req.end(body);
  });
}
