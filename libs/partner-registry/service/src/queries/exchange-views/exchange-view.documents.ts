import type { As2InstanceRecord, PartnershipRecord, StationRecord } from '@as2-partners/partner-registry-domain';

/** One of our AS2 instances, as its stream holds it; `tenant` null: an account's master instance, which its tenants see as inherited. */
export interface As2InstanceDocument extends As2InstanceRecord {
  readonly _id: string;
}

export interface PartnershipDocument extends PartnershipRecord {
  readonly _id: string;
}

export interface StationDocument extends StationRecord {
  readonly _id: string;
}

export const ExchangeCollections = {
  as2Instances: 'partner_registry_as2_instances',
  partnerships: 'partner_registry_partnerships',
  stations: 'partner_registry_stations',
} as const;

export const AS2_INSTANCE_INDEXES = [['account', 'tenant', 'createdAt'], ['account', 'myAs2Id']] as const;
export const PARTNERSHIP_INDEXES = [['account', 'tenant', 'createdAt'], ['account', 'as2InstanceId', 'createdAt'], ['account', 'partnerId']] as const;
export const STATION_INDEXES = [['account', 'tenant', 'createdAt']] as const;
