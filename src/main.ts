/**
 * `switchboard serve` (npm start): reads the configuration once, prints it (secrets masked),
 * wires the shell and the transport, and stops gracefully on SIGTERM or SIGINT. The operator
 * commands (`switchboard status`, `queues`, `agents`, `explain`, `events`, `history`, `help`) go
 * to the CLI (src/cli/run.ts), which asks a running server over its HTTP API.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { runCliProcess } from './cli/run.ts';
import { configReference, describeConfig, loadConfig, webhookSettingsOf } from './config.ts';
import { Metrics } from './metrics/metrics.ts';
import { Shell } from './shell/shell.ts';
import { SnapshotThread } from './shell/snapshot-thread.ts';
import { RedisJournal } from './store/redis-journal.ts';
import { TokenVerifier } from './transport/auth.ts';
import { startServer } from './transport/ws-server.ts';

/** How often the snapshot replica reads what the journal gained (it trails the leader by about this). */
const SNAPSHOT_REPLICA_INTERVAL_MS = 200;

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  // A first word other than `serve` is an operator command (the server takes flags only).
  if (argv[0] !== undefined && argv[0] !== 'serve' && !argv[0].startsWith('-')) return runCliProcess(argv, env);
  const args = argv[0] === 'serve' ? argv.slice(1) : argv;
  if (args.includes('--help')) {
    for (const r of configReference()) console.log(`${r.flag.padEnd(28)} ${r.env.padEnd(40)} default ${JSON.stringify(r.default)}\n    ${r.description}`);
    return 0;
  }
  const loaded = loadConfig(env, args);
  if (!loaded.ok) {
    console.error(`invalid configuration:\n${loaded.error}`);
    return 2;
  }
  const config = loaded.config;
  const log = pino({ level: config.logLevel, base: { service: 'switchboard' } });
  const secret = config.authSecret ?? randomBytes(32).toString('hex');
  log.info({ config: describeConfig(config) }, 'configuration');
  const metrics = new Metrics({ serviceLevelWindowMs: config.serviceLevelWindowSeconds * 1000 });
  const journal =
    config.store === 'redis'
      ? new RedisJournal(config.redisUrl, {
          cluster: config.redisCluster,
          eventsKept: config.eventsStreamKept,
          eventsMaxAgeMs: config.eventsStreamMaxAgeHours * 3600_000,
        })
      : undefined;
  const shell = new Shell({
    ordering: config.ordering,
    agentSelection: config.agentSelection,
    metrics,
    ...(journal ? { journal } : {}),
    log,
    eventsRetained: config.eventsRetained,
    historyKept: config.historyKept,
    historyRetentionMs: config.historyRetentionDays * 86_400_000,
    offerJourney: config.offerJourney,
    webhooks: webhookSettingsOf(config),
  });
  // The snapshot replica (redis store): a worker thread whose engines follow the journal and
  // publish snapshots of the tenants this process leads, so taking one never holds this
  // process's event loop. Started once this process has recovered, or as a standby has caught
  // up (so it is warm when it takes over; it publishes nothing before).
  const snapshots =
    journal && config.snapshotEveryEntries > 0
      ? new SnapshotThread({
          redisUrl: config.redisUrl,
          cluster: config.redisCluster,
          ordering: config.ordering,
          agentSelection: config.agentSelection,
          every: config.snapshotEveryEntries,
          intervalMs: SNAPSHOT_REPLICA_INTERVAL_MS,
          epochOf: (tenant) => journal.epoch(tenant),
          metrics,
          log,
        })
      : null;
  metrics.observeQueues(shell);
  // With the redis store one process per lease leads; the others are hot standbys that follow
  // the journal and take over when the lease lapses.
  const node = randomUUID();
  /** Ready: this process holds the lease and its engines are the journal's state. */
  let leading = !journal;
  /** The initial recovery (or a standby's take-over) is done. */
  let recovered = !journal;
  /** A standby: when it last caught up with the journal (`GET /v1/status` reports the lag). */
  let caughtUpAt: number | null = null;
  let stopped = false;
  let demote = (reason: string): void => {
    log.fatal({ reason }, 'stepping down');
    process.exit(3);
  };
  /**
   * Renews the lease from the moment it is taken, every third of it, through every recovery:
   * a recovery longer than the lease must not let it lapse under it.
   */
  let holding = false;
  const holdLease = () => {
    if (holding) return;
    holding = true;
    const every = Math.floor(config.leaseMs / 3);
    let renewedAt = performance.now();
    let regaining = false;
    const timer = setInterval(() => {
      // On the monotonic clock, before the lease can lapse under us: stop being ready (the
      // journal refuses writes anyway while Redis is away) until the lease is confirmed again.
      if (leading && performance.now() - renewedAt > config.leaseMs * 0.8) {
        leading = false;
        log.warn({ node }, 'lease not confirmed in time: not ready until it is');
      }
      journal!.renew(config.leaseName, node, config.leaseMs).then(
        async (ours) => {
          if (ours) {
            renewedAt = performance.now();
            if (recovered && !regaining) leading = true;
            return;
          }
          if (regaining) return;
          // The lease lapsed. Free: take it again and rebuild the tenants another node fenced
          // meanwhile (it may have led; its fencing refuses every write of ours until we do). Held by
          // another node: step down. During the first recovery (a snapshot's decoding can hold
          // the loop longer than the lease) only take it again: that recovery goes on.
          regaining = true;
          try {
            if (!(await journal!.acquire(config.leaseName, node, config.leaseMs)))
              return demote(`another node holds the lease (${await journal!.leaseHolder(config.leaseName).catch(() => '?')})`);
            renewedAt = performance.now();
            if (!recovered) return;
            await shell.regain();
            leading = true;
            log.info({ node }, 'lease taken again: leading');
          } catch {
            /* Redis still away: next tick */
          } finally {
            regaining = false;
          }
        },
        () => undefined,
      );
    }, every);
    timer.unref();
  };
  const lead = () => {
    recovered = true;
    leading = true;
    snapshots?.start();
  };
  if (journal) {
    await journal.ready();
    if (await journal.acquire(config.leaseName, node, config.leaseMs)) {
      holdLease();
      // Recovery before listening: replay every tenant's journal through the engine.
      const started = performance.now();
      const entries = await shell.recover();
      log.info({ store: journal.describe(), node, entries, ms: Math.round(performance.now() - started) }, 'leader: recovered from the journal');
      lead();
    } else {
      log.info({ store: journal.describe(), node }, 'standby: following the journal');
      const entries = await shell.follow();
      caughtUpAt = Date.now();
      log.info({ entries }, 'standby: caught up');
      snapshots?.start();
      void (async () => {
        let lastTry = 0;
        while (!recovered && !stopped) {
          await new Promise((r) => setTimeout(r, 100));
          await shell.follow().then(
            () => {
              caughtUpAt = Date.now();
            },
            () => undefined,
          );
          if (performance.now() - lastTry < config.leaseMs / 3) continue;
          lastTry = performance.now();
          if (await journal.acquire(config.leaseName, node, config.leaseMs).catch(() => false)) {
            holdLease();
            const started = performance.now();
            try {
              const n = await shell.takeOver();
              lead();
              log.info({ node, entries: n, ms: Math.round(performance.now() - started) }, 'standby took over: leading');
            } catch (e) {
              log.warn({ node, err: (e as Error).message }, 'take-over failed; trying again');
            }
          }
        }
      })();
    }
  }
  const verifier = new TokenVerifier(secret);
  const server = await startServer(config, shell, verifier, log, metrics, {
    ready: () => leading,
    role: () => (recovered ? 'leader' : 'standby'),
    caughtUpAt: () => caughtUpAt,
  });
  const exit = demote;
  demote = (reason: string) => {
    // Stop serving first: clients move to the new leader; the process exits for its supervisor
    // to start it again (as a standby).
    server.stop();
    exit(reason);
  };
  if (config.dev) {
    // Development only (never implied): ready-made tokens for the demo tenant, valid 12 hours.
    const ttl = 12 * 3600;
    const platform = await verifier.sign({ tenant: 'demo', role: 'platform' }, ttl);
    const agent = await verifier.sign({ tenant: 'demo', role: 'agent', sub: 'agent-1' }, ttl);
    const supervisor = await verifier.sign({ tenant: 'demo', role: 'supervisor' }, ttl);
    console.log(
      `\nDEVELOPMENT MODE: tokens for tenant "demo", valid 12 h (platform: /v1/platform; agent-1 and supervisor: /v1/agent)\n` +
        `export SWITCHBOARD_URL=ws://localhost:${server.port}\n` +
        `export PLATFORM_TOKEN=${platform}\n` +
        `export AGENT_TOKEN=${agent}\n` +
        `export SUPERVISOR_TOKEN=${supervisor}\n\n` +
        `dashboard:     http://localhost:${server.port}/dashboard#token=${supervisor}\n` +
        `agent desktop: http://localhost:${server.port}/agent#token=${agent}\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      stopped = true;
      server.stop();
      void (snapshots?.stop() ?? Promise.resolve()).finally(() => journal?.close());
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

if (process.argv[1]?.endsWith('/main.ts') || process.argv[1]?.endsWith('/main.js')) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      // Exit now: a store connection or a lease timer would otherwise keep a server that never
      // listened alive.
      process.exit(1);
    },
  );
}
