/**
 * Access tokens: HMAC-signed JWTs (HS256 only; `alg: none` and every other algorithm are
 * refused) carrying the tenant, the role and, for agents, the agent id (`sub`). The tenant and
 * the agent identity come only from here, never from a message.
 */
import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import { Id } from '../protocol/schemas.ts';
import type { Principal } from '../shell/ports.ts';

export const Claims = z.object({
  tenant: Id,
  role: z.enum(['platform', 'agent', 'supervisor']),
  sub: Id.optional(),
  exp: z.number().int(),
});

export type { Principal };

export class TokenVerifier {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  /** The principal, or a reason the token is refused (never the token itself). */
  async verify(token: string): Promise<Principal | { error: string }> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], requiredClaims: ['exp'] });
      const c = Claims.safeParse(payload);
      if (!c.success) return { error: 'token claims are incomplete' };
      if (c.data.role === 'agent' && !c.data.sub) return { error: 'agent token without an agent id' };
      return { tenant: c.data.tenant, role: c.data.role, agentId: c.data.role === 'agent' ? c.data.sub! : null, expiresAt: c.data.exp * 1000 };
    } catch (e) {
      const code = (e as { code?: string }).code;
      return { error: code === 'ERR_JWT_EXPIRED' ? 'token expired' : 'token invalid' };
    }
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
