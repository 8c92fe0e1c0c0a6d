/**
 * The journal in Redis: one Stream per tenant, written by a Lua script that checks the tenant's
 * fencing epoch and appends a whole turn in one call (group commit). Keys carry the `{tenant}`
 * hash tag, so a tenant's keys share a slot and the same code runs on Redis Cluster.
 *
 *   sb:{<tenant>}:journal   Stream; each entry has one field `e`: a MessagePack JournalEntry
 *   sb:{<tenant>}:epoch     the fencing epoch; INCR by each process that takes the tenant over
 *   sb:tenants              Set of tenant ids (a global key: list tenants to recover)
 *   sb:lease:<name>         the leader lease: the leading node's id, with a TTL it renews
 */
import { Redis, type RedisOptions } from 'ioredis';
import { Packr } from 'msgpackr';
import { StaleLeaderError, StoreUnavailableError, type Journal, type JournalEntry } from './journal.ts';

/**
 * KEYS[1] journal stream, KEYS[2] epoch key. ARGV[1] the writer's epoch, ARGV[2..] entries.
 * Returns the number appended, or the error STALE when the epoch moved on: a paused or
 * partitioned old writer can never append after a newer one took over.
 */
const APPEND = `
local current = redis.call('GET', KEYS[2])
if current ~= ARGV[1] then
  return redis.error_reply('STALE epoch ' .. tostring(current) .. ' writer ' .. ARGV[1])
end
for i = 2, #ARGV do
  redis.call('XADD', KEYS[1], '*', 'e', ARGV[i])
end
return #ARGV - 1
`;

/** KEYS[1] the lease, ARGV[1] this node, ARGV[2] milliseconds: extend it only if it is ours. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

/** KEYS[1] the lease, ARGV[1] this node, ARGV[2] milliseconds: take it if free or ours. */
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

const packr = new Packr({ useRecords: false, moreTypes: false });
const key = (tenant: string, what: string) => `sb:{${tenant}}:${what}`;
const READ_CHUNK = 5_000;

type AppendingRedis = Redis & {
  sbAppend(stream: string, epoch: string, expected: string, ...entries: Buffer[]): Promise<number>;
  sbRenew(lease: string, node: string, ms: string): Promise<number>;
  sbAcquire(lease: string, node: string, ms: string): Promise<number>;
};

export class RedisJournal implements Journal {
  private readonly redis: AppendingRedis;
  private readonly epochs = new Map<string, string>();

  constructor(url: string, options: RedisOptions = {}) {
    this.redis = new Redis(url, {
      // Fail fast while Redis is away: the shell answers STORE_UNAVAILABLE instead of queueing.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      // A write Redis does not confirm in time is a failed write (STORE_UNAVAILABLE), not a wait.
      commandTimeout: 2_000,
      ...options,
    }) as AppendingRedis;
    this.redis.defineCommand('sbAppend', { numberOfKeys: 2, lua: APPEND });
    this.redis.defineCommand('sbRenew', { numberOfKeys: 1, lua: RENEW });
    this.redis.defineCommand('sbAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    this.redis.on('error', () => undefined); // reported through failed writes
  }

  describe(): string {
    return `redis ${this.redis.options.host}:${this.redis.options.port}`;
  }

  async ready(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      this.redis.once('ready', resolve);
      this.redis.once('end', () => reject(new StoreUnavailableError('redis connection ended')));
    });
  }

  async tenants(): Promise<string[]> {
    return this.wrap(() => this.redis.smembers('sb:tenants'));
  }

  async fence(tenant: string): Promise<void> {
    const epoch = await this.wrap(() => this.redis.incr(key(tenant, 'epoch')));
    this.epochs.set(tenant, String(epoch));
    await this.wrap(() => this.redis.sadd('sb:tenants', tenant));
  }

  async open(tenant: string): Promise<AsyncIterable<JournalEntry[]>> {
    await this.fence(tenant);
    const chunks = this.read(tenant, '-');
    return {
      async *[Symbol.asyncIterator]() {
        for await (const c of chunks) yield c.entries;
      },
    };
  }

  async *read(tenant: string, after: string): AsyncIterable<{ entries: JournalEntry[]; last: string }> {
    const stream = key(tenant, 'journal');
    let start = after === '-' ? '-' : `(${after}`;
    for (;;) {
      const rows = await this.wrap(() => this.redis.xrangeBuffer(stream, start, '+', 'COUNT', READ_CHUNK));
      if (rows.length === 0) return;
      const last = rows[rows.length - 1][0].toString();
      yield { entries: rows.map(([, fields]) => packr.unpack(fields[1]) as JournalEntry), last };
      if (rows.length < READ_CHUNK) return;
      start = `(${last}`;
    }
  }

  /** Takes the leader lease if nobody holds it, or extends it if this node already does. */
  async acquire(lease: string, node: string, ms: number): Promise<boolean> {
    return (await this.wrap(() => this.redis.sbAcquire(`sb:lease:${lease}`, node, String(ms)))) === 1;
  }

  /** Who holds the lease now (for logs), or null. */
  async leaseHolder(lease: string): Promise<string | null> {
    return this.wrap(() => this.redis.get(`sb:lease:${lease}`));
  }

  /** Extends the lease if this node still holds it; false when another node does. */
  async renew(lease: string, node: string, ms: number): Promise<boolean> {
    return (await this.wrap(() => this.redis.sbRenew(`sb:lease:${lease}`, node, String(ms)))) === 1;
  }

  async append(tenant: string, entries: readonly JournalEntry[]): Promise<void> {
    const epoch = this.epochs.get(tenant);
    if (epoch === undefined) throw new Error(`tenant '${tenant}' was not opened`);
    const bufs = entries.map((e) => packr.pack(e));
    try {
      await this.redis.sbAppend(key(tenant, 'journal'), key(tenant, 'epoch'), epoch, ...bufs);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('STALE')) throw new StaleLeaderError(`tenant '${tenant}': ${e.message}`);
      throw new StoreUnavailableError(`journal write failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new StoreUnavailableError(`redis: ${(e as Error).message}`, { cause: e });
    }
  }
}
