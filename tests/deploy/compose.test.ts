import { existsSync, readFileSync } from 'node:fs';
import { dirname, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configReference, loadConfig } from '../../src/config.ts';

/**
 * compose.yaml read as Compose reads it (merge keys, `${VAR:-default}` with nothing set), and the
 * files it mounts: the stack must start as the README says without a Docker engine to try it.
 */
const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number };
  restart?: string;
}

/** Compose's interpolation with an empty environment: the defaults apply, a required one fails. */
function interpolate(text: string): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    if (op === '-') return arg ?? '';
    throw new Error(`${name} must be set${arg ? `: ${arg}` : ''}`);
  });
}

const compose = parse(interpolate(read('compose.yaml')), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const SERVERS = ['switchboard-1', 'switchboard-2'];

/** A bind mount's host path (relative to the repository) and its path in the container. */
function binds(s: Service): { host: string; container: string }[] {
  return (s.volumes ?? [])
    .filter((v) => v.startsWith('./'))
    .map((v) => {
      const [host, container] = v.split(':');
      return { host, container };
    });
}
const mountOf = (s: Service, container: string) => binds(s).find((b) => b.container === container)?.host;

describe('compose.yaml', () => {
  it('runs two servers on one Redis journal and one lease: a leader and a hot standby', () => {
    for (const name of SERVERS) {
      const s = services[name];
      expect(s, name).toBeDefined();
      expect(s.build, name).toBe('.');
      const env = s.environment!;
      expect(env.SWITCHBOARD_STORE).toBe('redis');
      expect(env.SWITCHBOARD_REDIS_URL).toBe('redis://redis:6379');
      expect(env.SWITCHBOARD_METRICS_HOST, 'metrics reachable from Prometheus').toBe('0.0.0.0');
      expect(s.expose).toContain('9464');
      // A leader that loses the lease exits for its supervisor to start it again, as a standby.
      expect(s.restart).toBe('unless-stopped');
      expect(s.depends_on?.redis?.condition).toBe('service_healthy');
    }
    const [a, b] = SERVERS.map((n) => services[n].environment!);
    expect(a).toEqual(b);
    // The first is healthy (it holds the lease) before the second starts, which then stands by.
    expect(services['switchboard-2'].depends_on?.['switchboard-1']?.condition).toBe('service_healthy');
    const published = SERVERS.map((n) => services[n].ports![0]);
    expect(published).toEqual(['127.0.0.1:7070:7070', '127.0.0.1:7071:7070']);
  });

  it("gives the servers a configuration the server accepts, every variable one of the server's", () => {
    const known = new Set(configReference().map((r) => r.env));
    const env = services['switchboard-1'].environment!;
    for (const k of Object.keys(env)) expect(known, k).toContain(k);
    const loaded = loadConfig(env, []);
    expect(loaded.ok, loaded.ok ? '' : loaded.error).toBe(true);
    if (!loaded.ok) return;
    // The development configuration: a fixed secret (so both processes verify the same tokens) and
    // the tokens printed at start; SWITCHBOARD_DEV=false turns the latter off.
    expect(loaded.config.dev).toBe(true);
    expect(loaded.config.authSecret).toMatch(/development/);
    expect(loadConfig({ ...env, SWITCHBOARD_DEV: 'false' }, [])).toMatchObject({ ok: true, config: { dev: false } });
  });

  it('runs Redis with the append-only file fsynced on every write, on a volume', () => {
    const redis = services.redis;
    const cmd = redis.command!;
    expect(cmd[0]).toBe('redis-server');
    expect(cmd.slice(cmd.indexOf('--appendonly'), cmd.indexOf('--appendonly') + 2)).toEqual(['--appendonly', 'yes']);
    expect(cmd.slice(cmd.indexOf('--appendfsync'), cmd.indexOf('--appendfsync') + 2)).toEqual(['--appendfsync', 'always']);
    expect(redis.volumes).toContain('redis-data:/data');
    expect(compose.volumes).toHaveProperty('redis-data');
  });

  it('has Prometheus load docs/alerts.yml and scrape both servers on their metrics port', () => {
    const prom = services.prometheus;
    const configFlag = prom.command!.find((c) => c.startsWith('--config.file='))!.split('=')[1];
    expect(mountOf(prom, configFlag)).toBe('./deploy/prometheus/prometheus.yml');
    const config = parse(read('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    // Rule files are relative to the configuration file, in the container.
    const rules = config.rule_files.map((f) => posix.resolve(posix.dirname(configFlag), f));
    expect(rules.map((r) => mountOf(prom, r))).toEqual(['./docs/alerts.yml']);
    const targets = config.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(SERVERS.map((n) => `${n}:9464`));
  });

  it('has Grafana provision the Prometheus data source and the dashboard of docs/', () => {
    const grafana = services.grafana;
    const provisioning = '/etc/grafana/provisioning';
    const datasources = mountOf(grafana, `${provisioning}/datasources`)!;
    const dashboards = mountOf(grafana, `${provisioning}/dashboards`)!;
    expect(datasources).toBe('./deploy/grafana/provisioning/datasources');
    expect(dashboards).toBe('./deploy/grafana/provisioning/dashboards');
    const ds = parse(read(`${datasources}/prometheus.yaml`)) as { apiVersion: number; datasources: { type: string; url: string; isDefault: boolean }[] };
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true })]);
    expect(services.prometheus.ports).toContain('127.0.0.1:9090:9090');
    const providers = parse(read(`${dashboards}/switchboard.yaml`)) as { apiVersion: number; providers: { type: string; options: { path: string } }[] };
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers).toHaveLength(1);
    const { type, options } = providers.providers[0];
    expect(type).toBe('file');
    const dashboard = binds(grafana).find((b) => posix.dirname(b.container) === options.path);
    expect(dashboard?.host).toBe('./docs/grafana-dashboard.json');
    expect(grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(dashboard?.container);
    // The dashboard asks for a Prometheus data source; the provisioned one is the default.
    const json = JSON.parse(read('docs/grafana-dashboard.json')) as { templating: { list: { type: string; query: string }[] } };
    expect(json.templating.list).toContainEqual(expect.objectContaining({ type: 'datasource', query: 'prometheus' }));
  });

  it('mounts only files and folders that exist', () => {
    const all = Object.values(services).flatMap(binds);
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const b of all) expect(existsSync(resolve(root, b.host)), b.host).toBe(true);
    expect(existsSync(resolve(dirname(resolve(root, 'compose.yaml')), 'Dockerfile'))).toBe(true);
  });

  it('gives every service a health check', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test?.[0], name).toMatch(/^CMD(-SHELL)?$/);
      expect(s.healthcheck?.timeout, name).toBeDefined();
    }
    // The servers' is liveness: /readyz is 503 on the standby.
    for (const name of SERVERS) expect(services[name].healthcheck!.test.join(' ')).toContain('http://127.0.0.1:7070/healthz');
  });

  it('pins every image it pulls to a version', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue;
      expect(s.image, name).toMatch(/^[a-z0-9./-]+:v?\d+\.\d+\.\d+$/);
    }
    expect(Object.values(services).filter((s) => !s.build)).toHaveLength(3);
  });
});
