import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type Encoding } from '../../src/protocol/codec.ts';
import { parseRequest } from '../../src/protocol/schemas.ts';

const submit = {
  id: 7,
  type: 'SubmitInteraction',
  interaction: {
    id: 'call-1',
    channel: 'voice',
    queue: 'billing',
    skills: { billing: 3 },
    labels: { lang: 'en' },
    context: { crm: { account: 'A-1', tags: ['vip'] } },
  },
};

describe('codecs', () => {
  for (const enc of ['json', 'msgpack'] as Encoding[])
    it(`${enc}: the same message round-trips and validates`, () => {
      const frame = encodeFrame(submit, enc);
      const d = decodeFrame(enc === 'json' ? (frame as string) : (frame as Uint8Array), enc);
      expect(d.ok).toBe(true);
      if (!d.ok) return;
      expect(d.value).toEqual(submit);
      expect(parseRequest(d.value, 'platform')).toEqual({ ok: true, request: submit });
    });

  it('refuses prototype keys in JSON, anywhere', () => {
    for (const text of [
      '{"id":1,"type":"Resume","__proto__":{"polluted":1}}',
      '{"id":1,"type":"SubmitInteraction","interaction":{"id":"x","channel":"v","queue":"q","context":{"a":{"constructor":{"prototype":{"polluted":1}}}}}}',
      '{"id":1,"type":"Resume","prototype":1}',
    ]) {
      const d = decodeFrame(text, 'json');
      expect(d.ok).toBe(false);
      if (!d.ok) expect(d.reason).toMatch(/forbidden key/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses prototype keys in msgpack (msgpackr renames __proto__; constructor is refused)', () => {
    // {"__proto__": {"polluted": 1}} hand-encoded
    const proto = Uint8Array.from([0x81, 0xa9, ...Buffer.from('__proto__'), 0x81, 0xa8, ...Buffer.from('polluted'), 0x01]);
    const d = decodeFrame(proto, 'msgpack');
    if (d.ok) {
      expect(Object.getPrototypeOf(d.value)).toBe(Object.prototype);
      expect(parseRequest(d.value, 'agent').ok).toBe(false);
    }
    const ctor = decodeFrame(pack({ constructor: { prototype: { polluted: 1 } } }), 'msgpack');
    expect(ctor.ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses extension types, binary values, huge declared lengths, deep nesting and oversized frames', () => {
    const cases: [Uint8Array, RegExp][] = [
      [Uint8Array.from([0xd6, 0xff, 0, 0, 0, 0]), /extension/], // timestamp
      [Uint8Array.from([0xc7, 0x01, 0x78, 0x00]), /extension/], // RegExp extension
      [Uint8Array.from([0xc4, 0x01, 0x00]), /binary/],
      [Uint8Array.from([0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]), /declared length/],
      [Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]), /declared length/],
      [Uint8Array.from([0xdf, 0x7f, 0xff, 0xff, 0xff, 0xa1, 0x61]), /declared length/],
      [Uint8Array.from([...new Array(40).fill(0x91), 0x01]), /nested deeper/],
      [Uint8Array.from([0x81, 0x01, 0x02]), /key is not a string/],
      [Uint8Array.from([0x01, 0x02]), /trailing/],
      [Uint8Array.from([0xc1]), /reserved/],
      [new Uint8Array(70_000), /larger than/],
    ];
    for (const [frame, reason] of cases) {
      const d = decodeFrame(frame, 'msgpack');
      expect(d.ok, String(reason)).toBe(false);
      if (!d.ok) expect(d.reason).toMatch(reason);
    }
    expect(decodeFrame('['.repeat(50) + ']'.repeat(50), 'json')).toMatchObject({ ok: false, reason: expect.stringMatching(/nested deeper/) });
    expect(decodeFrame('x'.repeat(70_000), 'json')).toMatchObject({ ok: false, reason: expect.stringMatching(/larger than/) });
    expect(decodeFrame(Uint8Array.from([0xff, 0xfe, 0x7b]), 'json')).toMatchObject({ ok: false, reason: expect.stringMatching(/UTF-8/) });
  });

  it('names the failing fields, keeps the request id, and never echoes values', () => {
    const r = parseRequest(
      { id: 'r-9', type: 'SubmitInteraction', interaction: { id: 'x', channel: 'voice', queue: 'q', priority: 'secret-value' } },
      'platform',
    );
    expect(r).toMatchObject({ ok: false, re: 'r-9', code: 'VALIDATION_FAILED' });
    if (!r.ok) {
      expect(r.message).toContain('interaction.priority');
      expect(r.message).not.toContain('secret-value');
    }
    expect(parseRequest({ id: 1, type: 'SubmitInteraction' }, 'agent')).toMatchObject({ ok: false, code: 'UNKNOWN_TYPE', re: 1 });
    expect(parseRequest([1, 2], 'agent')).toMatchObject({ ok: false, re: null, code: 'VALIDATION_FAILED' });
  });
});
