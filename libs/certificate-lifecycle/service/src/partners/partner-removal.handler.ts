import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, type RecordedEvent } from '@as2-partners/kernel';
import { CertificateViewsProjection } from '../read-model/certificate-views.projection';
import { CertificateWriteModel } from '../write-model/certificate-write-model';
import { systemMetadata } from '../write-model/event-metadata';

/** Seed 002 "Deletion impact": a deleted partner's certificates move to inactive status (unless another partner still uses them). */
@Injectable()
export class PartnerRemovalHandler {
  constructor(
    private readonly writeModel: CertificateWriteModel,
    @Inject(CertificateViewsProjection) private readonly views: CertificateViewsProjection,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async removePartner(partner: { partnerId: string; account: string; tenant: string | null }, cause: RecordedEvent): Promise<void> {
    const now = this.clock.now();
    const metadata = systemMetadata(partner, { type: 'service', id: 'certificate-lifecycle' }, now, cause);
    const removal = await this.writeModel.decidePartner(partner.partnerId, () => ({ type: 'remove_partner', ...partner, now: now.toISOString() }), metadata);
    let last = removal.position;
    await this.writeModel.settle(last);
    for (const certificateId of removal.state.attached.keys()) {
      const doc = await this.views.certificates.get(certificateId);
      const stillUsedBy = (doc?.usedBy ?? []).filter((u) => u.partnerId !== partner.partnerId);
      const result = await this.writeModel.decideCertificate(
        certificateId,
        () => ({ type: 'deactivate', partnerId: partner.partnerId, stillUsedBy, now: now.toISOString() }),
        { ...metadata, tenant: doc?.tenant ?? partner.tenant },
      );
      last = result.position ?? last;
    }
    await this.writeModel.settle(last);
  }
}
