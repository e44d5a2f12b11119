/** Stream names of this context; the category (before the first `-`) says which decider owns the stream. */
export const PartnerRegistryStreams = {
  partner: (partnerId: string) => `partner-${partnerId}`,
  masterPartner: (partnerId: string) => `master_partner-${partnerId}`,
  tenantDirectory: (account: string, tenant: string) => `partner_directory-${account}.${tenant}`,
  masterDirectory: (account: string) => `master_partner_directory-${account}`,
  override: (account: string, tenant: string, masterPartnerId: string) => `partner_override-${account}.${tenant}.${masterPartnerId}`,
  tenant: (account: string, tenantId: string) => `tenant-${account}.${tenantId}`,
  /** Not published: which data key seals the tenant's secrets, and whether it was destroyed. */
  tenantDataKey: (account: string, tenantId: string) => `tenant_data_key-${account}.${tenantId}`,
} as const;
