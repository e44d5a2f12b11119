import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, WriteModel } from '@as2-partners/kernel';
import { inheritedPartnerNotDeletable, partnerDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { AfterWrite, commandOf, lastPositionOf, recordedDeletionOf, type RequestContext, requestMetadata } from '@as2-partners/platform';
import { tenantDirectoryScope } from '../../write-model/directory-scopes';
import { PartnerDirectoryService } from '../../write-model/partner-directory.service';
import { StationMembership, stationOfPartner } from '../../write-model/station-membership';
import { resolveWriteTarget } from '../../write-model/write-target';

@Injectable()
export class DeletePartnerHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly directory: PartnerDirectoryService,
    private readonly membership: StationMembership,
  ) {}

  /**
   * Deletes first, then releases the AS2 id and leaves the station: a crash in between leaves a reservation the next
   * create heals, and a membership the station's deletion finds stale. With an Idempotency-Key the deletion is this
   * command's: a retry after a crash that stored it (the partner gone) finishes the release and answers it again. Its
   * route closes the partner's gate until answered: a write under the partner or a partnership of it came before, or
   * finds it deleted.
   */
  async execute(ctx: RequestContext, partnerId: string): Promise<AfterWrite<{ id: string; deletedAt: string }>> {
    const stream = PartnerRegistryStreams.partner(partnerId);
    const recorded = await recordedDeletionOf(this.writeModel, stream, partnerDecider, ctx);
    if (!recorded) {
      const target = await resolveWriteTarget(this.writeModel, ctx, partnerId);
      if (target.kind === 'inherited') throw inheritedPartnerNotDeletable(partnerId);
    }
    const { account } = ctx.caller;
    const tenant = ctx.caller.tenant as string;
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, tenant, now);
    const station = await stationOfPartner(this.writeModel, account, tenant, partnerId);
    const deleted = await this.writeModel.decide(stream, partnerDecider, () => ({ type: 'delete_partner' as const, partnerId, now: now.toISOString() }), metadata, commandOf(ctx));
    const deletedAt = recorded?.deletedAt ?? now.toISOString();
    const released = await this.directory.release(tenantDirectoryScope(this.writeModel, account, tenant), partnerId, now, metadata);
    const left = station === null ? null : await this.membership.unassign(station, partnerId, 'deleted', now, metadata);
    return new AfterWrite(lastPositionOf(deleted.position, released, left), () => ({ id: partnerId, deletedAt }));
  }
}
