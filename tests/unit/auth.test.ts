import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../src/transport/auth.ts';

const SECRET = 'unit-test-secret-0123456789abcdef';
const key = new TextEncoder().encode(SECRET);
const verifier = new TokenVerifier(SECRET);
const now = Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
/** A compact JWS over exactly these header and claims, signed with HMAC-SHA256 under `secret`. */
const hs256 = (header: unknown, claims: unknown, secret = SECRET) => {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};
const platform = { tenant: 't1', role: 'platform', exp: now + 600 };

describe('TokenVerifier.verify', () => {
  it('accepts the tokens it signs, for every role', async () => {
    expect(verifier.verify(await verifier.sign({ tenant: 't1', role: 'platform' }, 600))).toEqual({
      tenant: 't1',
      role: 'platform',
      agentId: null,
      expiresAt: expect.any(Number),
    });
    expect(verifier.verify(await verifier.sign({ tenant: 't1', role: 'agent', sub: 'ann' }, 600))).toMatchObject({ role: 'agent', agentId: 'ann' });
    expect(verifier.verify(await verifier.sign({ tenant: 't1', role: 'supervisor' }, 600))).toMatchObject({ role: 'supervisor', agentId: null });
    expect(verifier.verify(hs256({ alg: 'HS256' }, { ...platform, iat: now, nbf: now }))).toMatchObject({ expiresAt: (now + 600) * 1000 });
  });

  it('refuses other algorithms, alg none, critical extensions and a header that is not an object', async () => {
    const hs512 = await new SignJWT(platform).setProtectedHeader({ alg: 'HS512' }).sign(key);
    expect(verifier.verify(hs512)).toEqual({ error: 'token invalid' });
    expect(verifier.verify(`${b64({ alg: 'none' })}.${b64(platform)}.`)).toEqual({ error: 'token invalid' });
    expect(verifier.verify(hs256({ alg: 'none' }, platform))).toEqual({ error: 'token invalid' });
    expect(verifier.verify(hs256({ typ: 'JWT' }, platform))).toEqual({ error: 'token invalid' });
    expect(verifier.verify(hs256({ alg: 'HS256', crit: ['exp'], exp: 1 }, platform))).toEqual({ error: 'token invalid' });
    expect(verifier.verify(hs256({ alg: 'HS256', crit: ['b64'], b64: false }, platform))).toEqual({ error: 'token invalid' });
    expect(verifier.verify(hs256(['HS256'], platform))).toEqual({ error: 'token invalid' });
  });

  it('refuses forged, tampered and malformed tokens', async () => {
    const good = await verifier.sign({ tenant: 't1', role: 'platform' }, 600);
    const [h, p, s] = good.split('.');
    expect(verifier.verify(hs256({ alg: 'HS256' }, platform, 'another-secret-0123456789abcdef'))).toEqual({ error: 'token invalid' });
    expect(verifier.verify(`${h}.${b64({ ...platform, tenant: 't2' })}.${s}`)).toEqual({ error: 'token invalid' });
    expect(verifier.verify(`${h}.${p}.${s.slice(0, -2)}`)).toEqual({ error: 'token invalid' });
    expect(verifier.verify(`${h}.${p}.${s}A`)).toEqual({ error: 'token invalid' });
    expect(verifier.verify(`${h}.${p}.${Buffer.from(s, 'base64url').toString('base64')}=`)).toEqual({ error: 'token invalid' });
    for (const bad of ['', 'abc', `${h}.${p}`, `${h}.${p}.${s}.x`, `${h}..${s}`, `${h}.${p}.`, `${h} .${p}.${s}`, `${good}\n`])
      expect(verifier.verify(bad)).toEqual({ error: 'token invalid' });
    expect(verifier.verify(hs256({ alg: 'HS256' }, '{"tenant":'))).toEqual({ error: 'token invalid' });
    expect(verifier.verify(hs256({ alg: 'HS256' }, [platform]))).toEqual({ error: 'token invalid' });
  });

  it('checks exp, nbf and iat as jwtVerify does', () => {
    expect(verifier.verify(hs256({ alg: 'HS256' }, { ...platform, exp: now - 1 }))).toEqual({ error: 'token expired' });
    expect(verifier.verify(hs256({ alg: 'HS256' }, { ...platform, exp: now }), now * 1000)).toEqual({ error: 'token expired' });
    expect(verifier.verify(hs256({ alg: 'HS256' }, { ...platform, exp: now + 1 }), now * 1000 + 999)).toMatchObject({ tenant: 't1' });
    const { exp: _, ...noExp } = platform;
    expect(verifier.verify(hs256({ alg: 'HS256' }, noExp))).toEqual({ error: 'token invalid' });
    expect(verifier.verify(hs256({ alg: 'HS256' }, { ...platform, exp: String(now + 600) }))).toEqual({ error: 'token invalid' });
    expect(verifier.verify(hs256({ alg: 'HS256' }, { ...platform, nbf: now + 60 }))).toEqual({ error: 'token invalid' });
    expect(verifier.verify(hs256({ alg: 'HS256' }, { ...platform, nbf: 'now' }))).toEqual({ error: 'token invalid' });
    expect(verifier.verify(hs256({ alg: 'HS256' }, { ...platform, iat: 'now' }))).toEqual({ error: 'token invalid' });
  });

  it('refuses incomplete claims and an agent token without an agent id', () => {
    expect(verifier.verify(hs256({ alg: 'HS256' }, { ...platform, role: 'admin' }))).toEqual({ error: 'token claims are incomplete' });
    expect(verifier.verify(hs256({ alg: 'HS256' }, { ...platform, exp: now + 600.5 }))).toEqual({ error: 'token claims are incomplete' });
    expect(verifier.verify(hs256({ alg: 'HS256' }, { role: 'platform', exp: now + 600 }))).toEqual({ error: 'token claims are incomplete' });
    expect(verifier.verify(hs256({ alg: 'HS256' }, { ...platform, role: 'agent' }))).toEqual({ error: 'agent token without an agent id' });
  });
});
