import type { CollectionIndexState } from './collection-catalog';

/**
 * Rows a bulk load writes before it may hold every declared index to its end. Each partial index on the documents'
 * table costs every insert a test of its condition (~0.2–0.35 µs; 60 of them: ~20 µs, twice a bare insert), whatever
 * collection the row is of; a `CREATE INDEX` at the end reads the whole table once (~0.22 µs a row). A load that writes
 * at least half the table's rows (a rebuild) gains by holding them all; a small one (a bus-fed read model) does not.
 */
export const HOLD_ALL_INDEXES_FROM_ROWS = 10_000;

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
  /** Rows written during the load. */
  private rows = 0;
  /** Rows written at which the table's size is looked at next (doubling: a few counts in all). */
  private nextCheck: number;
  /** Every declared index is held to the load's end. */
  private allHeld = false;

  constructor(readonly holdAllIndexesFromRows: number) {
    this.nextCheck = holdAllIndexesFromRows;
  }

  searchOf(state: CollectionIndexState): DeferredSearchTexts {
    let deferred = this.search.get(state);
    if (!deferred) {
      deferred = new DeferredSearchTexts();
      this.search.set(state, deferred);
    }
    return deferred;
  }

  /**
   * Counts rows written: true when every declared index should be held from now on, i.e. the load wrote
   * HOLD_ALL_INDEXES_FROM_ROWS rows and at least half of what the table holds (`tableRows`, asked at doubling counts).
   */
  wrote(rows: number, tableRows: () => number): boolean {
    this.rows += rows;
    if (this.allHeld || this.rows < this.nextCheck) return false;
    this.nextCheck = this.rows * 2;
    this.allHeld = this.rows * 2 >= tableRows();
    return this.allHeld;
  }

  /** Every declared index is held from now on (a clear of most of the table held them). */
  holdingAll(): void {
    this.allHeld = true;
  }

  /** Every kept text is doubtful (a failed commit undid writes whose `seq` may be taken again). */
  allDoubtful(): void {
    for (const deferred of this.search.values()) deferred.doubtful();
  }
}
