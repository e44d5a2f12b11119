import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type Page, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import { partnerListQuery, type PartnerListCriteria, PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH } from './partner-list.query';
import {
  type OverrideDocument,
  PartnerRegistryCollections,
  type PartnerViewDocument,
  TENANT_LIST_INDEX,
  type TenantDocument,
  tenantDocIdOf,
  tenantListQuery,
  viewIdOf,
} from './partner-view.document';

const MAX_REMEMBERED_TENANTS = 100_000;

/** Reads of the partner views. A tenant never seen in any event has no view yet: it sees the account's masters as they are. */
@Injectable()
export class PartnerQueries {
  private readonly views: ReadModelCollection<PartnerViewDocument>;
  private readonly masters: ReadModelCollection<PartnerViewDocument>;
  private readonly tenants: ReadModelCollection<TenantDocument>;
  private readonly overrides: ReadModelCollection<OverrideDocument>;
  /** A tenant's view, once written, is never removed (deletion marks it): a tenant seen known stays known, without a read per request. */
  private readonly knownTenants = new Set<string>();

  constructor(@Inject(READ_MODEL_STORE) readModels: ReadModelStore) {
    this.views = readModels.collection(PartnerRegistryCollections.partnerViews, PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH);
    this.masters = readModels.collection(PartnerRegistryCollections.masterPartners, PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH);
    this.tenants = readModels.collection(PartnerRegistryCollections.tenants, [TENANT_LIST_INDEX]);
    this.overrides = readModels.collection(PartnerRegistryCollections.overrides, [['account', 'masterPartnerId']]);
  }

  async listPartners(criteria: PartnerListCriteria): Promise<Page<PartnerViewDocument>> {
    if (criteria.tenant === null || (await this.isKnownTenant(criteria.account, criteria.tenant))) {
      return (criteria.tenant === null ? this.masters : this.views).find(partnerListQuery(criteria));
    }
    if (criteria.type === 'tenant') return { items: [], total: 0 };
    return this.masters.find(partnerListQuery({ ...criteria, tenant: null }));
  }

  /** A partner as the tenant sees it (its own, or an inherited master with its overrides); null when not visible. */
  async findForTenant(account: string, tenant: string, partnerId: string): Promise<PartnerViewDocument | null> {
    if (await this.isKnownTenant(account, tenant)) return this.views.get(viewIdOf(account, tenant, partnerId));
    return this.findMaster(account, partnerId);
  }

  /** The partners a message may name by an AS2 id, as the tenant sees them: its own first, then an inherited one. */
  async findForTenantByAs2Id(account: string, tenant: string, as2Id: string): Promise<PartnerViewDocument[]> {
    const known = await this.isKnownTenant(account, tenant);
    const { items } = await (known ? this.views : this.masters).find({
      filter: known ? { account, tenant, as2Id } : { account, tenant: null, as2Id },
      sort: { typeOrder: 1 },
      limit: 2,
    });
    return items;
  }

  /** The partners (own, or inherited with the tenant's override) a tenant grouped under a station. */
  async partnerIdsOfStation(account: string, tenant: string, stationId: string): Promise<string[]> {
    // In the station index's order (a list's): SQLite then reads the first hundred, not every partner of the station.
    const { items } = await this.views.find({ filter: { account, tenant, 'settings.stationId': stationId }, sort: { typeOrder: 1, createdAt: 1, partnerId: 1 }, limit: 100 });
    return items.map((p) => p.partnerId);
  }

  /** The tenants whose override gives an account's master a station and keeps the master's email (seed 003: one needs the other). */
  async tenantsWhoseStationNeedsTheMastersEmail(account: string, masterPartnerId: string): Promise<string[]> {
    const { items } = await this.overrides.find({ filter: { account, masterPartnerId }, sort: { tenant: 1 } });
    return items.filter(({ overrides }) => (overrides?.stationId ?? null) !== null && overrides?.email === undefined).map(({ tenant }) => tenant);
  }

  async findMaster(account: string, partnerId: string): Promise<PartnerViewDocument | null> {
    const master = await this.masters.get(partnerId);
    return master && master.account === account ? master : null;
  }

  /**
   * The account's tenants this service knows, registered or only seen in events, deleted ones too (`deletedAt`), in no
   * order: one read through the account's index (pages sorted by tenant id read and sorted them all again for each).
   */
  async tenantsSeen(account: string): Promise<TenantDocument[]> {
    return (await this.tenants.find({ filter: { account }, withoutTotal: true })).items;
  }

  listTenants(account: string, page: number, perPage: number): Promise<Page<TenantDocument>> {
    return this.tenants.find(tenantListQuery(account, page, perPage));
  }

  async findTenant(account: string, tenantId: string): Promise<TenantDocument | null> {
    const tenant = await this.tenants.get(tenantDocIdOf(account, tenantId));
    return tenant?.registered ? tenant : null;
  }

  /** Keyed on (account, tenant): every route of a deleted tenant's token is refused from this view. */
  async isDeletedTenant(account: string, tenant: string): Promise<boolean> {
    const doc = await this.tenants.get(tenantDocIdOf(account, tenant));
    if (!doc) return false;
    // Views projected before deletedAt existed: a tenant once registered (createdAt set) and no longer registered was deleted.
    return (doc.deletedAt ?? null) !== null || (!doc.registered && doc.createdAt !== null);
  }

  private async isKnownTenant(account: string, tenant: string): Promise<boolean> {
    const id = tenantDocIdOf(account, tenant);
    if (this.knownTenants.has(id)) return true;
    if ((await this.tenants.get(id)) === null) return false;
    if (this.knownTenants.size >= MAX_REMEMBERED_TENANTS) this.knownTenants.clear();
    this.knownTenants.add(id);
    return true;
  }
}
