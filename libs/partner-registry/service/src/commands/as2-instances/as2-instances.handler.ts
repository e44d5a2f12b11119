import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, DirectoryReservations, DomainError, type EventMetadata, timeOrderedUuid, WriteModel } from '@as2-partners/kernel';
import {
  as2InstanceDecider,
  as2InstanceInUse,
  as2InstanceNotFound,
  inheritedAs2InstanceReadOnly,
  PartnerRegistryErrorCode,
  PartnerRegistryStreams,
  stationDecider,
  type As2InstanceRecord,
} from '@as2-partners/partner-registry-domain';
import { AfterWrite, commandOf, lastPositionOf, recordedDeletionOf, type RequestContext, requestMetadata } from '@as2-partners/platform';
import { ExchangeQueries } from '../../queries/exchange-views/exchange-queries';
import type { As2InstanceDocument } from '../../queries/exchange-views/exchange-view.documents';
import { PartnershipRemoval } from '../../write-model/partnership-removal';
import { AS2_INSTANCE_ID_PATTERN, newAs2InstanceId } from '../../write-model/registry-ids';
import { as2InstanceDirectory, releaseKeys, reserveKey, settleKeyClaim, type UniqueKeyDirectory } from '../../write-model/unique-key-directories';
import type { CreateAs2InstanceDto, UpdateAs2InstanceDto } from './as2-instance.dto';

/** Whose instances a route acts on: a tenant's own, or (tenant null) the account's master instances. */
export interface InstanceScope {
  readonly account: string;
  readonly tenant: string | null;
}

/** Our AS2 identities: my_as2_id unique in its scope through the directory stream, deletes refused while partnerships name them. */
@Injectable()
export class As2InstancesHandler {
  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reservations: DirectoryReservations,
    private readonly removal: PartnershipRemoval,
    private readonly queries: ExchangeQueries,
  ) {}

  async create(ctx: RequestContext, scope: InstanceScope, dto: CreateAs2InstanceDto): Promise<AfterWrite<As2InstanceDocument>> {
    const now = this.clock.now();
    const instanceId = newAs2InstanceId(ctx.commandId);
    const metadata = requestMetadata(ctx, scope.tenant, now);
    const command = {
      type: 'create_as2_instance' as const,
      instanceId,
      account: scope.account,
      tenant: scope.tenant,
      myAs2Id: dto.my_as2_id,
      myName: dto.my_name,
      myAs2Alias: dto.my_as2_alias,
      myEmail: dto.my_email,
      status: dto.status ?? 'on',
      now: now.toISOString(),
    };
    const { created } = await this.reservations.reserveThenCreate(
      as2InstanceDirectory(this.writeModel, scope.account, scope.tenant),
      { reserve: reserveKey(dto.my_as2_id, instanceId, now), release: releaseKeys(instanceId, 'stale', now) },
      { stream: PartnerRegistryStreams.as2Instance(instanceId), decider: as2InstanceDecider, command, ...(ctx.commandId ? { commandId: ctx.commandId } : {}) },
      now,
      metadata,
    );
    return new AfterWrite(created.position, () => this.viewOf(scope, instanceId));
  }

  /**
   * A my_as2_id given is claimed in the directory before the change (a concurrent change of the same instance may have
   * moved it away from the id read here) and the claim settled after it, applied or refused: the directory then
   * releases the ids the instance no longer has, so concurrent changes leave exactly its current id reserved.
   */
  async update(ctx: RequestContext, scope: InstanceScope, instanceId: string, dto: UpdateAs2InstanceDto): Promise<AfterWrite<As2InstanceDocument>> {
    const current = await this.requireOwn(scope, instanceId);
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, scope.tenant, now);
    const directory = as2InstanceDirectory(this.writeModel, scope.account, scope.tenant);
    const command = {
      type: 'update_as2_instance' as const,
      instanceId,
      changes: { myAs2Id: dto.my_as2_id, myName: dto.my_name, myAs2Alias: dto.my_as2_alias, myEmail: dto.my_email, status: dto.status },
      now: now.toISOString(),
    };
    // Refused changes (bad format) never touch the directory.
    as2InstanceDecider.decide(command, { status: 'active', instance: current });
    if (dto.my_as2_id === undefined) {
      const decided = await this.writeModel.decide(PartnerRegistryStreams.as2Instance(instanceId), as2InstanceDecider, command, metadata);
      return new AfterWrite(decided.position, () => this.viewOf(scope, instanceId));
    }
    const claimId = timeOrderedUuid(now.getTime());
    await this.reservations.reserve(directory, reserveKey(dto.my_as2_id, instanceId, now, claimId), now, metadata);
    let decided;
    try {
      // Its events' ids derive from the claim's: the completion reactor recognises the claim of a recorded change.
      decided = await this.writeModel.decide(PartnerRegistryStreams.as2Instance(instanceId), as2InstanceDecider, command, metadata, { commandId: claimId });
    } catch (error) {
      await this.settleClaim(directory, instanceId, claimId, now, metadata).catch(() => undefined);
      throw error;
    }
    const settled = await this.settleClaim(directory, instanceId, claimId, now, metadata);
    return new AfterWrite(lastPositionOf(decided.position, settled), () => this.viewOf(scope, instanceId));
  }

  private async settleClaim(directory: UniqueKeyDirectory, instanceId: string, claimId: string, now: Date, metadata: EventMetadata): Promise<number | null> {
    const { state, revision } = await this.writeModel.load(PartnerRegistryStreams.as2Instance(instanceId), as2InstanceDecider);
    const key = state.status === 'active' ? state.instance.myAs2Id : null;
    return (await this.reservations.release(directory, settleKeyClaim(instanceId, claimId, { key, revision }, now), metadata)).position;
  }

  /**
   * Refused while partnerships name the instance, unless `cascade`: then each partnership is deleted first, with its own
   * event. With an Idempotency-Key, a retry after a crash that stored the deletion finishes the release and answers it again.
   */
  async delete(ctx: RequestContext, scope: InstanceScope, instanceId: string, cascade: boolean): Promise<AfterWrite<string>> {
    // Its route closes the instance's gate until answered: a partnership created meanwhile is in the pairs read below, or finds the instance deleted.
    const stream = PartnerRegistryStreams.as2Instance(instanceId);
    const recorded = AS2_INSTANCE_ID_PATTERN.test(instanceId) ? await recordedDeletionOf(this.writeModel, stream, as2InstanceDecider, ctx) : null;
    if (recorded) {
      const now = this.clock.now();
      const released = await this.reservations.release(as2InstanceDirectory(this.writeModel, scope.account, scope.tenant), releaseKeys(instanceId, 'deleted', now), requestMetadata(ctx, scope.tenant, now));
      return new AfterWrite(released.position, () => recorded.deletedAt);
    }
    await this.requireOwn(scope, instanceId);
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, scope.tenant, now);
    const pairs = await this.removal.pairsOfInstance(scope.account, instanceId);
    if (pairs.length > 0 && !cascade) throw as2InstanceInUse(instanceId, pairs.map((p) => p.partnershipId));
    const removed = await this.removal.removeAll(scope.account, pairs, 'as2_instance_deleted', now, (pair) => pairTenantMetadata(metadata, pair.tenant));
    const unset = await this.unsetAsStationDefault(scope, instanceId, now, metadata);
    const deleted = await this.writeModel.decide(stream, as2InstanceDecider, () => ({ type: 'delete_as2_instance' as const, instanceId, now: now.toISOString() }), metadata, commandOf(ctx));
    const released = await this.reservations.release(as2InstanceDirectory(this.writeModel, scope.account, scope.tenant), releaseKeys(instanceId, 'deleted', now), metadata);
    return new AfterWrite(lastPositionOf(removed, unset, deleted.position, released.position), () => now.toISOString());
  }

  /** A station never keeps a deleted instance as its default identity: each one naming it is cleared by its own station.updated.v1. */
  private async unsetAsStationDefault(scope: InstanceScope, instanceId: string, now: Date, metadata: EventMetadata): Promise<number | null> {
    let position: number | null = null;
    for (const station of await this.queries.stationsNamingInstance(scope.account, scope.tenant, instanceId)) {
      try {
        const decided = await this.writeModel.decide(
          PartnerRegistryStreams.station(station.stationId),
          stationDecider,
          (state) => ({ type: 'update_station' as const, stationId: station.stationId, changes: { as2InstanceId: state.status === 'active' && state.station.as2InstanceId === instanceId ? null : undefined }, now: now.toISOString() }),
          pairTenantMetadata(metadata, station.tenant),
        );
        position = lastPositionOf(position, decided.position);
      } catch (error) {
        // Deleted meanwhile: nothing left to clear.
        if (!(error instanceof DomainError && error.code === PartnerRegistryErrorCode.StationNotFound)) throw error;
      }
    }
    return position;
  }

  /** From the write model: another tenant's or account's instance is not found; an inherited one is read-only for tenants. */
  private async requireOwn(scope: InstanceScope, instanceId: string): Promise<As2InstanceRecord> {
    if (!AS2_INSTANCE_ID_PATTERN.test(instanceId)) throw as2InstanceNotFound(instanceId);
    const { state } = await this.writeModel.load(PartnerRegistryStreams.as2Instance(instanceId), as2InstanceDecider);
    if (state.status !== 'active' || state.instance.account !== scope.account) throw as2InstanceNotFound(instanceId);
    if (state.instance.tenant === scope.tenant) return state.instance;
    if (state.instance.tenant === null) throw inheritedAs2InstanceReadOnly(instanceId);
    throw as2InstanceNotFound(instanceId);
  }

  private async viewOf(scope: InstanceScope, instanceId: string): Promise<As2InstanceDocument> {
    const doc =
      scope.tenant === null
        ? await this.queries.findMasterInstance(scope.account, instanceId)
        : await this.queries.findInstanceForTenant(scope.account, scope.tenant, instanceId);
    // Deleted right after this write: gone, as any read of it now says.
    if (!doc) throw as2InstanceNotFound(instanceId);
    return doc;
  }
}

/** A partnership's events carry the partnership's tenant, even when an account-level request ends it. */
export function pairTenantMetadata(metadata: EventMetadata, tenant: string): EventMetadata {
  return { ...metadata, tenant };
}
