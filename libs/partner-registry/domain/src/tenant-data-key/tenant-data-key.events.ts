import type { DomainEvent } from '../domain-event';

/** The tenant's secrets are sealed from now on with the data key `keyId` (its material lives in the key store). */
export type TenantDataKeyCreated = DomainEvent<
  'tenant_data_key.created.v1',
  { readonly account: string; readonly tenantId: string; readonly keyId: string; readonly createdAt: string }
>;

/** The data key was destroyed with its tenant: what it sealed can never be unsealed. `keyId` null: it never had one. */
export type TenantDataKeyDestroyed = DomainEvent<
  'tenant_data_key.destroyed.v1',
  { readonly account: string; readonly tenantId: string; readonly keyId: string | null; readonly destroyedAt: string }
>;

export type TenantDataKeyEvent = TenantDataKeyCreated | TenantDataKeyDestroyed;
