import type { FindQuery } from '@as2-partners/kernel';
import type { PartnerChanges, PartnerRegistryEvent, PartnerSettings } from '@as2-partners/partner-registry-domain';

export type PartnerType = 'tenant' | 'inherited';

/**
 * One partner as one tenant sees it (collection `partner_registry_partner_views`), or, in
 * `partner_registry_master_partners`, a master partner as its account sees it (tenant null, no overrides).
 */
export interface PartnerViewDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly partnerId: string;
  readonly type: PartnerType;
  /** 0 for tenant partners, 1 for inherited: lists show tenant partners first. */
  readonly typeOrder: 0 | 1;
  readonly masterPartnerId: string | null;
  readonly as2Id: string;
  /** Effective settings: the master's with the tenant's overrides applied. */
  readonly settings: PartnerSettings;
  readonly overrides: PartnerChanges | null;
  readonly hasOverrides: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Seed 003 `certificate_id` the partner was created with (absent or null: none). */
  readonly certificateId?: string | null;
}

/** Tenants an account registered, and tenants seen in events without registration (`registered: false`). */
export interface TenantDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenantId: string;
  readonly registered: boolean;
  readonly name: string | null;
  readonly plan: string | null;
  /** Where blocked-message notices go for partners without a station address (absent from views projected before it existed). */
  readonly notificationEmail?: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  /** Set once the tenant is deleted (absent from views projected before deletion closed a tenant's data). */
  readonly deletedAt?: string | null;
}

/**
 * The account's tenants in list order (GET /v1/accounts/{account}/tenants: registered ones, by creation then id): a
 * page is one range of it, whatever the account's size; its prefix serves every read of an account's tenants.
 */
export const TENANT_LIST_INDEX = ['account', 'registered', 'createdAt', 'tenantId'] as const;

/** A page of the account's registered tenants, by creation then id, through TENANT_LIST_INDEX. */
export function tenantListQuery(account: string, page: number, perPage: number): FindQuery {
  return { filter: { account, registered: true }, sort: { createdAt: 1, tenantId: 1 }, skip: (page - 1) * perPage, limit: perPage };
}

/** A tenant's overrides of one master partner. */
export interface OverrideDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly masterPartnerId: string;
  /** null: reset (the document stays, so the tenant's view keeps the reset as its last update). */
  readonly overrides: PartnerChanges | null;
  readonly updatedAt: string;
}

export const PartnerRegistryCollections = {
  partnerViews: 'partner_registry_partner_views',
  masterPartners: 'partner_registry_master_partners',
  tenants: 'partner_registry_tenants',
  overrides: 'partner_registry_overrides',
} as const;

export const viewIdOf = (account: string, tenant: string, partnerId: string): string => `${account}|${tenant}|${partnerId}`;
export const tenantDocIdOf = (account: string, tenant: string): string => `${account}|${tenant}`;
export const overrideDocIdOf = (account: string, tenant: string, masterPartnerId: string): string => `${account}|${tenant}|${masterPartnerId}`;

/** A tenant's own partner as `partner.created.v1` makes it: what the projection stores, and a create answers when its view is late. */
export function tenantPartnerViewOf(d: Extract<PartnerRegistryEvent, { type: 'partner.created.v1' }>['data']): PartnerViewDocument {
  return {
    _id: viewIdOf(d.account, d.tenant, d.partnerId),
    account: d.account,
    tenant: d.tenant,
    partnerId: d.partnerId,
    type: 'tenant',
    typeOrder: 0,
    masterPartnerId: null,
    as2Id: d.as2Id,
    settings: d.settings,
    overrides: null,
    hasOverrides: false,
    createdAt: d.createdAt,
    updatedAt: d.createdAt,
    certificateId: d.certificateId ?? null,
  };
}
