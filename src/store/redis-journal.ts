/**
 * The journal in Redis: one Stream per tenant, written by a Lua script that checks the tenant's
 * fencing epoch and that the write continues the journal, and appends a whole turn in one call
 * (group commit). Snapshots are stored in parts and published by a second script, which trims
 * the entries they cover. Keys carry the `{tenant}` hash tag, so a tenant's keys share a slot
 * and every script touches one slot: the same code runs on Redis Cluster.
 *
 *   sb:{<tenant>}:journal        Stream; one stream entry per append (a turn), with the id 0-L
 *                                where L is the number of its last journal entry, and one field
 *                                `b`: MessagePack, the array of its JournalEntries (so its first
 *                                is L + 1 − their count). Journals written one stream entry per
 *                                journal entry (id 0-N, one field `e`: a MessagePack
 *                                JournalEntry) are still read.
 *   sb:{<tenant>}:seq            the number of the last entry appended
 *   sb:{<tenant>}:events         Stream of the tenant's engine events, written by the same script
 *                                call as the journal entries that emitted them: one stream entry
 *                                per turn, id 0-S where S is the seq of its last event, fields
 *                                `f` (the seq of its first), `t` (the turn's time, epoch ms) and
 *                                `b` (MessagePack, the array of its events; `j`, JSON, in turns
 *                                one release wrote, still read). Trimmed by count (its
 *                                oldest seq) and by age as each turn is written.
 *   sb:{<tenant>}:history:turns  Hash: for each turn in which interactions ended, written by the
 *                                same script call, field L (the number of its last journal entry)
 *                                → the MessagePack array of their history records, and field
 *                                `L:k` → [their ids, their journey keys] (MessagePack), for the
 *                                retention to drop them
 *   sb:{<tenant>}:history:turns:ended  Sorted set: those turns (L) by the end time of their last record
 *   sb:{<tenant>}:history:ids    Hash: interaction id → the turn (L) that holds its record
 *   sb:{<tenant>}:journeys       Sorted set (lexical): the journey keys of records with a customer,
 *                                `customer\0inverted arrival\0id`, so a customer's are newest first
 *   sb:{<tenant>}:history        Hash: interaction id → its record (MessagePack, or JSON), and
 *   sb:{<tenant>}:history:ended  Sorted set: their journey keys by end time: records as written one
 *                                per interaction before the turns above, still read until the
 *                                retention drops them
 *   sb:{<tenant>}:epoch          the fencing epoch; INCR by each process that takes the tenant over
 *   sb:{<tenant>}:snapshot       Hash: the published snapshot (through, data, parts, bytes, at)
 *   sb:{<tenant>}:snapshot:<id>  List: the snapshot's parts, in order
 *   sb:tenants                   Set of tenant ids (a global key: list tenants to recover)
 *   sb:lease:<name>              the leader lease: the leading node's id, with a TTL it renews
 */
import { randomUUID } from 'node:crypto';
import { Cluster, Redis, ReplyError, type RedisOptions } from 'ioredis';
import { Packr } from 'msgpackr';
import { journeyMember } from './history-keys.ts';
import {
  StaleLeaderError,
  StoreUnavailableError,
  WriteOutcomeUnknownError,
  type Journal,
  type JournalChunk,
  type EventBatch,
  type HistoryBatch,
  type JournalEntry,
  type NumberedEvent,
  type StoredSnapshot,
} from './journal.ts';

/**
 * KEYS[1] journal stream, KEYS[2] epoch, KEYS[3] seq, KEYS[4] events stream. ARGV[1] the writer's
 * epoch, ARGV[2] the number of the first entry, ARGV[3] how many, ARGV[4] the entries; then the
 * turn's events: ARGV[5] the first one's seq ('' when the turn emitted none), ARGV[6] the last
 * one's, ARGV[7] the time, ARGV[8] the events, ARGV[9] how many events to keep, ARGV[10] for how
 * long (ms; the four oldest turns past it go, each write); ARGV[11] how long history records are
 * kept (ms), ARGV[12] how many interactions ended in the turn (n), ARGV[13] their records (one
 * MessagePack array), ARGV[14] the last one's end time, ARGV[15] how many have a customer (m),
 * then the n ids and the m journey keys (the script keeps both lists, for the retention)
 * (`customer\0inverted arrival\0id`). KEYS[8] the turns' records, KEYS[9] the turns by end
 * time, KEYS[10] id → turn, KEYS[7] the customers' journeys; the four oldest turns past the
 * retention go, each write, and up to 64 records of the older layout (KEYS[5] and KEYS[6]).
 * Refuses with STALE when the epoch moved
 * on (a paused or partitioned old writer can never append after a newer one took over) and with
 * GAP when the write does not continue the journal (an earlier write was lost).
 */
/** ioredis's refusals of a command it never sent (offline, with the offline queue off). */
const NOT_SENT = /enableOfflineQueue options is false/;

const APPEND = `
local current = redis.call('GET', KEYS[2])
if current ~= ARGV[1] then
  return redis.error_reply('STALE epoch ' .. tostring(current) .. ' writer ' .. ARGV[1])
end
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
local first = tonumber(ARGV[2])
if first ~= last + 1 then
  return redis.error_reply('GAP the journal ends at ' .. last .. ', the write starts at ' .. first)
end
local last = first + tonumber(ARGV[3]) - 1
redis.call('XADD', KEYS[1], '0-' .. last, 'b', ARGV[4])
redis.call('SET', KEYS[3], last)
if ARGV[5] ~= '' then
  local lastSeq = tonumber(ARGV[6])
  redis.call('XADD', KEYS[4], '0-' .. lastSeq, 'f', ARGV[5], 't', ARGV[7], 'b', ARGV[8])
  local keep = tonumber(ARGV[9])
  if lastSeq > keep then
    redis.call('XTRIM', KEYS[4], 'MINID', '~', '0-' .. (lastSeq - keep + 1))
  end
  local cutoff = tonumber(ARGV[7]) - tonumber(ARGV[10])
  for i = 1, 4 do
    local oldest = redis.call('XRANGE', KEYS[4], '-', '+', 'COUNT', 1)
    if #oldest == 0 or tonumber(oldest[1][2][4]) >= cutoff then break end
    redis.call('XDEL', KEYS[4], oldest[1][1])
  end
end
local ended = tonumber(ARGV[12])
if ended > 0 then
  -- The turn's records in one field, and each id pointing at it (a thousand to a call).
  local turn = tostring(last)
  local at = tonumber(ARGV[14])
  local withCustomer = tonumber(ARGV[15])
  local allIds, allMembers = {}, {}
  for from = 0, ended - 1, 1000 do
    local ids = {}
    for i = from, math.min(from + 1000, ended) - 1 do
      local id = ARGV[16 + i]
      allIds[#allIds + 1] = id
      ids[#ids + 1] = id
      ids[#ids + 1] = turn
    end
    redis.call('HSET', KEYS[10], unpack(ids))
  end
  for from = 0, withCustomer - 1, 1000 do
    local members = {}
    for i = from, math.min(from + 1000, withCustomer) - 1 do
      local member = ARGV[16 + ended + i]
      allMembers[#allMembers + 1] = member
      members[#members + 1] = 0
      members[#members + 1] = member
    end
    redis.call('ZADD', KEYS[7], unpack(members))
  end
  redis.call('HSET', KEYS[8], turn, ARGV[13], turn .. ':k', cmsgpack.pack({ allIds, allMembers }))
  redis.call('ZADD', KEYS[9], at, turn)
  local cutoff = '(' .. (at - tonumber(ARGV[11]))
  for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', cutoff, 'LIMIT', 0, 4)) do
    local k = redis.call('HGET', KEYS[8], gone .. ':k')
    if k then
      local lists = cmsgpack.unpack(k)
      for l = 1, 2 do
        local list = lists[l]
        for from = 1, #list, 1000 do
          local part = {}
          for i = from, math.min(from + 999, #list) do
            part[#part + 1] = list[i]
          end
          if l == 1 then
            -- Only ids still pointing at this turn (an id used again since points at a newer one).
            local current = redis.call('HMGET', KEYS[10], unpack(part))
            local mine = {}
            for i = 1, #part do
              if current[i] == gone then
                mine[#mine + 1] = part[i]
              end
            end
            if #mine > 0 then
              redis.call('HDEL', KEYS[10], unpack(mine))
            end
          else
            redis.call('ZREM', KEYS[7], unpack(part))
          end
        end
      end
    end
    redis.call('HDEL', KEYS[8], gone, gone .. ':k')
    redis.call('ZREM', KEYS[9], gone)
  end
  -- Records of the older layout, one per interaction.
  local old = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', cutoff, 'LIMIT', 0, 64)
  if #old > 0 then
    local ids = {}
    for i, member in ipairs(old) do
      ids[i] = string.match(member, '%z([^%z]*)$')
    end
    redis.call('HDEL', KEYS[5], unpack(ids))
    redis.call('ZREM', KEYS[6], unpack(old))
    redis.call('ZREM', KEYS[7], unpack(old))
  end
end
return last
`;

/**
 * KEYS[1] epoch, KEYS[2] seq, KEYS[3] snapshot hash, KEYS[4] journal, KEYS[5] the new parts,
 * KEYS[6] the old parts (or KEYS[5] again). ARGV: epoch, through, new parts key, parts, bytes,
 * time. Publishes the snapshot once its parts are all there and the journal holds entry
 * `through`, drops the old snapshot's parts and trims the entries up to `through`.
 */
const PUBLISH = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('STALE epoch moved on')
end
local through = tonumber(ARGV[2])
if tonumber(redis.call('GET', KEYS[2]) or '0') < through then
  return redis.error_reply('BEHIND the journal does not hold entry ' .. ARGV[2] .. ' yet')
end
local published = tonumber(redis.call('HGET', KEYS[3], 'through') or '0')
if published > through then
  return redis.error_reply('OLDER a snapshot through ' .. published .. ' is published')
end
if redis.call('LLEN', KEYS[5]) ~= tonumber(ARGV[4]) then
  return redis.error_reply('PARTS the snapshot parts are incomplete')
end
redis.call('PERSIST', KEYS[5])
if KEYS[6] ~= KEYS[5] then
  redis.call('UNLINK', KEYS[6])
end
redis.call('HSET', KEYS[3], 'through', ARGV[2], 'data', ARGV[3], 'parts', ARGV[4], 'bytes', ARGV[5], 'at', ARGV[6])
redis.call('XTRIM', KEYS[4], 'MINID', '0-' .. (through + 1))
return 1
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
/**
 * For a turn's batches (journal entries, events, history records): msgpackr's records, so each
 * object shape's keys are written once per batch (about half the bytes of plain maps for the
 * same time). Every call is self-contained, and `packr` reads them as it reads plain MessagePack.
 */
const batchPackr = new Packr({ useRecords: true, moreTypes: false });

/**
 * A record of the older layout (one per interaction in `history`): MessagePack, or JSON as one
 * release wrote them (its first byte `{`, which no MessagePack map starts with).
 */
function olderRecord(b: Buffer): unknown {
  return b[0] === 0x7b ? JSON.parse(b.toString()) : packr.unpack(b);
}

/** What an events stream keeps by default: more than 7 days at 100 events a second, for 7 days. */
export const DEFAULT_EVENTS_KEPT = 64_000_000;
export const DEFAULT_EVENTS_MAX_AGE_MS = 7 * 24 * 3600_000;
const key = (tenant: string, what: string) => `sb:{${tenant}}:${what}`;
/**
 * Journal entries read per round trip, about: a stream entry is a turn (17 journal entries at the
 * median under load, a thousand when a backlog is written; one in an older journal), so the rows
 * asked for are sized from the turns read so far (16 at first), from one to READ_ROWS_MAX.
 */
const READ_ENTRIES = 5_000;
const READ_ROWS_MAX = 5_000;
/** Snapshot parts: small enough that one never holds Redis for long. */
const PART_BYTES = 4 * 1024 * 1024;
/** Parts written but never published (the writer died) expire after this. */
const UNPUBLISHED_TTL_MS = 3_600_000;
const entryNumber = (id: string): number => Number(id.slice(id.indexOf('-') + 1));

type ScriptedRedis = Redis & {
  sbAppend(
    stream: string,
    epoch: string,
    seq: string,
    events: string,
    history: string,
    historyEnded: string,
    journeys: string,
    turns: string,
    turnsEnded: string,
    turnOf: string,
    ...args: (string | Buffer)[]
  ): Promise<number>;
  sbPublish(epoch: string, seq: string, snap: string, journal: string, parts: string, oldParts: string, ...args: string[]): Promise<number>;
  sbRenew(lease: string, node: string, ms: string): Promise<number>;
  sbAcquire(lease: string, node: string, ms: string): Promise<number>;
};

/**
 * A connection to one Redis, or with `cluster` to a Redis Cluster through the node in `url`
 * (ioredis follows the slot map and its redirections; every command and script here touches one
 * slot). User, password and TLS (`rediss://`) come from the URL either way.
 */
function connect(url: string, cluster: boolean, options: RedisOptions): Redis {
  if (!cluster) return new Redis(url, options);
  const u = new URL(url);
  const c = new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
    enableOfflineQueue: options.enableOfflineQueue ?? false,
    redisOptions: {
      ...options,
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  });
  // The commands used here have the same signatures on both.
  return c as unknown as Redis;
}

export interface RedisJournalOptions {
  /** The URL names one node of a Redis Cluster. */
  readonly cluster?: boolean;
  /** Events each tenant's events stream keeps (default 64,000,000: over 7 days at 100 a second). */
  readonly eventsKept?: number;
  /** How long it keeps them (ms; default 7 days). */
  readonly eventsMaxAgeMs?: number;
  /** Passed to ioredis (tests tune timeouts). */
  readonly redis?: RedisOptions;
}

export class RedisJournal implements Journal {
  private readonly redis: ScriptedRedis;
  /** A second connection for snapshot parts, so megabytes never queue ahead of a journal write. */
  private readonly bulk: Redis;
  private readonly epochs = new Map<string, string>();
  private readonly where: string;
  /** How many events, and for how long, the events streams keep. */
  private readonly eventsKept: number;
  private readonly eventsMaxAgeMs: number;

  constructor(url: string, options: RedisJournalOptions = {}) {
    const common: RedisOptions = {
      // Fail fast while Redis is away: the shell answers STORE_UNAVAILABLE instead of queueing.
      enableOfflineQueue: false,
      // A command in flight when the connection drops may have run: it fails (outcome unknown)
      // and is never sent again, so a refusal or a "not sent" always means it did not run.
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      ...options.redis,
    };
    const cluster = options.cluster === true;
    this.eventsKept = options.eventsKept ?? DEFAULT_EVENTS_KEPT;
    this.eventsMaxAgeMs = options.eventsMaxAgeMs ?? DEFAULT_EVENTS_MAX_AGE_MS;
    // A write Redis does not confirm in time is a failed write (STORE_UNAVAILABLE), not a wait.
    this.redis = connect(url, cluster, { commandTimeout: 2_000, ...common }) as ScriptedRedis;
    this.redis.defineCommand('sbAppend', { numberOfKeys: 10, lua: APPEND });
    this.redis.defineCommand('sbPublish', { numberOfKeys: 6, lua: PUBLISH });
    this.redis.defineCommand('sbRenew', { numberOfKeys: 1, lua: RENEW });
    this.redis.defineCommand('sbAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    this.redis.on('error', () => undefined); // reported through failed writes
    this.bulk = connect(url, cluster, { commandTimeout: 30_000, ...common });
    this.bulk.on('error', () => undefined);
    const u = new URL(url);
    this.where = `redis${cluster ? ' cluster via' : ''} ${u.hostname}:${u.port || 6379}`;
  }

  describe(): string {
    return this.where;
  }

  async ready(): Promise<void> {
    await Promise.all(
      [this.redis, this.bulk].map((r) =>
        r.status === 'ready'
          ? undefined
          : new Promise<void>((resolve, reject) => {
              r.once('ready', resolve);
              r.once('end', () => reject(new StoreUnavailableError('redis connection ended')));
            }),
      ),
    );
  }

  async tenants(): Promise<string[]> {
    return this.wrap(() => this.redis.smembers('sb:tenants'));
  }

  async fence(tenant: string): Promise<void> {
    const epoch = await this.wrap(() => this.redis.incr(key(tenant, 'epoch')));
    this.epochs.set(tenant, String(epoch));
    await this.wrap(() => this.redis.sadd('sb:tenants', tenant));
  }

  epoch(tenant: string): string | null {
    return this.epochs.get(tenant) ?? null;
  }

  async fencedOff(tenant: string): Promise<boolean> {
    const mine = this.epochs.get(tenant);
    return mine === undefined || (await this.wrap(() => this.redis.get(key(tenant, 'epoch')))) !== mine;
  }

  adopt(tenant: string, epoch: string): void {
    this.epochs.set(tenant, epoch);
  }

  async open(tenant: string): Promise<{ snapshot: StoredSnapshot | null; entries: AsyncIterable<JournalChunk> }> {
    await this.fence(tenant);
    const snapshot = await this.snapshot(tenant);
    return { snapshot, entries: this.read(tenant, snapshot?.through ?? 0) };
  }

  async *read(tenant: string, after: number): AsyncIterable<JournalChunk> {
    const stream = key(tenant, 'journal');
    // Where the journal ended when the read began: entries up to it that the stream no longer
    // holds were folded into a snapshot meanwhile (even when none are left after them).
    const end = Number((await this.wrap(() => this.redis.get(key(tenant, 'seq')))) ?? 0);
    let next = after + 1;
    let start = after === 0 ? '-' : `(0-${after}`;
    let count = 16;
    for (;;) {
      const rows = await this.wrap(() => this.redis.xrangeBuffer(stream, start, '+', 'COUNT', count));
      if (rows.length === 0) break;
      const lastId = rows[rows.length - 1][0].toString();
      const entries: JournalEntry[] = [];
      let first = next;
      for (let r = 0; r < rows.length; r++) {
        const [id, fields] = rows[r];
        // fields: ['b', turn] (a turn's entries), or ['e', entry] (one entry, older journals).
        const turn = fields[0].toString() === 'b' ? (packr.unpack(fields[1]) as JournalEntry[]) : [packr.unpack(fields[1]) as JournalEntry];
        const from = entryNumber(id.toString()) - turn.length + 1;
        // Only the first turn read can begin before `next` (a snapshot covers part of it), and
        // only it can begin after (the entries before it were trimmed: a jump the caller sees).
        if (r === 0) first = Math.max(next, from);
        for (let i = Math.max(0, next - from); i < turn.length; i++) entries.push(turn[i]);
      }
      const chunk = { entries, first, last: entryNumber(lastId) };
      yield chunk;
      next = chunk.last + 1;
      if (rows.length < count) break;
      count = Math.max(1, Math.min(READ_ROWS_MAX, Math.round((READ_ENTRIES * rows.length) / Math.max(1, entries.length))));
      start = `(${lastId}`;
    }
    if (next <= end) yield { entries: [], first: end + 1, last: end };
  }

  async snapshot(tenant: string): Promise<StoredSnapshot | null> {
    // A new snapshot may be published (and the old parts dropped) while this one is read: retry.
    for (let attempt = 0; attempt < 5; attempt++) {
      const meta = await this.wrap(() => this.bulk.hgetall(key(tenant, 'snapshot')));
      if (!meta.data) return null;
      const parts = Number(meta.parts);
      const bufs: Buffer[] = [];
      for (let i = 0; i < parts; i += 8) bufs.push(...(await this.wrap(() => this.bulk.lrangeBuffer(meta.data, i, Math.min(parts, i + 8) - 1))));
      const bytes = Buffer.concat(bufs);
      if (bufs.length === parts && bytes.length === Number(meta.bytes)) return { through: Number(meta.through), bytes };
    }
    throw new StoreUnavailableError(`tenant '${tenant}': the snapshot kept changing while it was read`);
  }

  async saveSnapshot(tenant: string, through: number, bytes: Uint8Array): Promise<void> {
    const epoch = this.epochs.get(tenant);
    if (epoch === undefined) throw new Error(`tenant '${tenant}' was not opened`);
    const data = key(tenant, `snapshot:${randomUUID()}`);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let parts = 0;
    const write = this.bulk.pipeline().del(data);
    for (let at = 0; at < buf.length || parts === 0; at += PART_BYTES) {
      write.rpush(data, buf.subarray(at, at + PART_BYTES));
      parts++;
    }
    write.pexpire(data, UNPUBLISHED_TTL_MS);
    const results = await this.wrap(() => write.exec());
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw new StoreUnavailableError(`snapshot parts not written: ${String(failed?.[0] ?? 'no reply')}`);
    const old = (await this.wrap(() => this.redis.hget(key(tenant, 'snapshot'), 'data'))) ?? data;
    try {
      await this.redis.sbPublish(
        key(tenant, 'epoch'),
        key(tenant, 'seq'),
        key(tenant, 'snapshot'),
        key(tenant, 'journal'),
        data,
        old,
        epoch,
        String(through),
        data,
        String(parts),
        String(buf.length),
        String(Date.now()),
      );
    } catch (e) {
      await this.bulk.unlink(data).catch(() => undefined);
      if (e instanceof Error && e.message.startsWith('STALE')) throw new StaleLeaderError(`tenant '${tenant}': ${e.message}`);
      throw new StoreUnavailableError(`snapshot not published: ${(e as Error).message}`, { cause: e });
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

  async append(tenant: string, first: number, entries: readonly JournalEntry[], events?: EventBatch, history?: HistoryBatch): Promise<void> {
    const epoch = this.epochs.get(tenant);
    if (epoch === undefined) throw new Error(`tenant '${tenant}' was not opened`);
    if (entries.length === 0) return;
    // The turn is one stream entry: one argument to encode and send, one XADD, one row to read
    // back (a stream entry per journal entry cost each of them per engine call).
    const batch = batchPackr.pack(entries);
    const ev: (string | Buffer)[] =
      events === undefined || events.events.length === 0
        ? ['', '', '', '', '', '']
        : [
            String(events.events[0].seq),
            String(events.events[events.events.length - 1].seq),
            String(events.at),
            batchPackr.pack(events.events),
            String(this.eventsKept),
            String(this.eventsMaxAgeMs),
          ];
    // The interactions that ended in the turn: their records in one batch (one field, one set of
    // object shapes), their ids pointing at it.
    const records = history?.records ?? [];
    const ended: (string | Buffer)[] = [String(history?.retentionMs ?? 0), String(records.length)];
    if (records.length > 0) {
      const ids = records.map((r) => r.interactionId);
      const journeys: string[] = [];
      for (const r of records) if (r.customerId !== undefined) journeys.push(journeyMember(r.customerId, r.arrival, r.interactionId));
      const last = records[records.length - 1];
      ended.push(batchPackr.pack(records), String(last.endedAt ?? 0), String(journeys.length), ...ids, ...journeys);
    }
    try {
      await this.redis.sbAppend(
        key(tenant, 'journal'),
        key(tenant, 'epoch'),
        key(tenant, 'seq'),
        key(tenant, 'events'),
        key(tenant, 'history'),
        key(tenant, 'history:ended'),
        key(tenant, 'journeys'),
        key(tenant, 'history:turns'),
        key(tenant, 'history:turns:ended'),
        key(tenant, 'history:ids'),
        epoch,
        String(first),
        String(entries.length),
        batch,
        ...ev,
        ...ended,
      );
    } catch (e) {
      const message = (e as Error).message;
      // The script ran and refused (a newer epoch, a gap): nothing was written.
      if (e instanceof ReplyError) {
        if (message.startsWith('STALE')) throw new StaleLeaderError(`tenant '${tenant}': ${message}`);
        throw new StoreUnavailableError(`journal write refused: ${message}`, { cause: e });
      }
      // Never sent: the connection was down and commands are not queued offline.
      if (NOT_SENT.test(message)) throw new StoreUnavailableError(`journal write not sent: ${message}`, { cause: e });
      // Sent, and no answer (timed out, or the connection dropped under it): it may yet apply.
      throw new WriteOutcomeUnknownError(`journal write not confirmed: ${message}`, { cause: e });
    }
  }

  /** A customer's ended interactions kept in Redis, newest first, arrived before `before`, at most `limit`. */
  async readJourney(tenant: string, customerId: string, limit: number, before: number): Promise<unknown[]> {
    const from = Number.isFinite(before) ? `[${journeyMember(customerId, before - 1, '')}` : `[${customerId}\u0000`;
    const members = await this.wrap(() => this.bulk.zrangebylex(key(tenant, 'journeys'), from, `(${customerId}\u0001`, 'LIMIT', 0, limit));
    if (members.length === 0) return [];
    const ids = members.map((m) => m.slice(m.lastIndexOf('\u0000') + 1));
    const records = await this.records(tenant, ids);
    return ids.flatMap((id) => {
      const r = records.get(id);
      return r === undefined ? [] : [r];
    });
  }

  async readHistory(tenant: string, interactionId: string): Promise<unknown | null> {
    return (await this.records(tenant, [interactionId])).get(interactionId) ?? null;
  }

  /** The stored records of these interactions: from the turns they ended in, or as written one per interaction before. */
  private async records(tenant: string, ids: readonly string[]): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    const turnOf = await this.wrap(() => this.bulk.hmget(key(tenant, 'history:ids'), ...ids));
    const turns = [...new Set(turnOf.filter((t): t is string => t !== null))];
    const wanted = new Set(ids);
    if (turns.length > 0) {
      const blobs = await this.wrap(() => this.bulk.hmgetBuffer(key(tenant, 'history:turns'), ...turns));
      for (const b of blobs)
        if (b !== null) for (const r of packr.unpack(b) as { interactionId: string }[]) if (wanted.has(r.interactionId)) out.set(r.interactionId, r);
    }
    const older = ids.filter((_, i) => turnOf[i] === null);
    if (older.length > 0) {
      const blobs = await this.wrap(() => this.bulk.hmgetBuffer(key(tenant, 'history'), ...older));
      blobs.forEach((b, i) => {
        if (b !== null) out.set(older[i], olderRecord(b));
      });
    }
    return out;
  }

  /**
   * Events after `after`, oldest first, at most about `limit` (whole turns), and the oldest seq
   * the stream keeps (null: it keeps none).
   */
  async readEvents(tenant: string, after: number, limit: number): Promise<{ events: NumberedEvent[]; oldest: number | null }> {
    const k = key(tenant, 'events');
    const head = await this.wrap(() => this.bulk.xrange(k, '-', '+', 'COUNT', 1) as Promise<[string, string[]][]>);
    const oldest = head.length === 0 ? null : Number(head[0][1][1]);
    const events: NumberedEvent[] = [];
    // Turns hold a few events each, a thousand in a backlog: rows are asked for a few at a time
    // until the page is full or the stream ends.
    let from = after + 1;
    for (let round = 0; round < 16 && events.length < limit; round++) {
      const rows = Math.min(500, Math.max(1, Math.ceil((limit - events.length) / 4)));
      const got = await this.wrap(() => this.bulk.xrangeBuffer(k, `0-${from}`, '+', 'COUNT', rows) as Promise<[Buffer, Buffer[]][]>);
      for (const [, fields] of got)
        for (let i = 0; i < fields.length; i += 2) {
          // `b`: MessagePack; `j`: JSON, as one release wrote its turns.
          const name = fields[i].toString();
          if (name !== 'b' && name !== 'j') continue;
          const turn = (name === 'b' ? packr.unpack(fields[i + 1]) : JSON.parse(fields[i + 1].toString())) as NumberedEvent[];
          for (const e of turn) if (e.seq > after && events.length < limit) events.push(e);
        }
      if (got.length < rows) break;
      from = entryNumber(got[got.length - 1][0].toString()) + 1;
    }
    return { events, oldest };
  }

  async close(): Promise<void> {
    await Promise.all([this.redis, this.bulk].map((r) => r.quit().catch(() => r.disconnect())));
  }

  private async wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new StoreUnavailableError(`redis: ${(e as Error).message}`, { cause: e });
    }
  }
}
