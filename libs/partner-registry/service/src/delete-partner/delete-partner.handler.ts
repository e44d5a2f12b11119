import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, WriteModel } from '@as2-partners/kernel';
import { inheritedPartnerNotDeletable, partnerDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import type { PublicationBarrier, RequestContext } from '@as2-partners/platform';
import { PartnerViewsProjection } from '../read-model/partner-views.projection';
import { tenantDirectoryScope } from '../write-model/directory-scopes';
import { eventMetadataOf } from '../write-model/event-envelopes';
import { PartnerDirectoryService } from '../write-model/partner-directory.service';
import { resolveWriteTarget } from '../write-model/write-target';
import { PARTNER_REGISTRY_PUBLICATION_BARRIER } from '../write-model/publication-barrier.token';

@Injectable()
export class DeletePartnerHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PARTNER_REGISTRY_PUBLICATION_BARRIER) private readonly published: PublicationBarrier,
    private readonly directory: PartnerDirectoryService,
    private readonly projection: PartnerViewsProjection,
  ) {}

  /** Deletes first, then releases the AS2 id: a crash in between leaves a reservation the next create heals. */
  async execute(ctx: RequestContext, partnerId: string): Promise<{ id: string; deletedAt: string }> {
    const target = await resolveWriteTarget(this.writeModel, ctx, partnerId);
    if (target.kind === 'inherited') throw inheritedPartnerNotDeletable(partnerId);
    const { account } = ctx.caller;
    const tenant = ctx.caller.tenant as string;
    const now = this.clock.now();
    const metadata = eventMetadataOf(ctx, tenant, now);
    const deleted = await this.writeModel.decide(PartnerRegistryStreams.partner(partnerId),
      partnerDecider,
      () => ({ type: 'delete_partner' as const, partnerId, now: now.toISOString() }),
      metadata,
    );
    const released = await this.directory.release(tenantDirectoryScope(this.writeModel, account, tenant), partnerId, now, metadata);
    const last = Math.max(deleted.position ?? 0, released ?? 0);
    await Promise.all([this.projection.waitFor(last), this.published.delivered(last)]);
    return { id: partnerId, deletedAt: now.toISOString() };
  }
}
