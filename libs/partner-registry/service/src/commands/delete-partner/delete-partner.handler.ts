import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, WriteModel } from '@as2-partners/kernel';
import { inheritedPartnerNotDeletable, partnerDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { AfterWrite, lastPositionOf, type RequestContext, requestMetadata } from '@as2-partners/platform';
import { tenantDirectoryScope } from '../../write-model/directory-scopes';
import { PartnerDirectoryService } from '../../write-model/partner-directory.service';
import { resolveWriteTarget } from '../../write-model/write-target';

@Injectable()
export class DeletePartnerHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly directory: PartnerDirectoryService,
  ) {}

  /** Deletes first, then releases the AS2 id: a crash in between leaves a reservation the next create heals. */
  async execute(ctx: RequestContext, partnerId: string): Promise<AfterWrite<{ id: string; deletedAt: string }>> {
    const target = await resolveWriteTarget(this.writeModel, ctx, partnerId);
    if (target.kind === 'inherited') throw inheritedPartnerNotDeletable(partnerId);
    const { account } = ctx.caller;
    const tenant = ctx.caller.tenant as string;
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, tenant, now);
    const deleted = await this.writeModel.decide(PartnerRegistryStreams.partner(partnerId),
      partnerDecider,
      () => ({ type: 'delete_partner' as const, partnerId, now: now.toISOString() }),
      metadata,
    );
    const released = await this.directory.release(tenantDirectoryScope(this.writeModel, account, tenant), partnerId, now, metadata);
    return new AfterWrite(lastPositionOf(deleted.position, released), () => ({ id: partnerId, deletedAt: now.toISOString() }));
  }
}
