/**
 * `switchboard serve` (npm start): reads the configuration once, prints it (secrets masked),
 * wires the shell and the transport, and stops gracefully on SIGTERM or SIGINT.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { configReference, describeConfig, loadConfig } from './config.ts';
import { Metrics } from './metrics/metrics.ts';
import { Shell } from './server.ts';
import { RedisJournal } from './store/redis-journal.ts';
import { TokenVerifier } from './transport/auth.ts';
import { startServer } from './transport/ws-server.ts';

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
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
  const journal = config.store === 'redis' ? new RedisJournal(config.redisUrl) : undefined;
  const shell = new Shell({ ordering: config.ordering, agentSelection: config.agentSelection, metrics, ...(journal ? { journal } : {}), log });
  metrics.observeQueues(shell);
  if (journal) {
    // Recovery before listening: replay every tenant's journal through the engine.
    const started = performance.now();
    await journal.ready();
    const entries = await shell.recover();
    log.info({ store: journal.describe(), entries, ms: Math.round(performance.now() - started) }, 'recovered from the journal');
  }
  const verifier = new TokenVerifier(secret);
  const server = await startServer(config, shell, verifier, log, metrics);
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
      server.stop();
      void journal?.close();
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
      process.exitCode = 1;
    },
  );
}
