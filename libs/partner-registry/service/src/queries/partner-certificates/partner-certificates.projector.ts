import { categoryOf, type ReadModelCollection, type ReadModelStore, type RecordedEvent, holdsNoDocument } from '@as2-partners/kernel';
import {
  consumedEventKindOf,
  PARTNER_CERTIFICATES_STREAM_CATEGORY,
  type CertificateStreamEvent,
  type PartnerStreamEvent,
} from '../../reactions/certificate-lifecycle-events/certificate-lifecycle-events';
import {
  CERTIFICATE_STATUS_INDEXES,
  PARTNER_CERTIFICATE_INDEXES,
  PartnerCertificateCollections,
  partnerCertificateIdOf,
  type CertificateStatusDocument,
  type PartnerCertificateDocument,
  type PartnerSlotsDocument,
} from './partner-certificate.documents';
import { emptyPartnerSlots, evolvePartnerSlots, type PartnerSlots } from './partner-slots';

/** What became of one delivered event. */
export type ProjectionOutcome = 'applied' | 'already_applied' | 'irrelevant' | 'unknown_type';

/** An event whose envelope or data cannot be what its type says: retried, never skipped. */
export class MalformedCertificateEventError extends Error {
  constructor(event: RecordedEvent, problem: string) {
    super(`Event ${event.id} (${event.type}, stream ${event.stream}@${event.revision}): ${problem}`);
    this.name = 'MalformedCertificateEventError';
  }
}

function requireText(event: RecordedEvent, value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new MalformedCertificateEventError(event, `data.${field} is not a non-empty string`);
  return value;
}

/**
 * Keeps, from the certificate-lifecycle service's events, which certificates each partner has, whether they are
 * active, and which slots they are current in. Delivery is at least once and streams interleave freely:
 * a partner's stream is applied once per revision (the slots document remembers the last), and a certificate's
 * own facts (inactive, deleted) are flags that only ever turn on, so any order of the two streams ends the same.
 */
export class PartnerCertificatesProjector {
  private readonly partnerCertificates: ReadModelCollection<PartnerCertificateDocument>;
  private readonly partnerSlots: ReadModelCollection<PartnerSlotsDocument>;
  private readonly statuses: ReadModelCollection<CertificateStatusDocument>;

  constructor(readModels: ReadModelStore) {
    this.partnerCertificates = readModels.collection(PartnerCertificateCollections.partnerCertificates, PARTNER_CERTIFICATE_INDEXES);
    this.partnerSlots = readModels.collection(PartnerCertificateCollections.partnerSlots);
    this.statuses = readModels.collection(PartnerCertificateCollections.certificateStatuses, CERTIFICATE_STATUS_INDEXES);
  }

  /** Empties the read model (a rebuild replays into it). */
  async clear(): Promise<void> {
    await Promise.all([this.partnerCertificates.clear(), this.partnerSlots.clear(), this.statuses.clear()]);
  }

  async isEmpty(): Promise<boolean> {
    return holdsNoDocument(this.partnerCertificates, this.partnerSlots, this.statuses);
  }

  async apply(event: RecordedEvent): Promise<ProjectionOutcome> {
    switch (consumedEventKindOf(event.type)) {
      case 'partner_stream':
        return this.applyPartnerStreamEvent(event as RecordedEvent & PartnerStreamEvent);
      case 'certificate_stream':
        await this.applyCertificateStreamEvent(event as RecordedEvent & CertificateStreamEvent);
        return 'applied';
      case 'irrelevant':
        return 'irrelevant';
      case 'unknown':
        return 'unknown_type';
    }
  }

  private async applyPartnerStreamEvent(event: RecordedEvent & PartnerStreamEvent): Promise<ProjectionOutcome> {
    if (categoryOf(event.stream) !== PARTNER_CERTIFICATES_STREAM_CATEGORY) {
      throw new MalformedCertificateEventError(event, `expected on a ${PARTNER_CERTIFICATES_STREAM_CATEGORY} stream`);
    }
    const partnerId = requireText(event, event.data?.partnerId, 'partnerId');
    const stored = await this.partnerSlots.get(partnerId);
    if (stored && event.revision <= stored.revision) return 'already_applied';
    if (event.type === 'partner_certificates.certificate_attached.v1') await this.attach(event);
    if (event.type === 'trust.retired.v1') await this.setRetiredForPartner(partnerId, event.data.certificateIds, true);
    // A shared certificate retired here stays active in the store, so the partner may make it current again.
    const madeCurrent = certificateMadeCurrentBy(event);
    if (madeCurrent) await this.setRetiredForPartner(partnerId, [madeCurrent], false);
    const slots = evolvePartnerSlots(stored ? slotsOfDocument(stored) : emptyPartnerSlots(), event);
    // Written last: a crash before it makes the redelivery apply the event again, which the writes above allow.
    await this.partnerSlots.put({ _id: partnerId, partnerId, revision: event.revision, ...slots });
    return 'applied';
  }

  private async attach(event: RecordedEvent & PartnerStreamEvent & { type: 'partner_certificates.certificate_attached.v1' }): Promise<void> {
    const { partnerId, account, tenant, certificate, attachedAt } = event.data;
    const certificateId = requireText(event, certificate?.certificateId, 'certificate.certificateId');
    requireText(event, account, 'account');
    if ((await this.statuses.get(certificateId))?.deleted) return;
    await this.partnerCertificates.put({
      _id: partnerCertificateIdOf(partnerId, certificateId),
      partnerId,
      certificateId,
      account,
      tenant: tenant ?? null,
      name: certificate.name,
      type: certificate.type,
      usage: certificate.usage,
      subject: certificate.subject,
      notAfter: certificate.notAfter,
      createdAt: certificate.createdAt,
      attachedAt,
      retired: false,
    });
  }

  private async setRetiredForPartner(partnerId: string, certificateIds: readonly string[], retired: boolean): Promise<void> {
    for (const certificateId of certificateIds) {
      const attached = await this.partnerCertificates.get(partnerCertificateIdOf(partnerId, certificateId));
      if (attached && attached.retired !== retired) await this.partnerCertificates.put({ ...attached, retired });
    }
  }

  private async applyCertificateStreamEvent(event: RecordedEvent & CertificateStreamEvent): Promise<void> {
    const certificateId = requireText(event, event.data?.certificateId, 'certificateId');
    const status = (await this.statuses.get(certificateId)) ?? { _id: certificateId, certificateId, inactive: false, deleted: false };
    if (event.type === 'certificate.deleted.v1') {
      if (!status.deleted) await this.statuses.put({ ...status, deleted: true });
      await this.partnerCertificates.deleteMany({ certificateId });
      return;
    }
    if (!status.inactive) await this.statuses.put({ ...status, inactive: true });
  }
}

function certificateMadeCurrentBy(event: PartnerStreamEvent): string | null {
  switch (event.type) {
    case 'partner_certificates.slot_assigned.v1':
    case 'partner_certificates.backup_activated.v1':
    case 'trust.activated.v1':
      return event.data.certificateId;
    default:
      return null;
  }
}

function slotsOfDocument(doc: PartnerSlotsDocument): PartnerSlots {
  const { encryption, signature, signatureSetApart, tls, removed, linkRefused } = doc;
  return { encryption, signature, signatureSetApart, tls, removed, linkRefused: linkRefused ?? null };
}
