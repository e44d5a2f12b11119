import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  BusFollowedProjection,
  EVENT_BUS,
  PARKED_EVENT_STORE,
  PROJECTION_REGISTRY,
  READ_MODEL_STORE,
  topicOf,
  type EventBus,
  type ParkedEventStore,
  type ProjectionRegistry,
  type ReadModelCollection,
  type ReadModelStore,
  type RecordedEvent,
  type RetryPolicy,
} from '@as2-partners/kernel';
import { EVENT_SOURCING_OPTIONS, FOLLOWER_RETRY_POLICY, followerLoggerOf, type EventSourcingOptions } from '@as2-partners/platform';
import { TesterCollections } from '../partner-registry-events/tested-partner.documents';
import { emptyPartnerCertificates, evolvePartnerCertificates, type PartnerCertificatesDocument, type TesterCertificateDocument } from './partner-certificate-slots';

export const PARTNER_CERTIFICATES_GROUP = 'connection-tester.partner-certificates';

const logger = new Logger('TesterPartnerCertificates');

const SLOT_TYPES = new Set([
  'partner_certificates.slot_assigned.v1',
  'partner_certificates.backup_activated.v1',
  'partner_certificates.signature_follows_encryption.v1',
  'partner_certificates.backup_scheduled.v1',
  'partner_certificates.backup_cancelled.v1',
  'trust.rollover_scheduled.v1',
  'trust.activated.v1',
  'partner_certificates.partner_removed.v1',
]);

/** Learns partners' certificates (public PEMs) and which is current or next in each slot, from the certificate-lifecycle topic. */
@Injectable()
export class PartnerCertificatesConsumer extends BusFollowedProjection implements OnModuleInit, BeforeApplicationShutdown {
  readonly name = PARTNER_CERTIFICATES_GROUP;
  protected readonly topics = [topicOf('certificate-lifecycle')];
  private readonly certificates: ReadModelCollection<TesterCertificateDocument>;
  private readonly slots: ReadModelCollection<PartnerCertificatesDocument>;

  constructor(
    @Inject(EVENT_BUS) bus: EventBus,
    @Inject(READ_MODEL_STORE) readModels: ReadModelStore,
    @Inject(PARKED_EVENT_STORE) parked: ParkedEventStore,
    @Optional() @Inject(PROJECTION_REGISTRY) private readonly registry?: ProjectionRegistry,
    @Optional() @Inject(EVENT_SOURCING_OPTIONS) private readonly options?: EventSourcingOptions,
    @Optional() @Inject(FOLLOWER_RETRY_POLICY) retry?: RetryPolicy,
  ) {
    super({ bus, readModels, parked, retry, logger: followerLoggerOf(logger) });
    this.certificates = readModels.collection(TesterCollections.certificates);
    this.slots = readModels.collection(TesterCollections.partnerCertificates);
  }

  async onModuleInit(): Promise<void> {
    this.registry?.register(this);
    if (this.options?.startProjections !== false) await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'certificate.uploaded.v1' || event.type === 'certificate.deleted.v1' || SLOT_TYPES.has(event.type);
  }

  protected async clear(): Promise<void> {
    await Promise.all([this.certificates.clear(), this.slots.clear()]);
  }

  protected async isEmpty(): Promise<boolean> {
    return (await this.certificates.count({})) === 0 && (await this.slots.count({})) === 0;
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    if (event.type === 'certificate.uploaded.v1') {
      const d = event.data as { certificateId: string; certificate: { pem: string; notAfter: string } };
      await this.certificates.put({ _id: d.certificateId, pem: d.certificate.pem, notAfter: d.certificate.notAfter });
      return;
    }
    if (event.type === 'certificate.deleted.v1') {
      await this.certificates.delete((event.data as { certificateId: string }).certificateId);
      return;
    }
    const d = event.data as { partnerId: string };
    const current = (await this.slots.get(d.partnerId)) ?? emptyPartnerCertificates(d.partnerId);
    await this.slots.put(evolvePartnerCertificates(current, event.type, event.data as never));
  }
}
