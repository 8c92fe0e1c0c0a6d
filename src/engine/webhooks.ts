/**
 * Webhook subscriptions: tenant configuration that says where the shell delivers the tenant's
 * event feed, and how far each delivery stands (`delivered`: the last event seq its receiver
 * confirmed). The engine only keeps them, so that they are journaled, snapshotted and followed
 * by a standby like queues and agents: a recovery or a take-over knows every webhook and goes on
 * from its cursor. Delivering them (HTTP, signatures, retries) is the shell's; none of these
 * commands emits an event, so a delivery never feeds itself.
 */
import { RejectCode, type Rejection } from './codes.ts';
import type { EngineLimits } from './options.ts';
import type { Command, WebhookSpec } from './types.ts';

type WebhookCommand = Extract<Command, { type: 'UpsertWebhook' | 'RemoveWebhook' | 'AckWebhook' | 'PauseWebhook' }>;
import { checkId, reject } from './validate.ts';

/** A webhook as kept: its spec, its cursor, and why it is paused (null: it delivers). */
export interface WebhookRecord {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
  readonly types: readonly string[] | null;
  readonly queues: readonly string[] | null;
  delivered: number;
  paused: string | null;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;
export const MIN_WEBHOOK_SECRET_LENGTH = 16;
export const MAX_WEBHOOK_SECRET_LENGTH = 256;
/** Event types and queues one webhook may filter on. */
export const MAX_WEBHOOK_FILTER = 64;
/** Why a webhook was paused, in characters at most. */
const MAX_PAUSE_REASON = 500;

function checkList(list: unknown, what: string, limits: EngineLimits): Rejection | null {
  if (list === undefined) return null;
  if (!Array.isArray(list) || list.length === 0) return reject(RejectCode.INVALID_ARGUMENT, `${what} must be a non-empty array`);
  if (list.length > MAX_WEBHOOK_FILTER) return reject(RejectCode.LIMIT_EXCEEDED, `${what}: more than ${MAX_WEBHOOK_FILTER}`);
  for (const x of list) {
    const bad = checkId(x, `${what} entry`, limits);
    if (bad) return bad;
  }
  return null;
}

export class Webhooks {
  readonly byId = new Map<string, WebhookRecord>();

  constructor(private readonly limits: EngineLimits) {}

  /** One of the webhook commands; `last` is the last event emitted. */
  apply(cmd: WebhookCommand, last: number): Rejection | null {
    switch (cmd.type) {
      case 'UpsertWebhook':
        return this.upsert(cmd.webhook, last);
      case 'RemoveWebhook':
        return this.remove(cmd.webhookId);
      case 'AckWebhook':
        return this.ack(cmd.webhookId, cmd.through, last);
      case 'PauseWebhook':
        return this.pause(cmd.webhookId, cmd.reason);
    }
  }

  /**
   * Adds or replaces a webhook. A new one starts after `after` (default: the last event emitted,
   * `last`: it receives what happens from now on); a replaced one keeps its cursor unless `after`
   * is given, and delivers again if it was paused.
   */
  upsert(spec: WebhookSpec, last: number): Rejection | null {
    if (spec === null || typeof spec !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'webhook must be an object');
    const bad =
      checkId(spec.id, 'webhook id', this.limits) ??
      (typeof spec.url !== 'string' || spec.url.length === 0 || spec.url.length > MAX_WEBHOOK_URL_LENGTH
        ? reject(RejectCode.INVALID_ARGUMENT, `webhook url must be a string of 1 to ${MAX_WEBHOOK_URL_LENGTH} characters`)
        : null) ??
      (typeof spec.secret !== 'string' || spec.secret.length < MIN_WEBHOOK_SECRET_LENGTH || spec.secret.length > MAX_WEBHOOK_SECRET_LENGTH
        ? reject(RejectCode.INVALID_ARGUMENT, `webhook secret must be a string of ${MIN_WEBHOOK_SECRET_LENGTH} to ${MAX_WEBHOOK_SECRET_LENGTH} characters`)
        : null) ??
      checkList(spec.types, 'webhook types', this.limits) ??
      checkList(spec.queues, 'webhook queues', this.limits) ??
      (spec.after !== undefined && (!Number.isSafeInteger(spec.after) || spec.after < 0 || spec.after > last)
        ? reject(RejectCode.INVALID_ARGUMENT, `webhook after must be an event seq from 0 to the last one (${last})`)
        : null);
    if (bad) return bad;
    const old = this.byId.get(spec.id);
    if (!old && this.byId.size >= this.limits.maxWebhooks) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${this.limits.maxWebhooks} webhooks`);
    this.byId.set(spec.id, {
      id: spec.id,
      url: spec.url,
      secret: spec.secret,
      types: spec.types ? [...spec.types] : null,
      queues: spec.queues ? [...spec.queues] : null,
      delivered: spec.after ?? old?.delivered ?? last,
      paused: null,
    });
    return null;
  }

  remove(id: string): Rejection | null {
    if (!this.byId.delete(id)) return reject(RejectCode.UNKNOWN_WEBHOOK, `webhook '${id}' is not defined`);
    return null;
  }

  /**
   * A delivery confirmed every event through `through`: the cursor moves there. A stale or
   * repeated acknowledgement (not past the cursor), or one for a webhook removed meanwhile,
   * changes nothing.
   */
  ack(id: string, through: number, last: number): Rejection | null {
    if (!Number.isSafeInteger(through) || through > last) return reject(RejectCode.INVALID_ARGUMENT, `through must be an event seq up to ${last}`);
    const w = this.byId.get(id);
    if (w && through > w.delivered) w.delivered = through;
    return null;
  }

  /** Pauses a webhook that keeps failing (UpsertWebhook resumes it); unknown ids change nothing. */
  pause(id: string, reason: string): Rejection | null {
    if (typeof reason !== 'string' || reason.length === 0) return reject(RejectCode.INVALID_ARGUMENT, 'reason must be a non-empty string');
    const w = this.byId.get(id);
    if (w) w.paused = reason.slice(0, MAX_PAUSE_REASON);
    return null;
  }

  /** Copies for a snapshot, oldest first. */
  dump(): WebhookRecord[] {
    return [...this.byId.values()].map((w) => ({ ...w }));
  }

  load(records: readonly WebhookRecord[] | undefined): void {
    this.byId.clear();
    for (const w of records ?? []) this.byId.set(w.id, { ...w });
  }
}
