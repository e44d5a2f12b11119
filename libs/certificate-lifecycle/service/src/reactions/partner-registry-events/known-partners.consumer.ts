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
  type PartnerOverridePayload,
  type PartnerPayload,
  type TenantPayload,
} from '@as2-partners/partner-registry-contract';
import {
  KnownPartnerCollections,
  knownOverrideIdOf,
  knownTenantIdOf,
  type KnownPartnerDocument,
  type KnownPartnerOverrideDocument,
  type KnownTenantDocument,
} from './known-partner.document';
import { PartnerCertificateLinkHandler } from './partner-certificate-link.handler';
import { PartnerRemovalHandler } from './partner-removal.handler';

export const KNOWN_PARTNERS_GROUP = 'certificate-lifecycle.known-partners';

/** The partner-registry events this read model learns from; the others are acknowledged and forgotten. */
const KNOWN_TYPES = new Set<string>([...PartnerRegistryEventTypes.partner, ...PartnerRegistryEventTypes.tenant, ...PartnerRegistryEventTypes.partnerOverride]);

/** Events that end tenants' overrides of master partners (the master's, or the tenant's): dropped from the collection at once. */
const ENDS_OVERRIDES = new Set<string>(['master_partner.deleted.v1', 'tenant.deleted.v1']);

/** Ended overrides deleted in one turn at most (~60-110 µs each in the embedded store: a tenant's 1,000 at once held the event loop up to 110 ms). */
const OVERRIDES_DELETED_A_TURN = 100;

/** What the appliers read and write: the collections, or a delivered batch's staged views of them. */
interface KnownDocuments {
  readonly partners: DocumentAccess<KnownPartnerDocument>;
  readonly tenants: DocumentAccess<KnownTenantDocument>;
  readonly overrides: DocumentAccess<KnownPartnerOverrideDocument>;
}

/**
 * Learns partners, master partners, tenants' overrides of their sign_algorithm and tenant plans from the
 * partner-registry's topic, so uploads only go to partners that exist and are the caller's, a tenant's key-size rules
 * follow its own sign_algorithm for a master, and a deleted partner's certificates become inactive. Idempotent:
 * every write is computed from the event, so redelivery is harmless; an event that keeps failing is parked.
 */
export class KnownPartnersConsumer extends BusFollowedProjection {
  readonly name = KNOWN_PARTNERS_GROUP;
  protected readonly topics = [topicOf(PARTNER_REGISTRY_TOPIC_SERVICE)];
  private readonly partners: ReadModelCollection<KnownPartnerDocument>;
  private readonly tenants: ReadModelCollection<KnownTenantDocument>;
  private readonly overrides: ReadModelCollection<KnownPartnerOverrideDocument>;
  private readonly documents: KnownDocuments;

  constructor(
    followed: BusFollowedProjectionDependencies,
    private readonly removal: PartnerRemovalHandler,
    private readonly linking: PartnerCertificateLinkHandler,
  ) {
    super(followed);
    this.partners = followed.readModels.collection(KnownPartnerCollections.partners, [['account', 'tenant']]);
    this.tenants = followed.readModels.collection(KnownPartnerCollections.tenants, [['account']]);
    this.overrides = followed.readModels.collection(KnownPartnerCollections.overrides, [['masterPartnerId'], ['account', 'tenant']]);
    this.documents = { partners: this.partners, tenants: this.tenants, overrides: this.overrides };
  }

  protected accepts(event: RecordedEvent): boolean {
    return KNOWN_TYPES.has(event.type);
  }

  protected async clear(): Promise<void> {
    await Promise.all([this.partners.clear(), this.tenants.clear(), this.overrides.clear()]);
  }

  protected async isEmpty(): Promise<boolean> {
    return holdsNoDocument(this.partners, this.tenants);
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    await this.applyTo(event, this.documents);
    await this.dropEndedOverrides(event);
  }

  /** A deleted master's overrides, or a deleted tenant's: nothing counts them any more, so none is kept. */
  private async dropEndedOverrides(event: RecordedEvent): Promise<void> {
    if (event.type === 'master_partner.deleted.v1') await deleteInPages(this.overrides, { masterPartnerId: (event.data as PartnerPayload).partnerId }, OVERRIDES_DELETED_A_TURN);
    if (event.type === 'tenant.deleted.v1') {
      const d = event.data as TenantPayload;
      await deleteInPages(this.overrides, { account: d.account, tenant: d.tenantId }, OVERRIDES_DELETED_A_TURN);
    }
  }

  /**
   * A delivered batch: each document read once and written once (one write per collection). An event with effects on
   * certificates (a link, a removal) or that ends overrides goes alone, after the documents staged before it are written.
   */
  protected override async applyBatch(events: readonly RecordedEvent[], topic: string): Promise<void> {
    await this.applyInStagedRuns(
      events,
      topic,
      (run) => this.stagedIn(run),
      (event, docs) => this.applyTo(event, docs),
      (event) => this.affectsCertificates(event) || ENDS_OVERRIDES.has(event.type),
    );
  }

  private stagedIn(run: StagedRun): KnownDocuments {
    return { partners: run.stage(this.partners), tenants: run.stage(this.tenants), overrides: run.stage(this.overrides) };
  }

  /** A creation naming a certificate (linked), or a deletion (its certificates deactivated): work beyond this read model. */
  private affectsCertificates(event: RecordedEvent): boolean {
    if (this.replaying) return false;
    if (event.type === 'partner.deleted.v1' || event.type === 'master_partner.deleted.v1') return true;
    return (event.type === 'partner.created.v1' || event.type === 'master_partner.created.v1') && Boolean((event.data as PartnerPayload).certificateId);
  }

  private async applyTo(event: RecordedEvent, { partners, tenants, overrides }: KnownDocuments): Promise<void> {
    switch (event.type) {
      case 'partner.override_set.v1':
      case 'partner.overrides_reset.v1': {
        // Only an overridden sign_algorithm is kept: without one (or reset), the master's counts for the tenant.
        const d = event.data as PartnerOverridePayload;
        const id = knownOverrideIdOf(d.masterPartnerId, d.tenant);
        const signAlgorithm = event.type === 'partner.override_set.v1' ? d.overrides?.signAlgorithm : undefined;
        if (signAlgorithm === undefined) await overrides.delete(id);
        else await overrides.put({ _id: id, account: d.account, tenant: d.tenant, masterPartnerId: d.masterPartnerId, signAlgorithm });
        return;
      }
      case 'partner.created.v1':
      case 'master_partner.created.v1': {
        const created = readPartnerEvent(event);
        const d = created.data;
        const existing = await partners.get(d.partnerId);
        if (existing?.deleted) return;
        const partner: KnownPartnerDocument = {
          _id: d.partnerId,
          account: created.account,
          tenant: created.tenant,
          kind: created.kind,
          as2Id: d.as2Id ?? '',
          name: d.settings?.name ?? '',
          signAlgorithm: d.settings?.signAlgorithm ?? null,
          deleted: false,
        };
        await partners.put(partner);
        // A rebuild replays into this read model only: the certificate was linked (or refused) when the event arrived.
        if (d.certificateId && !this.replaying) {
          await this.linking.link({ partnerId: partner._id, account: partner.account, tenant: partner.tenant, signAlgorithm: partner.signAlgorithm }, d.certificateId, event);
        }
        return;
      }
      case 'partner.updated.v1':
      case 'master_partner.updated.v1': {
        const d = event.data as PartnerPayload;
        const existing = await partners.get(d.partnerId);
        if (!existing || existing.deleted) return;
        await partners.put({
          ...existing,
          ...(d.changes?.name !== undefined ? { name: d.changes.name } : {}),
          ...(d.changes?.signAlgorithm !== undefined ? { signAlgorithm: d.changes.signAlgorithm } : {}),
        });
        return;
      }
      case 'partner.deleted.v1':
      case 'master_partner.deleted.v1': {
        const d = event.data as PartnerPayload;
        const existing = await partners.get(d.partnerId);
        const account = existing?.account ?? event.metadata.account;
        const tenant = existing ? existing.tenant : event.metadata.tenant;
        await partners.put({
          _id: d.partnerId,
          account,
          tenant,
          kind: event.type === 'master_partner.deleted.v1' ? 'master' : 'tenant',
          as2Id: existing?.as2Id ?? '',
          name: existing?.name ?? '',
          signAlgorithm: existing?.signAlgorithm ?? null,
          deleted: true,
        });
        // A rebuild replays into this read model only: the certificates were deactivated when the event arrived.
        if (!this.replaying) await this.removal.removePartner({ partnerId: d.partnerId, account, tenant }, event);
        return;
      }
      case 'partner.as2_id_changed.v1':
      case 'master_partner.as2_id_changed.v1': {
        const d = event.data as PartnerPayload;
        const existing = await partners.get(d.partnerId);
        if (!existing || existing.deleted || d.newAs2Id === undefined) return;
        await partners.put({ ...existing, as2Id: d.newAs2Id });
        return;
      }
      case 'tenant.created.v1':
      case 'tenant.updated.v1': {
        const d = event.data as TenantPayload;
        const id = knownTenantIdOf(d.account, d.tenantId);
        const plan = tenantPlanOf(d) ?? (await tenants.get(id))?.plan;
        if (plan === undefined) return;
        await tenants.put({ _id: id, account: d.account, tenant: d.tenantId, plan });
        return;
      }
      case 'tenant.deleted.v1': {
        // Kept, not removed: the tenant's tokens are refused from now on (its partners' deletions follow on the topic).
        const d = event.data as TenantPayload;
        const id = knownTenantIdOf(d.account, d.tenantId);
        const plan = (await tenants.get(id))?.plan ?? 'free';
        await tenants.put({ _id: id, account: d.account, tenant: d.tenantId, plan, deleted: true });
        return;
      }
      default:
        return;
    }
  }
}
