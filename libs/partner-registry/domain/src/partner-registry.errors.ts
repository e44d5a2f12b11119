import { DomainError } from '@as2-partners/kernel';
import type { Plan } from './settings/plans';

/** Every code this context raises; the service maps each to an HTTP status in one place. */
export const PartnerRegistryErrorCode = {
  PartnerNotFound: 'PARTNER_NOT_FOUND',
  DuplicateAs2Id: 'DUPLICATE_AS2_ID',
  InvalidAs2IdFormat: 'INVALID_AS2_ID_FORMAT',
  InvalidEndpointUrl: 'INVALID_ENDPOINT_URL',
  UnsupportedAlgorithm: 'UNSUPPORTED_ALGORITHM',
  InvalidPartnerSetting: 'INVALID_PARTNER_SETTING',
  PartnerLimitExceeded: 'PARTNER_LIMIT_EXCEEDED',
  InheritedPartnerNotDeletable: 'INHERITED_PARTNER_NOT_DELETABLE',
  NotAnInheritedPartner: 'NOT_AN_INHERITED_PARTNER',
  TenantNotFound: 'TENANT_NOT_FOUND',
  TenantAlreadyExists: 'TENANT_ALREADY_EXISTS',
  InvalidTenant: 'INVALID_TENANT',
  TenantDeleted: 'TENANT_DELETED',
  TenantIdRetired: 'TENANT_ID_RETIRED',
} as const;

export function partnerNotFound(partnerId: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.PartnerNotFound, `Partner ${partnerId} not found`);
}

export function duplicateAs2Id(as2Id: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.DuplicateAs2Id, `The AS2 ID ${as2Id} already exists`, 'as2_id');
}

export function invalidAs2IdFormat(): DomainError {
  return new DomainError(
    PartnerRegistryErrorCode.InvalidAs2IdFormat,
    'The AS2 ID must be 1-50 letters, digits, hyphens or underscores (no spaces)',
    'as2_id',
  );
}

export function invalidEndpointUrl(field = 'url'): DomainError {
  return new DomainError(PartnerRegistryErrorCode.InvalidEndpointUrl, 'The URL must be a valid HTTPS endpoint', field);
}

/** Why an endpoint host is refused (the platform's address policy decides). */
export type NonPublicEndpointReason = 'localhost_name' | 'non_public_address';

const NON_PUBLIC_ENDPOINT_MESSAGES: Readonly<Record<NonPublicEndpointReason, string>> = {
  localhost_name: 'The URL must not point to localhost',
  non_public_address: 'The URL must point to a public address: loopback, private, link-local and other non-public addresses are refused',
};

export function nonPublicEndpointUrl(field: string, reason: NonPublicEndpointReason): DomainError {
  return new DomainError(PartnerRegistryErrorCode.InvalidEndpointUrl, NON_PUBLIC_ENDPOINT_MESSAGES[reason], field);
}

export function unsupportedAlgorithm(field: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.UnsupportedAlgorithm, `The selected ${field.replace(/_/g, ' ')} is invalid`, field);
}

export function invalidPartnerSetting(field: string, message: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.InvalidPartnerSetting, message, field);
}

export function partnerLimitExceeded(currentPartners: number, planLimit: number, plan: Plan): DomainError {
  return new DomainError(PartnerRegistryErrorCode.PartnerLimitExceeded, 'Partner limit exceeded for current plan', undefined, {
    current_partners: currentPartners,
    plan_limit: planLimit,
    plan,
  });
}

export function inheritedPartnerNotDeletable(partnerId: string): DomainError {
  return new DomainError(
    PartnerRegistryErrorCode.InheritedPartnerNotDeletable,
    `Partner ${partnerId} is inherited from the account: reset its overrides instead, or ask an account admin to delete the master partner`,
  );
}

export function notAnInheritedPartner(partnerId: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.NotAnInheritedPartner, `Partner ${partnerId} is a tenant partner: it has no overrides`);
}

export function tenantNotFound(tenantId: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.TenantNotFound, `Tenant ${tenantId} not found`);
}

export function tenantAlreadyExists(tenantId: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.TenantAlreadyExists, `Tenant ${tenantId} already exists`, 'id');
}

/** Every route refuses a deleted tenant's tokens: its data is closed and its secrets are shredded. */
export function tenantDeleted(tenantId: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.TenantDeleted, `Tenant ${tenantId} was deleted: its data is closed`);
}

/** A deleted tenant's id is never given out again, so a new tenant cannot inherit the old one's partners or secrets. */
export function tenantIdRetired(tenantId: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.TenantIdRetired, `The tenant id ${tenantId} belonged to a deleted tenant and is retired`, 'id');
}
