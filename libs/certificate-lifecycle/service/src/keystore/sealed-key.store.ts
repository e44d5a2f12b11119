import type { ReadModelCollection, ReadModelStore } from '@as2-partners/kernel';

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
 * hash), so a deleted key's blob can be destroyed for good. Its own collection of the read-model database, which no
 * rebuild clears; keep it (and the master key) when dropping read models.
 */
export const SEALED_KEYS_COLLECTION = 'certificate_lifecycle_sealed_keys';

export class SealedKeyStore {
  private readonly blobs: ReadModelCollection<SealedKeyDocument>;

  constructor(readModels: ReadModelStore) {
    this.blobs = readModels.collection(SEALED_KEYS_COLLECTION, [['account', 'tenant']]);
  }

  put(blob: SealedKeyDocument): Promise<void> {
    return this.blobs.put(blob);
  }

  get(blobId: string): Promise<SealedKeyDocument | null> {
    return this.blobs.get(blobId);
  }

  /** Crypto-shredding: once gone, nothing anywhere can recover the key. */
  destroy(blobId: string): Promise<void> {
    return this.blobs.delete(blobId);
  }
}
