import type { PartnerEventReading } from '@as2-partners/partner-registry-contract';
import type { InstanceFacts, PartnerFacts, PartnershipFacts } from '@as2-partners/traffic-control-domain';

/** A partner (tenant or master) as learned from the registry's events; deleted ones are kept, marked. */
export interface KnownPartnerDocument extends PartnerFacts {
  readonly _id: string;
}

/** The document a partner's (or master's) creation makes. */
export function knownPartnerCreated({ data: d, account, tenant }: PartnerEventReading): KnownPartnerDocument {
  return {
    _id: d.partnerId,
    partnerId: d.partnerId,
    account,
    tenant,
    as2Id: d.as2Id ?? '',
    name: d.settings?.name ?? '',
    active: d.settings?.active ?? true,
    deleted: false,
    stationId: d.settings?.stationId ?? null,
  };
}

/** A tenant's override of a master partner's `active` (null: the tenant overrides other settings, or none now). */
export interface KnownPartnerOverrideDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly partnerId: string;
  readonly active: boolean | null;
  /** The tenant's station and name for the master partner, for its notices (absent on documents written before they were kept). */
  readonly stationId?: string | null;
  readonly name?: string | null;
  /** The revision of the tenant's override stream last applied: a redelivered older event changes nothing. */
  readonly revision: number;
}

export const knownOverrideIdOf = (masterPartnerId: string, tenant: string) => `${masterPartnerId}.${tenant}`;

export interface KnownInstanceDocument extends InstanceFacts {
  readonly _id: string;
  readonly deleted: boolean;
}

/** A partnership; deleted ones are kept, marked, so a redelivered creation cannot bring one back. */
export interface KnownPartnershipDocument extends PartnershipFacts {
  readonly _id: string;
  readonly deleted: boolean;
}

export interface KnownStationDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly name: string;
  readonly notificationEmail: string | null;
  readonly deleted: boolean;
}

export interface KnownTenantDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly notificationEmail: string | null;
  readonly deleted: boolean;
}

export const KnownRegistryCollections = {
  partners: 'traffic_control_known_partners',
  instances: 'traffic_control_known_instances',
  stations: 'traffic_control_known_stations',
  tenants: 'traffic_control_known_tenants',
  partnerships: 'traffic_control_known_partnerships',
  overrides: 'traffic_control_known_partner_overrides',
} as const;

/** The indexes the consumer declares on its collections (a store seeded with others builds these at the next start). */
export const KnownRegistryIndexes = {
  partners: [['account', 'tenant']],
  instances: [['account']],
  stations: [['account']],
  tenants: [['account']],
  partnerships: [['account']],
  overrides: [['account']],
} as const satisfies Record<keyof typeof KnownRegistryCollections, readonly (readonly string[])[]>;

export const knownTenantIdOf = (account: string, tenant: string) => `${account}.${tenant}`;
