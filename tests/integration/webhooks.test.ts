import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PlatformClient, type WebSocketConstructor } from '../../src/index.ts';
import type { Metrics } from '../../src/metrics/metrics.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';
import { WebhookReceiver } from '../helpers/webhook-receiver.ts';

/**
 * Webhooks over real sockets and a real HTTP receiver (memory store): every event delivered in
 * order with a valid signature through failures and an outage; filters; the address checks
 * (schemes, private and loopback addresses, names resolving to them); redirects not followed;
 * a webhook that keeps failing paused with its reason and resumed by an upsert; GetWebhooks and
 * the metrics.
 */
const SECRET = 'a-webhook-secret-of-some-length';
let open: { server: RunningServer; verifier: TokenVerifier; url: string; metrics: Metrics };
let strict: { server: RunningServer; verifier: TokenVerifier; url: string; metrics: Metrics };
const clients: TestClient[] = [];
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  const fast = {
    webhookRetryBaseMs: '20',
    webhookRetryMaxMs: '200',
    webhookBatchEvents: '40',
    webhookTimeoutMs: '2000',
    messageBurst: '5000',
    messagesPerSecond: '5000',
  };
  open = await startTestServer({ ...fast, webhooksAllowPrivate: 'true', webhookPauseAfterFailures: '1000' });
  strict = await startTestServer({ ...fast, webhookPauseAfterFailures: '3' });
});
afterAll(async () => {
  for (const c of clients) c.close();
  for (const r of receivers) await r.stop();
  open.server.stop();
  strict.server.stop();
});

async function platform(s: typeof open, tenant: string): Promise<TestClient> {
  const c = await TestClient.connect(`${s.url}/v1/platform`, await s.verifier.sign({ tenant, role: 'platform' }, 600));
  clients.push(c);
  return c;
}

async function receiver(answer?: (n: number) => number | 'drop'): Promise<WebhookReceiver> {
  const r = new WebhookReceiver(SECRET, answer);
  await r.start();
  receivers.push(r);
  return r;
}

async function until(pred: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function metric(m: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const values = (await m.registry.getSingleMetric(name)!.get()).values as { labels: Record<string, string>; value: number }[];
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
}

type Hook = { webhookId: string; delivered: number; lag: number; state: string; failures: number; pausedReason?: string; lastError?: { message: string } };
const hooks = async (p: TestClient) => (await p.request({ type: 'GetWebhooks' })).webhooks as Hook[];

describe('webhooks', () => {
  it('delivers every event in order, signed, through failed requests and an outage', async () => {
    const p = await platform(open, 'wh-all');
    expect(await p.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
    // Every third request fails (500, or the connection cut), and the receiver goes down a while.
    const r = await receiver((n) => (n % 3 === 0 ? (n % 2 === 0 ? 500 : 'drop') : 200));
    const sub = await p.request({ type: 'Subscribe', events: true });
    const start = sub.last as number;
    expect(await p.request({ type: 'UpsertWebhook', webhookId: 'all', url: r.url, secret: SECRET })).toMatchObject({ ok: true });
    let n = 0;
    const burst = async (k: number) => {
      const answers = await Promise.all(
        Array.from({ length: k }, () => p.request({ type: 'SubmitInteraction', interaction: { id: `i${n++}`, channel: 'chat', queue: 'q' } })),
      );
      for (const a of answers) expect(a).toMatchObject({ ok: true });
      expect(await p.request({ type: 'CancelInteraction', interactionId: `i${n - 1}`, reason: 'abandoned' })).toMatchObject({ ok: true });
    };
    for (let i = 0; i < 10; i++) await burst(20);
    await until(() => r.requests > 5, 15_000, 'deliveries');
    const port = r.port;
    await r.stop();
    for (let i = 0; i < 10; i++) await burst(20);
    // While the receiver is down the webhook waits to retry between attempts (it reads
    // `delivering` while an attempt is in flight, however briefly).
    await until(async () => (await hooks(p))[0].state === 'retrying', 10_000, 'retrying');
    await r.start(port);
    for (let i = 0; i < 5; i++) await burst(20);
    const last = (await p.request({ type: 'Subscribe', events: true })).last as number;
    await until(() => r.acceptedSeqs().at(-1) === last, 20_000, 'every event').catch(async (e) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify(await hooks(p))} last ${last} seen ${r.acceptedSeqs().at(-1)} requests ${r.requests}`);
    });
    // Every event after the webhook was made, once each in order of first delivery.
    expect(r.acceptedSeqs()).toEqual(Array.from({ length: last - start }, (_, i) => start + 1 + i));
    // Within each delivery in order, and a batch never goes backwards past what was confirmed.
    for (const x of r.received) expect(x.seqs).toEqual([...x.seqs].sort((a, b) => a - b));
    expect(r.received.every((x) => x.signatureValid)).toBe(true);
    expect(r.received.some((x) => x.answered !== 200)).toBe(true);
    await until(async () => (await hooks(p))[0].lag === 0, 5000, 'lag 0');
    const [h] = await hooks(p);
    expect(h).toMatchObject({ webhookId: 'all', delivered: last, lag: 0, failures: 0 });
    expect(h).not.toHaveProperty('secret');
    expect(await metric(open.metrics, 'switchboard_webhook_deliveries_total', { tenant: 'wh-all', outcome: 'delivered' })).toBeGreaterThan(0);
    expect(await metric(open.metrics, 'switchboard_webhook_deliveries_total', { tenant: 'wh-all', outcome: 'status' })).toBeGreaterThan(0);
    expect(await metric(open.metrics, 'switchboard_webhook_deliveries_total', { tenant: 'wh-all', outcome: 'network' })).toBeGreaterThan(0);
    expect(await metric(open.metrics, 'switchboard_webhook_events_delivered_total', { tenant: 'wh-all' })).toBeGreaterThanOrEqual(last - start);
    expect(await metric(open.metrics, 'switchboard_webhook_lag_events', { tenant: 'wh-all', webhook: 'all' })).toBe(0);
  }, 60_000);

  it('sends a filter its share only, and a new webhook can start from an earlier cursor', async () => {
    const p = await platform(open, 'wh-filter');
    for (const q of ['a', 'b']) expect(await p.request({ type: 'UpsertQueue', queue: { id: q } })).toMatchObject({ ok: true });
    const r = await receiver();
    expect(
      await p.request({ type: 'UpsertWebhook', webhookId: 'queued-a', url: r.url, secret: SECRET, types: ['InteractionQueued'], queues: ['a'], after: 0 }),
    ).toMatchObject({ ok: true });
    for (let i = 0; i < 30; i++)
      expect(await p.request({ type: 'SubmitInteraction', interaction: { id: `x${i}`, channel: 'voice', queue: i % 2 ? 'a' : 'b' } })).toMatchObject({
        ok: true,
      });
    await until(() => r.acceptedSeqs().length === 15, 10_000, '15 events');
    await until(async () => (await hooks(p))[0].lag === 0, 5000, 'lag 0');
    expect(new Set(r.accepted.flatMap((x) => x.types))).toEqual(new Set(['InteractionQueued']));
    const seqs = r.acceptedSeqs();
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Replacing it keeps the cursor: nothing is sent twice.
    const before = r.requests;
    expect(
      await p.request({ type: 'UpsertWebhook', webhookId: 'queued-a', url: r.url, secret: SECRET, types: ['InteractionQueued'], queues: ['a'] }),
    ).toMatchObject({
      ok: true,
    });
    await new Promise((res) => setTimeout(res, 200));
    expect(r.requests).toBe(before);
    expect(await p.request({ type: 'RemoveWebhook', webhookId: 'queued-a' })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'RemoveWebhook', webhookId: 'queued-a' })).toMatchObject({ ok: false, code: 'UNKNOWN_WEBHOOK' });
    expect(await hooks(p)).toEqual([]);
  });

  it('refuses what is not http(s), private and loopback addresses (unless allowed), and a bad cursor', async () => {
    const p = await platform(strict, 'wh-ssrf');
    const up = (url: string, extra: Record<string, unknown> = {}) => p.request({ type: 'UpsertWebhook', webhookId: 'w', url, secret: SECRET, ...extra });
    for (const url of [
      'ftp://example.com/x',
      'file:///etc/passwd',
      'http://127.0.0.1:9/x',
      'http://[::1]/x',
      'http://10.1.2.3/x',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:127.0.0.1]/x',
      'http://2130706433/x',
      'http://user:pw@example.com/x',
      'not a url',
    ])
      expect(await up(url), url).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(await p.request({ type: 'UpsertWebhook', webhookId: 'w', url: 'https://example.com/x', secret: 'short' })).toMatchObject({
      ok: false,
      code: 'VALIDATION_FAILED',
    });
    expect(await up('https://example.com/x', { after: 1_000_000 })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(await hooks(p)).toEqual([]);
  });

  it('a name resolving to loopback fails at delivery, and after the bound the webhook is paused with the reason; redirects fail', async () => {
    const p = await platform(strict, 'wh-pause');
    const r = await receiver();
    expect(await p.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
    // localhost passes the URL check (a name) but resolves to loopback: refused on connecting.
    expect(await p.request({ type: 'UpsertWebhook', webhookId: 'local', url: `http://localhost:${r.port}/hook`, secret: SECRET })).toMatchObject({ ok: true });
    expect(await p.request({ type: 'SubmitInteraction', interaction: { id: 'one', channel: 'voice', queue: 'q' } })).toMatchObject({ ok: true });
    await until(async () => (await hooks(p))[0].state === 'paused', 10_000, 'paused');
    const [h] = await hooks(p);
    expect(h.pausedReason).toMatch(/3 deliveries in a row failed.*(private or loopback)/);
    expect(h.lastError?.message).toMatch(/private or loopback/);
    expect(r.requests).toBe(0);
    expect(await metric(strict.metrics, 'switchboard_webhook_deliveries_total', { tenant: 'wh-pause', outcome: 'refused' })).toBe(3);
    expect(await metric(strict.metrics, 'switchboard_webhooks', { tenant: 'wh-pause', state: 'paused' })).toBe(1);
    // Redirects are not followed: a 302 is a failure like any other.
    const moved = await receiver(() => 302);
    const o = await platform(open, 'wh-redirect');
    expect(await o.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
    expect(await o.request({ type: 'UpsertWebhook', webhookId: 'm', url: moved.url, secret: SECRET })).toMatchObject({ ok: true });
    expect(await o.request({ type: 'SubmitInteraction', interaction: { id: 'one', channel: 'voice', queue: 'q' } })).toMatchObject({ ok: true });
    await until(async () => ((await hooks(o))[0].failures ?? 0) >= 2, 10_000, 'failures');
    expect((await hooks(o))[0].lastError?.message).toMatch(/302.*redirects are not followed/);
    expect(moved.received.length).toBeGreaterThanOrEqual(2);
    // Failures before the first success lose nothing: the first event delivered is the first after the webhook was made.
    const p2 = await platform(open, 'wh-resume');
    const ok = await receiver((n) => (n <= 2 ? 500 : 200));
    expect(await p2.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
    const start = (await p2.request({ type: 'Subscribe', events: true })).last as number;
    expect(await p2.request({ type: 'UpsertWebhook', webhookId: 'r', url: ok.url, secret: SECRET })).toMatchObject({ ok: true });
    expect(await p2.request({ type: 'SubmitInteraction', interaction: { id: 'one', channel: 'voice', queue: 'q' } })).toMatchObject({ ok: true });
    await until(() => ok.acceptedSeqs().length > 0, 10_000, 'delivered after two failures');
    expect(ok.acceptedSeqs()[0]).toBe(start + 1);
  }, 40_000);

  it('is managed from the SDK', async () => {
    const r = await receiver();
    const sdk = new PlatformClient({
      url: open.url,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      encoding: 'msgpack',
      token: () => open.verifier.sign({ tenant: 'wh-sdk', role: 'platform' }, 600),
    });
    await sdk.connect();
    await sdk.upsertQueue({ id: 'q' });
    await sdk.upsertWebhook('s', r.url, SECRET, { types: ['InteractionQueued'] });
    await sdk.submit({ id: 'one', channel: 'voice', queue: 'q' });
    await until(() => r.acceptedSeqs('s').length === 1, 10_000, 'one event');
    expect(r.accepted[0].types).toEqual(['InteractionQueued']);
    expect(((await sdk.getWebhooks()) as { webhooks: unknown[] }).webhooks).toMatchObject([{ webhookId: 's', types: ['InteractionQueued'] }]);
    await sdk.removeWebhook('s');
    expect(((await sdk.getWebhooks()) as { webhooks: unknown[] }).webhooks).toEqual([]);
    sdk.close();
  });
});
