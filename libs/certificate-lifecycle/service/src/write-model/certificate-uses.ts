import { Inject, Injectable } from '@nestjs/common';
import { CertificateLifecycleStreams, rolesOf, type CertificateUse } from '@as2-partners/certificate-lifecycle-domain';
import { EVENT_STORE, type EventStore } from '@as2-partners/kernel';
import { CertificateViewsProjection } from '../queries/certificate-views/certificate-views.projection';
import { CertificateWriteModel } from './certificate-write-model';

/**
 * Every partner slot holding a certificate now, for the certificate decider's in-use rules. The partners that ever
 * attached it come from the views once they have caught up with the store; each one's roles come from its own
 * stream (the write side), so a decision never rests on a view that is behind.
 */
@Injectable()
export class CertificateUses {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CertificateViewsProjection) private readonly views: CertificateViewsProjection,
    private readonly writeModel: CertificateWriteModel,
  ) {}

  async of(certificateId: string): Promise<CertificateUse[]> {
    const head = await this.store.lastPosition();
    if (head !== null) await this.views.waitFor(head);
    const doc = await this.views.certificates.get(certificateId);
    if (!doc) return [];
    const uses: CertificateUse[] = [];
    for (const { partnerId } of await this.views.uses.allOf(certificateId)) {
      const state = await this.writeModel.partnerState(partnerId);
      if (state.status === 'removed') continue;
      const roles = rolesOf(state, certificateId);
      if (roles.length === 0) continue;
      const tenant = await this.ownerOf(partnerId);
      uses.push(...roles.map((r) => ({ partnerId, tenant, slot: r.slot, role: r.role })));
    }
    return uses;
  }

  /** The tenant a partner belongs to (null: a master partner), as its stream's first event recorded it. */
  private async ownerOf(partnerId: string): Promise<string | null> {
    const [first] = await this.store.readStream(CertificateLifecycleStreams.partnerCertificates(partnerId), { maxCount: 1 });
    return first ? first.metadata.tenant : null;
  }
}
