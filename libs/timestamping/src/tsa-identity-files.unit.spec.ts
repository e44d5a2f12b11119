import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTsaIdentity } from './tsa-identity';
import { loadOrCreateTsaIdentity } from './tsa-identity-files';

describe('loadOrCreateTsaIdentity', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsa-identity-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the identity once and reads the same one back, with the key file readable by its owner only', () => {
    const created = loadOrCreateTsaIdentity(join(dir, 'tsa'));
    const loaded = loadOrCreateTsaIdentity(join(dir, 'tsa'));
    expect(loaded).toEqual(created);
    expect(statSync(join(dir, 'tsa', 'tsa-key.pem')).mode & 0o777).toBe(0o600);
    expect(new X509Certificate(loaded.certificatePem).checkIssued(new X509Certificate(loaded.chainPem[0]))).toBe(true);
  });

  it('refuses a directory where the key does not belong to the certificate', () => {
    loadOrCreateTsaIdentity(dir);
    writeFileSync(join(dir, 'tsa-key.pem'), createTsaIdentity().privateKeyPem);
    expect(() => loadOrCreateTsaIdentity(dir)).toThrow(/does not belong to the certificate/);
  });

  it('refuses a directory holding only some of the files rather than overwriting them', () => {
    writeFileSync(join(dir, 'tsa-cert.pem'), createTsaIdentity().certificatePem);
    expect(() => loadOrCreateTsaIdentity(dir)).toThrow(/tsa-cert.pem but not all/);
  });
});
