import { DEFAULT_RESERVATION_GRACE_MS, type Decision, type EventMetadata, type WriteModel } from '@as2-partners/kernel';
import {
  masterPartnerDecider,
  partnerDecider,
  partnerOverrideDecider,
  PartnerRegistryStreams,
  stationDecider,
  type StationEvent,
  type StationState,
} from '@as2-partners/partner-registry-domain';

/** The station a tenant's partner names on the write side: its own setting, or for an inherited partner the tenant's override. */
export async function stationOfPartner(writeModel: WriteModel, account: string, tenant: string, partnerId: string): Promise<string | null> {
  const own = (await writeModel.load(PartnerRegistryStreams.partner(partnerId), partnerDecider)).state;
  if (own.status !== 'none') return own.status === 'active' ? (own.partner.settings.stationId ?? null) : null;
  // An override outlives its master partner's deletion: a deleted master is in no station.
  if ((await writeModel.load(PartnerRegistryStreams.masterPartner(partnerId), masterPartnerDecider)).state.status !== 'active') return null;
  const override = (await writeModel.load(PartnerRegistryStreams.override(account, tenant, partnerId), partnerOverrideDecider)).state;
  return override.status === 'overridden' ? (override.overrides.stationId ?? null) : null;
}

/** Whether the partner is deleted (its own stream, or the master partner it is): no write of it is still on its way. */
async function partnerDeleted(writeModel: WriteModel, partnerId: string): Promise<boolean> {
  const own = (await writeModel.load(PartnerRegistryStreams.partner(partnerId), partnerDecider)).state;
  if (own.status !== 'none') return own.status === 'deleted';
  return (await writeModel.load(PartnerRegistryStreams.masterPartner(partnerId), masterPartnerDecider)).state.status === 'deleted';
}

/**
 * Which partners a station has, kept on the station's own stream: a partner joins it (`station.partner_assigned.v1`)
 * before its own write names the station, and leaves it after. A deletion decides on the same stream, so a concurrent
 * assignment either lands first (409 STATION_IN_USE) or is refused (the station is gone): never both. A member whose
 * partner never came to name the station (a refused or crashed write) is stale once older than the grace period.
 */
export class StationMembership {
  constructor(
    private readonly writeModel: WriteModel,
    private readonly graceMs = DEFAULT_RESERVATION_GRACE_MS,
  ) {}

  async assign(stationId: string, partnerId: string, now: Date, metadata: EventMetadata): Promise<Decision<StationState, StationEvent>> {
    return this.writeModel.decide(PartnerRegistryStreams.station(stationId), stationDecider, { type: 'assign_partner', stationId, partnerId, now: now.toISOString() }, metadata);
  }

  async unassign(stationId: string, partnerId: string, reason: 'moved' | 'deleted' | 'stale', now: Date, metadata: EventMetadata): Promise<number | null> {
    const decided = await this.writeModel.decide(
      PartnerRegistryStreams.station(stationId),
      stationDecider,
      { type: 'unassign_partner', stationId, partnerId, reason, now: now.toISOString() },
      metadata,
    );
    return decided.position;
  }

  /**
   * Moves a partner's membership around its own write: joins `next` first, runs the write, then leaves `previous`; a
   * refused write leaves `next` again. Answers the write's result and the last position appended.
   */
  async around<T>(
    move: { readonly partnerId: string; readonly previous: string | null; readonly next: string | null },
    now: Date,
    metadata: EventMetadata,
    write: () => Promise<T>,
  ): Promise<{ readonly result: T; readonly position: number | null }> {
    const { partnerId, previous, next } = move;
    const joins = next !== null && next !== previous;
    let position: number | null = null;
    if (joins) position = (await this.assign(next, partnerId, now, metadata)).position;
    let result: T;
    try {
      result = await write();
    } catch (error) {
      if (joins) await this.unassign(next, partnerId, 'stale', now, metadata).catch(() => undefined);
      throw error;
    }
    if (previous !== null && previous !== next) position = (await this.unassign(previous, partnerId, 'moved', now, metadata)) ?? position;
    return { result, position };
  }

  /** The members a deletion may drop: those whose partner does not name the station on the write side, once past the grace period. */
  async goneMembers(state: StationState, now: Date): Promise<string[]> {
    if (state.status !== 'active') return [];
    const { account, tenant, stationId } = state.station;
    const gone: string[] = [];
    for (const [partnerId, assignedAt] of state.members.entries()) {
      // A member within the grace period may still be writing, unless its partner is deleted (a master partner the
      // account deleted under a tenant's override); one past it is gone once its partner no longer names the station.
      const recent = Date.parse(assignedAt) > now.getTime() - this.graceMs;
      if (recent ? await partnerDeleted(this.writeModel, partnerId) : (await stationOfPartner(this.writeModel, account, tenant, partnerId)) !== stationId) gone.push(partnerId);
    }
    return gone;
  }
}
