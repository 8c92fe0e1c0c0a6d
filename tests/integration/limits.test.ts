import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import type { Metrics } from '../../src/metrics/metrics.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';
import { parseExposition } from '../helpers/exposition.ts';

let server: RunningServer;
let verifier: TokenVerifier;
let url: string;
let metrics: Metrics;

beforeAll(async () => {
  ({ server, verifier, url, metrics } = await startTestServer({
    maxPayloadBytes: '4096',
    maxBackpressureBytes: '16384',
    maxConnectionsPerTenant: '4',
    messageBurst: '5000',
    messagesPerSecond: '5000',
  }));
});
afterAll(() => server.stop());

const platform = async (tenant: string) => TestClient.connect(`${url}/v1/platform`, await verifier.sign({ tenant, role: 'platform' }, 600));

describe('limits', () => {
  it('closes a connection that sends a frame over maxPayloadBytes', async () => {
    const c = await platform('big');
    c.sendRaw(JSON.stringify({ id: 1, type: 'GetQueueStats', pad: 'x'.repeat(10_000) }));
    const closed = await c.closed;
    expect(closed.code).toBe(1009);
  });

  it('refuses connections beyond the per-tenant limit, other tenants unaffected', async () => {
    const open = await Promise.all([0, 1, 2, 3].map(() => platform('crowded')));
    await expect(platform('crowded')).rejects.toThrow('HTTP 503');
    const other = await platform('quiet');
    expect(await other.request({ type: 'GetQueueStats' })).toMatchObject({ ok: true });
    for (const c of [...open, other]) c.close();
  });

  it('closes a slow consumer at its backpressure limit without slowing the others', async () => {
    const slow = await platform('slow');
    const other = await platform('slow');
    await slow.request({ type: 'UpsertQueue', queue: { id: 'q' } });
    await slow.request({ type: 'SubmitInteraction', interaction: { id: 'big', channel: 'voice', queue: 'q', context: { pad: 'y'.repeat(3500) } } });
    // The slow client stops reading but keeps asking for a 3.5 KB answer: its unsent output
    // grows past the kernel's buffers and then past maxBackpressureBytes.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 0; i < 4000; i++) slow.sendRaw(JSON.stringify({ id: 1000 + i, type: 'GetInteraction', interactionId: 'big' }));
    const closed = await Promise.race([slow.closed, new Promise<null>((r) => setTimeout(() => r(null), 1500))]);
    // Meanwhile the other connection of the same tenant is served as usual.
    expect(await other.request({ type: 'GetInteraction', interactionId: 'big' })).toMatchObject({ ok: true });
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const final = closed ?? (await slow.closed);
    expect(final.code).not.toBe(1000);
    await new Promise((r) => setTimeout(r, 50));
    const m = parseExposition((await metrics.scrape()).body);
    expect(m.get('switchboard_ws_closes_total{reason="backpressure",role="platform"}')).toBe(1);
    expect(m.get('switchboard_ws_upgrades_refused_total{status="503"}')).toBe(1);
    other.close();
  });
});
