/**
 * `npm run demo`: the server on its in-memory default, with a simulated platform and simulated
 * agents on realistic traffic, so the dashboard is live the moment it opens.
 *
 *   npm run demo                         port 7070, 24 agents, about 0.8 interactions per second
 *   npm run demo -- --port 8080 --agents 40 --rate 1.2
 *
 * Three queues (sales and billing on voice, support on voice and chat), Poisson arrivals,
 * exponential handle times around 25 s, agents who answer after one to three seconds and reject
 * one offer in twenty, customers who hang up after about a minute of waiting. agent-1 is not
 * simulated: open the agent desktop with the printed link and take calls yourself.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { AgentClient, PlatformClient, type OfferPush, type WebSocketConstructor } from '../src/index.ts';
import { main } from '../src/main.ts';
import { TokenVerifier } from '../src/transport/auth.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PORT = arg('port', 7070);
const AGENTS = arg('agents', 24);
const RATE = arg('rate', 0.8);
const secret = randomBytes(32).toString('hex');
const verifier = new TokenVerifier(secret);
const WS = WebSocket as unknown as WebSocketConstructor;
const url = `ws://127.0.0.1:${PORT}`;
const exp = (mean: number) => -Math.log(1 - Math.random()) * mean;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

void main(['serve', '--dev', '--port', String(PORT), '--auth-secret', secret, '--log-level', 'warn'], process.env).then((code) => process.exit(code));
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${PORT}/readyz`)).ok) break;
  } catch {
    await sleep(100);
  }
}

const platform = new PlatformClient({ url, WebSocket: WS, token: () => verifier.sign({ tenant: 'demo', role: 'platform' }, 12 * 3600) });
await platform.connect();
for (const skill of ['sales', 'support', 'billing', 'spanish']) await platform.defineSkill(skill);
await platform.upsertQueue({ id: 'sales', serviceObjective: { percent: 80, thresholdMs: 20_000 }, offerTimeoutMs: 15_000 });
await platform.upsertQueue({ id: 'support', serviceObjective: { percent: 80, thresholdMs: 30_000 }, offerTimeoutMs: 15_000, wrapUpMs: 3_000 });
await platform.upsertQueue({ id: 'billing', serviceObjective: { percent: 90, thresholdMs: 15_000 }, offerTimeoutMs: 15_000 });
const capacity = { total: 2, channels: { voice: { cost: 2, max: 1 }, chat: { cost: 1, max: 2 } } };
await platform.upsertAgent({ id: 'agent-1', skills: { sales: 5, support: 5, billing: 5 }, capacity });

const skillSets: Record<string, number>[] = [
  { sales: 8 },
  { support: 7 },
  { billing: 6 },
  { sales: 5, support: 5 },
  { support: 6, billing: 4 },
  { sales: 4, billing: 7, spanish: 8 },
];
for (let i = 0; i < AGENTS; i++) {
  const id = `sim-${String(i + 1).padStart(2, '0')}`;
  await platform.upsertAgent({ id, skills: skillSets[i % skillSets.length], capacity });
  const agent = new AgentClient({ url, WebSocket: WS, token: () => verifier.sign({ tenant: 'demo', role: 'agent', sub: id }, 12 * 3600) });
  agent.onOffer((o: OfferPush) => {
    void (async () => {
      await sleep(1000 + Math.random() * 2000);
      if (Math.random() < 0.05) return void agent.reject(o.offerId).catch(() => undefined);
      try {
        await agent.accept(o.offerId);
      } catch {
        return; // taken back (the customer hung up) or timed out
      }
      await sleep(exp(o.channel === 'chat' ? 40_000 : 25_000));
      await agent.complete(o.interactionId).catch(() => undefined);
    })();
  });
  await agent.connect();
  await agent.setState('available');
}

// Poisson arrivals over the three queues; customers hang up after about a minute in the queue.
const queues: { queue: string; channel: string; skills: Record<string, number>; share: number }[] = [
  { queue: 'sales', channel: 'voice', skills: { sales: 3 }, share: 0.4 },
  { queue: 'support', channel: 'chat', skills: { support: 3 }, share: 0.25 },
  { queue: 'support', channel: 'voice', skills: { support: 4 }, share: 0.15 },
  { queue: 'billing', channel: 'voice', skills: { billing: 3 }, share: 0.2 },
];
const names = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Dennis'];
let n = 0;
void (async () => {
  for (;;) {
    await sleep(exp(1000 / RATE));
    let pick = Math.random();
    const q = queues.find((x) => (pick -= x.share) < 0) ?? queues[0];
    const id = `demo-${++n}`;
    const spanish = q.queue === 'billing' && Math.random() < 0.2;
    await platform
      .submit({
        id,
        channel: q.channel,
        queue: q.queue,
        skills: spanish ? { ...q.skills, spanish: 5 } : q.skills,
        valueTier: Math.random() < 0.1 ? 2 : 0,
        context: { customer: names[n % names.length], account: `C-${1000 + (n % 900)}` },
      })
      .catch(() => undefined);
    const patience = exp(60_000);
    setTimeout(async () => {
      const r = await platform.getInteraction(id).catch(() => null);
      if (r && (r.interaction as { status: string }).status === 'queued') await platform.cancel(id, 'abandoned').catch(() => undefined);
    }, patience);
  }
})();

const supervisor = await verifier.sign({ tenant: 'demo', role: 'supervisor' }, 12 * 3600);
const agent1 = await verifier.sign({ tenant: 'demo', role: 'agent', sub: 'agent-1' }, 12 * 3600);
console.log(
  `\nDemo running: ${AGENTS} simulated agents, about ${RATE} interactions per second (Ctrl-C stops it).\n` +
    `  dashboard:      http://localhost:${PORT}/dashboard#token=${supervisor}\n` +
    `  agent desktop:  http://localhost:${PORT}/agent#token=${agent1}   (agent-1 is yours)\n` +
    `  metrics:        http://localhost:9464/metrics\n`,
);
