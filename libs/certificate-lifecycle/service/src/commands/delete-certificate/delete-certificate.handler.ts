import { Inject, Injectable } from '@nestjs/common';
import { certificateDecider, certificateDirectoryDecider, CertificateLifecycleStreams } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, type Clock } from '@as2-partners/kernel';
import { AfterWrite, commandOf, lastPositionOf, recordedDeletionOf, type RequestContext, requestMetadata } from '@as2-partners/platform';
import { CERTIFICATE_ID_PATTERN } from '../../write-model/certificate-id';
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
  async execute(ctx: RequestContext, certificateId: string): Promise<AfterWrite<{ readonly deletedAt: string }>> {
    const recorded = await this.recordedDeletion(ctx, certificateId);
    const { account, tenant } = recorded ?? (await this.writeModel.certificate({ account: ctx.caller.account, tenant: ctx.caller.tenant }, certificateId)).record;
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, tenant, now);
    const caller = { tenant: ctx.caller.tenant, accountAdmin: ctx.caller.roles.includes('account_admin') };
    const deleted = await this.writeModel.withCertificate(certificateId, async () => {
      const uses = await this.uses.of(certificateId);
      return this.writeModel.decideCertificate(certificateId, () => ({ type: 'delete', caller, uses, now: now.toISOString() }), metadata, commandOf(ctx));
    });
    const released = await this.writeModel.writeModel.decide(CertificateLifecycleStreams.directory(account, tenant),
      certificateDirectoryDecider,
      () => ({ type: 'release' as const, certificateId, now: now.toISOString() }),
      metadata,
    );
    const deletedAt = recorded?.deletedAt ?? now.toISOString();
    return new AfterWrite(lastPositionOf(deleted.position, released.position), () => ({ deletedAt }));
  }

  /**
   * The account, tenant and deletion time of a certificate this request's command already deleted (a retry with the
   * same Idempotency-Key after a crash between the deletion and the answer), null otherwise: the retry then finishes
   * the directory's release and answers as the first attempt did (its `deleted_at`), instead of 404.
   */
  private async recordedDeletion(ctx: RequestContext, certificateId: string): Promise<{ readonly account: string; readonly tenant: string | null; readonly deletedAt: string } | null> {
    if (!CERTIFICATE_ID_PATTERN.test(certificateId)) return null;
    const stream = CertificateLifecycleStreams.certificate(certificateId);
    const recorded = await recordedDeletionOf(this.writeModel.writeModel, stream, certificateDecider, ctx);
    if (!recorded) return null;
    const [uploaded] = await this.writeModel.store.readStream(stream, { maxCount: 1 });
    const data = uploaded?.data as { account?: string; tenant?: string | null } | undefined;
    return data?.account === undefined ? null : { account: data.account, tenant: data.tenant ?? null, deletedAt: recorded.deletedAt };
  }
}
