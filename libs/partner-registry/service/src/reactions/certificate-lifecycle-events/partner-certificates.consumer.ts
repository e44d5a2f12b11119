import { Logger } from '@nestjs/common';
import { BusFollowedProjection, type BusFollowedProjectionDependencies, type RecordedEvent } from '@as2-partners/kernel';
import { CERTIFICATE_LIFECYCLE_TOPIC, consumedEventKindOf } from './certificate-lifecycle-events';
import { PartnerCertificatesProjector } from '../../queries/partner-certificates/partner-certificates.projector';

export const PARTNER_CERTIFICATES_GROUP_ID = 'partner-registry.partner-certificates';

const logger = new Logger('PartnerCertificatesConsumer');

function contextOf(event: RecordedEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, stream: event.stream, revision: event.revision, position: event.position });
}

/**
 * Feeds the certificate-lifecycle service's events into the partner certificates read model (provided by
 * provideBusFollowedProjection); an event that keeps failing is parked (listed and replayed by operators) and the
 * ones behind it are applied.
 */
export class PartnerCertificatesConsumer extends BusFollowedProjection {
  readonly name = PARTNER_CERTIFICATES_GROUP_ID;
  protected readonly topics = [CERTIFICATE_LIFECYCLE_TOPIC];

  constructor(
    followed: BusFollowedProjectionDependencies,
    private readonly projector: PartnerCertificatesProjector,
  ) {
    super(followed);
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
