import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `cond` every 50 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > end) throw new Error(`${what} not ready in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A real redis-server of the test's own on a free port, with an append-only file fsynced on every
 * write (appendfsync always), so a restart from the same directory keeps every confirmed write.
 */
export class TestRedis {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'sb-redis-'));
  private constructor(readonly port: number) {}

  static async start(): Promise<TestRedis> {
    const r = new TestRedis(await freePort());
    await r.restart();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--logfile',
        join(this.dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    const { Redis } = await import('ioredis');
    await until(
      async () => {
        const c = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on('error', () => undefined);
        try {
          await c.connect();
          return (await c.ping()) === 'PONG';
        } finally {
          c.disconnect();
        }
      },
      10_000,
      'redis-server',
    );
  }

  /** SIGSTOP: the server stops answering but keeps its connections (a hung Redis). */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** kill -9: no shutdown, no final save; what survives is what the AOF already holds. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
  }
}

/**
 * A Redis Cluster of `n` masters (no replicas), each a redis-server of the test's own on a free
 * port with its own directory, joined with `redis-cli --cluster create`.
 */
export class TestRedisCluster {
  private constructor(
    readonly ports: number[],
    private readonly procs: ChildProcess[],
  ) {}

  static async start(n = 3): Promise<TestRedisCluster> {
    const ports: number[] = [];
    while (ports.length < n) {
      const p = await freePort();
      // The cluster bus listens on port + 10000: keep both free and distinct.
      if (p + 10000 < 65536 && !ports.includes(p)) ports.push(p);
    }
    const procs = ports.map((port) => {
      const dir = mkdtempSync(join(tmpdir(), 'sb-cluster-'));
      return spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, 'nodes.conf'),
          '--cluster-node-timeout',
          '2000',
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--save',
          '',
          '--logfile',
          join(dir, 'redis.log'),
        ],
        { stdio: 'ignore' },
      );
    });
    const cluster = new TestRedisCluster(ports, procs);
    const { Redis } = await import('ioredis');
    const ask = async (port: number, ...cmd: string[]) => {
      const c = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => undefined);
      try {
        await c.connect();
        return String(await c.call(cmd[0], ...cmd.slice(1)));
      } finally {
        c.disconnect();
      }
    };
    for (const port of ports) await until(async () => (await ask(port, 'PING')) === 'PONG', 10_000, `redis-server :${port}`);
    await new Promise<void>((resolve, reject) => {
      const c = spawn('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
        stdio: 'ignore',
      });
      c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-cli --cluster create exited with ${code}`))));
    });
    for (const port of ports) await until(async () => (await ask(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), 20_000, `cluster node :${port}`);
    return cluster;
  }

  /** A URL naming one node; clients discover the others. */
  get url(): string {
    return `redis://127.0.0.1:${this.ports[0]}`;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.procs.map((p) => {
        if (p.exitCode !== null) return undefined;
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGKILL');
        return exited;
      }),
    );
  }
}
