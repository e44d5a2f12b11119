import type { SearchIndex } from '@as2-partners/kernel';
import type { Database } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { BulkLoadState, DeferredSearchTexts } from './bulk-load-state';
import { collectionLiteral, isPlainAt, keyExpression, searchTextOf } from './indexed-path';

/** The catalog row saying how a collection's search text was built: files without it were indexed before `searchTextExact`. */
const SEARCH_TEXT_KIND = 'search-text';
const SEARCH_TEXT_VERSION = '"regex-folded"';

/** What the store knows about one collection's indexes: declared field lists, searched fields, fields an index cannot answer for. */
export class CollectionIndexState {
  readonly indexes: (readonly string[])[] = [];
  search: SearchIndex | null = null;
  /**
   * The search index's text was built by `searchTextOf` as it is now (folding only what the regex folds), so an ASCII
   * term's trigram match is the whole substring test; files indexed before are searched through candidates until rebuilt.
   */
  searchTextExact = false;
  /** Indexed fields some document once held an array or object on (kept until the collection is cleared). */
  readonly irregular = new Set<string>();
  private readonly indexedFields = new Set<string>();

  constructor(readonly name: string) {}

  hasIndex(fields: readonly string[]): boolean {
    const key = fields.join(',');
    return this.indexes.some((index) => index.join(',') === key);
  }

  addIndex(fields: readonly string[]): boolean {
    if (this.hasIndex(fields)) return false;
    this.indexes.push([...fields]);
    for (const field of fields) if (field !== '_id') this.indexedFields.add(field);
    return true;
  }

  /** Fields of this document an index could no longer answer for, and not yet known as such. */
  newlyIrregular(doc: unknown): string[] {
    const found: string[] = [];
    for (const field of this.indexedFields) if (!this.irregular.has(field) && !isPlainAt(doc, field)) found.push(field);
    // a searched field holding an array or object leaves the trigram match a superset of the regex's (nested arrays)
    for (const field of this.search?.fields ?? []) if (!this.irregular.has(field) && !found.includes(field) && !isPlainAt(doc, field)) found.push(field);
    return found;
  }

  /** Whether the trigram match of a term alone answers a substring search over these fields (see `searchTextExact`). */
  searchAnswers(fields: readonly string[]): boolean {
    const searched = this.search?.fields ?? [];
    return (
      this.searchTextExact &&
      fields.every((field) => searched.includes(field)) &&
      searched.every((field) => fields.includes(field) && !this.irregular.has(field))
    );
  }

  isIndexed(field: string): boolean {
    return field === '_id' || (this.indexedFields.has(field) && !this.irregular.has(field));
  }
}

/**
 * The declared indexes and search fields of every collection, persisted beside the documents so a restart knows
 * them before any caller declares them again; declaring one the first time builds it from the documents there.
 */
export class CollectionCatalog {
  private readonly states = new Map<string, CollectionIndexState>();

  constructor(private readonly db: Database) {
    for (const row of db.prepare<[], { collection: string; kind: string; fields: string }>('SELECT collection, kind, fields FROM read_model_indexes').iterate()) {
      const state = this.stateOf(row.collection);
      const fields = JSON.parse(row.fields) as string[];
      if (row.kind === 'index') state.addIndex(fields);
      else if (row.kind === SEARCH_TEXT_KIND) state.searchTextExact = row.fields === SEARCH_TEXT_VERSION;
      else state.search = JSON.parse(row.fields) as SearchIndex;
    }
    for (const row of db.prepare<[], { collection: string; path: string }>('SELECT collection, path FROM read_model_irregular_paths').iterate()) {
      this.stateOf(row.collection).irregular.add(row.path);
    }
    // a bulk load of an earlier release (which dropped indexes and built them at its end) may have stopped in between
    for (const state of this.states.values()) for (const fields of state.indexes) this.db.exec(this.indexSql(state, fields));
  }

  stateOf(name: string): CollectionIndexState {
    let state = this.states.get(name);
    if (!state) {
      state = new CollectionIndexState(name);
      this.states.set(name, state);
    }
    return state;
  }

  /**
   * Declares a collection's indexes and search; `beforeBuild` runs once before the first one not declared yet is built
   * from the documents (a bulk load's held rows are written first, so the build reads them).
   */
  declare(name: string, indexes: readonly (readonly string[])[], search: SearchIndex | undefined, beforeBuild: () => void = () => undefined): CollectionIndexState {
    const state = this.stateOf(name);
    const newIndexes = indexes.filter((fields) => fields.length > 0 && !(fields.length === 1 && fields[0] === '_id') && !state.hasIndex(fields));
    const newSearch = search !== undefined && JSON.stringify(search) !== JSON.stringify(state.search);
    if (newIndexes.length > 0 || newSearch) beforeBuild();
    for (const fields of newIndexes) if (state.addIndex(fields)) this.createIndex(state, fields);
    if (search && newSearch) this.createSearch(state, search);
    return state;
  }

  /** Remembers fields a document made irregular (call inside the write's transaction). */
  markIrregular(state: CollectionIndexState, fields: readonly string[]): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO read_model_irregular_paths (collection, path) VALUES (?, ?)');
    for (const field of fields) {
      insert.run(state.name, field);
      state.irregular.add(field);
    }
  }

  forgetIrregular(state: CollectionIndexState): void {
    this.db.prepare('DELETE FROM read_model_irregular_paths WHERE collection = ?').run(state.name);
    state.irregular.clear();
  }

  /**
   * How a bulk load clears a collection, by its share of the table's rows: at least `clearByRewriteFromRows` and half of
   * them, by rewriting the table (clearByRewrite); at least that many and a fifth of them, with its indexes down
   * (deleteWithoutIndexes); otherwise (null) by a plain delete.
   */
  largeClear(state: CollectionIndexState, load: BulkLoadState): { readonly how: 'rewrite' | 'without-indexes'; readonly rows: number; readonly all: number } | null {
    const rows = this.db.prepare<[string], number>('SELECT count(*) FROM read_model_docs WHERE collection = ?').pluck().get(state.name) as number;
    if (rows === 0 || rows < load.clearByRewriteFromRows) return null;
    const all = this.db.prepare<[], number>('SELECT count(*) FROM read_model_docs').pluck().get() as number;
    if (rows * 2 >= all) return { how: 'rewrite', rows, all };
    return rows * 5 >= all && state.indexes.length > 0 ? { how: 'without-indexes', rows, all } : null;
  }

  /**
   * A bulk load's clear of a collection holding at least half of the table's rows (a rebuild over the read models the
   * one before wrote): the table is emptied whole, its indexes with it (SQLite frees their pages without reading a row,
   * where a delete of the collection's rows rewrites every page and keeps every index up), the other collections' rows
   * are put back as they were (same `seq`, their indexes kept up), and, for a searchable one, the trigram index is emptied whole (a delete per row leaves a tombstone in its
   * segments for later merges to skip) with the other collections' search texts indexed again from their documents.
   * Runs inside the clear's transaction: a crash leaves the file as before it.
   */
  clearByRewrite(state: CollectionIndexState, load: BulkLoadState, rows: number, all: number): void {
    const others = all - rows;
    if (others > 0) {
      // in the file, not a TEMP table: temporary data is kept in memory (configureReadModelConnection), and these rows
      // may be most of a large file; the clear's transaction creates and drops it
      this.db.exec('CREATE TABLE IF NOT EXISTS read_model_docs_kept (seq INTEGER PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL)');
      this.db.exec(`INSERT INTO read_model_docs_kept SELECT seq, collection, id, body FROM read_model_docs WHERE collection <> ${collectionLiteral(state.name)}`);
    }
    // no WHERE: SQLite's truncate, which frees the pages of the table and its index without visiting a row
    this.db.exec('DELETE FROM read_model_docs');
    if (others > 0) {
      this.db.exec('INSERT INTO read_model_docs (seq, collection, id, body) SELECT seq, collection, id, body FROM read_model_docs_kept ORDER BY seq');
      this.db.exec('DROP TABLE read_model_docs_kept');
    }
    // the other collections' rows keep their `seq`: their search texts stay indexed unless this one's are to go
    if (state.search) this.emptySearchIndex(state, load);
  }

  /**
   * Deletes a searchable collection's texts from the trigram index, one delete a row; for a bulk load's clear of `rows`
   * (largeClear) that is not rewritten, with the whole index (emptySearchIndex) when the other searchable collections'
   * indexed rows are under a quarter of its own (indexing a row again costs about what three deletes of one do).
   */
  deleteSearchTexts(state: CollectionIndexState, large: { readonly load: BulkLoadState; readonly rows: number } | null = null): void {
    if (large) {
      const others = this.indexedElsewhere(state, large.load).map((other) => other.name);
      const count = (): number => this.db.prepare(`SELECT count(*) FROM read_model_docs WHERE collection IN (${others.map(() => '?').join(', ')})`).pluck().get(...others) as number;
      if (others.length === 0 || count() * 4 < large.rows) return this.emptySearchIndex(state, large.load);
    }
    this.db.prepare(`DELETE FROM read_model_search WHERE rowid IN (SELECT seq FROM read_model_docs WHERE collection = ${collectionLiteral(state.name)})`).run();
  }

  /**
   * The trigram index emptied whole (a delete per row leaves a tombstone in its segments for later merges to skip, and
   * costs ~3 µs a row), for a bulk load's clear of `state`: the other collections' search texts indexed again from their documents.
   */
  private emptySearchIndex(state: CollectionIndexState, load: BulkLoadState): void {
    this.db.exec("INSERT INTO read_model_search (read_model_search) VALUES ('delete-all')");
    for (const other of this.indexedElsewhere(state, load)) this.indexSearchTexts(other, other.search as SearchIndex, 'INSERT');
  }

  /**
   * The other searchable collections whose rows are in the trigram index: one cleared earlier in this load has none of
   * its rows indexed (the load's end inserts its kept texts).
   */
  private indexedElsewhere(state: CollectionIndexState, load: BulkLoadState): CollectionIndexState[] {
    return [...this.states.values()].filter((other) => other !== state && other.search !== null && !load.search.get(other)?.complete);
  }

  /**
   * A bulk load's delete of every row of a collection holding at least `clearByRewriteFromRows` rows and a fifth of the
   * table (largeClear): its declared indexes are dropped first and built again after, over none of its rows. A delete
   * with them up finds and removes each row's entry in each, its key expressions evaluated from the body (~4 µs a row
   * an index for the partner views: 4 s of a rebuild at 277,000), where building one again reads the table once (~0.2
   * µs a row of any collection). Runs inside the clear's transaction: a crash leaves the file as before it.
   */
  deleteWithoutIndexes(state: CollectionIndexState): void {
    for (const fields of state.indexes) this.db.exec(`DROP INDEX IF EXISTS "${this.indexName(state, fields)}"`);
    this.db.prepare('DELETE FROM read_model_docs WHERE collection = ?').run(state.name);
    for (const fields of state.indexes) this.db.exec(this.indexSql(state, fields));
  }

  private indexName(state: CollectionIndexState, fields: readonly string[]): string {
    return `read_model_index_${createHash('sha256').update(`${state.name}\n${fields.join(',')}`).digest('hex').slice(0, 16)}`;
  }

  private indexSql(state: CollectionIndexState, fields: readonly string[]): string {
    const columns = fields.map(keyExpression).join(', ');
    return `CREATE INDEX IF NOT EXISTS "${this.indexName(state, fields)}" ON read_model_docs (${columns}, id) WHERE collection = ${collectionLiteral(state.name)}`;
  }

  private createIndex(state: CollectionIndexState, fields: readonly string[]): void {
    this.db.transaction(() => {
      this.db.exec(this.indexSql(state, fields));
      this.db.prepare('INSERT OR IGNORE INTO read_model_indexes (collection, kind, fields) VALUES (?, ?, ?)').run(state.name, 'index', JSON.stringify(fields));
      const irregular = new Set<string>();
      for (const { body } of this.bodies(state.name)) for (const field of state.newlyIrregular(JSON.parse(body))) irregular.add(field);
      this.markIrregular(state, [...irregular]);
    })();
  }

  private createSearch(state: CollectionIndexState, search: SearchIndex): void {
    const before = state.search;
    try {
      this.db.transaction(() => {
        this.db.prepare("DELETE FROM read_model_indexes WHERE collection = ? AND kind = 'search'").run(state.name);
        this.db.prepare('INSERT INTO read_model_indexes (collection, kind, fields) VALUES (?, ?, ?)').run(state.name, 'search', JSON.stringify(search));
        state.search = search;
        // texts a running bulk load kept for the collection were built for the fields before
        this.bulkLoad?.search.get(state)?.doubtful();
        this.indexSearchTexts(state, search, 'INSERT OR REPLACE');
      })();
    } catch (error) {
      state.search = before;
      throw error;
    }
  }

  /** Indexes every document's search text, notes searched fields holding arrays or objects, and marks the text current. */
  private indexSearchTexts(state: CollectionIndexState, search: SearchIndex, insert: 'INSERT' | 'INSERT OR REPLACE'): void {
    const statement = this.db.prepare(`${insert} INTO read_model_search (rowid, text) VALUES (?, ?)`);
    const irregular = new Set<string>();
    for (const { seq, body } of this.bodies(state.name)) {
      const doc: unknown = JSON.parse(body);
      statement.run(seq, searchTextOf(doc, search.fields));
      for (const field of state.newlyIrregular(doc)) irregular.add(field);
    }
    this.markIrregular(state, [...irregular]);
    this.markSearchTextCurrent(state);
  }

  /** Records that the collection's search text is built by `searchTextOf` as it is now. */
  private markSearchTextCurrent(state: CollectionIndexState): void {
    this.db.prepare('INSERT OR REPLACE INTO read_model_indexes (collection, kind, fields) VALUES (?, ?, ?)').run(state.name, SEARCH_TEXT_KIND, SEARCH_TEXT_VERSION);
    this.db.prepare('DELETE FROM read_model_indexes WHERE collection = ? AND kind = ? AND fields <> ?').run(state.name, SEARCH_TEXT_KIND, SEARCH_TEXT_VERSION);
    state.searchTextExact = true;
  }

  /**
   * While a bulk load runs: searchable collections it writes are not indexed per write but once, in one pass, when it
   * ends (about a third of a rebuild's CPU), and the indexes of collections it fills are built once at its end.
   */
  bulkLoad: BulkLoadState | null = null;

  /** The search index of a collection a bulk load wrote, filled at its end: from the texts kept from its writes when they say it all, else from its documents. */
  indexDeferredSearch(state: CollectionIndexState, deferred: DeferredSearchTexts): void {
    const search = state.search;
    if (!search) return;
    this.db.transaction(() => {
      if (!deferred.complete) {
        this.deleteSearchTexts(state);
        this.indexSearchTexts(state, search, 'INSERT');
        return;
      }
      // cleared during the load: none of its rows is in the index, and every write marked its irregular fields
      const insert = this.db.prepare('INSERT INTO read_model_search (rowid, text) VALUES (?, ?)');
      for (const [seq, text] of deferred.texts) insert.run(seq, text);
      this.markSearchTextCurrent(state);
    })();
    deferred.doubtful();
  }

  /**
   * Every document of a collection, read in chunks (a statement cannot write while another iterates) along the table's
   * `seq` order: `+collection` keeps SQLite off the (collection, id) index, which would read and sort the whole
   * collection for every chunk (quadratic: minutes at 1,000,000 documents).
   */
  private *bodies(name: string): Generator<{ seq: number; body: string }> {
    const chunk = this.db.prepare<[string, number], { seq: number; body: string }>(
      'SELECT seq, body FROM read_model_docs WHERE +collection = ? AND seq > ? ORDER BY seq LIMIT 1000',
    );
    let after = 0;
    for (;;) {
      const rows = chunk.all(name, after);
      if (rows.length === 0) return;
      yield* rows;
      after = rows[rows.length - 1].seq;
    }
  }
}
