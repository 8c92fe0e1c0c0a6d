import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configReference, describeConfig, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('defaults, environment, flags winning over environment', () => {
    const r = loadConfig({ SWITCHBOARD_PORT: '8080', SWITCHBOARD_DEV: 'true' }, ['--port', '9090', '--ordering=fifo']);
    expect(r).toMatchObject({ ok: true, config: { port: 9090, dev: true, ordering: 'fifo', host: '0.0.0.0', maxPayloadBytes: 65536 } });
  });

  it('fails fast with the reasons, and requires a secret outside development', () => {
    expect(loadConfig({}, ['--port', 'abc'])).toMatchObject({ ok: false, error: expect.stringContaining('port') });
    expect(loadConfig({}, ['--nope', '1'])).toMatchObject({ ok: false, error: 'unknown flag --nope' });
    expect(loadConfig({}, [])).toMatchObject({ ok: false, error: expect.stringContaining('authSecret is required') });
    expect(loadConfig({ SWITCHBOARD_AUTH_SECRET: 'short' }, [])).toMatchObject({ ok: false });
    expect(loadConfig({ SWITCHBOARD_DEV: 'false' }, [])).toMatchObject({ ok: false });
  });

  it('masks the secret when printed', () => {
    const r = loadConfig({ SWITCHBOARD_AUTH_SECRET: 's'.repeat(40) }, []);
    expect(r.ok).toBe(true);
    if (r.ok) expect(JSON.stringify(describeConfig(r.config))).not.toContain('s'.repeat(40));
  });

  it('every knob is documented in the README', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    for (const r of configReference()) {
      expect(r.description.length).toBeGreaterThan(0);
      expect(readme).toContain(r.env);
    }
  });

  it('reads a yes/no knob strictly: off, no, FALSE are false, anything unknown is refused (never read as true)', () => {
    const allow = (v: string) => {
      const r = loadConfig({ SWITCHBOARD_WEBHOOKS_ALLOW_PRIVATE: v, SWITCHBOARD_DEV: 'yes' }, []);
      return r.ok ? r.config.webhooksAllowPrivate : 'refused';
    };
    for (const v of ['false', 'FALSE', 'off', 'No', '0']) expect(allow(v), v).toBe(false);
    for (const v of ['true', 'On', 'yes', '1']) expect(allow(v), v).toBe(true);
    for (const v of ['maybe', 'disable', '']) expect(allow(v), v).toBe('refused');
    const bare = loadConfig({}, ['--dev', '--webhooks-allow-private']);
    expect(bare.ok && bare.config.webhooksAllowPrivate).toBe(true);
    const none = loadConfig({}, ['--dev']);
    expect(none.ok && [none.config.webhooksAllowPrivate, none.config.allowJsFallback]).toEqual([false, false]);
  });
});
