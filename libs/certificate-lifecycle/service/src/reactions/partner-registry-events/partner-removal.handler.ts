import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, type RecordedEvent } from '@as2-partners/kernel';
import { lastPositionOf, systemMetadata, WriteVisibility } from '@as2-partners/platform';
import { CertificateUses } from '../../write-model/certificate-uses';
import { CertificateWriteModel } from '../../write-model/certificate-write-model';

/**
 * Seed 002 "Deletion impact": a deleted partner's certificates move to inactive status, unless another partner still
 * uses them or they are not its owner's (a tenant partner's deletion never deactivates an account-level certificate).
 */
@Injectable()
export class PartnerRemovalHandler {
  constructor(
    private readonly writeModel: CertificateWriteModel,
    private readonly uses: CertificateUses,
    private readonly visibility: WriteVisibility,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async removePartner(partner: { partnerId: string; account: string; tenant: string | null }, cause: RecordedEvent): Promise<void> {
    const now = this.clock.now();
    const metadata = systemMetadata(partner, { type: 'service', id: 'certificate-lifecycle' }, now, cause);
    const removal = await this.writeModel.decidePartner(partner.partnerId, () => ({ type: 'remove_partner', ...partner, now: now.toISOString() }), metadata);
    let last = removal.position;
    // Embedded, this reaction runs inside partner-registry's delivery: the partner's DELETE returns once it is visible here.
    await this.visibility.reach(last);
    for (const certificateId of removal.state.attached.keys()) {
      const otherUses = (await this.uses.of(certificateId)).filter((use) => use.partnerId !== partner.partnerId);
      const result = await this.writeModel.decideCertificate(
        certificateId,
        () => ({ type: 'deactivate', partnerId: partner.partnerId, partnerTenant: partner.tenant, otherUses, now: now.toISOString() }),
        metadata,
      );
      last = lastPositionOf(last, result.position);
    }
    await this.visibility.reach(last);
  }
}
