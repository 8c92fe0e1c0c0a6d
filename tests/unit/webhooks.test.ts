import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { isPrivateAddress, webhookUrlProblem } from '../../src/shell/webhook-address.ts';
import { sign, verify } from '../../src/shell/webhook-signature.ts';

const SECRET = 'sixteen-chars-or-more';
const hook = (extra: Record<string, unknown> = {}) => ({ id: 'w', url: 'https://example.com/h', secret: SECRET, ...extra });

describe('webhooks in the engine', () => {
  it('keeps a cursor that starts at the last event, moves forward only, and survives a snapshot', () => {
    const e = new Engine();
    e.apply({ type: 'UpsertQueue', queue: { id: 'q' } }, 1);
    const last = e.eventSeq;
    const up = e.apply({ type: 'UpsertWebhook', webhook: hook() }, 2);
    expect(up).toMatchObject({ ok: true, events: [] });
    expect(e.eventSeq).toBe(last);
    expect(e.webhookList()).toEqual([{ id: 'w', url: 'https://example.com/h', secret: SECRET, types: null, queues: null, delivered: last, paused: null }]);
    e.apply({ type: 'SubmitInteraction', interaction: { id: 'i', channel: 'voice', queue: 'q' } }, 3);
    expect(e.apply({ type: 'AckWebhook', webhookId: 'w', through: e.eventSeq }, 4)).toMatchObject({ ok: true, events: [] });
    expect(e.apply({ type: 'AckWebhook', webhookId: 'w', through: last }, 5)).toMatchObject({ ok: true });
    expect(e.webhookList()[0].delivered).toBe(e.eventSeq);
    expect(e.apply({ type: 'AckWebhook', webhookId: 'w', through: e.eventSeq + 1 }, 6)).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(e.apply({ type: 'AckWebhook', webhookId: 'gone', through: 1 }, 6)).toMatchObject({ ok: true });
    e.apply({ type: 'PauseWebhook', webhookId: 'w', reason: 'kept failing' }, 7);
    const restored = Engine.restore(structuredClone(e.snapshot()));
    expect(restored.webhookList()).toEqual(e.webhookList());
    expect(restored.webhookList()[0]).toMatchObject({ paused: 'kept failing', delivered: e.eventSeq });
    // An upsert resumes it and keeps its cursor; with after, the cursor moves there.
    restored.apply({ type: 'UpsertWebhook', webhook: hook({ types: ['InteractionQueued'] }) }, 8);
    expect(restored.webhookList()[0]).toMatchObject({ paused: null, delivered: e.eventSeq, types: ['InteractionQueued'] });
    restored.apply({ type: 'UpsertWebhook', webhook: hook({ after: 0 }) }, 9);
    expect(restored.webhookList()[0].delivered).toBe(0);
    expect(restored.apply({ type: 'RemoveWebhook', webhookId: 'w' }, 10)).toMatchObject({ ok: true });
    expect(restored.apply({ type: 'RemoveWebhook', webhookId: 'w' }, 10)).toMatchObject({ ok: false, code: 'UNKNOWN_WEBHOOK' });
  });

  it('refuses bad specs and more webhooks than the limit, changing nothing', () => {
    const e = new Engine({ limits: { maxWebhooks: 2 } });
    for (const bad of [hook({ secret: 'short' }), hook({ url: '' }), hook({ types: [] }), hook({ after: 5 }), hook({ id: '' }), hook({ queues: ['a\u0000'] })])
      expect(e.apply({ type: 'UpsertWebhook', webhook: bad as never }, 1)).toMatchObject({ ok: false });
    e.apply({ type: 'UpsertWebhook', webhook: hook({ id: 'a' }) }, 1);
    e.apply({ type: 'UpsertWebhook', webhook: hook({ id: 'b' }) }, 1);
    expect(e.apply({ type: 'UpsertWebhook', webhook: hook({ id: 'c' }) }, 1)).toMatchObject({ ok: false, code: 'LIMIT_EXCEEDED' });
    expect(e.apply({ type: 'UpsertWebhook', webhook: hook({ id: 'b', url: 'https://example.org/' }) }, 1)).toMatchObject({ ok: true });
    expect(e.webhookList().map((w) => w.id)).toEqual(['a', 'b']);
  });
});

describe('webhook addresses', () => {
  it('knows private, loopback, link-local and mapped addresses from public ones', () => {
    for (const ip of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      '64:ff9b:1::7f00:1',
      '::7f00:1',
      '2002:a00:1::1',
      'fec0::1',
      '::ffff:0:a00:1',
    ])
      expect(isPrivateAddress(ip), ip).toBe(true);
    // NAT64 to a public address is how an IPv6-only network reaches the IPv4 internet.
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '64:ff9b::808:808', 'example.com'])
      expect(isPrivateAddress(ip), ip).toBe(false);
  });

  it('refuses schemes, credentials, fragments and private literals; allows them when configured', () => {
    expect(webhookUrlProblem('https://example.com/x?y=1', false)).toBeNull();
    expect(webhookUrlProblem('ftp://example.com/', false)).toMatch(/scheme/);
    expect(webhookUrlProblem('https://a:b@example.com/', false)).toMatch(/credentials/);
    expect(webhookUrlProblem('https://example.com/#x', false)).toMatch(/fragment/);
    expect(webhookUrlProblem('http://0x7f.1/', false)).toMatch(/private or loopback/);
    expect(webhookUrlProblem('http://[::ffff:7f00:1]/', false)).toMatch(/private or loopback/);
    expect(webhookUrlProblem('http://127.0.0.1:8080/', true)).toBeNull();
  });
});

describe('webhook signatures', () => {
  it('verifies its own signature, and refuses a changed body, another secret or an old timestamp', () => {
    const body = '{"events":[]}';
    const h = sign(SECRET, 1_700_000_000, body);
    expect(h).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verify(SECRET, h, body, 1_700_000_010)).toBe(true);
    expect(verify(SECRET, h, `${body} `, 1_700_000_010)).toBe(false);
    expect(verify('another-secret-of-length', h, body, 1_700_000_010)).toBe(false);
    expect(verify(SECRET, h, body, 1_700_001_000)).toBe(false);
    expect(verify(SECRET, 'garbage', body, 1_700_000_010)).toBe(false);
  });
});
