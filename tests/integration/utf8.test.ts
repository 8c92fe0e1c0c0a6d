import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Encoding } from '../../src/protocol/codec.ts';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';

// Text that is not well-formed UTF-8 is refused whole in both encodings, never decoded with
// replacement characters and stored changed.
let server: RunningServer;
let verifier: TokenVerifier;
let url: string;
beforeAll(async () => {
  ({ server, verifier, url } = await startTestServer());
});
afterAll(() => server.stop());

const enc = new TextEncoder();
/** A submission whose context holds the bytes `bad` inside a string, in either encoding. */
function submission(encoding: Encoding, id: string, bad: number[]): Uint8Array {
  if (encoding === 'json') {
    const [head, tail] = `{"id":1,"type":"SubmitInteraction","interaction":{"id":"${id}","channel":"voice","queue":"q","context":{"note":"#"}}}`.split('#');
    return new Uint8Array([...enc.encode(head), ...bad, ...enc.encode(tail)]);
  }
  const str = (s: string) => [0xa0 | s.length, ...enc.encode(s)];
  const raw = [0xd9, bad.length + 2, 0x61, ...bad, 0x62];
  return new Uint8Array([
    0x83,
    ...str('id'),
    0x01,
    ...str('type'),
    ...str('SubmitInteraction'),
    ...str('interaction'),
    0x84,
    ...str('id'),
    ...str(id),
    ...str('channel'),
    ...str('voice'),
    ...str('queue'),
    ...str('q'),
    ...str('context'),
    0x81,
    ...str('note'),
    ...raw,
  ]);
}

describe.each(['json', 'msgpack'] as const)('text that is not UTF-8 (%s)', (encoding) => {
  it('is refused as BAD_FRAME, and nothing is stored', async () => {
    const p = await TestClient.connect(`${url}/v1/platform`, await verifier.sign({ tenant: `utf8-${encoding}`, role: 'platform' }, 600), encoding);
    expect(await p.request({ type: 'UpsertQueue', queue: { id: 'q' } })).toMatchObject({ ok: true });
    const cases: [string, number[]][] = [
      ['lone-continuation', [0x80]],
      ['overlong-slash', [0xc0, 0xaf]],
      ['surrogate', [0xed, 0xa0, 0x80]],
      ['truncated', [0xe2, 0x82]],
      ['past-max', [0xf4, 0x90, 0x80, 0x80]],
      ['ff', [0xff]],
    ];
    for (const [id, bad] of cases) p.sendRaw(submission(encoding, id, bad));
    // Well-formed text of every length passes.
    p.sendRaw(submission(encoding, 'fine', [...enc.encode('é€𝄞')]));
    // The raw frames all carry id 1: their answers arrive as unclaimed frames, in order.
    await expect.poll(() => p.errors.length).toBe(cases.length + 1);
    expect(p.errors).toEqual([
      ...cases.map(() => ({ re: null, ok: false, code: 'BAD_FRAME', message: 'frame is not valid UTF-8' })),
      { re: 1, ok: true, interactionId: 'fine' },
    ]);
    for (const [id] of cases) expect(await p.request({ type: 'GetInteraction', interactionId: id })).toMatchObject({ ok: false, code: 'UNKNOWN_INTERACTION' });
    expect(await p.request({ type: 'GetInteraction', interactionId: 'fine' })).toMatchObject({ ok: true, interaction: { status: 'queued' } });
    p.close();
  });
});
