import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EVENT_BUS, type BusSubscription, type EventBus, type RecordedEvent } from '@as2-partners/kernel';
import { CERTIFICATE_LIFECYCLE_TOPIC } from './certificate-lifecycle-events';
import { PartnerCertificatesProjector, type ProjectionOutcome } from './partner-certificates.projector';

export const PARTNER_CERTIFICATES_GROUP_ID = 'partner-registry.partner-certificates';

function contextOf(event: RecordedEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, stream: event.stream, revision: event.revision, position: event.position });
}

/**
 * Feeds the certificate-lifecycle service's events into the partner certificates read model. Subscribes in
 * onModuleInit, before any outbox relay starts (onApplicationBootstrap), so embedded mode misses nothing.
 */
@Injectable()
export class PartnerCertificatesConsumer implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('PartnerCertificatesConsumer');
  private subscription: BusSubscription | null = null;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(PartnerCertificatesProjector) private readonly projector: PartnerCertificatesProjector,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: PARTNER_CERTIFICATES_GROUP_ID,
      topics: [CERTIFICATE_LIFECYCLE_TOPIC],
      handler: async (event) => {
        await this.handle(event);
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.stop();
  }

  /** Rejecting makes the bus deliver the event again: a failure is logged with the event, never dropped. */
  async handle(event: RecordedEvent): Promise<ProjectionOutcome> {
    try {
      const outcome = await this.projector.apply(event);
      if (outcome === 'unknown_type') this.logger.warn(`Acknowledged an event type this consumer does not know ${contextOf(event)}`);
      return outcome;
    } catch (error) {
      this.logger.error(`Partner certificates projection failed, the bus retries ${contextOf(event)}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }
}
