/**
 * `POST /v1/requests/<Type>`: one request of the WebSocket protocol per HTTP request, its fields
 * as the JSON body, answered with the WebSocket's answer. The steps, in order (the first that
 * refuses answers; docs/protocol.md, HTTP API):
 *
 * 1. `authorize`: serving (503), token (401), the caller's bucket (429);
 * 2. the path's type is a request over HTTP (404 `UNKNOWN_TYPE`) this role may send (403 `FORBIDDEN`);
 * 3. a declared `Content-Length` over `maxPayloadBytes` (413, before reading; and so is a body
 *    that grows past it as it comes), the connection closed;
 * 4. the body decoded as a WebSocket JSON frame is (`decodeFrame`: UTF-8, bounds, forbidden keys;
 *    400 `BAD_FRAME`), an empty body read as `{}`;
 * 5. the frame built from it (`requestOfBody`) and validated by `parseRequest`, the WebSocket's
 *    validator (400 `VALIDATION_FAILED`);
 * 6. the shell handles it as it handles a frame (`ShellPort.handle` → the request router), and
 *    the answer leaves through the outbox and group commit (http-exchange.ts).
 */
import type uWS from 'uWebSockets.js';
import { decodeFrame } from '../protocol/codec.ts';
import { ProtocolCode } from '../protocol/codes.ts';
import { CONNECTION_ONLY, httpRolesOf, requestOfBody } from '../protocol/http-requests.ts';
import { HTTP_STATUS } from '../protocol/http-status.ts';
import { parseRequest, requestIdOf } from '../protocol/schemas.ts';
import { authorize, type HttpApi } from './http-api.ts';
import { readBody } from './http-body.ts';
import { HttpExchange } from './http-exchange.ts';
import { refuse, reply } from './http-reply.ts';

export function requestEndpoint(api: HttpApi): (res: uWS.HttpResponse, req: uWS.HttpRequest) => void {
  const { log, shell, limits } = api;
  const max = limits.maxFrameBytes;
  return (res, req) => {
    const p = authorize(api, res, req);
    if (!p) return;
    const type = req.getParameter(0) ?? '';
    const declared = req.getHeader('content-length');
    const roles = httpRolesOf(type);
    if (roles.length === 0) {
      const why = CONNECTION_ONLY.has(type) ? 'this request needs a WebSocket connection' : 'not a request type';
      return refuse(res, 404, ProtocolCode.UNKNOWN_TYPE, `${why} (docs/protocol.md, HTTP API)`);
    }
    if (!roles.includes(p.role)) return refuse(res, 403, ProtocolCode.FORBIDDEN, `a ${p.role} token may not send ${type}`);
    if (declared !== '' && Number(declared) > max) return refuse(res, 413, ProtocolCode.BAD_FRAME, `body over ${max} bytes`, { close: true });

    // From here the answer is written later: the client may go away meanwhile.
    let aborted = false;
    let exchange: HttpExchange | null = null;
    res.onAborted(() => {
      aborted = true;
      if (exchange) exchange.closed = true;
    });
    readBody(res, max, (bytes) => {
      if (aborted) return;
      if (bytes === null) return refuse(res, 413, ProtocolCode.BAD_FRAME, `body over ${max} bytes`, { close: true });
      const decoded = bytes.length === 0 ? { ok: true as const, value: {} } : decodeFrame(bytes, 'json', limits);
      if (!decoded.ok) {
        log.info({ tenant: p.tenant, type, reason: decoded.reason }, 'http bad body');
        return refuse(res, 400, ProtocolCode.BAD_FRAME, decoded.reason);
      }
      const hasId = decoded.value !== null && typeof decoded.value === 'object' && 'id' in decoded.value;
      const withRe = (body: Record<string, unknown>, re: string | number | null) => (hasId ? { re, ...body } : body);
      const built = requestOfBody(type, decoded.value);
      if (!built.ok) return reply(res, 400, withRe({ ok: false, code: built.code, message: built.message }, requestIdOf(decoded.value)));
      const parsed = parseRequest(built.frame, p.role);
      if (!parsed.ok) {
        log.info({ tenant: p.tenant, type, code: parsed.code }, 'http validation failed');
        return reply(res, HTTP_STATUS[parsed.code] ?? 400, withRe({ ok: false, code: parsed.code, message: parsed.message }, parsed.re));
      }
      exchange = new HttpExchange(api.nextId(), p, res, built.echoId, api.markDirty);
      try {
        shell.handle(exchange, parsed.request);
      } catch (e) {
        log.error({ tenant: p.tenant, type, err: e }, 'request failed');
        exchange.send({ re: parsed.request.id, ok: false, code: ProtocolCode.INTERNAL, message: 'internal error' });
      }
    });
  };
}
