import type { SecretCollection, SecretStore } from '@as2-partners/kernel';

/** One tenant data key, wrapped (sealed) with PARTNER_SECRETS_KEY. */
export interface TenantDataKeyDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly wrappedKey: string;
  readonly createdAt: string;
}

/**
 * Not a read model: key material cannot live in the append-only event store, or it could never be destroyed, and
 * nothing rebuilds it. It lives in the secret store (embedded: `secrets.sqlite`, never set aside or rebuilt;
 * distributed: this collection of the MongoDB database, which no rebuild clears); back it up with PARTNER_SECRETS_KEY.
 * Earlier embedded versions kept it in the read-model file: the embedded secret store moves it out at start.
 */
export const TENANT_DATA_KEYS_COLLECTION = 'partner_registry_tenant_data_keys';

export class TenantDataKeyStore {
  private readonly keys: SecretCollection<TenantDataKeyDocument>;

  constructor(secrets: SecretStore) {
    this.keys = secrets.collection(TENANT_DATA_KEYS_COLLECTION);
  }

  put(key: TenantDataKeyDocument): Promise<void> {
    return this.keys.put(key);
  }

  get(keyId: string): Promise<TenantDataKeyDocument | null> {
    return this.keys.get(keyId);
  }

  /** The latest `count` keys stored (ids are time-ordered), of every tenant. */
  async latest(count: number): Promise<TenantDataKeyDocument[]> {
    return (await this.keys.find({})).sort((a, b) => (a._id < b._id ? 1 : a._id > b._id ? -1 : 0)).slice(0, count);
  }

  delete(keyId: string): Promise<void> {
    return this.keys.delete(keyId);
  }

  /** Every key the tenant ever had, including ones a lost race or a replacement left behind. */
  destroyAllOf(account: string, tenant: string): Promise<number> {
    return this.keys.deleteMany({ account, tenant });
  }
}
