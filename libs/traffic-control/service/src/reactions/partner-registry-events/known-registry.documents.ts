import type { FindQuery } from '@as2-partners/kernel';
import type { PartnerEventReading } from '@as2-partners/partner-registry-contract';
import { ALL_ACCOUNTS, type InstanceFacts, type PartnerFacts, type PartnershipFacts } from '@as2-partners/traffic-control-domain';

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
  // by AS2 id: a decision right after a restart brings in its pair's partners ahead of the refill's pages
  partners: [['account', 'tenant'], ['as2Id']],
  instances: [['account']],
  stations: [['account']],
  tenants: [['account']],
  partnerships: [['account']],
  overrides: [['account']],
} as const satisfies Record<keyof typeof KnownRegistryCollections, readonly (readonly string[])[]>;

/**
 * The partners with this AS2 id in an account (in every account for ALL_ACCOUNTS), in `_id` order, at most `limit`:
 * answered through the `as2Id` index, which holds them in that order (several ids at once, or an index led by the id
 * and then the account, would need a sort, and SQLite would rather walk the whole collection in `_id` order).
 */
export function knownPartnersByAs2IdQuery(account: string, as2Id: string, limit: number): FindQuery {
  return { filter: account === ALL_ACCOUNTS ? { as2Id } : { as2Id, account }, sort: { _id: 1 }, limit, withoutTotal: true };
}

export const knownTenantIdOf = (account: string, tenant: string) => `${account}.${tenant}`;
