import crypto, { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT, type JWTPayload } from 'jose';
import type { JwtConfig } from '../config/platform-config';
import { AuthenticationFailedError, JwtVerifier } from './jwt-verifier';

const SECRET = 'unit-test-secret-0123456789abcdef-0123456789';
const secretKey = new TextEncoder().encode(SECRET);
const hs256: JwtConfig = { key: { kind: 'secret', secret: SECRET, isDevSecret: false }, clockToleranceSeconds: 5 };
const CLAIMS = { sub: 'alice', account: 'acme', tenant: 't1', roles: ['tenant_admin'] };
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function sign(payload: JWTPayload, options: { key?: Uint8Array | KeyObject; alg?: string; exp?: number | null; kid?: string } = {}): Promise<string> {
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: options.alg ?? 'HS256', kid: options.kid }).setIssuedAt();
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? nowSeconds() + 300);
  return jwt.sign(options.key ?? secretKey);
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function rejection(verifier: JwtVerifier, token: string): Promise<AuthenticationFailedError> {
  const error = await verifier.verify(token).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationFailedError);
  return error as AuthenticationFailedError;
}

describe('JwtVerifier', () => {
  describe('HS256 secret', () => {
    const verifier = JwtVerifier.fromConfig(hs256);

    describe('a token verified once is remembered until it expires', () => {
      afterEach(() => jest.useRealTimers());

      it('answers the same frozen caller again, and refuses it once exp has passed (tolerance not stretched by the memory)', async () => {
        const remembering = JwtVerifier.fromConfig({ ...hs256, clockToleranceSeconds: 0 });
        const token = await sign(CLAIMS, { exp: nowSeconds() + 2 });
        const first = await remembering.verify(token);
        expect(await remembering.verify(token)).toBe(first);
        expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
        jest.useFakeTimers({ now: Date.now() + 3000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
        await rejection(remembering, token);
      });

      it('rememberedCaller answers without waiting only a token verified before and not expired since', async () => {
        const remembering = JwtVerifier.fromConfig({ ...hs256, clockToleranceSeconds: 0 });
        const token = await sign(CLAIMS, { exp: nowSeconds() + 2 });
        expect(remembering.rememberedCaller(token)).toBeUndefined();
        const caller = await remembering.verify(token);
        expect(remembering.rememberedCaller(token)).toBe(caller);
        expect(remembering.rememberedCaller(`${token}x`)).toBeUndefined();
        jest.useFakeTimers({ now: Date.now() + 3000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
        expect(remembering.rememberedCaller(token)).toBeUndefined();
      });

      it('rememberedCallerOf takes a remembered bearer token of one of the roles, without a CORS Origin', async () => {
        const remembering = JwtVerifier.fromConfig(hs256);
        const token = await sign(CLAIMS);
        const headers = { authorization: `Bearer ${token}` };
        const roles = [...((await remembering.verify(token)).roles)];
        expect(remembering.rememberedCallerOf(headers, roles)).toBe(await remembering.verify(token));
        expect(remembering.rememberedCallerOf({ ...headers, origin: 'https://app.example' }, roles)).toBeUndefined();
        expect(remembering.rememberedCallerOf(headers, ['a-role-nobody-has'])).toBeUndefined();
        expect(remembering.rememberedCallerOf({ authorization: `Basic ${token}` }, roles)).toBeUndefined();
        expect(remembering.rememberedCallerOf({}, roles)).toBeUndefined();
        expect(remembering.rememberedCallerOf({ authorization: `Bearer ${await sign({ ...CLAIMS, sub: 'never-verified' })}` }, roles)).toBeUndefined();
      });

      it('a token that differs in one character of its signature is verified on its own and refused', async () => {
        const remembering = JwtVerifier.fromConfig(hs256);
        const token = await sign(CLAIMS);
        await remembering.verify(token);
        const last = token.at(-2) === 'A' ? 'B' : 'A';
        await rejection(remembering, `${token.slice(0, -2)}${last}${token.at(-1)}`);
      });
    });

    it('returns the caller a valid token names', async () => {
      await expect(verifier.verify(await sign(CLAIMS))).resolves.toEqual({ sub: 'alice', account: 'acme', tenant: 't1', roles: ['tenant_admin'] });
    });

    it('builds the secret key once, not per request', async () => {
      const tokens = await Promise.all([sign(CLAIMS), sign({ ...CLAIMS, sub: 'bob' })]);
      const keysBuilt = jest.spyOn(crypto, 'createSecretKey');
      try {
        for (const token of tokens) await verifier.verify(token);
        expect(keysBuilt).not.toHaveBeenCalled();
      } finally {
        keysBuilt.mockRestore();
      }
    });

    it('accepts an account admin without a tenant', async () => {
      const caller = await verifier.verify(await sign({ sub: 'root', account: 'acme', roles: ['account_admin'] }));
      expect(caller.tenant).toBeNull();
    });

    it('accepts a gateway without a tenant, for one account or every account', async () => {
      expect(await verifier.verify(await sign({ sub: 'gw', account: '*', roles: ['gateway'] }))).toEqual({ sub: 'gw', account: '*', tenant: null, roles: ['gateway'] });
    });

    it('refuses account "*" (every account) for a user role: only a gateway token spans accounts', async () => {
      for (const roles of [['account_admin'], ['tenant_admin'], ['tenant_user'], ['gateway', 'tenant_admin']]) {
        expect((await rejection(verifier, await sign({ sub: 'u', account: '*', tenant: 't1', roles }))).reason).toMatch(/every account/);
      }
      expect((await verifier.verify(await sign({ sub: 'gw', account: '*', tenant: 't1', roles: ['gateway'] }))).account).toBe('*');
    });

    it('refuses a tenant claim no account could register: a dot would let two account/tenant pairs name one directory, "_account" names the account itself', async () => {
      // account "p.q" with tenant "r" and account "p" with tenant "q.r" would both be `p.q.r` in stream names and ids
      for (const tenant of ['q.r', 'a b', '../t', 'x'.repeat(65), '_account', 'ü']) {
        expect((await rejection(verifier, await sign({ sub: 'u', account: 'p', tenant, roles: ['tenant_admin'] }))).reason).toMatch(/claim tenant/);
      }
      expect((await verifier.verify(await sign({ sub: 'u', account: 'p.q', tenant: 'r_1-X', roles: ['tenant_admin'] }))).tenant).toBe('r_1-X');
    });

    it('refuses an account claim holding a separator of the ids it heads ("|", "/"), an escape ("%"), a blank or a control character', async () => {
      // account "p|t1" with tenant "x" and message "<m>", and account "p" with tenant "t1" and message "x|<m>", would share one record
      for (const account of ['p|t1', 'p/t1', 'p%2F', 'p q', 'p\nq', 'p\u2028', 'x'.repeat(129)]) {
        expect((await rejection(verifier, await sign({ sub: 'u', account, tenant: 'x', roles: ['tenant_admin'] }))).reason).toMatch(/claim account/);
      }
      expect((await rejection(verifier, await sign({ sub: 'u', account: '\u{1d49c}'.repeat(129), tenant: 'x', roles: ['tenant_admin'] }))).reason).toMatch(/claim account/);
      // Characters, not UTF-16 code units: 128 letters outside the BMP are 256 units.
      for (const account of ['acme', 'acme.example', 'ACME_Corp-1', 'Grossist-ü', 'x'.repeat(128), '\u{1d49c}'.repeat(128)]) expect((await verifier.verify(await sign({ sub: 'u', account, tenant: 't1', roles: ['tenant_admin'] }))).account).toBe(account);
    });

    it('accepts an operator without a tenant (parked events span tenants)', async () => {
      const caller = await verifier.verify(await sign({ sub: 'ops', account: 'platform', roles: ['operator'] }));
      expect(caller).toEqual({ sub: 'ops', account: 'platform', tenant: null, roles: ['operator'] });
    });

    it('accepts a gateway without a tenant (account-wide), and still requires a tenant of a tenant role', async () => {
      const caller = await verifier.verify(await sign({ sub: 'gw', account: 'acme', roles: ['gateway'] }));
      expect(caller).toEqual({ sub: 'gw', account: 'acme', tenant: null, roles: ['gateway'] });
      expect((await rejection(verifier, await sign({ sub: 'u', account: 'acme', roles: ['tenant_admin'] }))).reason).toMatch(/tenant/);
    });

    it("drops a tenant's roles from a token without a tenant: beside gateway, operator or account_admin they grant nothing", async () => {
      for (const role of ['gateway', 'operator', 'account_admin'] as const) {
        const caller = await verifier.verify(await sign({ sub: 'mixed', account: 'acme', roles: [role, 'tenant_admin', 'tenant_user'] }));
        expect(caller).toEqual({ sub: 'mixed', account: 'acme', tenant: null, roles: [role] });
      }
      const withTenant = await verifier.verify(await sign({ sub: 'mixed', account: 'acme', tenant: 't1', roles: ['gateway', 'tenant_admin'] }));
      expect(withTenant.roles).toEqual(['gateway', 'tenant_admin']);
      expect((await rejection(verifier, await sign({ sub: 'u', account: 'acme', roles: ['tenant_admin', 'tenant_user'] }))).reason).toMatch(/tenant/);
      expect((await rejection(verifier, await sign({ sub: 'gw', account: '*', roles: ['gateway', 'tenant_user'] }))).reason).toMatch(/every account/);
    });

    it('rejects an expired token beyond the clock tolerance', async () => {
      expect((await rejection(verifier, await sign(CLAIMS, { exp: nowSeconds() - 60 }))).reason).toMatch(/exp/);
    });

    it('accepts a token expired by less than the clock tolerance', async () => {
      await expect(verifier.verify(await sign(CLAIMS, { exp: nowSeconds() - 2 }))).resolves.toMatchObject({ sub: 'alice' });
    });

    it('rejects a token issued later than now beyond the clock tolerance, and takes one within it', async () => {
      const issuedAt = (iat: number) => new SignJWT(CLAIMS).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(iat).setExpirationTime(nowSeconds() + 7_200).sign(secretKey);
      expect((await rejection(verifier, await issuedAt(nowSeconds() + 3_600))).reason).toMatch(/"iat" claim timestamp check failed/);
      await expect(verifier.verify(await issuedAt(nowSeconds() + 2))).resolves.toMatchObject({ sub: 'alice' });
    });

    it('rejects a token without exp', async () => {
      expect((await rejection(verifier, await sign(CLAIMS, { exp: null }))).reason).toMatch(/exp/);
    });

    it('rejects a token signed with another secret', async () => {
      await rejection(verifier, await sign(CLAIMS, { key: new TextEncoder().encode('another-secret-0123456789abcdef-012345') }));
    });

    it('rejects a tampered payload', async () => {
      const [header, , signature] = (await sign(CLAIMS)).split('.');
      await rejection(verifier, `${header}.${base64url({ ...CLAIMS, roles: ['account_admin'], exp: nowSeconds() + 300 })}.${signature}`);
    });

    it('rejects alg none', async () => {
      const unsecured = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...CLAIMS, exp: nowSeconds() + 300 })}.`;
      await rejection(verifier, unsecured);
    });

    it('rejects an RS256 token when configured for HS256', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      await rejection(verifier, await sign(CLAIMS, { key: privateKey, alg: 'RS256' }));
    });

    it('does not check issuer or audience when they are not configured', async () => {
      await expect(verifier.verify(await sign({ ...CLAIMS, iss: 'anyone', aud: 'anything' }))).resolves.toMatchObject({ sub: 'alice' });
    });

    it.each([
      ['sub missing', { account: 'acme', tenant: 't1', roles: ['tenant_user'] }, /sub/],
      ['account missing', { sub: 'alice', tenant: 't1', roles: ['tenant_user'] }, /account/],
      ['roles missing', { sub: 'alice', account: 'acme', tenant: 't1' }, /roles/],
      ['roles empty', { ...CLAIMS, roles: [] }, /roles/],
      ['roles not an array', { ...CLAIMS, roles: 'tenant_admin' }, /roles/],
      ['an unknown role', { ...CLAIMS, roles: ['tenant_admin', 'superuser'] }, /superuser/],
      ['tenant empty', { ...CLAIMS, tenant: '' }, /tenant/],
      ['no tenant for a tenant role', { sub: 'alice', account: 'acme', roles: ['tenant_admin'] }, /tenant is required/],
    ])('rejects claims with %s', async (_case, claims, reason) => {
      expect((await rejection(verifier, await sign(claims))).reason).toMatch(reason);
    });
  });

  describe('issuer and audience when configured', () => {
    const verifier = JwtVerifier.fromConfig({ ...hs256, issuer: 'https://idp.example', audience: 'as2-partners' });

    it('accepts matching claims', async () => {
      await expect(verifier.verify(await sign({ ...CLAIMS, iss: 'https://idp.example', aud: 'as2-partners' }))).resolves.toMatchObject({ sub: 'alice' });
    });

    it('rejects a wrong issuer', async () => {
      expect((await rejection(verifier, await sign({ ...CLAIMS, iss: 'https://evil.example', aud: 'as2-partners' }))).reason).toMatch(/iss/);
    });

    it('rejects a wrong or missing audience', async () => {
      expect((await rejection(verifier, await sign({ ...CLAIMS, iss: 'https://idp.example', aud: 'other' }))).reason).toMatch(/aud/);
      await rejection(verifier, await sign({ ...CLAIMS, iss: 'https://idp.example' }));
    });
  });

  describe('RS256 public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const verifier = JwtVerifier.fromConfig({
      key: { kind: 'public-key', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      clockToleranceSeconds: 5,
    });

    it('accepts a token signed by the private key', async () => {
      await expect(verifier.verify(await sign(CLAIMS, { key: privateKey, alg: 'RS256' }))).resolves.toMatchObject({ sub: 'alice' });
    });

    it('rejects a token signed by another key', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      await rejection(verifier, await sign(CLAIMS, { key: other, alg: 'RS256' }));
    });

    it('rejects an HS256 token made with the public key as the secret (algorithm confusion)', async () => {
      const pemAsSecret = new TextEncoder().encode(publicKey.export({ type: 'spki', format: 'pem' }).toString());
      await rejection(verifier, await sign(CLAIMS, { key: pemAsSecret }));
    });
  });

  describe('JWKS URL', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    let server: Server;
    let url: string;

    beforeAll(async () => {
      const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
      server = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    });

    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('accepts a token whose kid is in the key set, and rejects one signed by an unknown key', async () => {
      const verifier = JwtVerifier.fromConfig({ key: { kind: 'jwks', jwksUrl: url }, clockToleranceSeconds: 5 });
      await expect(verifier.verify(await sign(CLAIMS, { key: privateKey, alg: 'RS256', kid: 'key-1' }))).resolves.toMatchObject({ sub: 'alice' });
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      await rejection(verifier, await sign(CLAIMS, { key: other, alg: 'RS256', kid: 'key-1' }));
    });

    it('warms up without fetching the key set (a fetch before ready is a side effect at a distance)', async () => {
      let fetched = 0;
      const counting = createServer((_req, res) => {
        fetched += 1;
        res.end('{"keys":[]}');
      });
      await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
      try {
        const verifier = JwtVerifier.fromConfig({ key: { kind: 'jwks', jwksUrl: `http://127.0.0.1:${(counting.address() as AddressInfo).port}/jwks.json` }, clockToleranceSeconds: 5 });
        await verifier.warmUp();
        expect(fetched).toBe(0);
      } finally {
        await new Promise<void>((resolve) => counting.close(() => resolve()));
      }
    });
  });

  describe('warm-up before the first request', () => {
    it('checks a token no key signed: jose verifies it (a signature refused), nothing is remembered, and real tokens are verified as before', async () => {
      const verifier = JwtVerifier.fromConfig(hs256);
      const verifyNow = jest.spyOn(verifier as unknown as { verifyNow: (token: string) => Promise<unknown> }, 'verifyNow');
      await verifier.warmUp();
      expect(verifyNow).toHaveBeenCalledTimes(1);
      const [[warmUpToken]] = verifyNow.mock.calls as [[string]];
      await expect(verifyNow.mock.results[0]?.value).rejects.toMatchObject({ reason: 'signature verification failed' });
      expect(verifier.rememberedCaller(warmUpToken)).toBeUndefined();
      await rejection(verifier, warmUpToken);
      await expect(verifier.verify(await sign(CLAIMS))).resolves.toMatchObject({ sub: 'alice' });
    });

    it('does the same with a public key (RS256)', async () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const verifier = JwtVerifier.fromConfig({ key: { kind: 'public-key', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }, clockToleranceSeconds: 5 });
      const verifyNow = jest.spyOn(verifier as unknown as { verifyNow: (token: string) => Promise<unknown> }, 'verifyNow');
      await verifier.warmUp();
      await expect(verifyNow.mock.results[0]?.value).rejects.toMatchObject({ reason: 'signature verification failed' });
    });
  });
});
