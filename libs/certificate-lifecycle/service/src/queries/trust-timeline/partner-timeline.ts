import { CertificateLifecycleStreams } from '@as2-partners/certificate-lifecycle-domain';
import type { EventStore, Page, RecordedEvent } from '@as2-partners/kernel';
import type { PartnerNoticeDocument } from './partner-notice.documents';

export interface TimelinePage {
  readonly events: RecordedEvent[];
  readonly total: number;
}

/** The certificate notices on a partner's timeline, newest first (the certificate views keep them by position). */
export interface PartnerNotices {
  newestPartnerNotices(partnerId: string, limit: number): Promise<Page<PartnerNoticeDocument>>;
}

/**
 * CemEvents: a partner's lifecycle read from the event store itself (the audit trail), newest first: its own stream,
 * merged by global position with the notices of the certificates attached to it. A page reads the partner's newest
 * notices up to the page's end, at most as many of its own events more than a page, and the page's notices from their
 * streams: none of the certificates attached without a notice.
 */
export async function readPartnerTimeline(store: EventStore, notices: PartnerNotices, partnerId: string, page: number, perPage: number): Promise<TimelinePage> {
  const start = (page - 1) * perPage;
  const end = page * perPage;
  const stream = CertificateLifecycleStreams.partnerCertificates(partnerId);
  const newest = await notices.newestPartnerNotices(partnerId, end);
  // Own events ranked before `skipped` are all before the page: `start` events at least precede them (those and every notice newer).
  const skipped = Math.max(0, start - newest.items.length);
  let own: RecordedEvent[];
  let ownTotal: number;
  if (skipped === 0) {
    own = await store.readStream(stream, { direction: 'backwards', maxCount: end });
    ownTotal = own.length > 0 ? own[0].revision + 1 : 0;
  } else {
    const last = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    ownTotal = last.length > 0 ? last[0].revision + 1 : 0;
    const total = ownTotal + newest.total;
    if (start >= total) return { events: [], total };
    own = ownTotal > skipped ? await store.readStream(stream, { direction: 'backwards', fromRevision: ownTotal - 1 - skipped, maxCount: end - skipped }) : [];
  }
  // Ranked from `skipped` on, the merge is exact on the page: a notice newer than the first own event read is before it.
  const merged = [...own.map((event) => ({ position: event.position, own: event })), ...newest.items.map((notice) => ({ position: notice.position, notice }))].sort((a, b) => b.position - a.position);
  const events = await Promise.all(merged.slice(start - skipped, end - skipped).map((entry) => ('own' in entry ? entry.own : storedNotice(store, entry.notice))));
  return { events, total: ownTotal + newest.total };
}

async function storedNotice(store: EventStore, notice: PartnerNoticeDocument): Promise<RecordedEvent> {
  const [event] = await store.readStream(CertificateLifecycleStreams.certificate(notice.certificateId), { fromRevision: notice.revision, maxCount: 1 });
  if (!event || event.position !== notice.position) throw new Error(`The notice at ${notice.position} is not in the stream of certificate ${notice.certificateId} at revision ${notice.revision}`);
  return event;
}
