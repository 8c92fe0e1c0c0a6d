import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HTTP_STATUS, REASONS, statusOf, WIRE_CODES } from '../../src/protocol/http-status.ts';

describe('HTTP statuses of the wire codes', () => {
  it('gives every code of codes.ts a status the API knows', () => {
    for (const code of WIRE_CODES) {
      expect(HTTP_STATUS[code], code).toBeDefined();
      expect(REASONS[HTTP_STATUS[code]], code).toBeDefined();
    }
    expect(statusOf({ ok: true })).toBe(200);
    expect(statusOf({ ok: false, code: 'QUEUE_IN_USE' })).toBe(409);
    expect(statusOf({ ok: false, code: 'NEVER_HEARD_OF' })).toBe(500);
  });

  it('is the table of docs/protocol.md (HTTP API)', () => {
    const md = readFileSync(join(import.meta.dirname, '../../docs/protocol.md'), 'utf8');
    const section = md.slice(md.indexOf('## HTTP API'));
    const documented = new Map<string, number>();
    for (const row of section.matchAll(/^\| (\d{3}) +\| ([^|]+)\|/gm))
      for (const code of row[2].matchAll(/`([A-Z_]+)`/g)) if (!documented.has(code[1])) documented.set(code[1], Number(row[1]));
    for (const code of WIRE_CODES) expect({ code, status: documented.get(code) }).toEqual({ code, status: HTTP_STATUS[code] });
  });
});
