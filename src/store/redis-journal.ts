/**
 * The journal in Redis: one Stream per tenant, written by a Lua script that checks the tenant's
 * fencing epoch and appends a whole turn in one call (group commit). Keys carry the `{tenant}`
 * hash tag, so a tenant's keys share a slot and the same code runs on Redis Cluster.
 *
 *   sb:{<tenant>}:journal   Stream; each entry has one field `e`: a MessagePack JournalEntry
 *   sb:{<tenant>}:epoch     the fencing epoch; INCR by each process that takes the tenant over
 *   sb:tenants              Set of tenant ids (a global key: list tenants to recover)
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

const packr = new Packr({ useRecords: false, moreTypes: false });
const key = (tenant: string, what: string) => `sb:{${tenant}}:${what}`;
const READ_CHUNK = 5_000;

type AppendingRedis = Redis & { sbAppend(stream: string, epoch: string, expected: string, ...entries: Buffer[]): Promise<number> };

export class RedisJournal implements Journal {
  private readonly redis: AppendingRedis;
  private readonly epochs = new Map<string, string>();
  private readonly known = new Set<string>();

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

  async open(tenant: string): Promise<AsyncIterable<JournalEntry[]>> {
    const epoch = await this.wrap(() => this.redis.incr(key(tenant, 'epoch')));
    this.epochs.set(tenant, String(epoch));
    await this.wrap(() => this.redis.sadd('sb:tenants', tenant));
    this.known.add(tenant);
    const redis = this.redis;
    const stream = key(tenant, 'journal');
    return {
      async *[Symbol.asyncIterator]() {
        let start = '-';
        for (;;) {
          const rows = await redis.xrangeBuffer(stream, start, '+', 'COUNT', READ_CHUNK);
          if (rows.length === 0) return;
          yield rows.map(([, fields]) => packr.unpack(fields[1]) as JournalEntry);
          if (rows.length < READ_CHUNK) return;
          start = `(${rows[rows.length - 1][0].toString()}`;
        }
      },
    };
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
