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
});
