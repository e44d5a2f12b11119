import type { As2InstanceStatus, PartnershipOverrides } from '@as2-partners/partner-registry-domain';

/** One of our AS2 instances; `tenant` null: an account's master instance, which its tenants see as inherited. */
export interface As2InstanceDocument {
  readonly _id: string;
  readonly instanceId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly myAs2Id: string;
  readonly myName: string;
  readonly myAs2Alias: string;
  readonly myEmail: string;
  readonly status: As2InstanceStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface PartnershipDocument {
  readonly _id: string;
  readonly partnershipId: string;
  readonly account: string;
  readonly tenant: string;
  readonly as2InstanceId: string;
  readonly partnerId: string;
  readonly overrides: PartnershipOverrides;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface StationDocument {
  readonly _id: string;
  readonly stationId: string;
  readonly account: string;
  readonly tenant: string;
  readonly name: string;
  readonly notificationEmail: string;
  readonly as2InstanceId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const ExchangeCollections = {
  as2Instances: 'partner_registry_as2_instances',
  partnerships: 'partner_registry_partnerships',
  stations: 'partner_registry_stations',
} as const;

export const AS2_INSTANCE_INDEXES = [['account', 'tenant', 'createdAt'], ['account', 'myAs2Id']] as const;
export const PARTNERSHIP_INDEXES = [['account', 'tenant', 'createdAt'], ['account', 'as2InstanceId'], ['account', 'partnerId']] as const;
export const STATION_INDEXES = [['account', 'tenant', 'createdAt']] as const;
