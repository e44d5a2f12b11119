import { createCipheriv, createDecipheriv } from 'node:crypto';

const VERSION = 'v2';

/**
 * A secret sealed with a tenant's data key: `v2.<keyId>.<iv>.<tag>.<ciphertext>` (AES-256-GCM, base64url, the prefix
 * authenticated). Only the key id travels with it: once the key is destroyed the value can never be unsealed.
 */
export function sealWithDataKey(keyId: string, key: Buffer, iv: Buffer, plaintext: string): string {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${VERSION}.${keyId}`));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, keyId, ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join('.');
}

/** The data key a sealed value needs; null for a value sealed with the master key (`v1`, before tenants had keys). */
export function dataKeyIdOf(sealed: string): string | null {
  const [version, keyId] = sealed.split('.');
  return version === VERSION && keyId ? keyId : null;
}

export function unsealWithDataKey(key: Buffer, sealed: string): string {
  const [version, keyId, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || !keyId || !iv || !tag || ciphertext === undefined) throw new Error('Not a secret sealed with a data key');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(`${VERSION}.${keyId}`));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
