import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeySealer } from './key-sealer';
import { KEYSTORE_MASTER_KEY_FILE, keystoreMasterKeyFrom } from './keystore-master-key';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
const scope = { account: 'acc', tenant: 'ten', keyId: 'key_1' };

describe('KeySealer (envelope encryption of our private keys)', () => {
  const sealer = new KeySealer(Buffer.alloc(32, 7));

  it('seals with a fresh data key each time, keeps no key bytes in the blob, and unseals the same key', () => {
    const a = sealer.seal(scope, privateKey, 'skb_a', new Date());
    const b = sealer.seal(scope, privateKey, 'skb_b', new Date());
    expect(a.document.wrappedDataKey).not.toBe(b.document.wrappedDataKey);
    const stored = JSON.stringify(a.document);
    for (const needle of [pkcs8.toString('base64'), pkcs8.toString('hex'), pkcs8.toString('base64url').slice(100, 200)]) expect(stored).not.toContain(needle);
    expect(a.reference).toEqual({ blobId: 'skb_a', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(sealer.unseal(a.document, a.reference.sha256).export({ format: 'der', type: 'pkcs8' })).toEqual(pkcs8);
  });

  it('refuses a blob that is not the one the event hashed, another master key, and a blob moved under another id', () => {
    const { document, reference } = sealer.seal(scope, privateKey, 'skb_a', new Date());
    const swapped = sealer.seal(scope, privateKey, 'skb_other', new Date());
    expect(() => sealer.unseal(swapped.document, reference.sha256)).toThrow(/does not match/);
    expect(() => new KeySealer(Buffer.alloc(32, 8)).unseal(document, reference.sha256)).toThrow(/master key/);
    const moved = { ...document, _id: 'skb_b' };
    expect(() => sealer.unseal(moved, reference.sha256)).toThrow();
  });
});

describe('KEYSTORE_MASTER_KEY', () => {
  const log = { warn: jest.fn(), info: jest.fn() };
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'keystore-master-'));
    log.warn.mockReset();
    log.info.mockReset();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reads 32 bytes as hex or base64, and refuses anything else naming the variable', () => {
    const hex = 'ab'.repeat(32);
    expect(keystoreMasterKeyFrom({ env: { KEYSTORE_MASTER_KEY: hex }, mode: 'distributed', dataDir }, log)).toEqual(Buffer.from(hex, 'hex'));
    const base64 = Buffer.alloc(32, 9).toString('base64');
    expect(keystoreMasterKeyFrom({ env: { KEYSTORE_MASTER_KEY: base64 }, mode: 'embedded', dataDir }, log)).toEqual(Buffer.alloc(32, 9));
    for (const bad of ['abc', 'ab'.repeat(31), Buffer.alloc(16).toString('base64')]) {
      expect(() => keystoreMasterKeyFrom({ env: { KEYSTORE_MASTER_KEY: bad }, mode: 'embedded', dataDir }, log)).toThrow(/KEYSTORE_MASTER_KEY/);
    }
  });

  it('is required in distributed mode', () => {
    expect(() => keystoreMasterKeyFrom({ env: {}, mode: 'distributed', dataDir }, log)).toThrow(/KEYSTORE_MASTER_KEY.*required/);
  });

  it('is generated once into DATA_DIR (mode 0600) in embedded mode, with one loud warning, and reused after', () => {
    const first = keystoreMasterKeyFrom({ env: {}, mode: 'embedded', dataDir }, log);
    const file = join(dataDir, KEYSTORE_MASTER_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    const second = keystoreMasterKeyFrom({ env: {}, mode: 'embedded', dataDir }, log);
    expect(second).toEqual(first);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0][0]).toMatch(/GENERATED/);
    expect(log.warn.mock.calls[0][0]).not.toContain(first.toString('hex'));
  });

  it('is not generated where it was lost (DATA_DIR holds secrets.sqlite and no key file): the start stops naming both, and leaves no new key behind', () => {
    writeFileSync(join(dataDir, 'secrets.sqlite'), '');
    expect(() => keystoreMasterKeyFrom({ env: {}, mode: 'embedded', dataDir }, log)).toThrow(/KEYSTORE_MASTER_KEY is not set and DATA_DIR holds secrets.sqlite but not keystore-master.key/);
    expect(existsSync(join(dataDir, KEYSTORE_MASTER_KEY_FILE))).toBe(false);
    expect(log.warn).not.toHaveBeenCalled();
  });
});
