/**
 * Access tokens: HMAC-signed JWTs (HS256 only; `alg: none` and every other algorithm are
 * refused) carrying the tenant, the role and, for agents, the agent id (`sub`). The tenant and
 * the agent identity come only from here, never from a message.
 *
 * Verification is synchronous (one HMAC-SHA256 over the token, a few microseconds) so that the
 * upgrade handler can answer, and upgrade, before it returns: see admission.ts for why an
 * upgrade must not wait.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { base64url, decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { z } from 'zod';
import { Id } from '../protocol/schemas.ts';
import type { Principal } from '../shell/ports.ts';

export const Claims = z.object({
  tenant: Id,
  role: z.enum(['platform', 'agent', 'supervisor']),
  sub: Id.optional(),
  exp: z.number().int(),
});

const SEGMENT = /^[A-Za-z0-9_-]+$/;

export class TokenVerifier {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  /**
   * The principal, or a reason the token is refused (never the token itself). A compact JWS
   * with a protected header `{alg: 'HS256'}` (no critical extensions), a valid HMAC-SHA256 under
   * the secret, and a claims set with a numeric `exp` still in the future; `nbf`, when present,
   * must be numeric and not in the future, `iat` numeric (the checks of jose's `jwtVerify`).
   */
  verify(token: string, now = Date.now()): Principal | { error: string } {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return { error: 'token invalid' };
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    let signature: Uint8Array;
    try {
      header = decodeProtectedHeader(token) as Record<string, unknown>;
      payload = decodeJwt(token) as Record<string, unknown>;
      signature = base64url.decode(parts[2]);
    } catch {
      return { error: 'token invalid' };
    }
    if (header.alg !== 'HS256' || 'crit' in header) return { error: 'token invalid' };
    const expected = createHmac('sha256', this.key).update(`${parts[0]}.${parts[1]}`).digest();
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return { error: 'token invalid' };
    const seconds = Math.floor(now / 1000);
    const { exp, nbf, iat } = payload;
    if (typeof exp !== 'number' || (nbf !== undefined && typeof nbf !== 'number') || (iat !== undefined && typeof iat !== 'number'))
      return { error: 'token invalid' };
    if (nbf !== undefined && nbf > seconds) return { error: 'token invalid' };
    if (exp <= seconds) return { error: 'token expired' };
    const c = Claims.safeParse(payload);
    if (!c.success) return { error: 'token claims are incomplete' };
    if (c.data.role === 'agent' && !c.data.sub) return { error: 'agent token without an agent id' };
    return { tenant: c.data.tenant, role: c.data.role, agentId: c.data.role === 'agent' ? c.data.sub! : null, expiresAt: c.data.exp * 1000 };
  }

  sign(claims: { tenant: string; role: Principal['role']; sub?: string }, ttlSeconds: number): Promise<string> {
    const jwt = new SignJWT({ tenant: claims.tenant, role: claims.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`);
    if (claims.sub) jwt.setSubject(claims.sub);
    return jwt.sign(this.key);
  }
}
