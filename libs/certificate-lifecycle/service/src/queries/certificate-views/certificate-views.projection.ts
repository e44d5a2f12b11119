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
  /** Each certificate once for each of its partners: what a partner's list pages through (`partnerIds` is an array). */
  readonly partnerCertificates: PartnerCertificateEntries;
  /** The certificate notices on each partner's timeline. */
  readonly notices: PartnerTimelineNotices;

  constructor(followed: FollowedProjectionDependencies, readModels: ReadModelStore) {
    super(followed);
    this.certificates = readModels.collection(CertificateLifecycleCollections.certificates, [
      ['account', 'tenant', 'createdAt'],
      ['partnerIds'],
      ['expiresAt'],
      CERTIFICATE_FINGERPRINT_INDEX,
      // a list filtered by usage, by state or by expiry: one range a level, not the level's every certificate
      ['account', 'tenant', 'usage', 'createdAt', '_id'],
      ['account', 'tenant', 'active', 'createdAt', '_id'],
      ['account', 'tenant', 'expiresAt'],
    ]);
    this.partnerSlots = readModels.collection(CertificateLifecycleCollections.partnerSlots, [['dueAt']]);
    this.partnerCertificates = new PartnerCertificateEntries(readModels);
    this.notices = new PartnerTimelineNotices(readModels);
  }

  /** Fills the partner certificates and the partners' notices once (a file written before they were kept), then follows. */
  override async start(): Promise<void> {
    await this.partnerCertificates.fill(this.certificates);
    await this.notices.fill(this.partnerSlots, this.followed.store);
    await super.start();
  }

  /**
   * Writes a certificate, its partner entries first (a redelivery after a crash between them still sees the change):
   * only entries whose fields changed, so a "used by" refresh writes none.
   */
  private async putCertificate(before: CertificateViewDocument | null, after: CertificateViewDocument): Promise<void> {
    await this.partnerCertificates.written(before, after);
    await this.certificates.put(after);
  }

  private async deleteCertificate(before: CertificateViewDocument): Promise<void> {
    await this.partnerCertificates.written(before, null);
    await this.certificates.delete(before._id);
  }

  protected accepts(event: RecordedEvent): boolean {
    return isCertificateLifecycleEventType(event.type);
  }

  protected apply(event: RecordedEvent): Promise<void> {
    return this.applyEvent(event as RecordedEvent & CertificateLifecycleEvent);
  }

  protected async clear(): Promise<void> {
    await Promise.all([this.certificates.clear(), this.partnerSlots.clear(), this.partnerCertificates.clear(), this.notices.clear()]);
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
      await this.putCertificate(existing, {
        _id: d.certificateId,
        account: d.account,
        tenant: d.tenant,
        name: d.name,
        usage: d.usage,
        type: d.type,
        certificate: d.certificate,
        expiresAt: d.certificate.notAfter,
        active: true,
        partnerIds: [...new Set([...(existing?.partnerIds ?? []), ...(d.partnerId ? [d.partnerId] : [])])],
        usedBy: existing?.usedBy ?? [],
        expiryNotice: null,
        createdAt: d.createdAt,
      });
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
    // Refresh "used by" and the partners of every certificate whose part in this partner the event may change: every
    // attached one at a removal, REFRESHED_A_TURN a turn of the event loop (1,200 held it ~500 ms at once).
    let refreshed = 0;
    for (const certificateId of changedByEvent(before, after)) {
      if (++refreshed % REFRESHED_A_TURN === 0) await nextTurnOfLoop();
      const doc = await this.certificates.get(certificateId);
      if (!doc) continue;
      const roles = after.status === 'removed' ? [] : rolesOf(after, certificateId).map((r) => ({ partnerId, ...r }));
      const usedBy = [...doc.usedBy.filter((u) => u.partnerId !== partnerId), ...roles];
      const partnerIds = partnerIdsAfter(doc.partnerIds, partnerId, after.status === 'removed' ? false : after.attached.has(certificateId));
      if (JSON.stringify(usedBy) !== JSON.stringify(doc.usedBy) || partnerIds !== doc.partnerIds) {
        await this.putCertificate(doc, { ...doc, usedBy, partnerIds });
      }
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

/** A certificate's partners once one partner's event is applied: a deleted partner leaves them, as it leaves its uses. */
function partnerIdsAfter(partnerIds: readonly string[], partnerId: string, attached: boolean): readonly string[] {
  if (attached) return partnerIds.includes(partnerId) ? partnerIds : [...partnerIds, partnerId];
  return partnerIds.includes(partnerId) ? partnerIds.filter((id) => id !== partnerId) : partnerIds;
}
