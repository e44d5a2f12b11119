import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, DirectoryReservations, DomainError, forEachAtMost, inSlices, nextTurnOfLoop, type Clock, type EventMetadata, KeyedMutex, WriteModel } from '@as2-partners/kernel';
import {
  as2InstanceDecider,
  stationDecider,
  partnerDecider,
  partnerDirectoryDecider,
  partnerOverrideDecider,
  PartnerRegistryErrorCode,
  PartnerRegistryStreams,
  tenantDecider,
  tenantDeleted,
} from '@as2-partners/partner-registry-domain';
import { TenantSecrets } from '../secrets/tenant-secrets';
import { tenantDirectoryScope } from '../write-model/directory-scopes';
import { PartnerDirectoryService } from '../write-model/partner-directory.service';
import { ExchangeQueries } from '../queries/exchange-views/exchange-queries';
import { PartnershipRemoval } from '../write-model/partnership-removal';
import { as2InstanceDirectory, as2InstanceDirectoryDecider, releaseKeys } from '../write-model/unique-key-directories';

/** Partners (and overrides) a closure deletes at once. */
const CLOSING_AT_ONCE = 16;

/**
 * Master partners whose overrides a closure resets in one slice, a turn of the event loop between two: a master the
 * tenant never overrode is read and left with nothing awaited (~50 µs), and an account's 1,000 were read in one turn.
 */
const MASTERS_A_TURN = 128;

function later(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/**
 * Closes a deleted tenant's data after `tenant.deleted.v1` is recorded: destroys its data key (crypto-shredding its
 * secrets), deletes each of its partners with its own `partner.deleted.v1`, resets its overrides of master partners.
 * Every step is idempotent, so a retried DELETE or the reactor after a crash finishes whatever was left.
 */
@Injectable()
export class TenantClosure {
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly writeModel: WriteModel,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly secrets: TenantSecrets,
    private readonly directory: PartnerDirectoryService,
    private readonly reservations: DirectoryReservations,
    private readonly partnerships: PartnershipRemoval,
    private readonly exchange: ExchangeQueries,
  ) {}

  /** Position of the last event appended, null when nothing was left to do. */
  async close(account: string, tenant: string, metadata: EventMetadata): Promise<number | null> {
    return this.mutex.run(`${account}.${tenant}`, async () => {
      let last = await this.secrets.destroy(account, tenant, metadata);
      // The directory holds a reservation for every partner of the tenant that was not deleted.
      const { state: partners } = await this.writeModel.load(PartnerRegistryStreams.tenantDirectory(account, tenant), partnerDirectoryDecider);
      // Several at once: their appends share commits and WAL syncs (one after another, a hub of 15,000 partners took
      // ~38 s); each partner's own deletion and release stay in order.
      await forEachAtMost([...partners.reservations.values()], CLOSING_AT_ONCE, async (reservation) => {
        last = later(last, await this.deletePartner(account, tenant, reservation.partnerId, metadata));
      });
      const { state: masters } = await this.writeModel.load(PartnerRegistryStreams.masterDirectory(account), partnerDirectoryDecider);
      const reservations = [...masters.reservations.values()];
      await inSlices(reservations.length, MASTERS_A_TURN, nextTurnOfLoop, (from, to) =>
        forEachAtMost(reservations.slice(from, to), CLOSING_AT_ONCE, async (master) => {
          const reset = await this.writeModel.decide(PartnerRegistryStreams.override(account, tenant, master.partnerId),
            partnerOverrideDecider,
            () => ({ type: 'reset_overrides' as const, account, tenant, masterPartnerId: master.partnerId, now: this.clock.now().toISOString() }),
            metadata,
          );
          last = later(last, reset.position);
        }),
      );
      return later(last, await this.closeOurSide(account, tenant, metadata));
    });
  }

  /**
   * For a create that raced the deletion: once its partner is stored, a tenant deleted meanwhile (whose closure may
   * have missed the partner) gets it deleted here, and the create answers TENANT_DELETED.
   */
  async refuseIfDeletedMeanwhile(account: string, tenant: string, partnerId: string, metadata: EventMetadata): Promise<void> {
    const { state } = await this.writeModel.load(PartnerRegistryStreams.tenant(account, tenant), tenantDecider);
    if (state.status !== 'deleted') return;
    await this.deletePartner(account, tenant, partnerId, metadata);
    throw tenantDeleted(tenant);
  }

  /** Its partnerships, AS2 instances and stations end with their own events, so traffic control and others learn it. */
  private async closeOurSide(account: string, tenant: string, metadata: EventMetadata): Promise<number | null> {
    const now = this.clock.now();
    const pairs = await this.partnerships.pairsOfTenant(account, tenant);
    let last = await this.partnerships.removeAll(account, pairs, 'tenant_deleted', now, () => metadata);
    const directory = as2InstanceDirectory(this.writeModel, account, tenant);
    const { state: instances } = await this.writeModel.load(directory.stream, as2InstanceDirectoryDecider);
    for (const { holderId: instanceId } of instances.reservations.values()) {
      const stream = PartnerRegistryStreams.as2Instance(instanceId);
      const { state } = await this.writeModel.load(stream, as2InstanceDecider);
      if (state.status === 'active') {
        const deleted = await this.writeModel.decide(stream, as2InstanceDecider, () => ({ type: 'delete_as2_instance' as const, instanceId, now: now.toISOString() }), metadata);
        last = later(last, deleted.position);
      }
      last = later(last, (await this.reservations.release(directory, releaseKeys(instanceId, 'deleted', now), metadata)).position);
    }
    // Stations have no directory: the view lists them (every station created before the deletion was projected).
    const stationIds: string[] = [];
    for (let page = 1; ; page += 1) {
      const { items } = await this.exchange.listStations(account, tenant, { page, perPage: 100 });
      stationIds.push(...items.map((s) => s.stationId));
      if (items.length < 100) break;
    }
    for (const stationId of stationIds) {
      const stream = PartnerRegistryStreams.station(stationId);
      if ((await this.writeModel.load(stream, stationDecider)).state.status !== 'active') continue;
      // The tenant is closing: its partners go with it, so the station's members are dropped with it.
      const deleted = await this.writeModel.decide(
        stream,
        stationDecider,
        (state) => ({ type: 'delete_station' as const, stationId, releasedMembers: state.status === 'active' ? [...state.members.keys()] : [], now: now.toISOString() }),
        metadata,
      );
      last = later(last, deleted.position);
    }
    return last;
  }

  private async deletePartner(account: string, tenant: string, partnerId: string, metadata: EventMetadata): Promise<number | null> {
    const now = this.clock.now();
    let deleted: number | null = null;
    try {
      const result = await this.writeModel.decide(PartnerRegistryStreams.partner(partnerId),
        partnerDecider,
        () => ({ type: 'delete_partner' as const, partnerId, now: now.toISOString() }),
        metadata,
      );
      deleted = result.position;
    } catch (error) {
      // Already deleted, or a create that never stored its partner: only the reservation is left to release.
      if (!(error instanceof DomainError && error.code === PartnerRegistryErrorCode.PartnerNotFound)) throw error;
    }
    const released = await this.directory.release(tenantDirectoryScope(this.writeModel, account, tenant), partnerId, now, metadata);
    return later(deleted, released);
  }
}
