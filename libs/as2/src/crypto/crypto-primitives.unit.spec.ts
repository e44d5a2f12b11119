import * as crypto from 'node:crypto';
import { decrypt, encrypt, rsaDecryptKey, rsaEncryptKey } from './crypto-primitives';

const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('RSA key transport unwrap (implicit rejection)', () => {
  it('recovers the content key', () => {
    const key = crypto.randomBytes(32);
    expect(rsaDecryptKey(privateKey, rsaEncryptKey(publicKey, key), 32)).toEqual(key);
  });

  it('returns the same pseudo-random key for the same bad ciphertext, never throwing', () => {
    const bad = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_NO_PADDING }, Buffer.alloc(256, 7));
    const a = rsaDecryptKey(privateKey, bad, 32);
    expect(a).toEqual(rsaDecryptKey(privateKey, bad, 32));
    expect(a).toHaveLength(32);
  });

  it('rejects a valid padding whose key has the wrong length', () => {
    const key = crypto.randomBytes(16);
    expect(rsaDecryptKey(privateKey, rsaEncryptKey(publicKey, key), 32)).not.toEqual(Buffer.concat([key, key]));
    expect(rsaDecryptKey(privateKey, rsaEncryptKey(publicKey, key), 32).subarray(16)).not.toEqual(key);
  });

  it('rejects ciphertext of the wrong size', () => {
    expect(rsaDecryptKey(privateKey, Buffer.alloc(10), 24)).toHaveLength(24);
  });
});

describe('CBC content decryption', () => {
  it('round-trips and checks the PKCS#7 padding', () => {
    const key = crypto.randomBytes(32);
    const iv = crypto.randomBytes(16);
    const data = Buffer.concat(encrypt('aes-256-cbc', key, iv, [Buffer.from('hello '), Buffer.from('world')]));
    expect(decrypt('aes-256-cbc', key, iv, data, 16)?.toString()).toBe('hello world');
    expect(decrypt('aes-256-cbc', crypto.randomBytes(32), iv, data, 16)?.toString()).not.toBe('hello world');
    expect(decrypt('aes-256-cbc', key, iv, data.subarray(0, 15), 16)).toBeUndefined();
  });
});
