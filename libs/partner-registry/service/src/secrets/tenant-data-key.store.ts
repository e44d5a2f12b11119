import type { ReadModelCollection, ReadModelStore } from '@as2-partners/kernel';

/** One tenant data key, wrapped (sealed) with PARTNER_SECRETS_KEY. */
export interface TenantDataKeyDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly wrappedKey: string;
  readonly createdAt: string;
}

/**
 * Not a read model: key material cannot live in the append-only event store, or it could never be destroyed.
 * It sits in its own collection of the read-model database, which no rebuild clears; keep it when dropping read models.
 */
export const TENANT_DATA_KEYS_COLLECTION = 'partner_registry_tenant_data_keys';

export class TenantDataKeyStore {
  private readonly keys: ReadModelCollection<TenantDataKeyDocument>;

  constructor(readModels: ReadModelStore) {
    this.keys = readModels.collection(TENANT_DATA_KEYS_COLLECTION, [['account', 'tenant']]);
  }

  put(key: TenantDataKeyDocument): Promise<void> {
    return this.keys.put(key);
  }

  get(keyId: string): Promise<TenantDataKeyDocument | null> {
    return this.keys.get(keyId);
  }

  delete(keyId: string): Promise<void> {
    return this.keys.delete(keyId);
  }

  /** Every key the tenant ever had, including ones a lost race or a replacement left behind. */
  destroyAllOf(account: string, tenant: string): Promise<number> {
    return this.keys.deleteMany({ account, tenant });
  }
}
