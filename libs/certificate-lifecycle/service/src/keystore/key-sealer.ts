import { createCipheriv, createDecipheriv, createHash, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import type { SealedKeyDocument } from './sealed-key.store';

/** What a sealing produced: the blob to store, and the reference the events carry instead of it. */
export interface SealedKey {
  readonly document: SealedKeyDocument;
  readonly reference: { readonly blobId: string; readonly sha256: string };
}

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join('.');
}

function unseal(key: Buffer, sealed: string, aad: string): Buffer {
  const [iv, tag, ciphertext] = sealed.split('.');
  if (!iv || !tag || ciphertext === undefined) throw new Error('Malformed sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
}

/** The content hash the events carry: over the sealed parts only, so it proves which blob without revealing anything. */
export function sealedKeyHash(document: Pick<SealedKeyDocument, '_id' | 'version' | 'masterKeyId' | 'wrappedDataKey' | 'sealedKey'>): string {
  return createHash('sha256').update([document._id, document.version, document.masterKeyId, document.wrappedDataKey, document.sealedKey].join('\n')).digest('hex');
}

/**
 * Envelope encryption of our private keys: a fresh AES-256 data key per private key seals its PKCS#8 DER, and the
 * master key seals that data key (both AES-256-GCM, each bound to the blob id). Rotating the master key rewraps data
 * keys only; destroying a blob destroys the key.
 */
export class KeySealer {
  readonly masterKeyId: string;

  constructor(private readonly masterKey: Buffer) {
    this.masterKeyId = createHash('sha256').update(masterKey).digest('hex').slice(0, 16);
  }

  seal(scope: { account: string; tenant: string | null; keyId: string }, privateKey: KeyObject, blobId: string, now: Date): SealedKey {
    const dataKey = randomBytes(32);
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    try {
      const body = {
        _id: blobId,
        version: 'v1' as const,
        masterKeyId: this.masterKeyId,
        wrappedDataKey: seal(this.masterKey, dataKey, `data-key:${blobId}`),
        sealedKey: seal(dataKey, pkcs8, `private-key:${blobId}`),
      };
      const document: SealedKeyDocument = { ...body, account: scope.account, tenant: scope.tenant, keyId: scope.keyId, createdAt: now.toISOString() };
      return { document, reference: { blobId, sha256: sealedKeyHash(body) } };
    } finally {
      dataKey.fill(0);
      pkcs8.fill(0);
    }
  }

  /** The private key, for one operation inside this service; refuses a blob that is not the one the event names. */
  unseal(document: SealedKeyDocument, expectedSha256: string): KeyObject {
    if (sealedKeyHash(document) !== expectedSha256) throw new Error(`Sealed key ${document._id} does not match the hash its event recorded`);
    if (document.masterKeyId !== this.masterKeyId) {
      throw new Error(`Sealed key ${document._id} was sealed with master key ${document.masterKeyId}, not the configured ${this.masterKeyId}`);
    }
    const dataKey = unseal(this.masterKey, document.wrappedDataKey, `data-key:${document._id}`);
    const pkcs8 = unseal(dataKey, document.sealedKey, `private-key:${document._id}`);
    try {
      return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    } finally {
      dataKey.fill(0);
      pkcs8.fill(0);
    }
  }
}

export const KEY_SEALER = Symbol('KeySealer');
