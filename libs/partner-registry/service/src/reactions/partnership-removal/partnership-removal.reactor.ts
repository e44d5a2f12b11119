import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  CheckpointedFollower,
  CLOCK,
  EVENT_STORE,
  PARKED_EVENT_STORE,
  PROJECTION_REGISTRY,
  type CheckpointStore,
  type Clock,
  type EventStore,
  type FollowerLag,
  type ParkedEvent,
  type ParkedEventStore,
  type ProjectionRegistry,
  type RecordedEvent,
} from '@as2-partners/kernel';
import type { As2InstanceDeleted, MasterPartnerDeleted, PartnerDeleted } from '@as2-partners/partner-registry-domain';
import { EVENT_SOURCING_OPTIONS, EVENT_STORE_CHECKPOINTS, type EventSourcingOptions, followerLoggerOf, systemMetadata } from '@as2-partners/platform';
import { PartnershipRemoval, type PairRef } from '../../write-model/partnership-removal';
import { PARTNER_REGISTRY_SERVICE } from '../../write-model/publication-barrier.token';

export const PARTNERSHIP_REMOVAL_REACTOR = 'partner-registry.partnership-removal';

type EndDeleted = PartnerDeleted | MasterPartnerDeleted | As2InstanceDeleted;
const ACCEPTED: readonly string[] = ['partner.deleted.v1', 'master_partner.deleted.v1', 'as2_instance.deleted.v1'];

/**
 * A deleted partner or AS2 instance takes its partnerships with it, each with its own `partnership.deleted.v1`
 * (actor: the service, causation: the deletion): it follows the store from a checkpoint, so a crash in between is
 * finished after a restart, and the pairs come from the write side's partnership directory.
 */
@Injectable()
export class PartnershipRemovalReactor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PartnershipRemoval');
  private follower: CheckpointedFollower | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_STORE_CHECKPOINTS) private readonly checkpoints: CheckpointStore,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PARKED_EVENT_STORE) private readonly parked: ParkedEventStore,
    @Inject(PROJECTION_REGISTRY) registry: ProjectionRegistry,
    private readonly removal: PartnershipRemoval,
  ) {
    registry.registerReplayer({ name: PARTNERSHIP_REMOVAL_REACTOR, replayParked: (entry) => this.replayParked(entry) });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.startProjections === false) return;
    this.follower = new CheckpointedFollower({
      name: PARTNERSHIP_REMOVAL_REACTOR,
      store: this.store,
      checkpoints: this.checkpoints,
      parked: this.parked,
      clock: this.clock,
      accepts: (event) => ACCEPTED.includes(event.type),
      handle: (event) => this.react(event as RecordedEvent & EndDeleted),
      logger: followerLoggerOf(this.logger),
    });
    await this.follower.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const follower = this.follower;
    this.follower = null;
    await follower?.stop();
  }

  waitFor(position: number, timeoutMs?: number): Promise<void> {
    if (!this.follower) return Promise.reject(new Error(`${PARTNERSHIP_REMOVAL_REACTOR} is not running`));
    return this.follower.waitFor(position, timeoutMs);
  }

  lag(): Promise<FollowerLag | null> {
    return this.follower ? this.follower.lag() : Promise.resolve(null);
  }

  async replayParked(entry: ParkedEvent): Promise<void> {
    if (entry.consumer !== PARTNERSHIP_REMOVAL_REACTOR) throw new Error(`${entry.id} was parked by ${entry.consumer}, not ${PARTNERSHIP_REMOVAL_REACTOR}`);
    await this.react(entry.event as RecordedEvent & EndDeleted);
    await this.parked.remove(entry.id);
  }

  private async react(event: RecordedEvent & EndDeleted): Promise<void> {
    const { account, tenant } = event.metadata;
    const [pick, reason] = pickerOf(event, tenant);
    const pairs = await this.removal.pairs(account, pick);
    const now = this.clock.now();
    const actor = { type: 'service' as const, id: PARTNER_REGISTRY_SERVICE };
    await this.removal.removeAll(account, pairs, reason, now, (pair) => systemMetadata({ account, tenant: pair.tenant }, actor, now, event));
  }
}

function pickerOf(event: EndDeleted, tenant: string | null): [(pair: Omit<PairRef, 'partnershipId'>) => boolean, 'partner_deleted' | 'as2_instance_deleted'] {
  switch (event.type) {
    case 'partner.deleted.v1':
      return [(pair) => pair.partnerId === event.data.partnerId && pair.tenant === tenant, 'partner_deleted'];
    case 'master_partner.deleted.v1':
      return [(pair) => pair.partnerId === event.data.partnerId, 'partner_deleted'];
    case 'as2_instance.deleted.v1':
      return [(pair) => pair.as2InstanceId === event.data.instanceId, 'as2_instance_deleted'];
  }
}
