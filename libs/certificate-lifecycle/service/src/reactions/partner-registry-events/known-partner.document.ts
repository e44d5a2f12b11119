/** A partner this service learned of from the partner-registry's events (it never reads that service's store). */
export interface KnownPartnerDocument {
  readonly _id: string;
  readonly account: string;
  /** null: an account-level master partner, shared by the account's tenants. */
  readonly tenant: string | null;
  readonly kind: 'tenant' | 'master';
  readonly as2Id: string;
  readonly name: string;
  readonly signAlgorithm: string | null;
  readonly deleted: boolean;
}

export interface KnownTenantDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly plan: string;
  /** The partner-registry deleted the tenant: its tokens are refused on every route (absent: live). */
  readonly deleted?: boolean;
}

/** A tenant's overrides of a master partner, as far as certificates go: what counts for that tenant only. */
export interface KnownPartnerOverrideDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly masterPartnerId: string;
  /** The tenant's sign_algorithm for the master; no document: not overridden, the master's counts. */
  readonly signAlgorithm: string | null;
}

export const KnownPartnerCollections = {
  partners: 'certificate_lifecycle_known_partners',
  tenants: 'certificate_lifecycle_known_tenants',
  overrides: 'certificate_lifecycle_known_partner_overrides',
} as const;

export const knownOverrideIdOf = (masterPartnerId: string, tenant: string) => `${masterPartnerId}.${tenant}`;

export const knownTenantIdOf = (account: string, tenant: string) => `${account}.${tenant}`;
