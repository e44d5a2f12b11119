import { Inject, Injectable } from '@nestjs/common';
import { certificateDirectoryDecider, CertificateLifecycleStreams } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, type Clock } from '@as2-partners/kernel';
import { AfterWrite, lastPositionOf, type RequestContext, requestMetadata } from '@as2-partners/platform';
import { CertificateUses } from '../../write-model/certificate-uses';
import { CertificateWriteModel } from '../../write-model/certificate-write-model';

@Injectable()
export class DeleteCertificateHandler {
  constructor(
    private readonly writeModel: CertificateWriteModel,
    private readonly uses: CertificateUses,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Refused (CERTIFICATE_IN_USE, naming the uses the caller may see) while any partner slot uses it as current,
   * backup, next or overlap certificate; an account-level certificate only by an account admin.
   */
  async execute(ctx: RequestContext, certificateId: string): Promise<AfterWrite<void>> {
    const stored = await this.writeModel.certificate({ account: ctx.caller.account, tenant: ctx.caller.tenant }, certificateId);
    const { tenant } = stored.record;
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, tenant, now);
    const caller = { tenant: ctx.caller.tenant, accountAdmin: ctx.caller.roles.includes('account_admin') };
    const deleted = await this.writeModel.withCertificate(certificateId, async () => {
      const uses = await this.uses.of(certificateId);
      return this.writeModel.decideCertificate(certificateId, () => ({ type: 'delete', caller, uses, now: now.toISOString() }), metadata);
    });
    const released = await this.writeModel.writeModel.decide(CertificateLifecycleStreams.directory(stored.record.account, tenant),
      certificateDirectoryDecider,
      () => ({ type: 'release' as const, certificateId, now: now.toISOString() }),
      metadata,
    );
    return new AfterWrite(lastPositionOf(deleted.position, released.position), () => undefined);
  }
}
