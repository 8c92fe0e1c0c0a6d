/**
 * The HTTP API's routes, one entry each: a method, a uWebSockets.js pattern and the handler made
 * from the API's dependencies. Registered on the main port before the other HTTP routes
 * (http-routes.ts), whose catch-all answers 404 for any other method or path.
 */
import type uWS from 'uWebSockets.js';
import { openApiDocument } from '../protocol/openapi.ts';
import { eventsEndpoint } from './events-endpoint.ts';
import type { HttpApi } from './http-api.ts';
import { requestEndpoint } from './request-endpoint.ts';
import { statusEndpoint } from './status-endpoint.ts';

type Handler = (res: uWS.HttpResponse, req: uWS.HttpRequest) => void;

export interface ApiRoute {
  readonly method: 'get' | 'post';
  readonly pattern: string;
  readonly handler: (api: HttpApi) => Handler;
}

/** `GET /v1/openapi.json`: the OpenAPI document, made on first use (no token: it says nothing of any tenant). */
function openApiEndpoint(): Handler {
  let body: string | null = null;
  return (res) => {
    body ??= JSON.stringify(openApiDocument());
    res.cork(() => res.writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-cache').end(body!));
  };
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'post', pattern: '/v1/requests/:type', handler: requestEndpoint },
  { method: 'get', pattern: '/v1/openapi.json', handler: openApiEndpoint },
  { method: 'get', pattern: '/v1/events', handler: eventsEndpoint },
  { method: 'get', pattern: '/v1/status', handler: statusEndpoint },
];

export function apiRoutes(app: uWS.TemplatedApp, api: HttpApi): void {
  for (const r of API_ROUTES) app[r.method](r.pattern, r.handler(api));
}
