import {
  FollowedProjection,
  inSlices,
  nextTurnOfLoop,
  StagedDocuments,
  type DocumentAccess,
  type FollowedProjectionDependencies,
  type ReadModelCollection,
  type ReadModelStore,
  type RebuildOutcome,
  type RecordedEvent,
} from '@as2-partners/kernel';
import {
  applyPartnerChanges,
  isPartnerRegistryEventType,
  type As2InstanceEvent,
  type PartnerDirectoryEvent,
  type PartnerRegistryEvent,
  type PartnershipEvent,
  type StationEvent,
  type PartnerSettings,
} from '@as2-partners/partner-registry-domain';
import { PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH } from './partner-list.query';
import {
  type OverrideDocument,
  overrideDocIdOf,
  PartnerRegistryCollections,
  type PartnerViewDocument,
  TENANT_LIST_INDEX,
  type TenantDocument,
  tenantDocIdOf,
  tenantPartnerViewOf,
  viewIdOf,
} from './partner-view.document';
import { requireViewablePartnerEvent } from './viewable-partner-event';

/**
 * Our side of exchanges (instances, partnerships, stations) has its own views; the directory's AS2 id reservations
 * change no view (half of a store's events: not handed over one by one during a rebuild).
 */
type PartnerViewEvent = Exclude<PartnerRegistryEvent, As2InstanceEvent | PartnershipEvent | StationEvent | PartnerDirectoryEvent>;
const IGNORED_EVENT_PREFIXES = ['as2_instance.', 'partnership.', 'station.', 'partner_directory.'];

/** Tenant ids the projection remembers as known outside a rebuild (RSS bound: ~100 bytes each). */
const KNOWN_TENANTS_KEPT = 100_000;

/**
 * Inherited views written or deleted in one turn at most (~200 µs each; a new tenant's, a master's in every tenant): the
 * rest in the turns after, ~20 ms a turn (200 a turn held the event loop 60-120 ms on a loaded machine).
 */
const INHERITED_VIEWS_A_TURN = 100;

/**
 * A store read's events applied one by one give the event loop way once this long has passed, as the follower's own
 * one-by-one path does: a tenant closure's overrides resets come 16 a read (up to 256 behind), ~1-4 ms each.
 */
const APPLIED_A_TURN_MS = 20;

/**
 * Materialises, per tenant, every partner it sees (its own and the account's masters with its overrides), so a list
 * is one query. Master changes fan out to every known tenant; a tenant becomes known when registered or when it
 * first writes. Every handler is idempotent (puts and deletes computed from the event), as redelivery requires.
 */
export class PartnerViewsProjection extends FollowedProjection {
  readonly name = 'partner-registry.partner-views';
  private readonly views: ReadModelCollection<PartnerViewDocument>;
  private readonly masters: ReadModelCollection<PartnerViewDocument>;
  private readonly tenants: ReadModelCollection<TenantDocument>;
  private readonly overrides: ReadModelCollection<OverrideDocument>;

  constructor(followed: FollowedProjectionDependencies, readModels: ReadModelStore) {
    super(followed);
    this.views = readModels.collection(PartnerRegistryCollections.partnerViews, PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH);
    this.masters = readModels.collection(PartnerRegistryCollections.masterPartners, PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH);
    this.tenants = readModels.collection(PartnerRegistryCollections.tenants, [TENANT_LIST_INDEX]);
    this.overrides = readModels.collection(PartnerRegistryCollections.overrides, [['account', 'masterPartnerId']]);
  }

  protected accepts(event: RecordedEvent): boolean {
    return isPartnerRegistryEventType(event.type) && !IGNORED_EVENT_PREFIXES.some((prefix) => event.type.startsWith(prefix));
  }

  /** Told of each `tenant.*` event once its view is written (the deleted-tenant verdicts forget that tenant). */
  private readonly tenantListeners: ((account: string, tenant: string) => void)[] = [];

  onTenantChanged(listener: (account: string, tenant: string) => void): void {
    this.tenantListeners.push(listener);
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    await this.applyEvent(event as RecordedEvent & PartnerViewEvent);
    if (event.type.startsWith('tenant.')) {
      const { account, tenantId } = event.data as { account: string; tenantId: string };
      for (const listener of this.tenantListeners) listener(account, tenantId);
    }
  }

  /**
   * The events of one store read (creates under load come several to a read), when each changes one partner's view of a
   * known tenant by id (created, updated, AS2 id changed, deleted): applied to the views staged and written at once, one
   * statement for their rows where a statement a view cost ~80 µs (the shared table's write cursors); otherwise each
   * applied in turn, a turn of the event loop every APPLIED_A_TURN_MS (16 resets at once held it up to 60 ms).
   */
  protected override async reactBatch(events: readonly RecordedEvent[]): Promise<void> {
    if (!events.every((event) => this.changesOneView(event as RecordedEvent & PartnerViewEvent))) {
      let turnStarted = performance.now();
      for (const event of events) {
        if (performance.now() - turnStarted > APPLIED_A_TURN_MS) {
          await nextTurnOfLoop();
          turnStarted = performance.now();
        }
        await this.apply(event);
      }
      return;
    }
    const views = new StagedDocuments(this.views);
    for (const event of events) await this.applyEvent(event as RecordedEvent & PartnerViewEvent, views);
    await views.flush();
  }

  private changesOneView(event: RecordedEvent & PartnerViewEvent): boolean {
    switch (event.type) {
      case 'partner.created.v1':
        return this.knownTenants.has(tenantDocIdOf(event.data.account, event.data.tenant));
      case 'partner.updated.v1':
      case 'partner.as2_id_changed.v1':
      case 'partner.deleted.v1':
        return true;
      default:
        return false;
    }
  }

  protected async clear(): Promise<void> {
    await Promise.all([this.views.clear(), this.masters.clear(), this.tenants.clear(), this.overrides.clear()]);
    this.knownTenants = new Set();
    this.allTenantsKnown = this.rebuilding;
  }

  private rebuilding = false;
  /**
   * Ids of tenant documents known to exist: those read or written since the start (no tenant document is deleted but
   * by a clear, and this projection is the collection's only writer), so each create in a known tenant reads none (a
   * read of the tenant document was ~1 % of a create's CPU). Forgotten whole past KNOWN_TENANTS_KEPT.
   */
  private knownTenants = new Set<string>();
  /** During a rebuild, `knownTenants` holds every tenant document there is: one not in it is not there. */
  private allTenantsKnown = false;

  override async rebuild(timeoutMs?: number): Promise<RebuildOutcome> {
    this.rebuilding = true;
    try {
      return await super.rebuild(timeoutMs);
    } finally {
      this.rebuilding = false;
      this.allTenantsKnown = false;
    }
  }

  private async putTenant(tenant: TenantDocument): Promise<void> {
    await this.tenants.put(tenant);
    this.knowTenant(tenant._id);
  }

  private knowTenant(id: string): void {
    if (this.knownTenants.size >= KNOWN_TENANTS_KEPT && !this.allTenantsKnown) this.knownTenants.clear();
    this.knownTenants.add(id);
  }

  /** `views`: the tenant partners' views, or a staged copy of them (reactBatch) for the events that change one by id. */
  private async applyEvent(event: RecordedEvent & PartnerViewEvent, views: DocumentAccess<PartnerViewDocument> = this.views): Promise<void> {
    requireViewablePartnerEvent(event);
    const { account, tenant } = event.metadata;
    switch (event.type) {
      case 'partner.created.v1': {
        const d = event.data;
        await this.ensureKnownTenant(d.account, d.tenant);
        await views.put(tenantPartnerViewOf(d));
        return;
      }
      case 'partner.updated.v1': {
        if (tenant === null) return;
        const id = viewIdOf(account, tenant, event.data.partnerId);
        const current = await views.get(id);
        if (!current) return;
        await views.put({
          ...current,
          settings: applyPartnerChanges(current.settings, event.data.changes),
          updatedAt: event.data.updatedAt,
        });
        return;
      }
      case 'partner.deleted.v1':
        if (tenant !== null) await views.delete(viewIdOf(account, tenant, event.data.partnerId));
        return;
      case 'master_partner.created.v1': {
        const d = event.data;
        const master: PartnerViewDocument = {
          _id: d.partnerId,
          account: d.account,
          tenant: null,
          partnerId: d.partnerId,
          type: 'inherited',
          typeOrder: 1,
          masterPartnerId: d.partnerId,
          as2Id: d.as2Id,
          settings: d.settings,
          overrides: null,
          hasOverrides: false,
          createdAt: d.createdAt,
          updatedAt: d.createdAt,
          certificateId: d.certificateId ?? null,
        };
        await this.masters.put(master);
        await this.fanOut(master);
        return;
      }
      case 'master_partner.updated.v1': {
        const current = await this.masters.get(event.data.partnerId);
        if (!current) return;
        const master = { ...current, settings: applyPartnerChanges(current.settings, event.data.changes), updatedAt: event.data.updatedAt };
        await this.masters.put(master);
        await this.fanOut(master);
        return;
      }
      case 'partner.as2_id_changed.v1': {
        const id = viewIdOf(event.data.account, event.data.tenant, event.data.partnerId);
        const current = await views.get(id);
        if (current) await views.put({ ...current, as2Id: event.data.newAs2Id, updatedAt: event.data.changedAt });
        return;
      }
      case 'master_partner.as2_id_changed.v1': {
        const current = await this.masters.get(event.data.partnerId);
        if (!current) return;
        const master = { ...current, as2Id: event.data.newAs2Id, updatedAt: event.data.changedAt };
        await this.masters.put(master);
        await this.fanOut(master);
        return;
      }
      case 'master_partner.deleted.v1': {
        // The tenants' views first, the master last: applied again after a crash between slices, the event finds it still.
        const { items: inherited } = await this.views.find({ filter: { account, partnerId: event.data.partnerId } });
        await inSlices(inherited.length, INHERITED_VIEWS_A_TURN, nextTurnOfLoop, (from, to) => this.views.deleteMany({ _id: { $in: inherited.slice(from, to).map((view) => view._id) } }));
        await this.masters.delete(event.data.partnerId);
        return;
      }
      case 'partner.override_set.v1': {
        const d = event.data;
        await this.ensureKnownTenant(d.account, d.tenant);
        await this.overrides.put({
          _id: overrideDocIdOf(d.account, d.tenant, d.masterPartnerId),
          account: d.account,
          tenant: d.tenant,
          masterPartnerId: d.masterPartnerId,
          overrides: d.overrides,
          updatedAt: d.setAt,
        });
        await this.refreshInherited(d.account, d.tenant, d.masterPartnerId);
        return;
      }
      case 'partner.overrides_reset.v1': {
        const d = event.data;
        // Kept with no overrides: the reset changed the tenant's view, so it is the view's last update (not the master's).
        await this.overrides.put({ _id: overrideDocIdOf(d.account, d.tenant, d.masterPartnerId), account: d.account, tenant: d.tenant, masterPartnerId: d.masterPartnerId, overrides: null, updatedAt: d.resetAt });
        await this.refreshInherited(d.account, d.tenant, d.masterPartnerId);
        return;
      }
      case 'tenant.created.v1': {
        const d = event.data;
        await this.ensureKnownTenant(d.account, d.tenantId);
        await this.putTenant({
          _id: tenantDocIdOf(d.account, d.tenantId),
          account: d.account,
          tenantId: d.tenantId,
          registered: true,
          name: d.name,
          plan: d.plan,
          notificationEmail: d.notificationEmail ?? null,
          createdAt: d.createdAt,
          updatedAt: d.createdAt,
          deletedAt: null,
        });
        return;
      }
      case 'tenant.updated.v1': {
        const d = event.data;
        const current = await this.tenants.get(tenantDocIdOf(d.account, d.tenantId));
        if (!current) return;
        await this.putTenant({ ...current, ...d.changes, updatedAt: d.updatedAt });
        return;
      }
      case 'tenant.deleted.v1': {
        const d = event.data;
        const current = await this.tenants.get(tenantDocIdOf(d.account, d.tenantId));
        if (current) await this.putTenant({ ...current, registered: false, updatedAt: d.deletedAt, deletedAt: d.deletedAt });
        return;
      }
      default: {
        const unhandled: never = event;
        throw new Error(`Unhandled event ${(unhandled as RecordedEvent).type}`);
      }
    }
  }

  /** The first time a tenant shows up, it gets every master partner of its account. */
  private async ensureKnownTenant(account: string, tenant: string): Promise<void> {
    const id = tenantDocIdOf(account, tenant);
    if (this.knownTenants.has(id)) return;
    if (!this.allTenantsKnown && (await this.tenants.get(id))) {
      this.knowTenant(id);
      return;
    }
    const { items: masters } = await this.masters.find({ filter: { account } });
    // A slice a turn (an account's 1,200 masters at once held the event loop up to ~370 ms); the tenant's document
    // last: applied again after a crash between slices, the event finds the tenant unknown still.
    await inSlices(masters.length, INHERITED_VIEWS_A_TURN, nextTurnOfLoop, (from, to) => this.views.putMany(masters.slice(from, to).map((master) => inheritedView(master, tenant, null))));
    await this.putTenant({
      _id: id,
      account,
      tenantId: tenant,
      registered: false,
      name: null,
      plan: null,
      createdAt: null,
      updatedAt: null,
    });
  }

  private async fanOut(master: PartnerViewDocument): Promise<void> {
    const { items: tenants } = await this.tenants.find({ filter: { account: master.account } });
    const { items: overrides } = await this.overrides.find({ filter: { account: master.account, masterPartnerId: master.partnerId } });
    const overridesByTenant = new Map(overrides.map((o) => [o.tenant, o]));
    // A slice a turn (an account's 1,200 tenants at once held the event loop 70-130 ms, deletions ~200 ms); each view is
    // computed from the event, so the slices applied again after a crash write the same.
    await inSlices(tenants.length, INHERITED_VIEWS_A_TURN, nextTurnOfLoop, (from, to) =>
      this.views.putMany(tenants.slice(from, to).map((t) => inheritedView(master, t.tenantId, overridesByTenant.get(t.tenantId) ?? null))),
    );
  }

  private async refreshInherited(account: string, tenant: string, masterPartnerId: string): Promise<void> {
    const master = await this.masters.get(masterPartnerId);
    if (!master) return;
    const override = await this.overrides.get(overrideDocIdOf(account, tenant, masterPartnerId));
    await this.views.put(inheritedView(master, tenant, override));
  }
}

function inheritedView(master: PartnerViewDocument, tenant: string, override: OverrideDocument | null): PartnerViewDocument {
  const changes = override?.overrides ?? null;
  const settings: PartnerSettings = changes ? applyPartnerChanges(master.settings, changes) : master.settings;
  return {
    ...master,
    _id: viewIdOf(master.account, tenant, master.partnerId),
    tenant,
    settings,
    overrides: changes,
    hasOverrides: changes !== null,
    updatedAt: override && override.updatedAt > master.updatedAt ? override.updatedAt : master.updatedAt,
  };
}
