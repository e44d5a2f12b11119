import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, WriteModel } from '@as2-partners/kernel';
import {
  applyPartnerChanges,
  partnerDecider,
  partnerNotFound,
  partnerOverrideDecider,
  PartnerRegistryStreams,
  type PartnerSettings,
  validatePartnerSettings,
} from '@as2-partners/partner-registry-domain';
import { AfterWrite, inheritedContactGate, PLATFORM_CONFIG, requireTenant, stationMovesGate, WRITE_GATES, WriteVisibility, type PlatformConfig, type RequestContext, requestMetadata } from '@as2-partners/platform';
import { partnerChangesFromDto } from '../../partner-settings/partner-changes.mapper';
import { PartnerQueries } from '../../queries/partner-views/partner-queries';
import type { PartnerViewDocument } from '../../queries/partner-views/partner-view.document';
import { TenantSecrets } from '../../secrets/tenant-secrets';
import { requireStationFor } from '../../write-model/station-check';
import { StationMembership, stationOfPartner } from '../../write-model/station-membership';
import { resolveWriteTarget, type WriteTarget } from '../../write-model/write-target';
import type { UpdatePartnerDto } from './update-partner.dto';

export interface UpdateOutcome {
  /** True when the partner is inherited: the change became a tenant override, the master is untouched. */
  readonly overridden: boolean;
  readonly partner: PartnerViewDocument;
}

@Injectable()
export class UpdatePartnerHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    private readonly secrets: TenantSecrets,
    private readonly queries: PartnerQueries,
    private readonly membership: StationMembership,
    private readonly visibility: WriteVisibility,
  ) {}

  /**
   * Answers the partner's view: an inherited partner's shows the master merged with this tenant's overrides. Its route
   * runs inside the partner's gate: a deletion of the partner, a master's by its account, runs before or after it.
   */
  execute(ctx: RequestContext, partnerId: string, dto: UpdatePartnerDto): Promise<AfterWrite<UpdateOutcome>> {
    const update = () => this.update(ctx, partnerId, dto);
    // A station move reads the partner's station, then leaves it: two at once would both leave the same one.
    const moving = dto.station_id === undefined ? update : () => WRITE_GATES.closed(stationMovesGate(ctx.caller.account, requireTenant(ctx), partnerId), update);
    if (dto.station_id === undefined && dto.email === undefined) return moving();
    // A station or email checked against an inherited partner's master: one at a time with its account's email removal,
    // each seeing the other's views.
    return WRITE_GATES.closed(inheritedContactGate(ctx.caller.account, partnerId), async () => {
      const written = await moving();
      await this.visibility.reach(written.position);
      return written;
    });
  }

  private async update(ctx: RequestContext, partnerId: string, dto: UpdatePartnerDto): Promise<AfterWrite<UpdateOutcome>> {
    const target = await resolveWriteTarget(this.writeModel, ctx, partnerId);
    const { account } = ctx.caller;
    const tenant = ctx.caller.tenant as string;
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, tenant, now);
    await requireStationFor(this.writeModel, account, tenant, dto.station_id);
    const current = await this.settingsOf(target, account, tenant, partnerId);
    const changes = await partnerChangesFromDto(dto, (password) => this.secrets.seal(account, tenant, password, metadata), this.config.privateEndpointsAllow, current.firewall);
    // A partner's own settings are checked whole by its decider; an override's station or email, on the master's
    // settings with the tenant's changes (a change of anything else is the tenant's to make whatever the master did since).
    if (target.kind === 'inherited' && (changes.stationId !== undefined || changes.email !== undefined)) validatePartnerSettings(applyPartnerChanges(current, changes));
    const previous = dto.station_id === undefined ? null : await stationOfPartner(this.writeModel, account, tenant, partnerId);
    const move = { partnerId, previous, next: dto.station_id === undefined ? previous : dto.station_id };
    const updatePartner = () => ({ type: 'update_partner' as const, partnerId, changes, now: now.toISOString() });
    // A write its decider refuses joins no station: decided once on the state just read before the partner joins one, so
    // a refused PATCH leaves no membership events (assigned, then unassigned as stale) in the station's stream.
    if (target.kind === 'tenant' && move.next !== null && move.next !== previous) partnerDecider.decide(updatePartner(), { status: 'active', partner: target.partner });
    const { result } = await this.membership.around(move, now, metadata, (): Promise<{ position: number | null }> =>
      target.kind === 'tenant'
        ? this.writeModel.decide(PartnerRegistryStreams.partner(partnerId), partnerDecider, updatePartner, metadata)
        : this.writeModel.decide(PartnerRegistryStreams.override(account, tenant, partnerId),
            partnerOverrideDecider,
            () => ({ type: 'set_overrides' as const, account, tenant, masterPartnerId: partnerId, changes, now: now.toISOString() }),
            metadata,
          ),
    );
    return new AfterWrite(result.position, async () => {
      const partner = await this.queries.findForTenant(account, tenant, partnerId);
      // Deleted right after this write (a master by its account): gone, as any read of it now says.
      if (!partner) throw partnerNotFound(partnerId);
      return { overridden: target.kind === 'inherited', partner };
    });
  }

  /** What the tenant has now: its own partner's settings, or the master's with the tenant's overrides. */
  private async settingsOf(target: WriteTarget, account: string, tenant: string, partnerId: string): Promise<PartnerSettings> {
    if (target.kind === 'tenant') return target.partner.settings;
    const { state } = await this.writeModel.load(PartnerRegistryStreams.override(account, tenant, partnerId), partnerOverrideDecider);
    return state.status === 'overridden' ? applyPartnerChanges(target.master.settings, state.overrides) : target.master.settings;
  }
}
