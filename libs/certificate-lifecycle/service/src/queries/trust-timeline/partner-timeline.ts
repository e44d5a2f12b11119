import { CertificateLifecycleStreams, type PartnerCertificatesState } from '@as2-partners/certificate-lifecycle-domain';
import type { EventStore, RecordedEvent } from '@as2-partners/kernel';

/** Certificate events that belong on a partner's timeline (the upload itself shows as the partner's attachment). */
const CERTIFICATE_EVENTS_ON_TIMELINE = new Set(['certificate.expiring.v1', 'certificate.expired.v1', 'certificate.deactivated.v1', 'certificate.retired.v1', 'certificate.deleted.v1']);

export interface TimelinePage {
  readonly events: RecordedEvent[];
  readonly total: number;
}

/**
 * CemEvents: a partner's lifecycle read from the event store itself (the audit trail), newest first: its own stream,
 * merged by global position with the notices of the certificates attached to it. A page reads only the newest
 * `page × perPage` events of the partner's stream.
 */
export async function readPartnerTimeline(store: EventStore, partnerId: string, state: PartnerCertificatesState, page: number, perPage: number): Promise<TimelinePage> {
  const wanted = page * perPage;
  const own = await store.readStream(CertificateLifecycleStreams.partnerCertificates(partnerId), { direction: 'backwards', maxCount: wanted });
  const ownTotal = own.length > 0 ? own[0].revision + 1 : 0;
  const related: RecordedEvent[] = [];
  for (const certificateId of state.attached.keys()) {
    const events = await store.readStream(CertificateLifecycleStreams.certificate(certificateId));
    for (const event of events) {
      if (!CERTIFICATE_EVENTS_ON_TIMELINE.has(event.type)) continue;
      const about = (event.data as { partnerId?: string }).partnerId;
      if (about === undefined || about === partnerId) related.push(event);
    }
  }
  const merged = [...own, ...related].sort((a, b) => b.position - a.position);
  return { events: merged.slice((page - 1) * perPage, wanted), total: ownTotal + related.length };
}
