/** An AS2 instance (our identity) learned from the partner-registry's events: which alias of our keystore it signs with. */
export interface KnownInstanceDocument {
  readonly _id: string;
  readonly account: string;
  /** null: an account-level (master) instance, inherited by every tenant of the account. */
  readonly tenant: string | null;
  readonly myAs2Id: string;
  readonly myAs2Alias: string;
  readonly status: string;
  readonly deleted: boolean;
}

export const KNOWN_INSTANCES_COLLECTION = 'certificate_lifecycle_known_instances';

/** An alias's live instances of one level (a tenant's, the account's) in id order: a key's first users and their count are one index range a level. */
export const INSTANCES_NAMING_ALIAS_INDEX = ['account', 'myAs2Alias', 'deleted', 'tenant', '_id'] as const;
