/**
 * `GET /v1/events?after=N&limit=M&wait=S&types=A,B&queues=Q,R`: the tenant's event feed over HTTP,
 * one page per request (docs/protocol.md, The event feed). Platforms and supervisors; the checks
 * of every route first (`authorize`), then the query, then the shell answers from memory or the
 * store, at once or once events come (a long poll of at most `wait` seconds). The answer leaves
 * through the outbox and group commit, as every answer: an event in it is in the journal.
 */
import type uWS from 'uWebSockets.js';
import { ProtocolCode } from '../protocol/codes.ts';
import { EventTypeName, MAX_SUBSCRIBE_QUEUES } from '../protocol/schemas.ts';
import { authorize, type HttpApi } from './http-api.ts';
import { HttpExchange } from './http-exchange.ts';
import { refuse } from './http-reply.ts';

/** Events per answer: default and most. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1_000;
/** The longest a poll waits for events (seconds). */
const MAX_WAIT_SECONDS = 30;
const KNOWN_TYPES: ReadonlySet<string> = new Set(EventTypeName.options);

/** A whole number in [min, max] from a query parameter; undefined when absent, null when malformed. */
function intParam(v: string, min: number, max: number): number | undefined | null {
  if (v === '') return undefined;
  if (!/^\d{1,16}$/.test(v)) return null;
  const n = Number(v);
  return n >= min && n <= max ? n : null;
}

export function eventsEndpoint(api: HttpApi): (res: uWS.HttpResponse, req: uWS.HttpRequest) => void {
  return (res, req) => {
    const p = authorize(api, res, req);
    if (!p) return;
    if (p.role === 'agent') return refuse(res, 403, ProtocolCode.FORBIDDEN, 'the event feed is for platforms and supervisors');
    const bad = (what: string) => refuse(res, 400, ProtocolCode.VALIDATION_FAILED, what);
    const after = intParam(req.getQuery('after') ?? '', 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(req.getQuery('limit') ?? '', 1, MAX_LIMIT);
    const wait = intParam(req.getQuery('wait') ?? '', 0, MAX_WAIT_SECONDS);
    if (after === null) return bad('after: a whole number');
    if (limit === null) return bad(`limit: 1 to ${MAX_LIMIT}`);
    if (wait === null) return bad(`wait: 0 to ${MAX_WAIT_SECONDS} seconds`);
    const list = (name: string) => {
      const v = req.getQuery(name) ?? '';
      return v === '' ? undefined : v.split(',');
    };
    const types = list('types');
    const queues = list('queues');
    if (types && (types.length > KNOWN_TYPES.size || types.some((t) => !KNOWN_TYPES.has(t)))) return bad('types: event types, comma-separated');
    if (queues && (queues.length > MAX_SUBSCRIBE_QUEUES || queues.some((q) => q.length === 0 || q.length > 128)))
      return bad(`queues: 1 to ${MAX_SUBSCRIBE_QUEUES} queue ids, comma-separated`);
    const exchange = new HttpExchange(api.nextId(), p, res, false, api.markDirty);
    res.onAborted(() => {
      exchange.closed = true;
    });
    api.shell.pollEvents(exchange, {
      limit: limit ?? DEFAULT_LIMIT,
      waitMs: (wait ?? 0) * 1000,
      ...(after === undefined ? {} : { after }),
      ...(types ? { types } : {}),
      ...(queues ? { queues } : {}),
    });
  };
}
