import type { CollectionIndexState } from './collection-catalog';

/**
 * Rows a bulk load's clear of a collection must find (and at least half of the table's) to empty the table whole and
 * put the other collections' rows back (`CollectionCatalog.clearByRewrite`) rather than delete the collection's rows.
 */
export const CLEAR_BY_REWRITE_FROM_ROWS = 10_000;

/**
 * The search texts of a searchable collection's rows written during a bulk load, kept from the writes (by `seq`), so
 * its trigram index is filled at the load's end without reading and parsing every document again.
 */
export class DeferredSearchTexts {
  /**
   * True while the texts are the whole truth of the collection's rows in the search index: it was cleared during this
   * load (no row of it is indexed since) and nothing since made the kept texts doubtful (a failed write or commit, a
   * search declared anew). Otherwise the load's end indexes the collection from its documents.
   */
  complete = false;
  /** Search text by row `seq`, for the rows written since the collection's clear and still there. */
  readonly texts = new Map<number, string>();

  cleared(): void {
    this.texts.clear();
    this.complete = true;
  }

  /** The texts no longer say it all: the load's end reads the documents. */
  doubtful(): void {
    this.texts.clear();
    this.complete = false;
  }
}

/** What a running bulk load (EmbeddedReadModelStore.bulkLoad) defers to its end, per collection. */
export class BulkLoadState {
  /** Searchable collections written during the load: their trigram index is filled at its end. */
  readonly search = new Map<CollectionIndexState, DeferredSearchTexts>();

  constructor(readonly clearByRewriteFromRows: number) {}

  searchOf(state: CollectionIndexState): DeferredSearchTexts {
    let deferred = this.search.get(state);
    if (!deferred) {
      deferred = new DeferredSearchTexts();
      this.search.set(state, deferred);
    }
    return deferred;
  }

  /** Every kept text is doubtful (a failed commit undid writes whose `seq` may be taken again). */
  allDoubtful(): void {
    for (const deferred of this.search.values()) deferred.doubtful();
  }
}
