/**
 * The operator CLI's view of the HTTP API (docs/protocol.md, HTTP API): `POST /v1/requests/<Type>`
 * with a JSON body and `GET` routes, with the bearer token, through Node's fetch. Every way a
 * request can fail becomes a `CliFailure` with a message that says what to do and an exit code
 * (failure.ts): the server unreachable, a refusal by its code (and HTTP status), an answer that
 * is not the API's. A 429 is waited out and sent again (its `Retry-After`, a few times). Given
 * several servers (a leader and its standbys), a request goes to the one that answered last and
 * moves on to the next while one is unreachable or cannot answer (503: a standby, stopping), so
 * the CLI follows a failover as the SDK's clients do.
 */
import { CliFailure, Exit } from './failure.ts';

/** Times a rate-limited request is sent again, and the longest wait before each. */
const RATE_LIMIT_RETRIES = 3;
const MAX_RETRY_WAIT_MS = 5_000;

/** An `ok: true` answer, as JSON. */
export type Answer = Record<string, unknown> & { readonly ok: true };

/** What Node's fetch says when no HTTP answer came, in words. */
function unreachable(base: string, e: unknown, timeoutMs: number): CliFailure {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const why =
    err.name === 'TimeoutError'
      ? `no answer within ${timeoutMs / 1000} s`
      : err.cause?.code === 'ECONNREFUSED'
        ? 'connection refused'
        : err.cause?.code === 'ENOTFOUND' || err.cause?.code === 'EAI_AGAIN'
          ? 'unknown host'
          : err.cause?.code === 'ECONNRESET'
            ? 'connection reset'
            : (err.cause?.message ?? err.message);
  return new CliFailure(`cannot reach the server at ${base}: ${why} (is it running? check --url or SWITCHBOARD_URL)`, Exit.UNREACHABLE);
}

/** A refusal of the API (`{ok: false, code, message}`) as a failure with advice. */
export function refusal(status: number, body: Record<string, unknown>): CliFailure {
  const code = String(body.code);
  const message = String(body.message ?? '');
  switch (code) {
    case 'UNAUTHORIZED':
      return new CliFailure(`unauthorized (HTTP ${status}): ${message}: check --token or SWITCHBOARD_TOKEN`, Exit.AUTH, code);
    case 'FORBIDDEN':
      return new CliFailure(`forbidden (HTTP ${status}): ${message}: use a supervisor or platform token`, Exit.AUTH, code);
    case 'UNAVAILABLE':
    case 'STORE_UNAVAILABLE':
    case 'OUTCOME_UNKNOWN':
    case 'STALE_LEADER': {
      const hint = /standby/.test(message) || code === 'STALE_LEADER' ? ': point --url at the leader (switchboard status says which is)' : ': retry shortly';
      return new CliFailure(`unavailable (${code}, HTTP ${status}): ${message}${hint}`, Exit.UNAVAILABLE, code);
    }
    case 'RATE_LIMITED':
      return new CliFailure(`rate limited (HTTP ${status}): ${message}: try again in a moment`, Exit.REFUSED, code);
    case 'EVENTS_EXPIRED':
      return new CliFailure(
        `events expired (HTTP ${status}): ${message}; the oldest kept is ${String(body.oldest)}: use --after ${Math.max(0, Number(body.oldest) - 1)}`,
        Exit.REFUSED,
        code,
      );
    default:
      if (code.startsWith('UNKNOWN_')) return new CliFailure(`not found (${code}, HTTP ${status}): ${message}`, Exit.REFUSED, code);
      return new CliFailure(`refused (${code}, HTTP ${status}): ${message}`, Exit.REFUSED, code);
  }
}

/** Failures another server may not have: it may be up, or lead. */
const elsewhere = (e: unknown) => e instanceof CliFailure && (e.exitCode === Exit.UNREACHABLE || e.exitCode === Exit.UNAVAILABLE);

export class ApiClient {
  /** The server that answered last (the first at start). */
  private current = 0;

  constructor(
    readonly bases: readonly string[],
    private readonly token: string | null,
    private readonly timeoutMs: number,
  ) {}

  /** The server requests go to now. */
  get base(): string {
    return this.bases[this.current];
  }

  /** A plain GET without the token (`/healthz`, `/readyz`): its status and text. */
  async probe(path: string): Promise<{ status: number; text: string }> {
    try {
      const res = await fetch(`${this.base}${path}`, { signal: AbortSignal.timeout(this.timeoutMs) });
      return { status: res.status, text: (await res.text()).trim() };
    } catch (e) {
      throw unreachable(this.base, e, this.timeoutMs);
    }
  }

  /** `POST /v1/requests/<type>` with `body`; the `ok: true` answer. */
  request(type: string, body: Record<string, unknown> = {}): Promise<Answer> {
    return this.send(`/v1/requests/${type}`, { method: 'POST', body: JSON.stringify(body) });
  }

  /** `GET path` (with its query); `extraMs` more than the timeout for a long poll. */
  get(path: string, extraMs = 0, signal?: AbortSignal): Promise<Answer> {
    return this.send(path, { method: 'GET' }, extraMs, signal);
  }

  private async send(path: string, init: RequestInit, extraMs = 0, signal?: AbortSignal): Promise<Answer> {
    const failures: [string, CliFailure][] = [];
    for (let k = 0; k < this.bases.length; k++) {
      const at = (this.current + k) % this.bases.length;
      try {
        const answer = await this.sendTo(this.bases[at], path, init, extraMs, signal);
        this.current = at;
        return answer;
      } catch (e) {
        if (signal?.aborted || !elsewhere(e)) throw e;
        failures.push([this.bases[at], e as CliFailure]);
      }
    }
    if (failures.length === 1) throw failures[0][1];
    // None could answer: each one's reason; 5 if one of them is up (it may lead soon), else 3.
    const up = failures.some(([, f]) => f.exitCode === Exit.UNAVAILABLE);
    throw new CliFailure(
      `no server could answer:\n${failures.map(([base, f]) => `  ${base}: ${f.message}`).join('\n')}`,
      up ? Exit.UNAVAILABLE : Exit.UNREACHABLE,
    );
  }

  private async sendTo(base: string, path: string, init: RequestInit, extraMs: number, signal?: AbortSignal): Promise<Answer> {
    if (this.token === null) throw new CliFailure('no token: pass --token, --token-file or set SWITCHBOARD_TOKEN (a supervisor or platform token)', Exit.USAGE);
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(this.timeoutMs + extraMs);
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${base}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', accept: 'application/json' },
          signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
        });
        text = await res.text();
      } catch (e) {
        if (signal?.aborted) throw e;
        throw unreachable(base, e, this.timeoutMs + extraMs);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      if (body === null || typeof body !== 'object' || !('ok' in body)) {
        const excerpt = text.trim().slice(0, 120) || '(empty)';
        throw new CliFailure(
          `unexpected answer from ${base}${path} (HTTP ${res.status}): ${excerpt}: is --url a Switchboard server of this version?`,
          Exit.UNREACHABLE,
        );
      }
      const answer = body as Record<string, unknown>;
      if (answer.ok === true) return answer as Answer;
      if (answer.code === 'RATE_LIMITED' && attempt < RATE_LIMIT_RETRIES) {
        const wait = Math.min(MAX_RETRY_WAIT_MS, Math.max(100, Number(res.headers.get('retry-after') ?? '1') * 1000));
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      throw refusal(res.status, answer);
    }
  }
}
