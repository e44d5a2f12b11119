import type { ReadModelCollection, ReadModelStore } from '@as2-partners/kernel';
import { CertificateLifecycleCollections, partnerCertificatesOf, type CertificateViewDocument, type PartnerCertificateDocument } from './certificate-view.document';

/** The entry saying the entries were filled from the certificates (files written before they were kept have none). */
const FILLED = '$filled';
type FilledMarker = { readonly _id: typeof FILLED };
const FILL_CHUNK = 500;

/**
 * Each certificate once for each of its partners, with the certificate's fields a list filters on: a partner's
 * certificates are an index range of these (`partnerIds` is an array, which the embedded store cannot index), paged
 * without reading the tenant's other certificates or the partner's beyond the page. The certificate views write them
 * before each certificate (a redelivery after a crash between the two still sees the change).
 */
export class PartnerCertificateEntries {
  readonly collection: ReadModelCollection<PartnerCertificateDocument | FilledMarker>;

  constructor(readModels: ReadModelStore) {
    this.collection = readModels.collection(CertificateLifecycleCollections.partnerCertificates, [['partnerId', 'account', 'tenant', 'createdAt']]);
  }

  /** Once, for a file written before the entries were kept: every certificate's, a chunk at a time. */
  async fill(certificates: ReadModelCollection<CertificateViewDocument>): Promise<void> {
    if (await this.collection.get(FILLED)) return;
    for (let after = ''; ; ) {
      const page = await certificates.find({ filter: { _id: { $gt: after } }, sort: { _id: 1 }, limit: FILL_CHUNK, withoutTotal: true });
      const entries = page.items.flatMap(partnerCertificatesOf);
      if (entries.length > 0) await this.collection.putMany(entries);
      if (page.items.length < FILL_CHUNK) break;
      after = page.items[page.items.length - 1]._id;
    }
    await this.markFilled();
  }

  /** A certificate's entries once it changed from `before` to `after` (null: none, deleted): only those whose fields changed. */
  async written(before: CertificateViewDocument | null, after: CertificateViewDocument | null): Promise<void> {
    const was = new Map((before ? partnerCertificatesOf(before) : []).map((entry) => [entry._id, JSON.stringify(entry)]));
    const now = after ? partnerCertificatesOf(after) : [];
    const changed = now.filter((entry) => was.get(entry._id) !== JSON.stringify(entry));
    if (changed.length > 0) await this.collection.putMany(changed);
    const kept = new Set(now.map((entry) => entry._id));
    for (const id of was.keys()) if (!kept.has(id)) await this.collection.delete(id);
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
