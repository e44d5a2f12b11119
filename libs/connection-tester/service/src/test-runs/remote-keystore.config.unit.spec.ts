import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remoteKeystoreConfigFrom } from './remote-keystore.config';

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

  it.each([
    [{ KEYSTORE_TOKEN: 'a.b.c' }, /KEYSTORE_URL is required/],
    [{ KEYSTORE_URL: 'http://k' }, /KEYSTORE_TOKEN or KEYSTORE_TOKEN_FILE/],
    [{ KEYSTORE_URL: 'http://k', KEYSTORE_TOKEN: 'a', KEYSTORE_TOKEN_FILE: '/x' }, /KEYSTORE_TOKEN or KEYSTORE_TOKEN_FILE \(exactly one\)/],
    [{ KEYSTORE_URL: 'ftp://k', KEYSTORE_TOKEN: 'a' }, /KEYSTORE_URL must use/],
    [{ KEYSTORE_URL: 'http://k', KEYSTORE_TOKEN_FILE: '/no/such/file' }, /KEYSTORE_TOKEN_FILE cannot be read/],
    [{ KEYSTORE_URL: 'http://k', KEYSTORE_TOKEN: 'a', KEYSTORE_TIMEOUT_MS: '5' }, /KEYSTORE_TIMEOUT_MS/],
  ])('refuses %j', (env, message) => expect(() => remoteKeystoreConfigFrom(env)).toThrow(message));
});
