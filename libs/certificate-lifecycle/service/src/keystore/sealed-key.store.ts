import type { SecretCollection, SecretStore } from '@as2-partners/kernel';

/** One private key sealed by envelope encryption: its own data key (wrapped by the master key) and the key under it. */
export interface SealedKeyDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly keyId: string;
  /** `v1`: AES-256-GCM for both layers, base64url parts, the blob id authenticated in each. */
  readonly version: 'v1';
  /** SHA-256 (first 16 hex) of the master key that wrapped the data key: says which master key a restore needs. */
  readonly masterKeyId: string;
  readonly wrappedDataKey: string;
  readonly sealedKey: string;
  readonly createdAt: string;
}

/**
 * Not a read model: sealed private keys never go to the append-only event store (events carry only the blob's id and
 * hash), so a deleted key's blob can be destroyed for good, and nothing rebuilds them. They live in the secret store
 * (embedded: `secrets.sqlite`, never set aside or rebuilt; distributed: this collection of the MongoDB database, which
 * no rebuild clears); back it up with the master key. Earlier embedded versions kept them in the read-model file: the
 * embedded secret store moves them out at start.
 */
export const SEALED_KEYS_COLLECTION = 'certificate_lifecycle_sealed_keys';

export class SealedKeyStore {
  private readonly blobs: SecretCollection<SealedKeyDocument>;

  constructor(secrets: SecretStore) {
    this.blobs = secrets.collection(SEALED_KEYS_COLLECTION);
  }

  put(blob: SealedKeyDocument): Promise<void> {
    return this.blobs.put(blob);
  }

  get(blobId: string): Promise<SealedKeyDocument | null> {
    return this.blobs.get(blobId);
  }

  /** The id of a master key other than `masterKeyId` that sealed a stored key, or null when it sealed them all (or none is stored). */
  async sealedWithAnotherKey(masterKeyId: string): Promise<string | null> {
    return (await this.blobs.find({})).find((blob) => blob.masterKeyId !== masterKeyId)?.masterKeyId ?? null;
  }

  /** Crypto-shredding: once gone, nothing anywhere can recover the key. */
  destroy(blobId: string): Promise<void> {
    return this.blobs.delete(blobId);
  }
}
