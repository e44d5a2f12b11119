import {
  certificatesWithRoles,
  emptyPartnerCertificates,
  isCertificateLifecycleEventType,
  partnerCertificatesDecider,
  rolesOf,
  type CertificateEvent,
  type CertificateLifecycleEvent,
  type PartnerCertificatesEvent,
  type PartnerCertificatesState,
} from '@as2-partners/certificate-lifecycle-domain';
import {
  categoryOf,
  FollowedProjection,
  nextTurnOfLoop,
  type FollowedProjectionDependencies,
  type ReadModelCollection,
  type ReadModelStore,
  type RecordedEvent,
} from '@as2-partners/kernel';
import {
  CertificateLifecycleCollections,
  dueAtOf,
  stateOfStored,
  storedStateOf,
  type CertificateViewDocument,
  type PartnerSlotsDocument,
} from './certificate-view.document';
import { PartnerTimelineNotices } from '../trust-timeline/partner-timeline-notices';
import { PartnerCertificateEntries } from './partner-certificate-entries';
import { CertificateUseEntries, certificateUseIdOf, type CertificateUseDocument } from './certificate-use-entries';

/** A fingerprint's certificates of one level (a tenant's, or the account's as tenant null) in creation order: an upload's duplicate check. */
export const CERTIFICATE_FINGERPRINT_INDEX = ['account', 'tenant', 'certificate.fingerprintSha256', 'createdAt', '_id'] as const;

/** Certificates whose "used by" one partner event refreshes in one turn of the event loop at most. */
const REFRESHED_A_TURN = 100;

/**
 * The certificate store's views and each partner's slots, fed by this service's events. Partner slot state is
 * folded with the domain's own evolve, so the view can never disagree with the write model's rules.
 */
export class CertificateViewsProjection extends FollowedProjection {
  readonly name = 'certificate-lifecycle.views';
  readonly certificates: ReadModelCollection<CertificateViewDocument>;
  readonly partnerSlots: ReadModelCollection<PartnerSlotsDocument>;
  /** Each certificate once for each of its partners: what a partner's list pages through. */
  readonly partnerCertificates: PartnerCertificateEntries;
  /** Each certificate's partners and their slots, one entry a partner under its tenant: a tenant reads its own and the masters' only. */
  readonly uses: CertificateUseEntries;
  /** The certificate notices on each partner's timeline. */
  readonly notices: PartnerTimelineNotices;

  constructor(followed: FollowedProjectionDependencies, readModels: ReadModelStore) {
    super(followed);
    this.certificates = readModels.collection(CertificateLifecycleCollections.certificates, [
      ['account', 'tenant', 'createdAt'],
      ['expiresAt'],
      CERTIFICATE_FINGERPRINT_INDEX,
      // a list filtered by usage, by state or by expiry: one range a level, not the level's every certificate
      ['account', 'tenant', 'usage', 'createdAt', '_id'],
      ['account', 'tenant', 'active', 'createdAt', '_id'],
      ['account', 'tenant', 'expiresAt'],
    ]);
    this.partnerSlots = readModels.collection(CertificateLifecycleCollections.partnerSlots, [['dueAt']]);
    this.partnerCertificates = new PartnerCertificateEntries(readModels);
    this.uses = new CertificateUseEntries(readModels);
    this.notices = new PartnerTimelineNotices(readModels);
  }

  /** Fills the partner certificates, the certificates' uses and the partners' notices once (a file written before they were kept), then follows. */
  override async start(): Promise<void> {
    // the partner certificates first: they are filled from the partners a certificate's view named before its uses moved out
    await this.partnerCertificates.fill(this.certificates);
    await this.uses.fill(this.certificates, (partnerIds) => this.tenantsOf(partnerIds));
    await this.notices.fill(this.partnerSlots, this.followed.store);
    await super.start();
  }

  /**
   * Writes a certificate, its partner entries first (a redelivery after a crash between them still sees the change):
   * only if the fields they carry changed, so an expiry notice reads and writes none.
   */
  private async putCertificate(before: CertificateViewDocument | null, after: CertificateViewDocument): Promise<void> {
    if (before) await this.partnerCertificates.written(before, after, () => this.listingPartners(before._id));
    await this.certificates.put(after);
  }

  private async deleteCertificate(before: CertificateViewDocument): Promise<void> {
    await this.partnerCertificates.written(before, null, () => this.listingPartners(before._id));
    await this.uses.deleted(before._id);
    await this.certificates.delete(before._id);
  }

  /** Every partner, of every tenant, listing the certificate (a change of the certificate's own fields, rare, reads them). */
  private async listingPartners(certificateId: string): Promise<string[]> {
    return (await this.uses.allOf(certificateId)).filter((entry) => entry.listedAt !== null).map((entry) => entry.partnerId);
  }

  /** A partner's use entry of a certificate as it changed, and its partner certificate entry if it starts or stops listing it. */
  private async putUse(doc: CertificateViewDocument, before: CertificateUseDocument | null, after: CertificateUseDocument): Promise<void> {
    const listed = after.listedAt !== null;
    if ((before !== null && before.listedAt !== null) !== listed) await this.partnerCertificates.listed(doc, after.partnerId, listed);
    if (JSON.stringify(before) !== JSON.stringify(after)) await this.uses.written(after);
  }

  /** The tenants of these partners as their slots recorded them (null: a master partner, or one without slots). */
  private async tenantsOf(partnerIds: readonly string[]): Promise<Map<string, string | null>> {
    if (partnerIds.length === 0) return new Map();
    const page = await this.partnerSlots.find({ filter: { _id: { $in: [...partnerIds] } }, withoutTotal: true });
    return new Map(page.items.map((slots) => [slots._id, slots.tenant] as const));
  }

  protected accepts(event: RecordedEvent): boolean {
    return isCertificateLifecycleEventType(event.type);
  }

  protected apply(event: RecordedEvent): Promise<void> {
    return this.applyEvent(event as RecordedEvent & CertificateLifecycleEvent);
  }

  protected async clear(): Promise<void> {
    await Promise.all([this.certificates.clear(), this.partnerSlots.clear(), this.partnerCertificates.clear(), this.uses.clear(), this.notices.clear()]);
  }

  private async applyEvent(event: RecordedEvent & CertificateLifecycleEvent): Promise<void> {
    switch (categoryOf(event.stream)) {
      case 'certificate':
        return this.applyCertificate(event as RecordedEvent & CertificateEvent);
      case 'partner_certificates':
        return this.applyPartner(event as RecordedEvent & PartnerCertificatesEvent);
      default:
        return;
    }
  }

  private async applyCertificate(event: RecordedEvent & CertificateEvent): Promise<void> {
    // a notice stays on the timelines whatever became of the certificate's view (a deleted certificate has none)
    await this.notices.noticed(event);
    if (event.type === 'certificate.uploaded.v1') {
      const d = event.data;
      const existing = await this.certificates.get(d.certificateId);
      const doc: CertificateViewDocument = {
        _id: d.certificateId,
        account: d.account,
        tenant: d.tenant,
        name: d.name,
        usage: d.usage,
        type: d.type,
        certificate: d.certificate,
        expiresAt: d.certificate.notAfter,
        active: true,
        expiryNotice: null,
        createdAt: d.createdAt,
      };
      if (d.partnerId) {
        // the partner it was uploaded for lists it from now, after those that already did
        const use = await this.uses.get(d.certificateId, d.partnerId);
        const tenant = (await this.tenantsOf([d.partnerId])).get(d.partnerId) ?? d.tenant;
        await this.putUse(doc, use, {
          ...(use ?? { _id: certificateUseIdOf(d.certificateId, d.partnerId), certificateId: d.certificateId, partnerId: d.partnerId, roles: [], usedAt: event.position, used: false }),
          tenant: use ? use.tenant : tenant,
          listedAt: use?.listedAt ?? event.position,
        });
      }
      await this.putCertificate(existing, doc);
      return;
    }
    const current = await this.certificates.get(event.data.certificateId);
    if (!current) return;
    switch (event.type) {
      case 'certificate.deleted.v1':
        await this.deleteCertificate(current);
        return;
      case 'certificate.deactivated.v1':
      case 'certificate.retired.v1':
        await this.putCertificate(current, { ...current, active: false });
        return;
      case 'certificate.expiring.v1':
        await this.putCertificate(current, { ...current, expiryNotice: event.data.thresholdDays });
        return;
      case 'certificate.expired.v1':
        await this.putCertificate(current, { ...current, expiryNotice: 0 });
        return;
      default:
        return;
    }
  }

  private async applyPartner(event: RecordedEvent & PartnerCertificatesEvent): Promise<void> {
    const partnerId = event.data.partnerId;
    const existing = await this.partnerSlots.get(partnerId);
    const before = existing ? stateOfStored(existing.state) : emptyPartnerCertificates();
    const after = partnerCertificatesDecider.evolve(before, event);
    // the partner's timeline shows the notices of every certificate ever attached to it (attached is never shrunk)
    if (event.type === 'partner_certificates.certificate_attached.v1') await this.notices.attached(partnerId, event.data.certificate.certificateId);
    await this.partnerSlots.put({
      _id: partnerId,
      account: existing?.account ?? event.metadata.account,
      tenant: existing ? existing.tenant : event.metadata.tenant,
      state: storedStateOf(after),
      dueAt: after.status === 'removed' ? null : dueAtOf(after),
      updatedAt: event.metadata.occurredAt,
    });
    // Refresh this partner's use and listing of every certificate whose part in it the event may change: every
    // attached one at a removal, REFRESHED_A_TURN a turn of the event loop (1,200 held it ~500 ms at once).
    let refreshed = 0;
    for (const certificateId of changedByEvent(before, after)) {
      if (++refreshed % REFRESHED_A_TURN === 0) await nextTurnOfLoop();
      const doc = await this.certificates.get(certificateId);
      if (!doc) continue;
      const roles = after.status === 'removed' ? [] : rolesOf(after, certificateId);
      const listed = after.status === 'removed' ? false : after.attached.has(certificateId);
      const use = await this.uses.get(certificateId, partnerId);
      await this.putUse(doc, use, {
        _id: certificateUseIdOf(certificateId, partnerId),
        certificateId,
        partnerId,
        tenant: use ? use.tenant : existing ? existing.tenant : event.metadata.tenant,
        listedAt: listed ? (use?.listedAt ?? event.position) : null,
        roles: roles.map((r) => ({ slot: r.slot, role: r.role })),
        // a partner's roles written again go after every other partner's, as the view's used_by appended them
        usedAt: roles.length > 0 ? event.position : (use?.usedAt ?? event.position),
        used: roles.length > 0,
      });
    }
  }
}


/**
 * The certificates whose roles or attachment to the partner differ between `before` and `after`, as a superset: those a
 * slot, a backup, a rollover or an overlap names in either, those attached or detached, and every attached one when the
 * partner is removed. Not every attached one: each was read for every event (3,000 reads an upload at 3,000 certificates).
 */
function changedByEvent(before: PartnerCertificatesState, after: PartnerCertificatesState): Set<string> {
  if (after.status === 'removed' || before.status === 'removed') return new Set([...before.attached.keys(), ...after.attached.keys()]);
  const changed = new Set([...certificatesWithRoles(before), ...certificatesWithRoles(after)]);
  if (before.attached !== after.attached) {
    for (const id of after.attached.keys()) if (!before.attached.has(id)) changed.add(id);
    for (const id of before.attached.keys()) if (!after.attached.has(id)) changed.add(id);
  }
  return changed;
}
