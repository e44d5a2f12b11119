import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, WriteModel } from '@as2-partners/kernel';
import { notAnInheritedPartner, partnerNotFound, partnerOverrideDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { AfterWrite, lastPositionOf, type RequestContext, requestMetadata, requireTenant, stationMovesGate, WRITE_GATES } from '@as2-partners/platform';
import { PartnerQueries } from '../../queries/partner-views/partner-queries';
import type { PartnerViewDocument } from '../../queries/partner-views/partner-view.document';
import { StationMembership, stationOfPartner } from '../../write-model/station-membership';
import { resolveWriteTarget } from '../../write-model/write-target';

@Injectable()
export class PartnerOverridesHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly queries: PartnerQueries,
    private readonly membership: StationMembership,
  ) {}

  async show(ctx: RequestContext, partnerId: string): Promise<PartnerViewDocument> {
    await this.requireInherited(ctx, partnerId);
    return this.view(ctx, partnerId);
  }

  /** Back to the master's configuration for this tenant. */
  reset(ctx: RequestContext, partnerId: string): Promise<AfterWrite<PartnerViewDocument>> {
    const { account } = ctx.caller;
    // It leaves the override's station: one station move of the partner at a time (see UpdatePartnerHandler).
    return WRITE_GATES.closed(stationMovesGate(account, requireTenant(ctx), partnerId), () => this.resetInside(ctx, partnerId));
  }

  private async resetInside(ctx: RequestContext, partnerId: string): Promise<AfterWrite<PartnerViewDocument>> {
    await this.requireInherited(ctx, partnerId);
    const { account } = ctx.caller;
    const tenant = ctx.caller.tenant as string;
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, tenant, now);
    // The override held the tenant's station (a master partner has none): resetting leaves it.
    const move = { partnerId, previous: await stationOfPartner(this.writeModel, account, tenant, partnerId), next: null };
    const { result, position } = await this.membership.around(move, now, metadata, () =>
      this.writeModel.decide(PartnerRegistryStreams.override(account, tenant, partnerId),
        partnerOverrideDecider,
        () => ({ type: 'reset_overrides' as const, account, tenant, masterPartnerId: partnerId, now: now.toISOString() }),
        metadata,
      ),
    );
    return new AfterWrite(lastPositionOf(result.position, position), () => this.view(ctx, partnerId));
  }

  private async requireInherited(ctx: RequestContext, partnerId: string): Promise<void> {
    const target = await resolveWriteTarget(this.writeModel, ctx, partnerId);
    if (target.kind !== 'inherited') throw notAnInheritedPartner(partnerId);
  }

  private async view(ctx: RequestContext, partnerId: string): Promise<PartnerViewDocument> {
    const partner = await this.queries.findForTenant(ctx.caller.account, ctx.caller.tenant as string, partnerId);
    if (!partner) throw partnerNotFound(partnerId);
    return partner;
  }
}
