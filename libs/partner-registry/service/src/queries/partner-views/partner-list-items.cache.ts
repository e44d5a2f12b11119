import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type ReadModelStore } from '@as2-partners/kernel';
import { presentPartner, type PresentedType } from './partner.presenter';
import { PartnerRegistryCollections, type PartnerViewDocument } from './partner-view.document';
import { TaggedJsonTexts } from './tagged-json-texts';

/** Presented items kept at most (characters of JSON text, ~700 a partner): bounded memory at any number of partners. */
const MAX_KEPT_CHARS = 16 * 1024 * 1024;

/**
 * The list routes' items (`presentPartner` of a partner view or master) as JSON text, kept per document `_id` until
 * the embedded store tells of a write to it (`watchWrites`): a page of partners read before is joined from the kept
 * texts, with no presenting or stringify per item. Nothing is kept where the store does not tell every write
 * (MongoDB shared by replicas), nor from a read made while any watched write happened (it may predate the write).
 */
@Injectable()
export class PartnerListItemsCache {
  /** Items by (presented type, document id), filed under the document's id. */
  private readonly kept = new TaggedJsonTexts(MAX_KEPT_CHARS);
  private writes = 0;
  private readonly enabled: boolean;

  constructor(@Inject(READ_MODEL_STORE) store: ReadModelStore) {
    this.enabled = store.watchWrites !== undefined;
    if (!store.watchWrites) return;
    for (const collection of [PartnerRegistryCollections.partnerViews, PartnerRegistryCollections.masterPartners]) {
      store.watchWrites(collection, (id) => this.forget(id));
    }
  }

  /** A mark to pass to `json`: the items of a read started after it may be kept. */
  mark(): number {
    return this.writes;
  }

  /** The items of a page as JSON text, in order; `mark` taken before the page was read. */
  json(docs: readonly PartnerViewDocument[], type: (doc: PartnerViewDocument) => PresentedType, mark: number): string[] {
    const keep = this.enabled && mark === this.writes;
    return docs.map((doc) => {
      const presented = type(doc);
      const key = `${presented}\u0000${doc._id}`;
      const kept = this.kept.get(key);
      if (kept !== undefined) return kept;
      const json = JSON.stringify(presentPartner(doc, presented));
      if (keep) this.kept.keep(key, json, [doc._id]);
      return json;
    });
  }

  private forget(id: string | null): void {
    this.writes += 1;
    if (this.kept.size === 0) return;
    if (id === null) this.kept.clear();
    else this.kept.dropTagged(id);
  }
}
