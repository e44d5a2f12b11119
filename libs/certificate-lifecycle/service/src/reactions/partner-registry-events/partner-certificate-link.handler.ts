import { Inject, Injectable } from '@nestjs/common';
import { assertKeySizeFits, CertificateLifecycleErrorCode, CertificateLifecycleStreams, partnerCertificatesDecider, type CertificateFacts } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, DomainError, type Clock, type RecordedEvent } from '@as2-partners/kernel';
import { systemMetadata, WriteVisibility } from '@as2-partners/platform';
import { CertificateWriteModel, factsOf } from '../../write-model/certificate-write-model';

export interface CreatedPartner {
  readonly partnerId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly signAlgorithm: string | null;
}

/**
 * Seed 003's `certificate_id` on partner create: the partner registry records the id in `partner.created.v1` (it
 * cannot see this service's store), and here the certificate is linked to the partner's encryption and signature
 * slots, or the link is refused by `partner_certificates.link_refused.v1`, which the partner details show. A
 * certificate of another tenant is refused like a missing one.
 */
@Injectable()
export class PartnerCertificateLinkHandler {
  constructor(
    private readonly writeModel: CertificateWriteModel,
    private readonly visibility: WriteVisibility,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async link(partner: CreatedPartner, certificateId: string, cause: RecordedEvent): Promise<void> {
    let decided;
    try {
      // The check and the link in one turn for the certificate: a delete cannot pass between them.
      decided = await this.writeModel.withCertificate(certificateId, () => this.decideLink(partner, certificateId, cause));
    } catch (error) {
      // The partner was deleted before its creation reached this service: nothing is left to link.
      if (error instanceof DomainError && error.code === CertificateLifecycleErrorCode.PartnerRemoved) return;
      throw error;
    }
    await this.visibility.reach(decided.position);
  }

  private async decideLink(partner: CreatedPartner, certificateId: string, cause: RecordedEvent) {
    let certificate: CertificateFacts | null = null;
    let refusal: { code: string; reason: string } | null = null;
    try {
      const stored = await this.writeModel.certificate({ account: partner.account, tenant: partner.tenant }, certificateId);
      certificate = factsOf(stored);
      assertKeySizeFits(stored.record.certificate, partner.signAlgorithm);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      refusal = { code: error.code, reason: error.message };
    }
    const now = this.clock.now();
    const metadata = systemMetadata(partner, { type: 'service', id: 'certificate-lifecycle' }, now, cause);
    const ref = { partnerId: partner.partnerId, account: partner.account, tenant: partner.tenant };
    // Decided once per creation event: a redelivery answers the first outcome.
    return this.writeModel.writeModel.decide(
      CertificateLifecycleStreams.partnerCertificates(partner.partnerId),
      partnerCertificatesDecider,
      { type: 'link_on_create', ...ref, certificateId, certificate, refusal, now: now.toISOString() },
      metadata,
      { commandId: `link-on-create:${cause.id}` },
    );
  }
}
