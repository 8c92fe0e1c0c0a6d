import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenVerifier } from '../../src/transport/auth.ts';
import type { RunningServer } from '../../src/transport/ws-server.ts';
import { startTestServer, TestClient } from '../helpers/server.ts';

/**
 * Hostile frames through a real socket: every one is answered with a typed error (or the
 * connection is closed by policy), the server keeps serving, and Object.prototype is untouched.
 * The bulk of the fuzzing (over 100,000 frames) runs on the decoder and validator directly
 * (tests/protocol/fuzz.test.ts); this checks the same holds end to end.
 */
let server: RunningServer;
let verifier: TokenVerifier;
let url: string;
const FRAMES = 3000;

beforeAll(async () => {
  ({ server, verifier, url } = await startTestServer({ messageBurst: '100000', messagesPerSecond: '100000', maxViolations: '1000000' }));
});
afterAll(() => server.stop());

describe('hostile frames over the wire', () => {
  for (const encoding of ['json', 'msgpack'] as const)
    it(`${encoding}: typed errors for ${FRAMES} frames, and the server still serves`, async () => {
      const c = await TestClient.connect(`${url}/v1/platform`, await verifier.sign({ tenant: 'fuzz', role: 'platform' }, 600), encoding);
      const frames = fc.sample(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.string({ maxLength: 200 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ id: 1, type: 'SubmitInteraction', interaction: v })),
          fc.constantFrom(
            '{"id":1,"type":"Resume","__proto__":{"polluted":1}}',
            '{"id":2,"type":"Accept","offerId":"o4194304"}',
            '[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]',
          ),
        ),
        { numRuns: FRAMES, seed: encoding === 'json' ? 7 : 8 },
      );
      for (const f of frames) {
        if (encoding === 'msgpack' && typeof f === 'string') c.sendRaw(new TextEncoder().encode(f));
        else if (encoding === 'json' && typeof f !== 'string') c.sendRaw(new TextDecoder().decode(f));
        else c.sendRaw(f);
      }
      // Every frame gets its answer before anything else is asked (answers carry the frames' ids).
      for (let waited = 0; c.errors.length < FRAMES && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      const answer = await c.request({ type: 'GetQueueStats' });
      expect(answer).toMatchObject({ ok: true });
      // One typed answer per hostile frame (requests that happened to be valid answer ok).
      const typed = c.errors.filter((e) => e.ok === false && typeof e.code === 'string').length;
      const oks = c.errors.filter((e) => e.ok === true).length;
      expect(typed + oks).toBe(FRAMES);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      c.close();
    });
});
