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
import { PartnerRegistryStreams, tenantDecider, type TenantDeleted } from '@as2-partners/partner-registry-domain';
import { EVENT_SOURCING_OPTIONS, EVENT_STORE_CHECKPOINTS, type EventSourcingOptions, followerLoggerOf } from '@as2-partners/platform';
import { PARTNER_REGISTRY_SERVICE } from '../../write-model/publication-barrier.token';
import { TenantClosure } from '../../tenant-closure/tenant-closure';

export const TENANT_CLOSURE_REACTOR = 'partner-registry.tenant-closure';

/**
 * Finishes closing every deleted tenant, whatever stopped the DELETE that recorded it (a crash, a timeout): it follows
 * `tenant.deleted.v1` from a checkpoint kept in the event store, so after a restart it resumes where it stopped.
 */
@Injectable()
export class TenantClosureReactor extends FollowedReactor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly name = TENANT_CLOSURE_REACTOR;

  constructor(
    private readonly writeModel: WriteModel,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(EVENT_STORE_CHECKPOINTS) checkpoints: CheckpointStore,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PARKED_EVENT_STORE) parked: ParkedEventStore,
    @Inject(PROJECTION_REGISTRY) registry: ProjectionRegistry,
    private readonly closure: TenantClosure,
  ) {
    super({ store, checkpoints, parked, clock, logger: followerLoggerOf(new Logger('TenantClosure')) });
    registry.registerReplayer({ name: TENANT_CLOSURE_REACTOR, replayParked: (entry) => this.replayParked(entry), lag: () => this.lag() });
  }

  async onApplicationBootstrap(): Promise<void> {
    // One-shot commands (read-model rebuilds) start no follower and must not write.
    if (this.options.startProjections === false) return;
    await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'tenant.deleted.v1';
  }

  protected async react(recorded: RecordedEvent): Promise<void> {
    const event = recorded as RecordedEvent & TenantDeleted;
    const { account, tenantId } = event.data;
    // Streams written before ids were retired may hold a tenant re-created after its deletion: that one stays open.
    const { state } = await this.writeModel.load(PartnerRegistryStreams.tenant(account, tenantId), tenantDecider);
    if (state.status !== 'deleted') return;
    await this.closure.close(account, tenantId, {
      account,
      tenant: tenantId,
      correlationId: event.metadata.correlationId,
      causationId: event.id,
      actor: { type: 'service', id: PARTNER_REGISTRY_SERVICE },
      occurredAt: this.clock.now().toISOString(),
    });
  }
}
