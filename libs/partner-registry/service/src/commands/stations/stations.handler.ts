import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, WriteModel } from '@as2-partners/kernel';
import { PartnerRegistryStreams, stationDecider, stationInUse, stationNotFound, type StationRecord } from '@as2-partners/partner-registry-domain';
import { AfterWrite, commandOf, recordedDeletionOf, type RequestContext, requestMetadata, requireTenant } from '@as2-partners/platform';
import { ExchangeQueries } from '../../queries/exchange-views/exchange-queries';
import type { StationDocument } from '../../queries/exchange-views/exchange-view.documents';
import { PartnerQueries } from '../../queries/partner-views/partner-queries';
import { newStationId, STATION_ID_PATTERN } from '../../write-model/registry-ids';
import { StationMembership, stationOfPartner } from '../../write-model/station-membership';
import { requireVisibleInstance } from '../../write-model/visible-instance';
import type { CreateStationDto, UpdateStationDto } from './station.dto';

/** A tenant's stations: groups of partners with the e-mail failure notices go to. */
@Injectable()
export class StationsHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly queries: ExchangeQueries,
    private readonly partners: PartnerQueries,
    private readonly membership: StationMembership,
  ) {}

  async create(ctx: RequestContext, dto: CreateStationDto): Promise<AfterWrite<StationDocument>> {
    const tenant = requireTenant(ctx);
    const { account } = ctx.caller;
    await this.requireVisibleInstance(account, tenant, dto.as2_instance_id);
    const now = this.clock.now();
    const stationId = newStationId(ctx.commandId);
    const command = {
      type: 'create_station' as const,
      stationId,
      account,
      tenant,
      name: dto.name,
      notificationEmail: dto.notification_email,
      as2InstanceId: dto.as2_instance_id ?? null,
      now: now.toISOString(),
    };
    const decided = await this.writeModel.decide(PartnerRegistryStreams.station(stationId), stationDecider, command, requestMetadata(ctx, tenant, now), {
      attempts: 1,
      ...(ctx.commandId ? { commandId: ctx.commandId } : {}),
    });
    return new AfterWrite(decided.position, () => this.viewOf(account, tenant, stationId));
  }

  async update(ctx: RequestContext, stationId: string, dto: UpdateStationDto): Promise<AfterWrite<StationDocument>> {
    const station = await this.requireOwn(ctx, stationId);
    await this.requireVisibleInstance(station.account, station.tenant, dto.as2_instance_id);
    const now = this.clock.now();
    const changes = { name: dto.name, notificationEmail: dto.notification_email, as2InstanceId: dto.as2_instance_id };
    const decided = await this.writeModel.decide(
      PartnerRegistryStreams.station(stationId),
      stationDecider,
      () => ({ type: 'update_station' as const, stationId, changes, now: now.toISOString() }),
      requestMetadata(ctx, station.tenant, now),
    );
    return new AfterWrite(decided.position, () => this.viewOf(station.account, station.tenant, stationId));
  }

  /**
   * Refused (409 STATION_IN_USE) while partners are grouped under it: their failure notices would go nowhere. Decided
   * on the station's stream, where partners join before naming it, so a concurrent assignment is never missed.
   */
  async delete(ctx: RequestContext, stationId: string): Promise<AfterWrite<string>> {
    // With an Idempotency-Key, a retry after a crash that stored the deletion answers it again.
    const recorded = STATION_ID_PATTERN.test(stationId) ? await recordedDeletionOf(this.writeModel, PartnerRegistryStreams.station(stationId), stationDecider, ctx) : null;
    if (recorded) return new AfterWrite(null, () => recorded.deletedAt);
    const station = await this.requireOwn(ctx, stationId);
    const now = this.clock.now();
    // Partners that named the station before memberships were recorded on its stream, confirmed on the write side.
    const recordedBefore: string[] = [];
    for (const partnerId of await this.partners.partnerIdsOfStation(station.account, station.tenant, stationId)) {
      if ((await stationOfPartner(this.writeModel, station.account, station.tenant, partnerId)) === stationId) recordedBefore.push(partnerId);
    }
    const decided = await this.writeModel.decide(
      PartnerRegistryStreams.station(stationId),
      stationDecider,
      async (state) => {
        const unrecorded = recordedBefore.filter((partnerId) => state.status !== 'none' && !state.members.has(partnerId));
        if (unrecorded.length > 0) throw stationInUse(stationId, [...(state.status === 'none' ? [] : state.members.keys()), ...unrecorded]);
        return { type: 'delete_station' as const, stationId, releasedMembers: await this.membership.goneMembers(state, now), now: now.toISOString() };
      },
      requestMetadata(ctx, station.tenant, now),
      commandOf(ctx),
    );
    return new AfterWrite(decided.position, () => now.toISOString());
  }

  private async requireOwn(ctx: RequestContext, stationId: string): Promise<StationRecord> {
    const tenant = requireTenant(ctx);
    if (!STATION_ID_PATTERN.test(stationId)) throw stationNotFound(stationId);
    const { state } = await this.writeModel.load(PartnerRegistryStreams.station(stationId), stationDecider);
    if (state.status !== 'active' || state.station.account !== ctx.caller.account || state.station.tenant !== tenant) throw stationNotFound(stationId);
    return state.station;
  }

  /** A station's instance is optional: only one it names must be visible. */
  private async requireVisibleInstance(account: string, tenant: string, instanceId: string | null | undefined): Promise<void> {
    if (instanceId !== undefined && instanceId !== null) await requireVisibleInstance(this.writeModel, account, tenant, instanceId);
  }

  private async viewOf(account: string, tenant: string, stationId: string): Promise<StationDocument> {
    const doc = await this.queries.findStation(account, tenant, stationId);
    // Deleted right after this write: gone, as any read of it now says.
    if (!doc) throw stationNotFound(stationId);
    return doc;
  }
}
