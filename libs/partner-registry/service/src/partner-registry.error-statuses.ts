import { PartnerRegistryErrorCode as Code } from '@as2-partners/partner-registry-domain';

/** HTTP status of every DomainError code this context raises (registered once, when the module loads). */
export const PARTNER_REGISTRY_ERROR_STATUSES: Readonly<Record<string, number>> = {
  [Code.PartnerNotFound]: 404,
  [Code.DuplicateAs2Id]: 422,
  [Code.InvalidAs2IdFormat]: 422,
  [Code.InvalidEndpointUrl]: 422,
  [Code.UnsupportedAlgorithm]: 422,
  [Code.InvalidPartnerSetting]: 422,
  [Code.PartnerLimitExceeded]: 402,
  [Code.InheritedPartnerNotDeletable]: 403,
  [Code.NotAnInheritedPartner]: 409,
  [Code.TenantNotFound]: 404,
  [Code.TenantAlreadyExists]: 409,
  [Code.InvalidTenant]: 422,
  [Code.TenantDeleted]: 403,
  [Code.TenantIdRetired]: 409,
  TENANT_REQUIRED: 403,
  ACCOUNT_FORBIDDEN: 403,
};
