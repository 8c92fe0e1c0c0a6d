/**
 * Requests over HTTP (`POST /v1/requests/<Type>`): which types each role may send that way, and
 * how a body becomes the same request a WebSocket frame carries, so that one validator
 * (`parseRequest`) and one router judge both. Every request of a role goes over HTTP but the
 * two that only mean something on a connection: `Subscribe` (pushes need a socket to arrive on)
 * and `Resume` (re-sends an agent desktop's pushes).
 */
import { ProtocolCode } from './codes.ts';
import { AgentRequest, PlatformRequest, type Role, SupervisorRequest } from './schemas.ts';

/** Requests that need a connection to mean anything: WebSocket only. */
export const CONNECTION_ONLY: ReadonlySet<string> = new Set(['Subscribe', 'Resume']);

const typesOf = (u: { options: readonly { shape: { type: { value: string } } }[] }) =>
  u.options.map((o) => o.shape.type.value).filter((t) => !CONNECTION_ONLY.has(t));

/** Each role's request types over HTTP, in the order the schemas list them. */
export const HTTP_TYPES: Readonly<Record<Role, readonly string[]>> = {
  platform: typesOf(PlatformRequest),
  supervisor: typesOf(SupervisorRequest),
  agent: typesOf(AgentRequest),
};

const ROLES: readonly Role[] = ['platform', 'supervisor', 'agent'];

/** The roles that may send `type` over HTTP (none: no such request over HTTP). */
export function httpRolesOf(type: string): Role[] {
  return ROLES.filter((r) => HTTP_TYPES[r].includes(type));
}

export type BodyRequest =
  | { readonly ok: true; readonly frame: unknown; readonly echoId: boolean }
  | { readonly ok: false; readonly code: ProtocolCode; readonly message: string };

/**
 * The request frame of a decoded body for the path's `type`: the body's fields with `type` set
 * and an `id` (0 when the body has none; `echoId` says whether the answer should carry it as
 * `re`). A body may be a whole WebSocket frame: a `type` in it must be the path's. Anything but
 * an object is left as it is, for `parseRequest` to refuse as it refuses such a frame.
 */
export function requestOfBody(type: string, body: unknown): BodyRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: true, frame: body, echoId: false };
  const frame = body as Record<string, unknown>;
  if ('type' in frame && frame.type !== type)
    return { ok: false, code: ProtocolCode.VALIDATION_FAILED, message: `type: the path names the request type (${type}); leave it out of the body` };
  frame.type = type;
  const echoId = 'id' in frame;
  if (!echoId) frame.id = 0;
  return { ok: true, frame, echoId };
}
