/**
 * A webhook delivery's signature: `Switchboard-Signature: t=<unix seconds>,v1=<hex>` where the
 * hex is HMAC-SHA256 keyed with the webhook's secret over `<t>.<body>` (the exact bytes sent).
 * A receiver recomputes it, compares in constant time, and refuses a `t` too far from its own
 * clock (a replayed delivery). docs/protocol.md, "Webhooks", shows the check in a few lines.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'switchboard-signature';

/** The header's value for `body` sent at `tSeconds`. */
export function sign(secret: string, tSeconds: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', secret).update(`${tSeconds}.`).update(body).digest('hex');
  return `t=${tSeconds},v1=${mac}`;
}

/** Whether `header` signs `body` with `secret`, made within `toleranceSeconds` of `nowSeconds`. */
export function verify(secret: string, header: string, body: string | Uint8Array, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = new Map(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isSafeInteger(t) || v1 === undefined || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, t, body).slice(`t=${t},v1=`.length), 'hex');
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
