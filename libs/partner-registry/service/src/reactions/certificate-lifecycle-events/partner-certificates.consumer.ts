import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  BusFollowedProjection,
  EVENT_BUS,
  PARKED_EVENT_STORE,
  PROJECTION_REGISTRY,
  READ_MODEL_STORE,
  type EventBus,
  type ParkedEventStore,
  type ProjectionRegistry,
  type ReadModelStore,
  type RecordedEvent,
  type RetryPolicy,
} from '@as2-partners/kernel';
import { EVENT_SOURCING_OPTIONS, FOLLOWER_RETRY_POLICY, type EventSourcingOptions, followerLoggerOf } from '@as2-partners/platform';
import { CERTIFICATE_LIFECYCLE_TOPIC, consumedEventKindOf } from './certificate-lifecycle-events';
import { PartnerCertificatesProjector } from '../../queries/partner-certificates/partner-certificates.projector';

export const PARTNER_CERTIFICATES_GROUP_ID = 'partner-registry.partner-certificates';

const logger = new Logger('PartnerCertificatesConsumer');

function contextOf(event: RecordedEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, stream: event.stream, revision: event.revision, position: event.position });
}

/**
 * Feeds the certificate-lifecycle service's events into the partner certificates read model. Subscribes in
 * onModuleInit, before any outbox relay starts (onApplicationBootstrap), so embedded mode misses nothing; an event
 * that keeps failing is parked (listed and replayed by operators) and the ones behind it are applied.
 */
@Injectable()
export class PartnerCertificatesConsumer extends BusFollowedProjection implements OnModuleInit, BeforeApplicationShutdown {
  readonly name = PARTNER_CERTIFICATES_GROUP_ID;
  protected readonly topics = [CERTIFICATE_LIFECYCLE_TOPIC];

  constructor(
    @Inject(EVENT_BUS) bus: EventBus,
    @Inject(PartnerCertificatesProjector) private readonly projector: PartnerCertificatesProjector,
    @Inject(READ_MODEL_STORE) readModels: ReadModelStore,
    @Inject(PARKED_EVENT_STORE) parked: ParkedEventStore,
    @Optional() @Inject(PROJECTION_REGISTRY) private readonly registry?: ProjectionRegistry,
    @Optional() @Inject(EVENT_SOURCING_OPTIONS) private readonly options?: EventSourcingOptions,
    @Optional() @Inject(FOLLOWER_RETRY_POLICY) retry?: RetryPolicy,
  ) {
    super({
      bus,
      readModels,
      parked,
      retry,
      logger: followerLoggerOf(logger),
    });
  }

  async onModuleInit(): Promise<void> {
    this.registry?.register(this);
    // One-shot commands (read-model rebuilds) consume nothing live.
    if (this.options?.startProjections !== false) await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  protected accepts(event: RecordedEvent): boolean {
    return consumedEventKindOf(event.type) !== 'irrelevant';
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    const outcome = await this.projector.apply(event);
    if (outcome === 'unknown_type') logger.warn(`Acknowledged an event type this consumer does not know ${contextOf(event)}`);
  }

  protected clear(): Promise<void> {
    return this.projector.clear();
  }

  protected isEmpty(): Promise<boolean> {
    return this.projector.isEmpty();
  }
}
