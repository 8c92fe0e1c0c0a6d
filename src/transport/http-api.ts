/**
 * What the HTTP API's routes share: their dependencies (`HttpApi`), and `authorize`, the checks
 * every authenticated route makes first, in this order: the server serves (not stopping, not a
 * standby: 503 `UNAVAILABLE`), the bearer token verifies (401 `UNAUTHORIZED`), and the caller's
 * bucket has a token (429 `RATE_LIMITED` with Retry-After); `GET /v1/status` skips the first, as it
 * is how a caller learns that the server stops or stands by. The token is the WebSocket's (only
 * the `Authorization` header: a token in a URL ends up in proxies' logs); the tenant, the role
 * and the agent come from it alone.
 */
import type uWS from 'uWebSockets.js';
import type { Logger } from 'pino';
import type { FrameLimits } from '../protocol/codec.ts';
import { ProtocolCode } from '../protocol/codes.ts';
import type { Principal, ShellPort } from '../shell/ports.ts';
import type { ServeGate } from './admission.ts';
import type { TokenVerifier } from './auth.ts';
import type { BucketTable } from './bucket-table.ts';
import type { HttpExchange } from './http-exchange.ts';
import { refuse } from './http-reply.ts';

export interface HttpApi {
  readonly shell: ShellPort;
  readonly verifier: TokenVerifier;
  readonly log: Logger;
  readonly gate: ServeGate | undefined;
  /** The WebSocket's frame limits: `maxFrameBytes` is `maxPayloadBytes`. */
  readonly limits: FrameLimits;
  /** One bucket per caller, with the WebSocket's messagesPerSecond and messageBurst. */
  readonly buckets: BucketTable;
  readonly messagesPerSecond: number;
  /** The configured store (`memory` or `redis`), for `GET /v1/status`. */
  readonly store: string;
  /** The outbox's: an exchange with an answer joins the turn's release. */
  readonly markDirty: (s: HttpExchange) => void;
  /** A session id (shared with the WebSocket sessions, for the logs). */
  nextId(): number;
  stopping(): boolean;
}

/**
 * The bucket of a caller: an agent's (tenant and agent id: every token of that agent), or the
 * token's own for platforms and supervisors (its signature: unique per token, and short).
 */
function bucketKey(p: Principal, token: string): string {
  return p.role === 'agent' ? `a\u0000${p.tenant}\u0000${p.agentId}` : `t\u0000${token.slice(token.lastIndexOf('.') + 1)}`;
}

/**
 * Runs the checks every authenticated route makes; the caller, or null once it answered the
 * refusal. Synchronous: it reads `req`, which lives only until the handler returns.
 */
export function authorize(api: HttpApi, res: uWS.HttpResponse, req: uWS.HttpRequest, o: { evenIfNotServing?: boolean } = {}): Principal | null {
  const no = (status: number, code: string, message: string, retryAfter?: number): null => {
    refuse(res, status, code, message, retryAfter === undefined ? {} : { retryAfter });
    return null;
  };
  if (!o.evenIfNotServing && api.stopping()) return no(503, ProtocolCode.UNAVAILABLE, 'the server is shutting down');
  if (!o.evenIfNotServing && api.gate && !api.gate.ready()) return no(503, ProtocolCode.UNAVAILABLE, 'standby: send requests to the leader');
  const header = req.getHeader('authorization');
  if (!header.startsWith('Bearer ')) return no(401, ProtocolCode.UNAUTHORIZED, 'no bearer token');
  const token = header.slice(7);
  const p = api.verifier.verify(token);
  if ('error' in p) {
    api.log.warn({ path: req.getUrl(), reason: p.error }, 'http request refused');
    return no(401, ProtocolCode.UNAUTHORIZED, p.error);
  }
  const wait = api.buckets.take(bucketKey(p, token), Date.now());
  if (wait !== null) {
    api.log.warn({ path: req.getUrl(), tenant: p.tenant, role: p.role }, 'rate limit hit');
    return no(429, ProtocolCode.RATE_LIMITED, `more than ${api.messagesPerSecond} requests per second`, wait);
  }
  return p;
}
