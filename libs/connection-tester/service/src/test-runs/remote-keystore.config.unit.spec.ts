import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { remoteKeystoreConfigFrom } from './remote-keystore.config';
import { mintedServiceToken } from '../config/service-token';

describe('remoteKeystoreConfigFrom', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keystore-token-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is off without KEYSTORE_URL', () => expect(remoteKeystoreConfigFrom({})).toBeNull());

  it('takes the URL and a token, with a default timeout', () => {
    const config = remoteKeystoreConfigFrom({ KEYSTORE_URL: 'http://certificate-lifecycle:3000', KEYSTORE_TOKEN: 'a.b.c' });
    expect(config).toMatchObject({ baseUrl: 'http://certificate-lifecycle:3000', timeoutMs: 10_000 });
    expect(config?.token()).toBe('a.b.c');
  });

  it('reads a token file at each call, so a rotated secret is used', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first.token.x\n');
    const config = remoteKeystoreConfigFrom({ KEYSTORE_URL: 'https://keys.internal', KEYSTORE_TOKEN_FILE: file });
    expect(config?.token()).toBe('first.token.x');
    writeFileSync(file, 'second.token.y');
    expect(config?.token()).toBe('second.token.y');
  });

  it('without a token, mints its own short-lived gateway token for every account with the shared HS256 secret (renewed before it expires)', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const secret = 'x'.repeat(40);
    const jwt = { key: { kind: 'secret' as const, secret, isDevSecret: false }, issuer: 'as2', clockToleranceSeconds: 0 };
    const config = remoteKeystoreConfigFrom({ KEYSTORE_URL: 'http://k' }, jwt);
    const first = await config!.token();
    const verified = await jwtVerify(first, new TextEncoder().encode(secret), { issuer: 'as2' });
    expect(verified.payload).toMatchObject({ sub: 'connection-tester', account: '*', roles: ['gateway'] });
    expect(verified.payload.exp! - verified.payload.iat!).toBe(300);
    await expect(jwtVerify(first, new TextEncoder().encode('y'.repeat(40)))).rejects.toThrow();
    expect(await config!.token()).toBe(first);
    const minted = mintedServiceToken(jwt, () => now)!;
    const early = await minted();
    now += 250_000;
    expect(await minted()).not.toBe(early);
    expect(mintedServiceToken({ key: { kind: 'jwks', jwksUrl: 'https://idp/jwks' }, clockToleranceSeconds: 0 })).toBeNull();
    expect(() => remoteKeystoreConfigFrom({ KEYSTORE_URL: 'http://k' }, { key: { kind: 'public-key', publicKeyPem: 'x' }, clockToleranceSeconds: 0 })).toThrow(/KEYSTORE_TOKEN/);
  });

  it.each([
    [{ KEYSTORE_TOKEN: 'a.b.c' }, /KEYSTORE_URL is required/],
    [{ KEYSTORE_URL: 'http://k' }, /KEYSTORE_TOKEN or KEYSTORE_TOKEN_FILE is required with KEYSTORE_URL when tokens are not signed with JWT_SECRET/],
    [{ KEYSTORE_URL: 'http://k', KEYSTORE_TOKEN: 'a', KEYSTORE_TOKEN_FILE: '/x' }, /KEYSTORE_TOKEN and KEYSTORE_TOKEN_FILE are exclusive/],
    [{ KEYSTORE_URL: 'ftp://k', KEYSTORE_TOKEN: 'a' }, /KEYSTORE_URL must use/],
    [{ KEYSTORE_URL: 'http://k', KEYSTORE_TOKEN_FILE: '/no/such/file' }, /KEYSTORE_TOKEN_FILE cannot be read/],
    [{ KEYSTORE_URL: 'http://k', KEYSTORE_TOKEN: 'a', KEYSTORE_TIMEOUT_MS: '5' }, /KEYSTORE_TIMEOUT_MS/],
  ])('refuses %j', (env, message) => expect(() => remoteKeystoreConfigFrom(env)).toThrow(message));
});
