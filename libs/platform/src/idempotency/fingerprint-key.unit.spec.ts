import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigurationError } from '../config/invalid-configuration.error';
import { fingerprintKeyFrom, IDEMPOTENCY_FINGERPRINT_KEY_FILE } from './fingerprint-key';

describe('fingerprintKeyFrom: the key of the HMAC retried requests are fingerprinted with', () => {
  const log = { warn: jest.fn(), info: jest.fn() };
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'as2-fingerprint-key-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('embedded: generates a key into DATA_DIR once (mode 0600) and reuses it on every later start', () => {
    const first = fingerprintKeyFrom({ env: {}, mode: 'embedded', dataDir }, log);
    const file = join(dataDir, IDEMPOTENCY_FINGERPRINT_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first?.toString('hex')).toBe(readFileSync(file, 'utf8').trim());
    expect(fingerprintKeyFrom({ env: {}, mode: 'embedded', dataDir }, log)).toEqual(first);
  });

  it('distributed: its own variable, else a key derived from the first secret the service is given, the same on every replica', () => {
    const own = 'ab'.repeat(32);
    expect(fingerprintKeyFrom({ env: { IDEMPOTENCY_FINGERPRINT_KEY: own }, mode: 'distributed', dataDir }, log)?.toString('hex')).toBe(own);
    const registry = fingerprintKeyFrom({ env: { PARTNER_SECRETS_KEY: 'cd'.repeat(32), JWT_SECRET: 'jwt-secret-of-at-least-32-characters!!' }, mode: 'distributed', dataDir }, log);
    expect(registry).toHaveLength(32);
    expect(registry?.toString('hex')).not.toContain('cd'.repeat(32));
    expect(fingerprintKeyFrom({ env: { PARTNER_SECRETS_KEY: 'cd'.repeat(32) }, mode: 'distributed', dataDir }, log)).toEqual(registry);
    expect(fingerprintKeyFrom({ env: { JWT_SECRET: 'jwt-secret-of-at-least-32-characters!!' }, mode: 'distributed', dataDir }, log)).not.toEqual(registry);
    // A service given no secret (a JWT public key) takes no secret in its bodies either: a plain hash.
    expect(fingerprintKeyFrom({ env: { JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' }, mode: 'distributed', dataDir }, log)).toBeNull();
  });

  it('refuses a key of another length, naming the variable', () => {
    expect(() => fingerprintKeyFrom({ env: { IDEMPOTENCY_FINGERPRINT_KEY: 'abcd' }, mode: 'distributed', dataDir }, log)).toThrow(InvalidConfigurationError);
    expect(() => fingerprintKeyFrom({ env: { IDEMPOTENCY_FINGERPRINT_KEY: 'abcd' }, mode: 'embedded', dataDir }, log)).toThrow(/IDEMPOTENCY_FINGERPRINT_KEY/);
  });
});
