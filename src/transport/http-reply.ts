/**
 * Writing an answer of the HTTP API: the status, JSON, and the headers its status calls for
 * (`WWW-Authenticate` with 401, `Retry-After` with 429 and 503), corked into one write. The
 * caller makes sure the response was not aborted (uWebSockets.js forbids touching one that was).
 */
import type uWS from 'uWebSockets.js';
import { encodeFrame } from '../protocol/codec.ts';
import { statusLine } from '../protocol/http-status.ts';

/** What a 503 asks a client to wait: the store or the leader are usually back within seconds. */
const RETRY_UNAVAILABLE_SECONDS = 1;

export interface ReplyOptions {
  /** Seconds for Retry-After (429); 503 has its own. */
  readonly retryAfter?: number;
  /** Close the connection once the answer is out (a body we will not read). */
  readonly close?: boolean;
}

export function reply(res: uWS.HttpResponse, status: number, body: Record<string, unknown>, o: ReplyOptions = {}): void {
  res.cork(() => {
    res.writeStatus(statusLine(status)).writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store');
    if (status === 401) res.writeHeader('www-authenticate', 'Bearer');
    if (status === 429 || status === 503) res.writeHeader('retry-after', String(o.retryAfter ?? RETRY_UNAVAILABLE_SECONDS));
    res.end(encodeFrame(body, 'json'), o.close ?? false);
  });
}

/** A refusal made by the transport itself (before the request reached the shell). */
export function refuse(res: uWS.HttpResponse, status: number, code: string, message: string, o: ReplyOptions = {}): void {
  reply(res, status, { ok: false, code, message }, o);
}
