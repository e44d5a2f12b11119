/** Stream names of this context; the category (before the first `-`) says which decider owns the stream. */
export const PartnerRegistryStreams = {
  partner: (partnerId: string) => `partner-${partnerId}`,
  masterPartner: (partnerId: string) => `master_partner-${partnerId}`,
  tenantDirectory: (account: string, tenant: string) => `partner_directory-${account}.${tenant}`,
  masterDirectory: (account: string) => `master_partner_directory-${account}`,
  override: (account: string, tenant: string, masterPartnerId: string) => `partner_override-${account}.${tenant}.${masterPartnerId}`,
  tenant: (account: string, tenantId: string) => `tenant-${account}.${tenantId}`,
  as2Instance: (instanceId: string) => `as2_instance-${instanceId}`,
  /** Not published: our AS2 ids unique among one tenant's instances, or among the account's master instances. */
  as2InstanceDirectory: (account: string, tenant: string) => `as2_instance_directory-${account}.${tenant}`,
  masterAs2InstanceDirectory: (account: string) => `master_as2_instance_directory-${account}`,
  partnership: (partnershipId: string) => `partnership-${partnershipId}`,
  /** Not published: one pair per tenant, instance and partner; account-wide, so a master's removal finds every tenant's pairs. */
  partnershipDirectory: (account: string) => `partnership_directory-${account}`,
  station: (stationId: string) => `station-${stationId}`,
  /** Not published: which data key seals the tenant's secrets, and whether it was destroyed. */
  tenantDataKey: (account: string, tenantId: string) => `tenant_data_key-${account}.${tenantId}`,
} as const;
