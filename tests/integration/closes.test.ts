import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, type Encoding } from '../../src/protocol/codec.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';

// Closes the server decides on: every answer owed before the close reaches the client, and the
// close code is the documented one (docs/protocol.md, Close codes).
let server: RunningServer;
let verifier: TokenVerifier;
let url: string;

beforeAll(async () => {
  ({ server, verifier, url } = await startTestServer({ maxViolations: '50', messageBurst: '5000', messagesPerSecond: '5000' }));
});
afterAll(() => server.stop());

const platform = async (tenant: string, encoding: Encoding) =>
  TestClient.connect(`${url}/v1/platform`, await verifier.sign({ tenant, role: 'platform' }, 600), encoding);

/** A frame the decoder refuses (BAD_FRAME) in each encoding. */
const badFrame = (encoding: Encoding): string | Uint8Array => (encoding === 'json' ? '{not json' : new Uint8Array([0xc1]));

describe.each(['json', 'msgpack'] as const)('server-decided closes over %s', (encoding) => {
  it('a burst past maxViolations: each of the first 50 refused frames is answered, then 1008', async () => {
    const c = await platform(`burst-${encoding}`, encoding);
    for (let i = 0; i < 51; i++) c.sendRaw(badFrame(encoding));
    const closed = await c.closed;
    expect(closed.code).toBe(1008);
    expect(c.errors.filter((e) => e.code === 'BAD_FRAME')).toHaveLength(50);
  });

  it('one refused frame at a time past maxViolations: 50 answers, then 1008', async () => {
    const c = await platform(`slow-${encoding}`, encoding);
    for (let i = 0; i < 50; i++) {
      c.sendRaw(badFrame(encoding));
      await new Promise((r) => setTimeout(r, 1));
    }
    await expect.poll(() => c.errors.length).toBe(50);
    c.sendRaw(badFrame(encoding));
    expect((await c.closed).code).toBe(1008);
    expect(c.errors).toHaveLength(50);
  });

  it('a message over maxPayloadBytes closes with 1009, after the answer to the request before it', async () => {
    const c = await platform(`big-${encoding}`, encoding);
    const answered = c.request({ type: 'DefineSkill', skill: 'billing' });
    c.sendRaw(encodeFrame({ id: 'big', type: 'GetQueueStats', pad: 'x'.repeat(70_000) }, encoding));
    expect(await answered).toMatchObject({ ok: true });
    expect((await c.closed).code).toBe(1009);
  });
});
