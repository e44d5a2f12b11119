import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  CLOCK,
  EVENT_STORE,
  FollowedReactor,
  PARKED_EVENT_STORE,
  PROJECTION_REGISTRY,
  type CheckpointStore,
  type Clock,
  type EventStore,
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
export class PartnershipRemovalReactor extends FollowedReactor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = PARTNERSHIP_REMOVAL_REACTOR;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(EVENT_STORE_CHECKPOINTS) checkpoints: CheckpointStore,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PARKED_EVENT_STORE) parked: ParkedEventStore,
    @Inject(PROJECTION_REGISTRY) registry: ProjectionRegistry,
    private readonly removal: PartnershipRemoval,
  ) {
    super({ store, checkpoints, parked, clock, logger: followerLoggerOf(new Logger('PartnershipRemoval')) });
    registry.registerReplayer({ name: PARTNERSHIP_REMOVAL_REACTOR, replayParked: (entry) => this.replayParked(entry) });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.startProjections === false) return;
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  protected accepts(event: RecordedEvent): boolean {
    return ACCEPTED.includes(event.type);
  }

  protected async react(recorded: RecordedEvent): Promise<void> {
    const event = recorded as RecordedEvent & EndDeleted;
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
