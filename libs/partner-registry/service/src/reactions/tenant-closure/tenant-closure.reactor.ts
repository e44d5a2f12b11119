import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  CheckpointedFollower,
  CLOCK,
  EVENT_STORE,
  PARKED_EVENT_STORE,
  PROJECTION_REGISTRY,
  WriteModel,
  type CheckpointStore,
  type Clock,
  type EventStore,
  type FollowerLag,
  type ParkedEvent,
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
export class TenantClosureReactor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TenantClosure');
  private follower: CheckpointedFollower | null = null;

  constructor(
    private readonly writeModel: WriteModel,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_STORE_CHECKPOINTS) private readonly checkpoints: CheckpointStore,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PARKED_EVENT_STORE) private readonly parked: ParkedEventStore,
    @Inject(PROJECTION_REGISTRY) registry: ProjectionRegistry,
    private readonly closure: TenantClosure,
  ) {
    registry.registerReplayer({ name: TENANT_CLOSURE_REACTOR, replayParked: (entry) => this.replayParked(entry), lag: () => this.lag() });
  }

  async onApplicationBootstrap(): Promise<void> {
    // One-shot commands (read-model rebuilds) start no follower and must not write.
    if (this.options.startProjections === false) return;
    this.follower = new CheckpointedFollower({
      name: TENANT_CLOSURE_REACTOR,
      store: this.store,
      checkpoints: this.checkpoints,
      parked: this.parked,
      clock: this.clock,
      accepts: (event) => event.type === 'tenant.deleted.v1',
      handle: (event) => this.react(event as RecordedEvent as RecordedEvent & TenantDeleted),
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
    if (!this.follower) return Promise.reject(new Error(`${TENANT_CLOSURE_REACTOR} is not running`));
    return this.follower.waitFor(position, timeoutMs);
  }

  lag(): Promise<FollowerLag | null> {
    return this.follower ? this.follower.lag() : Promise.resolve(null);
  }

  /** Closes a parked tenant deletion once more; it leaves the parked store only if that succeeds. */
  async replayParked(entry: ParkedEvent): Promise<void> {
    if (entry.consumer !== TENANT_CLOSURE_REACTOR) throw new Error(`${entry.id} was parked by ${entry.consumer}, not ${TENANT_CLOSURE_REACTOR}`);
    await this.react(entry.event as RecordedEvent as RecordedEvent & TenantDeleted);
    await this.parked.remove(entry.id);
  }

  private async react(event: RecordedEvent & TenantDeleted): Promise<void> {
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
