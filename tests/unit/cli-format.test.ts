import { inert } from '../../src/cli/run.ts';
import { describe, expect, it } from 'vitest';
import { refusal } from '../../src/cli/api-client.ts';
import { baseUrl, parseArguments } from '../../src/cli/arguments.ts';
import { eventLine } from '../../src/cli/event-line.ts';
import { CliFailure, Exit } from '../../src/cli/failure.ts';
import { keyValues, table } from '../../src/cli/table.ts';
import { duration } from '../../src/cli/units.ts';

describe('the operator CLI, piece by piece', () => {
  it('reads the URL as given, the way npm start prints it, or bare', () => {
    expect(baseUrl('ws://localhost:7070')).toBe('http://localhost:7070');
    expect(baseUrl('wss://sb.example.com/v1/platform')).toBe('https://sb.example.com');
    expect(baseUrl('10.0.0.5:7070')).toBe('http://10.0.0.5:7070');
    expect(baseUrl('https://proxy.example.com/switchboard/')).toBe('https://proxy.example.com/switchboard');
    expect(() => baseUrl('ftp://x')).toThrow(CliFailure);
  });

  it('takes flags before or after the command, with = or not, and the environment as fallback', () => {
    const a = parseArguments(['--json', 'events', '--after=5', '--follow', '--types', 'OfferMade,InteractionQueued'], {
      SWITCHBOARD_URL: 'ws://h:1',
      SUPERVISOR_TOKEN: 'sup',
    });
    expect(a).toMatchObject({
      command: 'events',
      urls: ['http://h:1'],
      token: 'sup',
      json: true,
      follow: true,
      after: 5,
      types: ['OfferMade', 'InteractionQueued'],
    });
    const b = parseArguments(['explain', 'c-1', '--token', 'flag', '--url', 'http://x:2'], { SWITCHBOARD_TOKEN: 'env', SWITCHBOARD_URL: 'http://y:3' });
    expect(b).toMatchObject({ command: 'explain', positionals: ['c-1'], token: 'flag', urls: ['http://x:2'], timeoutMs: 10_000 });
    expect(parseArguments([], {})).toMatchObject({ command: 'help', token: null, urls: ['http://localhost:7070'] });
    expect(parseArguments(['status', '--url', 'ws://a:1,b:2/'], {}).urls).toEqual(['http://a:1', 'http://b:2']);
    for (const bad of [
      ['status', '--after', '-1'],
      ['status', '--limit', '0'],
      ['status', '--json=yes'],
      ['status', '--token'],
      ['status', '--nope'],
    ]) {
      const f = (() => {
        try {
          parseArguments(bad, {});
        } catch (e) {
          return e;
        }
      })();
      expect(f, bad.join(' ')).toBeInstanceOf(CliFailure);
      expect((f as CliFailure).exitCode).toBe(Exit.USAGE);
    }
  });

  it('maps refusals to advice and exit codes by kind', () => {
    expect(refusal(401, { code: 'UNAUTHORIZED', message: 'token expired' })).toMatchObject({
      exitCode: Exit.AUTH,
      message: expect.stringContaining('SWITCHBOARD_TOKEN'),
    });
    expect(refusal(403, { code: 'FORBIDDEN', message: 'x' }).exitCode).toBe(Exit.AUTH);
    expect(refusal(503, { code: 'UNAVAILABLE', message: 'standby: send requests to the leader' })).toMatchObject({
      exitCode: Exit.UNAVAILABLE,
      message: expect.stringContaining('point --url at the leader'),
    });
    expect(refusal(503, { code: 'STORE_UNAVAILABLE', message: 'the store is unavailable' }).message).toContain('retry shortly');
    expect(refusal(404, { code: 'UNKNOWN_QUEUE', message: "queue 'x'" })).toMatchObject({
      exitCode: Exit.REFUSED,
      message: expect.stringMatching(/^not found/),
    });
    expect(refusal(410, { code: 'EVENTS_EXPIRED', message: 'gone', oldest: 501 }).message).toContain('--after 500');
    expect(refusal(409, { code: 'INVALID_STATE', message: 'finished' })).toMatchObject({ exitCode: Exit.REFUSED, code: 'INVALID_STATE' });
  });

  it('lays out tables (numbers right), key-value lines, durations and events', () => {
    expect(
      table(
        ['QUEUE', 'WAITING', 'STATE'],
        [
          ['billing', 12, 'open'],
          ['sales', 3, null],
        ],
      ),
    ).toBe('QUEUE    WAITING  STATE\nbilling       12  open\nsales          3  -');
    expect(
      keyValues([
        ['role', 'leader'],
        ['lag', null],
        ['tenants', 2],
      ]),
    ).toBe('role     leader\ntenants  2');
    expect([0, 250, 4_560, 48_000, 185_000, 7_800_000, 200_000_000].map(duration)).toEqual(['0s', '0.25s', '4.6s', '48s', '3m05s', '2h10m', '2d07h']);
    expect(eventLine({ seq: 7, type: 'InteractionQueued', at: 0, interactionId: 'c 1', queueId: 'q' })).toBe(
      '#7  1970-01-01 00:00:00.000Z  InteractionQueued  interactionId="c 1" queueId=q',
    );
  });

  it('prints what tenants wrote without the control characters a terminal would act on', () => {
    const json = JSON.stringify({ note: 'a\u001b]52;c;Zm9v\u0007b\u009bc' });
    expect(inert(json)).toBe('{"note":"a\\u001b]52;c;Zm9v\\u0007b\\u009bc"}');
    expect(JSON.parse(inert(json))).toEqual(JSON.parse(json));
    expect(inert('x\ty\nz\r\u001b[2J')).toBe('x\ty\nz\\u000d\\u001b[2J');
  });
});
