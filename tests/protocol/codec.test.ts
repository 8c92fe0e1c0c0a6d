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

  it('msgpack: leaves out undefined fields as JSON does, and sends epoch milliseconds as float64', () => {
    const frame = { re: 1, ok: true, agent: { state: 'offline', reason: undefined, list: [1, undefined] }, at: 1795424082540 };
    const bytes = encodeFrame(frame, 'msgpack') as Uint8Array;
    const hex = Buffer.from(bytes).toString('hex');
    expect(hex).not.toContain('d40000');
    expect(decodeFrame(bytes, 'msgpack')).toEqual({ ok: true, value: JSON.parse(encodeFrame(frame, 'json') as string) });
    // 1795424082540 is past 2^32: msgpackr writes it as float64 (0xcb), which holds it exactly.
    const at = Buffer.from(encodeFrame(1795424082540, 'msgpack') as Uint8Array);
    expect(at[0]).toBe(0xcb);
    expect(at.readDoubleBE(1)).toBe(1795424082540);
    expect(Buffer.from(encodeFrame(2 ** 32 - 1, 'msgpack') as Uint8Array).toString('hex')).toBe('ceffffffff');
    expect(Buffer.from(encodeFrame(-(2 ** 31), 'msgpack') as Uint8Array).toString('hex')).toBe('d280000000');
    expect(Buffer.from(encodeFrame(2 ** 32, 'msgpack') as Uint8Array)[0]).toBe(0xcb);
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

  it('refuses prototype keys in msgpack before msgpackr reads them, as JSON does, in every string format', () => {
    const ascii = (k: string) => [...k].map((c) => c.charCodeAt(0));
    const fixstr = (k: string) => [0xa0 | k.length, ...ascii(k)];
    const str8 = (k: string) => [0xd9, k.length, ...ascii(k)];
    const str16 = (k: string) => [0xda, 0, k.length, ...ascii(k)];
    const str32 = (k: string) => [0xdb, 0, 0, 0, k.length, ...ascii(k)];
    for (const key of ['__proto__', 'constructor', 'prototype'])
      for (const str of [fixstr, str8, str16, str32]) {
        // {"id":1,"type":"Resume",<key>:{"polluted":1}}, and the same key deeper, in a context
        const top = Uint8Array.from([0x83, ...fixstr('id'), 0x01, ...fixstr('type'), ...fixstr('Resume'), ...str(key), 0x81, ...fixstr('polluted'), 0x01]);
        const deep = Uint8Array.from([0x81, ...fixstr('context'), 0x92, 0x80, 0x81, ...fixstr('a'), 0x81, ...str(key), 0x01]);
        for (const frame of [top, deep]) expect(decodeFrame(frame, 'msgpack'), `${key} ${str.name}`).toEqual({ ok: false, reason: `forbidden key '${key}'` });
      }
    expect(decodeFrame('{"id":1,"type":"Resume","__proto__":{"polluted":1}}', 'json')).toEqual({ ok: false, reason: "forbidden key '__proto__'" });
    expect(decodeFrame(pack({ constructor: { prototype: { polluted: 1 } } }), 'msgpack')).toEqual({ ok: false, reason: "forbidden key 'constructor'" });
    // As a value, or as a longer or shorter key, the same letters are data.
    const asValue = decodeFrame(Uint8Array.from([0x82, ...fixstr('__proto_'), ...fixstr('__proto__'), ...fixstr('__proto___'), 0x01]), 'msgpack');
    expect(asValue).toEqual({ ok: true, value: { __proto_: '__proto__', __proto___: 1 } });
    // An overlong encoding of '_' (0xc1 0x9f) is not UTF-8: refused, never read as '_'.
    const overlong = decodeFrame(Uint8Array.from([0x81, 0xd9, 10, 0xc1, 0x9f, ...ascii('_proto__'), 0x01]), 'msgpack');
    expect(overlong).toEqual({ ok: false, reason: 'frame is not valid UTF-8' });
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
