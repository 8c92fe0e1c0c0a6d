/**
 * `switchboard events [--follow] [--after N] [--limit N] [--types A,B] [--queues Q,R]`: the
 * tenant's event feed over `GET /v1/events` (docs/protocol.md, The event feed). Without
 * `--follow`: one page, by default the last `--limit` (20) events; the cursor to go on from is
 * printed on standard error. With `--follow`: from `--after` (default: now) on, as events come
 * (long polls of 25 s), until interrupted; an unreachable or unavailable server (a restart, a
 * failover: with `--url leader,standby` the next one is asked) is retried every second from the
 * same cursor, so nothing is skipped (event numbers are the same on every server of a tenant). `--json` prints
 * one event per line (JSON Lines), for `jq` and scripts.
 */
import type { ApiClient } from '../api-client.ts';
import type { Command } from '../command.ts';
import { eventLine } from '../event-line.ts';
import { CliFailure, Exit } from '../failure.ts';

const DEFAULT_PAGE = 20;
/** Seconds each long poll waits for an event (the server's most is 30). */
const WAIT_SECONDS = 25;
const RETRY_MS = 1000;

interface Page {
  events: Record<string, unknown>[];
  next: number;
  last: number;
}

function path(after: number | undefined, limit: number, wait: number, types?: readonly string[], queues?: readonly string[]): string {
  const q = new URLSearchParams();
  if (after !== undefined) q.set('after', String(after));
  q.set('limit', String(limit));
  if (wait > 0) q.set('wait', String(wait));
  if (types) q.set('types', types.join(','));
  if (queues) q.set('queues', queues.join(','));
  return `/v1/events?${q.toString().replace(/%2C/g, ',')}`;
}

/** The number of the tenant's last event now. */
async function lastEvent(api: ApiClient): Promise<number> {
  return ((await api.get(path(undefined, 1, 0))) as unknown as Page).last;
}

export const events: Command = {
  name: 'events',
  synopsis: 'events [--follow] [--after N] [--limit N] [--types A,B] [--queues Q,R]',
  summary: 'the event feed: the latest events, or --follow them as they come',
  async run({ args, api, io, signal }) {
    const print = (e: Record<string, unknown>) => io.out(args.json ? JSON.stringify(e) : eventLine(e));
    const limit = Math.min(1000, args.limit ?? (args.follow ? 1000 : DEFAULT_PAGE));
    if (!args.follow) {
      const after = args.after ?? Math.max(0, (await lastEvent(api)) - limit);
      const page = (await api.get(path(after, limit, 0, args.types, args.queues))) as unknown as Page;
      for (const e of page.events) print(e);
      if (!args.json) io.err(`(events after ${after}: ${page.events.length} shown, the last is ${page.last}; go on with --after ${page.next})`);
      return 0;
    }
    let after = args.after ?? (await lastEvent(api));
    if (!args.json) io.err(`(following events after ${after} at ${api.base}; Ctrl-C to stop)`);
    let failing = false;
    while (!signal.aborted) {
      let page: Page;
      try {
        page = (await api.get(path(after, limit, WAIT_SECONDS, args.types, args.queues), WAIT_SECONDS * 1000, signal)) as unknown as Page;
      } catch (e) {
        if (signal.aborted) break;
        // A restart or a failover: the same cursor again once the server (or the new leader) answers.
        if (e instanceof CliFailure && (e.exitCode === Exit.UNREACHABLE || e.exitCode === Exit.UNAVAILABLE)) {
          if (!failing) io.err(`${e.message}; retrying every ${RETRY_MS / 1000} s from event ${after}`);
          failing = true;
          await new Promise((r) => setTimeout(r, RETRY_MS));
          continue;
        }
        throw e;
      }
      if (failing) io.err(`(reconnected to ${api.base}; following events after ${after})`);
      failing = false;
      for (const e of page.events) print(e);
      after = page.next;
    }
    return 0;
  },
};
