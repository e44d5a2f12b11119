import {
  BusFollowedProjection,
  StagedRun,
  topicOf,
  type BusFollowedProjectionDependencies,
  type DocumentAccess,
  type ReadModelCollection,
  type RecordedEvent,
  deleteInPages,
  holdsNoDocument,
} from '@as2-partners/kernel';
import {
  PARTNER_REGISTRY_TOPIC_SERVICE,
  PartnerRegistryEventTypes,
  readPartnerEvent,
  tenantPlanOf,
  type As2InstancePayload,
  type PartnerOverridePayload,
  type PartnershipPayload,
  type StationPayload,
  type TenantPayload,
} from '@as2-partners/partner-registry-contract';
import { withSettings } from './tested-partner-settings';
import {
  TesterCollections,
  partnerOverrideIdOf,
  testerTenantIdOf,
  type OurInstanceDocument,
  type PartnershipDocument,
  type PartnershipOverrides,
  type TenantPartnerOverrideDocument,
  type TestedPartnerDocument,
  type TesterStationDocument,
  type TesterTenantDocument,
} from './tested-partner.documents';

export const TESTED_PARTNERS_GROUP = 'connection-tester.partners';

const KNOWN_TYPES = new Set<string>([
  ...PartnerRegistryEventTypes.partner,
  ...PartnerRegistryEventTypes.tenant,
  ...PartnerRegistryEventTypes.as2Instance,
  ...PartnerRegistryEventTypes.partnership,
  ...PartnerRegistryEventTypes.partnerOverride,
  ...PartnerRegistryEventTypes.station,
]);

/** Events that end tenants' overrides of master partners (the master's, or the tenant's): dropped from the collection at once. */
const ENDS_OVERRIDES = new Set<string>(['master_partner.deleted.v1', 'tenant.deleted.v1']);

/** Ended overrides deleted in one turn at most (~60-110 µs each in the embedded store: a tenant's 1,000 at once held the event loop up to 110 ms). */
const OVERRIDES_DELETED_A_TURN = 100;

/** What the appliers read and write: the collections, or a delivered batch's staged views of them. */
interface TesterDocuments {
  readonly partners: DocumentAccess<TestedPartnerDocument>;
  readonly tenants: DocumentAccess<TesterTenantDocument>;
  readonly instances: DocumentAccess<OurInstanceDocument>;
  readonly partnerships: DocumentAccess<PartnershipDocument>;
  readonly overrides: DocumentAccess<TenantPartnerOverrideDocument>;
  readonly stations: DocumentAccess<TesterStationDocument>;
}

/**
 * Learns what a test needs from the partner-registry's topic: partners and master partners (endpoint, timeouts,
 * security settings, HTTP auth, station), tenant plans, our AS2 instances, partnerships and stations' default
 * identities. Idempotent: every write is
 * computed from the event.
 */
export class TestedPartnersConsumer extends BusFollowedProjection {
  readonly name = TESTED_PARTNERS_GROUP;
  protected readonly topics = [topicOf(PARTNER_REGISTRY_TOPIC_SERVICE)];
  private readonly partners: ReadModelCollection<TestedPartnerDocument>;
  private readonly tenants: ReadModelCollection<TesterTenantDocument>;
  private readonly instances: ReadModelCollection<OurInstanceDocument>;
  private readonly partnerships: ReadModelCollection<PartnershipDocument>;
  private readonly overrides: ReadModelCollection<TenantPartnerOverrideDocument>;
  private readonly stations: ReadModelCollection<TesterStationDocument>;
  private readonly documents: TesterDocuments;

  constructor(followed: BusFollowedProjectionDependencies) {
    super(followed);
    const readModels = followed.readModels;
    this.partners = readModels.collection(TesterCollections.partners, [['account', 'tenant']]);
    this.tenants = readModels.collection(TesterCollections.tenants, [['account']]);
    this.instances = readModels.collection(TesterCollections.instances, [['account', 'tenant']]);
    this.partnerships = readModels.collection(TesterCollections.partnerships, [['partnerId']]);
    this.overrides = readModels.collection(TesterCollections.partnerOverrides, [['account', 'tenant'], ['masterPartnerId']]);
    this.stations = readModels.collection(TesterCollections.stations);
    this.documents = { partners: this.partners, tenants: this.tenants, instances: this.instances, partnerships: this.partnerships, overrides: this.overrides, stations: this.stations };
  }

  protected accepts(event: RecordedEvent): boolean {
    return KNOWN_TYPES.has(event.type);
  }

  protected async clear(): Promise<void> {
    await Promise.all([this.partners.clear(), this.tenants.clear(), this.instances.clear(), this.partnerships.clear(), this.overrides.clear(), this.stations.clear()]);
  }

  protected async isEmpty(): Promise<boolean> {
    return holdsNoDocument(this.partners, this.tenants, this.instances);
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    await this.applyTo(event, this.documents);
    await this.dropEndedOverrides(event);
  }

  /**
   * A deleted master's overrides, or a deleted tenant's: nothing tests with them any more, and the registry resets no
   * override of a master already deleted when the tenant goes, so none would ever leave.
   */
  private async dropEndedOverrides(event: RecordedEvent): Promise<void> {
    if (event.type === 'master_partner.deleted.v1') await deleteInPages(this.overrides, { masterPartnerId: readPartnerEvent(event).data.partnerId }, OVERRIDES_DELETED_A_TURN);
    if (event.type === 'tenant.deleted.v1') {
      const d = event.data as TenantPayload;
      await deleteInPages(this.overrides, { account: d.account, tenant: d.tenantId }, OVERRIDES_DELETED_A_TURN);
    }
  }

  /**
   * A delivered batch: each document read once and written once (one write per collection). An event that ends
   * overrides is applied alone, after the documents staged before it are written.
   */
  protected override async applyBatch(events: readonly RecordedEvent[], topic: string): Promise<void> {
    await this.applyInStagedRuns(events, topic, (run) => this.stagedIn(run), (event, docs) => this.applyTo(event, docs), (event) => ENDS_OVERRIDES.has(event.type));
  }

  private stagedIn(run: StagedRun): TesterDocuments {
    return {
      partners: run.stage(this.partners),
      tenants: run.stage(this.tenants),
      instances: run.stage(this.instances),
      partnerships: run.stage(this.partnerships),
      overrides: run.stage(this.overrides),
      stations: run.stage(this.stations),
    };
  }

  private async applyTo(event: RecordedEvent, docs: TesterDocuments): Promise<void> {
    const type = event.type;
    if (type === 'partner.override_set.v1' || type === 'partner.overrides_reset.v1') return this.applyOverride(event, docs);
    if (type.startsWith('partner.') || type.startsWith('master_partner.')) return this.applyPartner(event, docs);
    if (type.startsWith('tenant.')) return this.applyTenant(event, docs);
    if (type.startsWith('as2_instance.')) return this.applyInstance(event, docs);
    if (type.startsWith('partnership.')) return this.applyPartnership(event, docs);
    if (type.startsWith('station.')) return this.applyStation(event, docs);
  }

  private async applyPartner(event: RecordedEvent, { partners }: TesterDocuments): Promise<void> {
    const partner = readPartnerEvent(event);
    const d = partner.data;
    const existing = await partners.get(d.partnerId);
    switch (event.type) {
      case 'partner.created.v1':
      case 'master_partner.created.v1': {
        if (existing?.deleted) return;
        const blank: TestedPartnerDocument = {
          _id: d.partnerId,
          account: partner.account,
          tenant: partner.tenant,
          kind: partner.kind,
          as2Id: d.as2Id ?? '',
          name: '',
          url: '',
          timeoutSeconds: 60,
          sign: false,
          encrypt: false,
          compress: false,
          signAlgorithm: null,
          encryptAlgorithm: null,
          mdnMode: 'async',
          mdnSigned: false,
          mdnAlgorithm: null,
          httpAuthEnabled: false,
          httpAuthUsername: null,
          httpAuthSealedPassword: null,
          deleted: false,
        };
        await partners.put(withSettings(blank, d.settings ?? {}));
        return;
      }
      case 'partner.updated.v1':
      case 'master_partner.updated.v1':
        if (existing && !existing.deleted) await partners.put(withSettings(existing, d.changes ?? {}));
        return;
      case 'partner.as2_id_changed.v1':
      case 'master_partner.as2_id_changed.v1':
        if (existing && !existing.deleted && d.newAs2Id) await partners.put({ ...existing, as2Id: d.newAs2Id });
        return;
      case 'partner.deleted.v1':
      case 'master_partner.deleted.v1':
        if (existing) await partners.put({ ...existing, deleted: true, httpAuthSealedPassword: null });
        return;
      default:
        return;
    }
  }

  private async applyOverride(event: RecordedEvent, { overrides }: TesterDocuments): Promise<void> {
    const d = event.data as PartnerOverridePayload;
    const id = partnerOverrideIdOf(d.account, d.tenant, d.masterPartnerId);
    if (event.type === 'partner.overrides_reset.v1') {
      await overrides.delete(id);
      return;
    }
    const { httpAuth, ...rest } = d.overrides ?? {};
    const auth = httpAuth ? { ...httpAuth, sealedPassword: undefined } : undefined;
    await overrides.put({ _id: id, account: d.account, tenant: d.tenant, masterPartnerId: d.masterPartnerId, overrides: { ...rest, ...(auth ? { httpAuth: auth } : {}) } });
  }

  private async applyTenant(event: RecordedEvent, { tenants }: TesterDocuments): Promise<void> {
    const d = event.data as TenantPayload;
    const id = testerTenantIdOf(d.account, d.tenantId);
    const existing = await tenants.get(id);
    if (event.type === 'tenant.deleted.v1') {
      await tenants.put({ _id: id, account: d.account, tenant: d.tenantId, plan: existing?.plan ?? 'free', deleted: true });
      return;
    }
    const plan = tenantPlanOf(d) ?? existing?.plan;
    if (plan === undefined) return;
    await tenants.put({ _id: id, account: d.account, tenant: d.tenantId, plan, ...(existing?.deleted ? { deleted: true } : {}) });
  }

  private async applyInstance(event: RecordedEvent, { instances }: TesterDocuments): Promise<void> {
    const d = event.data as As2InstancePayload;
    const existing = await instances.get(d.instanceId);
    if (event.type === 'as2_instance.created.v1') {
      if (existing?.deleted) return;
      await instances.put({
        _id: d.instanceId,
        account: d.account,
        tenant: d.tenant ?? null,
        as2Id: d.myAs2Id ?? '',
        name: d.myName ?? '',
        email: d.myEmail ?? null,
        keyAlias: d.myAs2Alias ?? null,
        status: d.status ?? 'on',
        deleted: false,
      });
      return;
    }
    if (!existing || existing.deleted) return;
    if (event.type === 'as2_instance.deleted.v1') {
      await instances.put({ ...existing, deleted: true });
      return;
    }
    const c = event.type === 'as2_instance.status_changed.v1' ? { status: d.status } : (d.changes ?? {});
    await instances.put({
      ...existing,
      ...(c.myAs2Id !== undefined ? { as2Id: c.myAs2Id } : {}),
      ...(c.myName !== undefined ? { name: c.myName } : {}),
      ...(c.myEmail !== undefined ? { email: c.myEmail } : {}),
      ...(c.myAs2Alias !== undefined ? { keyAlias: c.myAs2Alias } : {}),
      ...(c.status !== undefined ? { status: c.status } : {}),
    });
  }

  private async applyPartnership(event: RecordedEvent, { partnerships }: TesterDocuments): Promise<void> {
    const d = event.data as PartnershipPayload<PartnershipOverrides>;
    const existing = await partnerships.get(d.partnershipId);
    if (event.type === 'partnership.created.v1') {
      if (existing?.deleted || !d.as2InstanceId || !d.partnerId) return;
      await partnerships.put({ _id: d.partnershipId, account: d.account, tenant: d.tenant, instanceId: d.as2InstanceId, partnerId: d.partnerId, overrides: d.overrides ?? {}, deleted: false });
      return;
    }
    if (!existing) return;
    if (event.type === 'partnership.deleted.v1') await partnerships.put({ ...existing, deleted: true });
    else if (d.overrides) await partnerships.put({ ...existing, overrides: d.overrides });
  }

  /** A station's default identity; a deleted station stays as such, so a redelivered creation does not bring it back. */
  private async applyStation(event: RecordedEvent, { stations }: TesterDocuments): Promise<void> {
    const d = event.data as StationPayload;
    const existing = await stations.get(d.stationId);
    if (event.type === 'station.deleted.v1') {
      if (existing) await stations.put({ ...existing, as2InstanceId: null, deleted: true });
      return;
    }
    if (event.type === 'station.created.v1') {
      if (existing?.deleted) return;
      const tenant = d.tenant ?? event.metadata.tenant;
      if (!tenant) return;
      await stations.put({ _id: d.stationId, account: d.account ?? event.metadata.account, tenant, as2InstanceId: d.as2InstanceId ?? null, deleted: false });
      return;
    }
    const as2InstanceId = d.changes?.as2InstanceId;
    if (existing && !existing.deleted && as2InstanceId !== undefined) await stations.put({ ...existing, as2InstanceId });
  }
}
