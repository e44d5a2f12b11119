import { DomainError, PLAN_UPGRADE_URL } from '@as2-partners/kernel';
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
  As2InstanceNotFound: 'AS2_INSTANCE_NOT_FOUND',
  DuplicateMyAs2Id: 'DUPLICATE_MY_AS2_ID',
  As2InstanceInUse: 'AS2_INSTANCE_IN_USE',
  InheritedAs2InstanceReadOnly: 'INHERITED_AS2_INSTANCE_READ_ONLY',
  PartnershipNotFound: 'PARTNERSHIP_NOT_FOUND',
  DuplicatePartnership: 'DUPLICATE_PARTNERSHIP',
  StationNotFound: 'STATION_NOT_FOUND',
  StationInUse: 'STATION_IN_USE',
  RiskAcknowledgementRequired: 'RISK_ACKNOWLEDGEMENT_REQUIRED',
  InheritedPartnerAs2IdReadOnly: 'INHERITED_PARTNER_AS2_ID_READ_ONLY',
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
    upgrade_url: PLAN_UPGRADE_URL,
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

export function as2InstanceNotFound(instanceId: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.As2InstanceNotFound, `AS2 instance ${instanceId} not found`);
}

export function duplicateMyAs2Id(myAs2Id: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.DuplicateMyAs2Id, `An AS2 instance with the AS2 ID ${myAs2Id} already exists`, 'my_as2_id');
}

export function invalidMyAs2IdFormat(): DomainError {
  return new DomainError(
    PartnerRegistryErrorCode.InvalidAs2IdFormat,
    'The my AS2 ID must be 1-50 letters, digits, hyphens or underscores (no spaces)',
    'my_as2_id',
  );
}

/** How many partnership ids an AS2_INSTANCE_IN_USE names: a hub's instance may pair with every one of its partners. */
export const IN_USE_PARTNERSHIPS_NAMED = 100;

/** An instance still named by partnerships: deleting it would silently cut those pairs, so it takes `cascade`. */
export function as2InstanceInUse(instanceId: string, partnershipIds: readonly string[]): DomainError {
  return new DomainError(
    PartnerRegistryErrorCode.As2InstanceInUse,
    `AS2 instance ${instanceId} still has ${partnershipIds.length} partnership(s): delete them first, or delete with ?cascade=true`,
    undefined,
    { partnership_ids: partnershipIds.slice(0, IN_USE_PARTNERSHIPS_NAMED), partnerships_total: partnershipIds.length },
  );
}

export function inheritedAs2InstanceReadOnly(instanceId: string): DomainError {
  return new DomainError(
    PartnerRegistryErrorCode.InheritedAs2InstanceReadOnly,
    `AS2 instance ${instanceId} is inherited from the account: an account admin changes it under /v1/accounts/{account}/as2-instances`,
  );
}

export function partnershipNotFound(partnershipId: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.PartnershipNotFound, `Partnership ${partnershipId} not found`);
}

export function duplicatePartnership(as2InstanceId: string, partnerId: string): DomainError {
  return new DomainError(
    PartnerRegistryErrorCode.DuplicatePartnership,
    `A partnership between AS2 instance ${as2InstanceId} and partner ${partnerId} already exists`,
    'partner_id',
  );
}

export function stationNotFound(stationId: string, field?: string): DomainError {
  return new DomainError(PartnerRegistryErrorCode.StationNotFound, `Station ${stationId} not found`, field);
}

/** How many partner ids a STATION_IN_USE names: a station may group hundreds of partners. */
export const IN_USE_PARTNERS_NAMED = 100;

export function stationInUse(stationId: string, partnerIds: readonly string[]): DomainError {
  return new DomainError(PartnerRegistryErrorCode.StationInUse, `Station ${stationId} still has ${partnerIds.length} partner(s): move or delete them first`, undefined, {
    partner_ids: partnerIds.slice(0, IN_USE_PARTNERS_NAMED),
    partners_total: partnerIds.length,
  });
}

/** The risks seed 000 lists for changing a working partner's AS2 id; the caller must acknowledge them. */
export const AS2_ID_CHANGE_RISKS: readonly string[] = [
  'Detaches existing inbox and sent messages from this partner: they stay recorded under the old AS2 id.',
  'Affects messages for this partner currently in the outbox or failed lists.',
  'Causes inconsistencies in existing message counts and statistics (they stay with the old AS2 id).',
  'Breaks existing integrations that name the old AS2 id (REST submissions, SFTP folder structures, workflows).',
  'The partner must be told: it addresses us with our AS2 id, and we address it with its new one from now on.',
  'Scheduled certificate activations (backups, rollovers) belong to the partner id, not its AS2 id: they survive the change and take effect at their time under the new id (review them at GET /v1/partners/{id}/trust).',
];

export function riskAcknowledgementRequired(): DomainError {
  return new DomainError(
    PartnerRegistryErrorCode.RiskAcknowledgementRequired,
    'Changing a partner\'s AS2 ID is risky: send acknowledge_risks: true after reading the risks',
    'acknowledge_risks',
    { risks: [...AS2_ID_CHANGE_RISKS] },
  );
}

export function inheritedPartnerAs2IdReadOnly(partnerId: string): DomainError {
  return new DomainError(
    PartnerRegistryErrorCode.InheritedPartnerAs2IdReadOnly,
    `Partner ${partnerId} is inherited from the account: an account admin changes its AS2 ID under /v1/accounts/{account}/partners`,
  );
}
