/**
 * Connection churn at the per-tenant limit, against a real server in this process: each tenant
 * keeps `limit` connections open (JSON and MessagePack alternately); every round `extra` more
 * are refused with 503, one connection leaves and a new one takes its place and is used.
 * Prints how many connections were opened and refused, how many of them closed abnormally
 * (1006) and when, and the most connections the server ever held for one tenant.
 *
 *   npx tsx scripts/admission-churn.ts [rounds=1000] [extra=2] [tenants=4] [limit=4]
 *
 * LOG_LEVEL=info logs as a deployed server does (send stdout to /dev/null).
 */
import WebSocket from 'ws';
import { encodeFrame, type Encoding, SUBPROTOCOLS } from '../src/protocol/codec.ts';
import { startTestServer } from '../tests/helpers/server.ts';

const [rounds, extra, tenants, limit] = [1000, 2, 4, 4].map((d, i) => Number(process.argv[2 + i] ?? d));
const { server, verifier, url, shell } = await startTestServer({
  maxConnectionsPerTenant: String(limit),
  messageBurst: '5000',
  messagesPerSecond: '5000',
  logLevel: process.env.LOG_LEVEL ?? 'silent',
});
let most = 0;
const open = shell.open.bind(shell);
shell.open = (s) => {
  open(s);
  most = Math.max(most, shell.connections(s.principal.tenant));
};
const stats = { opened: 0, refused: 0, abnormal: 0, failed: 0 };
const details: string[] = [];

interface Client {
  ws: WebSocket;
  closed: Promise<number>;
  answered: Promise<boolean>;
}

/** A connection that sent one request, or null when it was refused or failed. */
function connect(token: string, encoding: Encoding): Promise<Client | null> {
  return new Promise((resolve) => {
    let openAt = 0;
    let refused = false;
    let answer: (b: boolean) => void = () => {};
    const answered = new Promise<boolean>((r) => {
      answer = r;
    });
    const ws = new WebSocket(`${url}/v1/platform`, [SUBPROTOCOLS[encoding]], { headers: { authorization: `Bearer ${token}` } });
    const closed = new Promise<number>((r) =>
      ws.on('close', (code) => {
        answer(false);
        if (openAt && code === 1006) {
          stats.abnormal++;
          details.push(`1006 ${(performance.now() - openAt).toFixed(1)} ms after open`);
        }
        if (!openAt && !refused) {
          stats.failed++;
          details.push(`closed with ${code} before opening`);
        }
        resolve(null);
        r(code);
      }),
    );
    // As the test helper does, a refused upgrade's socket is left to the server.
    ws.on('unexpected-response', (_req, res) => {
      if (res.statusCode === 503) stats.refused++;
      else details.push(`status ${res.statusCode}`);
      refused = true;
      resolve(null);
    });
    ws.on('error', (e) => details.push(`error ${e.message}`));
    ws.on('message', () => answer(true));
    ws.on('open', () => {
      stats.opened++;
      openAt = performance.now();
      const f = encodeFrame({ id: 1, type: 'GetQueueStats' }, encoding);
      ws.send(f, { binary: typeof f !== 'string' });
      resolve({ ws, closed, answered });
    });
  });
}

async function churn(tenant: string): Promise<Client[]> {
  const token = await verifier.sign({ tenant, role: 'platform' }, 600);
  let n = 0;
  const next = () => connect(token, n++ % 2 ? 'msgpack' : 'json');
  const pool: Client[] = [];
  while (pool.length < limit) {
    const c = await next();
    if (c) pool.push(c);
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of await Promise.all(Array.from({ length: extra }, next))) if (c) pool.push(c);
    const leaving = pool.shift()!;
    leaving.ws.close();
    await leaving.closed;
    for (let tries = 0; pool.length < limit && tries < 100; tries++) {
      const c = await next();
      if (c && (await c.answered)) pool.push(c);
    }
  }
  return pool;
}

const t0 = performance.now();
const pool = (await Promise.all(Array.from({ length: tenants }, (_, i) => churn(`t${i}`)))).flat();
for (const c of pool) c.ws.close();
await Promise.all(pool.map((c) => c.closed));
console.error({ rounds, extra, tenants, limit, ...stats, mostForOneTenant: most, ms: Math.round(performance.now() - t0) });
for (const d of details.slice(0, 20)) console.error(d);
server.stop();
process.exit(0);
