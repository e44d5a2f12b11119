import { createHmac } from 'node:crypto';
import { JwtVerifier, REMEMBER_VERIFIED_TOKEN_MS } from '@as2-partners/platform';
import { GatewayCredentials } from './gateway-credentials';

const SECRET = 'gateway-credentials-unit-secret-of-some-length';
function signHs256TestToken(payload: Record<string, unknown>, secret: string): string {
  const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const verifier = () => JwtVerifier.fromConfig({ key: { kind: 'secret', secret: SECRET, isDevSecret: false }, clockToleranceSeconds: 0 });
const bearer = (claims: Record<string, unknown>) => `Bearer ${signHs256TestToken({ sub: 'gw', iat: Math.floor(Date.now() / 1000), ...claims }, SECRET)}`;

describe('GatewayCredentials', () => {
  it("remembers a verified gateway token no longer than the verifier trusts a verification (a JWKS key withdrawn stops it then), even with a far exp", async () => {
    let now = Date.now();
    const credentials = new GatewayCredentials(verifier(), () => now);
    const authorization = bearer({ account: 'acc', roles: ['gateway'], exp: Math.floor(now / 1000) + 24 * 3600 });
    expect(await credentials.check(authorization)).toEqual({ ok: true, account: 'acc', tenant: null });
    const verifiedAt = now;
    now = verifiedAt + REMEMBER_VERIFIED_TOKEN_MS - 1;
    expect(credentials.checkCached(authorization, now)).toEqual({ ok: true, account: 'acc', tenant: null });
    now = verifiedAt + REMEMBER_VERIFIED_TOKEN_MS;
    expect(credentials.checkCached(authorization, now)).toBeUndefined();
  });

  it('remembers a token expiring sooner only until its exp', async () => {
    let now = Date.now();
    const credentials = new GatewayCredentials(verifier(), () => now);
    const exp = Math.floor(now / 1000) + 60;
    const authorization = bearer({ account: 'acc', tenant: 't1', roles: ['gateway'], exp });
    expect(await credentials.check(authorization)).toEqual({ ok: true, account: 'acc', tenant: 't1' });
    now = exp * 1000 - 1;
    expect(credentials.checkCached(authorization, now)).toEqual({ ok: true, account: 'acc', tenant: 't1' });
    now = exp * 1000;
    expect(credentials.checkCached(authorization, now)).toBeUndefined();
  });

  it('refuses a token signed with another key though it shares the remembered one\'s header and claims (401), and a non-gateway role (403)', async () => {
    const credentials = new GatewayCredentials(verifier(), () => Date.now());
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const good = bearer({ account: 'acc', roles: ['gateway'], exp });
    expect((await credentials.check(good)).ok).toBe(true);
    const forged = `${good.slice(0, good.lastIndexOf('.'))}.${signHs256TestToken({ sub: 'gw', account: 'acc', roles: ['gateway'], exp }, 'another-secret-entirely').split('.')[2]}`;
    expect(await credentials.check(forged)).toEqual({ ok: false, status: 401, reason: expect.stringMatching(/signature/) });
    expect(await credentials.check(bearer({ account: 'acc', tenant: 't1', roles: ['tenant_user'], exp }))).toEqual({ ok: false, status: 403, account: 'acc', tenant: 't1' });
  });
});
