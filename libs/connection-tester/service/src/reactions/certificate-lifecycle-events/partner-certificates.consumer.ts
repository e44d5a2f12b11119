import { BusFollowedProjection, topicOf, type BusFollowedProjectionDependencies, type ReadModelCollection, type RecordedEvent, holdsNoDocument } from '@as2-partners/kernel';
import { TesterCollections } from '../partner-registry-events/tested-partner.documents';
import { emptyPartnerCertificates, evolvePartnerCertificates, type PartnerCertificatesDocument, type TesterCertificateDocument } from './partner-certificate-slots';

export const PARTNER_CERTIFICATES_GROUP = 'connection-tester.partner-certificates';

const SLOT_TYPES = new Set([
  'partner_certificates.slot_assigned.v1',
  'partner_certificates.backup_activated.v1',
  'partner_certificates.signature_follows_encryption.v1',
  'partner_certificates.backup_scheduled.v1',
  'partner_certificates.backup_cancelled.v1',
  'trust.rollover_scheduled.v1',
  'trust.activated.v1',
  'partner_certificates.partner_removed.v1',
]);

/** Learns partners' certificates (public PEMs) and which is current or next in each slot, from the certificate-lifecycle topic. */
export class PartnerCertificatesConsumer extends BusFollowedProjection {
  readonly name = PARTNER_CERTIFICATES_GROUP;
  protected readonly topics = [topicOf('certificate-lifecycle')];
  private readonly certificates: ReadModelCollection<TesterCertificateDocument>;
  private readonly slots: ReadModelCollection<PartnerCertificatesDocument>;

  constructor(followed: BusFollowedProjectionDependencies) {
    super(followed);
    const readModels = followed.readModels;
    this.certificates = readModels.collection(TesterCollections.certificates);
    this.slots = readModels.collection(TesterCollections.partnerCertificates);
  }

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'certificate.uploaded.v1' || event.type === 'certificate.deleted.v1' || SLOT_TYPES.has(event.type);
  }

  protected async clear(): Promise<void> {
    await Promise.all([this.certificates.clear(), this.slots.clear()]);
  }

  protected async isEmpty(): Promise<boolean> {
    return holdsNoDocument(this.certificates, this.slots);
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    if (event.type === 'certificate.uploaded.v1') {
      const d = event.data as { certificateId: string; certificate: { pem: string; notAfter: string } };
      await this.certificates.put({ _id: d.certificateId, pem: d.certificate.pem, notAfter: d.certificate.notAfter });
      return;
    }
    if (event.type === 'certificate.deleted.v1') {
      await this.certificates.delete((event.data as { certificateId: string }).certificateId);
      return;
    }
    const d = event.data as { partnerId: string };
    const current = (await this.slots.get(d.partnerId)) ?? emptyPartnerCertificates(d.partnerId);
    await this.slots.put(evolvePartnerCertificates(current, event.type, event.data as never));
  }
}
