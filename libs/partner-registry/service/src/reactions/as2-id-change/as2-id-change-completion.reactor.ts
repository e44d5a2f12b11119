import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  CLOCK,
  EVENT_STORE,
  FollowedReactor,
  PARKED_EVENT_STORE,
  PROJECTION_REGISTRY,
  WriteModel,
  type CheckpointStore,
  type Clock,
  type EventStore,
  type ParkedEventStore,
  type ProjectionRegistry,
  type RecordedEvent,
} from '@as2-partners/kernel';
import {
  masterPartnerDecider,
  partnerDecider,
  PartnerRegistryStreams,
  type MasterPartnerAs2IdChanged,
  type PartnerAs2IdChanged,
} from '@as2-partners/partner-registry-domain';
import { EVENT_SOURCING_OPTIONS, EVENT_STORE_CHECKPOINTS, type EventSourcingOptions, followerLoggerOf, systemMetadata } from '@as2-partners/platform';
import { masterDirectoryScope, tenantDirectoryScope } from '../../write-model/directory-scopes';
import { PartnerDirectoryService } from '../../write-model/partner-directory.service';
import { PARTNER_REGISTRY_SERVICE } from '../../write-model/publication-barrier.token';

export const AS2_ID_CHANGE_COMPLETION_REACTOR = 'partner-registry.as2-id-change-completion';

type Changed = PartnerAs2IdChanged | MasterPartnerAs2IdChanged;
const ACCEPTED: readonly string[] = ['partner.as2_id_changed.v1', 'master_partner.as2_id_changed.v1'];

/**
 * An AS2-id change is two streams: the new id reserved in the directory, the partner changed, then the old id released.
 * The handler releases it at once; this reactor releases it again from the recorded change (a no-op when done), so a
 * crash between the change and the release is finished after a restart and the old id becomes reusable.
 */
@Injectable()
export class As2IdChangeCompletionReactor extends FollowedReactor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = AS2_ID_CHANGE_COMPLETION_REACTOR;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(EVENT_STORE_CHECKPOINTS) checkpoints: CheckpointStore,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PARKED_EVENT_STORE) parked: ParkedEventStore,
    @Inject(PROJECTION_REGISTRY) registry: ProjectionRegistry,
    private readonly writeModel: WriteModel,
    private readonly directory: PartnerDirectoryService,
  ) {
    super({ store, checkpoints, parked, clock, logger: followerLoggerOf(new Logger('As2IdChangeCompletion')) });
    registry.registerReplayer({ name: AS2_ID_CHANGE_COMPLETION_REACTOR, replayParked: (entry) => this.replayParked(entry) });
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
    const event = recorded as RecordedEvent & Changed;
    const { partnerId, account, oldAs2Id, changedAt } = event.data;
    const master = event.type === 'master_partner.as2_id_changed.v1';
    const { state } = master
      ? await this.writeModel.load(PartnerRegistryStreams.masterPartner(partnerId), masterPartnerDecider)
      : await this.writeModel.load(PartnerRegistryStreams.partner(partnerId), partnerDecider);
    // Changed back to the old id since: it is the partner's again. Deleted: the deletion released what it held.
    if (state.status !== 'active' || state.partner.as2Id === oldAs2Id) return;
    const tenant = master ? null : event.data.tenant;
    const scope = tenant === null ? masterDirectoryScope(this.writeModel, account) : tenantDirectoryScope(this.writeModel, account, tenant);
    const now = this.clock.now();
    const metadata = systemMetadata({ account, tenant }, { type: 'service', id: PARTNER_REGISTRY_SERVICE }, now, event);
    await this.directory.releaseReplacedId(scope, partnerId, oldAs2Id, changedAt, now, metadata);
  }
}
