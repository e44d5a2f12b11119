import { Inject, Injectable } from '@nestjs/common';
import { certificateDirectoryDecider, CertificateLifecycleStreams } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, decideOnStream, DomainError, type Clock } from '@as2-partners/kernel';
import type { RequestContext } from '@as2-partners/platform';
import { CertificateViewsProjection } from '../read-model/certificate-views.projection';
import { CertificateWriteModel } from '../write-model/certificate-write-model';
import { requestMetadata } from '../write-model/event-metadata';

@Injectable()
export class DeleteCertificateHandler {
  constructor(
    private readonly writeModel: CertificateWriteModel,
    @Inject(CertificateViewsProjection) private readonly views: CertificateViewsProjection,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Refused (CERTIFICATE_IN_USE) while any partner slot uses it as current, backup, next or overlap certificate. */
  async execute(ctx: RequestContext, certificateId: string): Promise<void> {
    const stored = await this.writeModel.certificate({ account: ctx.caller.account, tenant: ctx.caller.tenant }, certificateId);
    const { tenant } = stored.record;
    if (tenant === null && !ctx.caller.roles.includes('account_admin')) {
      throw new DomainError('ACCOUNT_CERTIFICATE_READ_ONLY', `Certificate ${certificateId} belongs to the account: only an account admin deletes it`);
    }
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, tenant, now);
    const usedBy = (await this.views.certificates.get(certificateId))?.usedBy ?? [];
    const deleted = await this.writeModel.decideCertificate(certificateId, () => ({ type: 'delete', usedBy, now: now.toISOString() }), metadata);
    const released = await decideOnStream(
      this.writeModel.store,
      CertificateLifecycleStreams.directory(stored.record.account, tenant),
      certificateDirectoryDecider,
      () => ({ type: 'release' as const, certificateId, now: now.toISOString() }),
      metadata,
    );
    await this.writeModel.settle(released.position ?? deleted.position);
  }
}
