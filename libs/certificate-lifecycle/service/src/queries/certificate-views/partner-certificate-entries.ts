import { pagesOf, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import { CertificateLifecycleCollections, partnerCertificatesOf, type CertificateViewDocument, type PartnerCertificateDocument } from './certificate-view.document';

/** The entry saying the entries were filled from the certificates (files written before they were kept have none). */
const FILLED = '$filled';
type FilledMarker = { readonly _id: typeof FILLED };
const FILL_CHUNK = 500;

/** A certificate view stored before its partners were kept in its use entries. */
type StoredWithPartners = CertificateViewDocument & { readonly partnerIds?: readonly string[] };

/**
 * Each certificate once for each of its partners, with the certificate's fields a list filters on: a partner's
 * certificates are an index range of these, paged without reading the tenant's other certificates or the partner's
 * beyond the page. The certificate views write them before each certificate (a redelivery after a crash between the
 * two still sees the change).
 */
export class PartnerCertificateEntries {
  readonly collection: ReadModelCollection<PartnerCertificateDocument | FilledMarker>;

  constructor(readModels: ReadModelStore) {
    this.collection = readModels.collection(CertificateLifecycleCollections.partnerCertificates, [['partnerId', 'account', 'tenant', 'createdAt']]);
  }

  /** Once, for a file written before the entries were kept: every certificate's, a chunk at a time (from the partners its view still names). */
  async fill(certificates: ReadModelCollection<CertificateViewDocument>): Promise<void> {
    if (await this.collection.get(FILLED)) return;
    for await (const page of pagesOf(certificates, FILL_CHUNK)) {
      const entries = (page as StoredWithPartners[]).flatMap((doc) => partnerCertificatesOf(doc, doc.partnerIds ?? []));
      if (entries.length > 0) await this.collection.putMany(entries);
    }
    await this.markFilled();
  }

  /**
   * A certificate's entries once it changed from `before` to `after` (null: deleted), for the partners listing it: read
   * only when the fields the entries carry changed, so an expiry notice reads and writes none.
   */
  async written(before: CertificateViewDocument, after: CertificateViewDocument | null, listing: () => Promise<readonly string[]>): Promise<void> {
    if (after && JSON.stringify(partnerCertificatesOf(before, [''])) === JSON.stringify(partnerCertificatesOf(after, ['']))) return;
    const partnerIds = await listing();
    if (after) {
      if (partnerIds.length > 0) await this.collection.putMany(partnerCertificatesOf(after, partnerIds));
      return;
    }
    for (const entry of partnerCertificatesOf(before, partnerIds)) await this.collection.delete(entry._id);
  }

  /** The certificate's entry for a partner that now lists it, or no longer does. */
  async listed(doc: CertificateViewDocument, partnerId: string, listed: boolean): Promise<void> {
    const [entry] = partnerCertificatesOf(doc, [partnerId]);
    if (listed) await this.collection.put(entry);
    else await this.collection.delete(entry._id);
  }

  /** Emptied for a rebuild, which writes them with their certificates: marked filled, no fill at the next start. */
  async clear(): Promise<void> {
    await this.collection.clear();
    await this.markFilled();
  }

  private async markFilled(): Promise<void> {
    await this.collection.put({ _id: FILLED });
  }
}
