import { CertificateLifecycleStreams } from '@as2-partners/certificate-lifecycle-domain';
import { pagesOf, type EventStore, type Page, type ReadModelCollection, type ReadModelStore, type RecordedEvent } from '@as2-partners/kernel';
import { CertificateLifecycleCollections, type PartnerSlotsDocument } from '../certificate-views/certificate-view.document';
import { attachedLinkOf, partnerNoticesOf, timelineNoticeOf, type CertificateTimelineLinkDocument, type PartnerNoticeDocument } from './partner-notice.documents';

/** The entry saying the notices were filled (files written before they were kept have none). */
const FILLED = '$filled';
type FilledMarker = { readonly _id: typeof FILLED };
const FILL_CHUNK = 500;

/**
 * The certificate notices on each partner's timeline, kept by the certificate views as attachments and notices come
 * in (either first): under each certificate, the partners it was attached to and its notices; for each partner, the
 * notices on its timeline by position, so a timeline page reads none of the partner's certificates without one.
 */
export class PartnerTimelineNotices {
  /** Each certificate's partners and notices: what a notice or an attachment adds to partners' timelines. */
  readonly links: ReadModelCollection<CertificateTimelineLinkDocument>;
  /** The certificate notices on each partner's timeline, by position. */
  readonly byPartner: ReadModelCollection<PartnerNoticeDocument | FilledMarker>;

  constructor(readModels: ReadModelStore) {
    // a certificate's links, or its notices alone: an attachment reads no other partner's link
    this.links = readModels.collection(CertificateLifecycleCollections.certificateTimelineLinks, [['certificateId', 'kind']]);
    this.byPartner = readModels.collection(CertificateLifecycleCollections.partnerNotices, [['partnerId', 'position']]);
  }

  /** The newest `limit` certificate notices on a partner's timeline, and how many there are. */
  async newest(partnerId: string, limit: number): Promise<Page<PartnerNoticeDocument>> {
    return (await this.byPartner.find({ filter: { partnerId }, sort: { position: -1 }, limit })) as Page<PartnerNoticeDocument>;
  }

  /**
   * Once, for a file written before the notices were kept: the attachments from each partner's folded state, then the
   * notices of each attached certificate from its stream. Links and notices are only ever added, under ids of their
   * own: what the following then applies again changes nothing.
   */
  async fill(partnerSlots: ReadModelCollection<PartnerSlotsDocument>, store: EventStore): Promise<void> {
    if (await this.byPartner.get(FILLED)) return;
    // each page on a turn of its own: a store that answers at once would hold the event loop for the whole fill (3,000 certificates: ~150 ms)
    for await (const page of pagesOf(partnerSlots, FILL_CHUNK)) {
      const links = page.flatMap((slots) => slots.state.attached.map((attached) => attachedLinkOf(attached.certificateId, slots._id)));
      if (links.length > 0) await this.links.putMany(links);
    }
    let filled = '';
    for await (const page of pagesOf(this.links, FILL_CHUNK)) {
      for (const link of page) {
        if (link.certificateId === filled) continue;
        filled = link.certificateId;
        for (const event of await store.readStream(CertificateLifecycleStreams.certificate(filled))) await this.noticed(event);
      }
    }
    await this.markFilled();
  }

  /** A certificate notice, on the timeline of each partner the certificate was attached to that it names or leaves unnamed. */
  async noticed(event: RecordedEvent): Promise<void> {
    const notice = timelineNoticeOf(event);
    if (!notice) return;
    const links = await this.links.find({ filter: { certificateId: notice.certificateId }, withoutTotal: true });
    const notices = partnerNoticesOf([...links.items.filter((link) => link.kind === 'attached'), notice]);
    if (notices.length > 0) await this.byPartner.putMany(notices);
    await this.links.put(notice);
  }

  /** A certificate attached to a partner: its notices so far go on the partner's timeline (those after it, as they come). */
  async attached(partnerId: string, certificateId: string): Promise<void> {
    const attached = attachedLinkOf(certificateId, partnerId);
    const links = await this.links.find({ filter: { certificateId, kind: 'notice' }, withoutTotal: true });
    const notices = partnerNoticesOf([attached, ...links.items]);
    if (notices.length > 0) await this.byPartner.putMany(notices);
    await this.links.put(attached);
  }

  /** Emptied for a rebuild, which writes them from the events: marked filled, no fill at the next start. */
  async clear(): Promise<void> {
    await Promise.all([this.links.clear(), this.byPartner.clear()]);
    await this.markFilled();
  }

  private async markFilled(): Promise<void> {
    await this.byPartner.put({ _id: FILLED });
  }
}
