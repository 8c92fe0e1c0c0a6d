/**
 * The one configuration schema. Every field has a default and a description; values come from
 * environment variables (SWITCHBOARD_<NAME>) and command-line flags (--name), flags winning.
 * Read once, in main.ts.
 */
import { z } from 'zod';
import type { WebhookSettings } from './shell/webhook-dispatcher.ts';
import { AGENT_SELECTION_POLICIES, ORDERING_POLICIES } from './engine/options.ts';

/**
 * A yes/no knob: true, false, 1, 0, yes, no, on, off (any case); anything else is refused (a
 * coerced boolean would read "off" or "FALSE" as true, and some of these knobs lower a guard).
 */
const Flag = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const x = v.trim().toLowerCase();
  if (x === 'true' || x === '1' || x === 'yes' || x === 'on') return true;
  if (x === 'false' || x === '0' || x === 'no' || x === 'off') return false;
  return v;
}, z.boolean());

export const ConfigSchema = z.strictObject({
  port: z.coerce.number().int().min(0).max(65_535).default(7070).describe('TCP port of the WebSocket and HTTP server (0: any free port)'),
  host: z.string().min(1).default('0.0.0.0').describe('Address to listen on'),
  authSecret: z.string().min(32, 'at least 32 characters').optional().describe('HMAC secret (HS256) that signs access tokens; required unless dev is set'),
  dev: Flag.default(false).describe('Development mode: a random secret if none is given, and ready-made tokens printed at start. Never for production'),
  allowJsFallback: Flag.default(false).describe('Start on the slow JavaScript implementation of uWebSockets.js when no native build loads'),
  ordering: z.enum(ORDERING_POLICIES).default('service-objective').describe('Engine ordering policy'),
  agentSelection: z.enum(AGENT_SELECTION_POLICIES).default('longest-idle').describe('Engine agent-selection policy'),
  maxPayloadBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(64 * 1024)
    .describe('Largest WebSocket message or HTTP API request body accepted'),
  idleTimeoutSeconds: z.coerce.number().int().min(8).max(960).default(120).describe('Close a connection silent this long (pings are sent automatically)'),
  maxBackpressureBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024)
    .describe('Close a connection whose unsent output exceeds this (a slow consumer never delays others)'),
  messagesPerSecond: z.coerce
    .number()
    .min(1)
    .default(200)
    .describe('Sustained messages per second per connection, and requests per second per HTTP API caller'),
  messageBurst: z.coerce.number().int().min(1).default(400).describe('Messages a connection (or requests an HTTP API caller) may send in a burst'),
  maxViolations: z.coerce.number().int().min(1).default(50).describe('Refused messages (rate, validation) after which a connection is closed'),
  maxConnectionsPerTenant: z.coerce.number().int().min(1).default(20_000).describe('Open connections per tenant'),
  metricsPort: z.coerce
    .number()
    .int()
    .min(-1)
    .max(65_535)
    .default(9464)
    .describe('Port of the Prometheus /metrics listener (0: any free port; -1: no separate listener)'),
  metricsHost: z.string().min(1).default('127.0.0.1').describe('Address of the metrics listener (loopback by default: never open by accident)'),
  metricsToken: z
    .string()
    .min(16, 'at least 16 characters')
    .optional()
    .describe('When set, /metrics is also served on the main port to requests bearing this token (Authorization: Bearer …)'),
  serviceLevelWindowSeconds: z.coerce.number().int().min(60).max(86_400).default(900).describe('Rolling window of the switchboard_service_level_ratio gauge'),
  store: z
    .enum(['memory', 'redis'])
    .default('memory')
    .describe('Where state lives: memory (lost on restart) or redis (write-ahead journal; acknowledged work survives a crash)'),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'a redis:// or rediss:// (TLS) URL')
    .default('redis://127.0.0.1:6379')
    .describe('Redis for the redis store; rediss:// for TLS, redis://user:password@host:port for an ACL user'),
  redisCluster: Flag.default(false).describe('The redis URL names one node of a Redis Cluster (tenants spread over its slots by the {tenant} hash tag)'),
  leaseMs: z.coerce
    .number()
    .int()
    .min(500)
    .max(60_000)
    .default(3000)
    .describe('Leader lease (redis store): renewed every third of it; a standby takes over once it lapses'),
  snapshotEveryEntries: z.coerce
    .number()
    .int()
    .min(0)
    .max(100_000_000)
    .default(250_000)
    .describe(
      'The snapshot replica (a worker thread) snapshots a tenant after this many journal entries and trims the journal up to it, so recovery replays at most about this many (redis store; 0: no replica, no snapshots)',
    ),
  eventsRetained: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(10_000_000)
    .default(100_000)
    .describe(
      'Events kept in memory per tenant for subscribers that resume with a cursor (Subscribe after); older ones come from the store (redis) or are EVENTS_EXPIRED',
    ),
  historyKept: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .default(100_000)
    .describe('Ended interactions whose history (GetInteractionHistory) is kept in memory per tenant; with the redis store every one is also kept in Redis'),
  historyRetentionDays: z.coerce.number().min(1).max(3_650).default(30).describe("How long an ended interaction's history is kept"),
  offerJourney: z.coerce
    .number()
    .int()
    .min(0)
    .max(20)
    .default(5)
    .describe(
      "How many of the customer's recent interactions (channel, queue, agent, outcome, disposition) an offer shows the agent, for queues that do not set offerJourney; 0: none",
    ),
  eventsStreamKept: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(1_000_000_000)
    .default(64_000_000)
    .describe("Events each tenant's events stream keeps in Redis for resuming subscribers (redis store; the default holds over 7 days at 100 a second)"),
  eventsStreamMaxAgeHours: z.coerce
    .number()
    .min(1)
    .max(24 * 365)
    .default(168)
    .describe("How long each tenant's events stream keeps events (redis store)"),
  webhooksAllowPrivate: Flag.default(false).describe(
    'Let webhooks deliver to private, loopback and link-local addresses (off: such URLs are refused, and names resolving to them fail)',
  ),
  webhookTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(10_000).describe('How long a webhook receiver has to answer a delivery'),
  webhookBatchEvents: z.coerce.number().int().min(1).max(1_000).default(100).describe('Events per webhook delivery at most'),
  webhookMaxBodyBytes: z.coerce
    .number()
    .int()
    .min(16 * 1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024)
    .describe("A webhook delivery's body in bytes at most (a batch is cut to fit)"),
  webhookRetryBaseMs: z.coerce
    .number()
    .int()
    .min(10)
    .max(600_000)
    .default(1_000)
    .describe('First wait before a failed webhook delivery is retried (doubled per failure, with jitter)'),
  webhookRetryMaxMs: z.coerce.number().int().min(10).max(3_600_000).default(300_000).describe('Longest wait between retries of a webhook delivery'),
  webhookPauseAfterFailures: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(50)
    .describe('Failed deliveries in a row after which a webhook is paused with the reason (about 3.5 hours with the default waits)'),
  leaseName: z.string().min(1).max(64).default('default').describe('Name of the leader lease: processes sharing it are one leader and its standbys'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
});

export type Config = z.output<typeof ConfigSchema>;

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envName = (k: string) => `SWITCHBOARD_${kebab(k).replaceAll('-', '_').toUpperCase()}`;

/** Collects raw values from the environment and flags, then validates them all at once. */
export function loadConfig(env: Record<string, string | undefined>, argv: readonly string[]): { ok: true; config: Config } | { ok: false; error: string } {
  const raw: Record<string, unknown> = {};
  const keys = Object.keys(ConfigSchema.shape);
  for (const k of keys) {
    const v = env[envName(k)];
    if (v !== undefined) raw[k] = v;
  }
  const byFlag = new Map(keys.map((k) => [kebab(k), k]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) return { ok: false, error: `unexpected argument '${a}'` };
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const key = byFlag.get(name);
    if (!key) return { ok: false, error: `unknown flag --${name}` };
    if (eq > 0) raw[key] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) raw[key] = argv[++i];
    else raw[key] = 'true';
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: z.prettifyError(parsed.error) };
  if (!parsed.data.dev && !parsed.data.authSecret) return { ok: false, error: `authSecret is required (${envName('authSecret')}) unless --dev is given` };
  return { ok: true, config: parsed.data };
}

/** How the shell delivers webhooks, from the configuration. */
export function webhookSettingsOf(c: Config): WebhookSettings {
  return {
    allowPrivate: c.webhooksAllowPrivate,
    timeoutMs: c.webhookTimeoutMs,
    batchEvents: c.webhookBatchEvents,
    maxBodyBytes: c.webhookMaxBodyBytes,
    retryBaseMs: c.webhookRetryBaseMs,
    retryMaxMs: c.webhookRetryMaxMs,
    pauseAfterFailures: c.webhookPauseAfterFailures,
  };
}

/** The configuration as printed at start: secrets masked. */
export function describeConfig(c: Config): Record<string, unknown> {
  return {
    ...c,
    authSecret: c.authSecret ? '********' : undefined,
    metricsToken: c.metricsToken ? '********' : undefined,
    redisUrl: c.redisUrl.replace(/\/\/([^@/]*)@/, '//********@'),
  };
}

/** Every knob with its environment variable, flag, default and meaning (for docs and --help). */
export function configReference(): { key: string; env: string; flag: string; default: unknown; description: string }[] {
  return Object.entries(ConfigSchema.shape).map(([key, schema]) => {
    const s = schema as z.ZodType;
    const parsed = s.safeParse(undefined);
    return { key, env: envName(key), flag: `--${kebab(key)}`, default: parsed.success ? parsed.data : undefined, description: s.description ?? '' };
  });
}
